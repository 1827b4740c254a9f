//! How a view loads its data: a resource whose value the server's render hands to the
//! browser as JSON, read back with the same JSON reader the server functions' answers go
//! through.
//!
//! Leptos' default resource codec reads the handed-over value with `serde_json::from_str`
//! while server functions read their answers with `serde_json::from_slice`, and each reader
//! compiles its own decoder for every type the pages show: two copies of each in the
//! browser bundle. Reading both from bytes keeps one (issue 13's lighter first load).

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

use crate::error::AppError;

/// JSON, decoded from bytes (see the module's comment).
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(value: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(value.as_bytes())
    }
}

/// Data a view loads from a server function.
pub type Loaded<T> = Resource<Result<T, AppError>, JsonBytes>;

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
