//! How a view loads its data: a resource whose value the server's render hands to the
//! browser in the page, in the same compact form the pages' calls are answered in
//! (`crate::wire`), so the browser compiles one decoder per type.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

use crate::error::AppError;
use crate::wire::handover;

/// postcard in base64 (see `crate::wire`).
pub struct Handover;

impl<T: Serialize> Encoder<T> for Handover {
    type Error = handover::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        handover::encode(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Handover {
    type Error = handover::Error;
    type Encoded = str;

    fn decode(value: &str) -> Result<T, Self::Error> {
        handover::decode(value)
    }
}

/// Data a view loads from a server function.
pub type Loaded<T> = Resource<Result<T, AppError>, Handover>;

/// Loads `fetcher(source())` again whenever `source` changes; the server's render hands
/// its value to the browser, which does not load it a second time.
#[track_caller]
pub fn load<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: Clone + PartialEq + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
