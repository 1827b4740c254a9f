//! How answers cross to the pages: postcard for the pages' own calls, JSON for every other
//! caller.
//!
//! Decoding JSON compiles, for every type the pages show (and for `Reason`'s ~60 variants),
//! matching by field name as well as by position. That was the largest part of the
//! browser bundle's code (issue 13's lighter first load). postcard reads by position only.
//!
//! - A server function's answer and error (`output = Answer`, `AppError`'s encoder) are
//!   postcard when the request accepts `application/x-postcard`, which is what the pages'
//!   client sends (a codec's content type is its `Accept`). Scripts, `curl` and plain forms
//!   get JSON, as the API reference documents.
//! - A page's data handed from the server's render to the browser (`crate::load`) is
//!   postcard, in base64 so that it fits the page's script.
//!
//! postcard writes fields by position, so a type that crosses must write every field:
//! no `skip_serializing_if`.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// The media type of postcard on the wire.
pub const POSTCARD: &str = "application/x-postcard";

/// A server function's answer in the format its caller accepts (see the module's comment).
pub struct Negotiated;

/// Arguments as the function's input encoding has them; the answer `Negotiated`.
pub type Answer = Post<Negotiated>;

impl ContentType for Negotiated {
    const CONTENT_TYPE: &'static str = POSTCARD;
}

impl FormatType for Negotiated {
    const FORMAT_TYPE: Format = Format::Binary;
}

impl<T: Serialize> Encodes<T> for Negotiated {
    type Error = String;

    /// On the server: postcard to a caller that accepts it, JSON to any other. The
    /// response's content type says which (through the response options, which are laid
    /// over the function's fixed one).
    fn encode(value: &T) -> Result<Bytes, String> {
        #[cfg(feature = "ssr")]
        if !on_server::accepts_postcard() {
            on_server::answer_as(JSON);
            return serde_json::to_vec(value)
                .map(Bytes::from)
                .map_err(|e| e.to_string());
        }
        #[cfg(feature = "ssr")]
        on_server::answer_as(POSTCARD);
        postcard::to_allocvec(value)
            .map(Bytes::from)
            .map_err(|e| e.to_string())
    }
}

impl<T: DeserializeOwned> Decodes<T> for Negotiated {
    type Error = postcard::Error;

    /// In the browser, which always asks for postcard.
    fn decode(bytes: Bytes) -> Result<T, postcard::Error> {
        postcard::from_bytes(&bytes)
    }
}

#[cfg(feature = "ssr")]
const JSON: &str = "application/json";

#[cfg(feature = "ssr")]
mod on_server {
    use axum::http::{header, request::Parts, HeaderValue};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    /// Whether the request being answered lists postcard among what it accepts.
    pub fn accepts_postcard() -> bool {
        use_context::<Parts>().is_some_and(|parts| {
            parts
                .headers
                .get_all(header::ACCEPT)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .any(lists_postcard)
        })
    }

    /// Whether an `Accept` value lists postcard, and not as unacceptable (`q=0`).
    pub fn lists_postcard(accept: &str) -> bool {
        accept.split(',').any(|range| {
            let mut parts = range.split(';').map(str::trim);
            parts.next() == Some(super::POSTCARD)
                && parts.all(|parameter| {
                    let quality = parameter
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok());
                    quality.is_none_or(|q| q > 0.0)
                })
        })
    }

    /// Says in the response which format its body is.
    pub fn answer_as(media_type: &'static str) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.insert_header(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
        }
    }

    #[cfg(test)]
    mod tests {
        use super::lists_postcard;

        #[test]
        fn postcard_is_chosen_only_when_listed_as_acceptable() {
            for yes in [
                "application/x-postcard",
                "application/json, application/x-postcard;q=0.5",
                " application/x-postcard ; q=1",
            ] {
                assert!(lists_postcard(yes), "{yes}");
            }
            for no in [
                "",
                "*/*",
                "application/json",
                "application/x-postcard;q=0",
                "application/x-postcard; q=0.0, text/html",
                "application/x-postcards",
            ] {
                assert!(!lists_postcard(no), "{no}");
            }
        }
    }
}

/// postcard in base64: a value the server's render hands to the browser inside the page.
pub mod handover {
    use base64::engine::general_purpose::STANDARD_NO_PAD;
    use base64::Engine;
    use serde::{de::DeserializeOwned, Serialize};

    /// Why a handed-over value could not be written or read.
    #[derive(Debug, thiserror::Error)]
    pub enum Error {
        #[error("base64: {0}")]
        Base64(#[from] base64::DecodeError),
        #[error("postcard: {0}")]
        Postcard(#[from] postcard::Error),
    }

    pub fn encode<T: Serialize>(value: &T) -> Result<String, Error> {
        Ok(STANDARD_NO_PAD.encode(postcard::to_allocvec(value)?))
    }

    pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        Ok(postcard::from_bytes(&STANDARD_NO_PAD.decode(text)?)?)
    }
}
