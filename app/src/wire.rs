//! How answers cross to the pages: postcard for the pages' own calls, JSON for every other
//! caller.
//!
//! Decoding JSON compiles, for every type the pages show (and for `Reason`'s ~60 variants),
//! matching by field name as well as by position. That was the largest part of the
//! browser bundle's code (issue 13's lighter first load). postcard reads by position only.
//!
//! - A server function's answer and error (`output = Answer`, `AppError`'s encoder) are
//!   postcard when the request accepts `application/x-postcard` of this very build
//!   (`build=` [`BUILD`]), which is what the pages' client sends (a codec's content type is
//!   its `Accept`). Scripts, `curl` and plain forms get JSON, as the API reference
//!   documents; so do the server's own refusals before a function runs (the guard's).
//! - A page's data handed from the server's render to the browser (`crate::load`) is
//!   postcard, in base64 so that it fits the page's script.
//!
//! postcard writes fields by position, so a type that crosses must write every field (no
//! `skip_serializing_if`), and a page must not read another build's answers as its own: a
//! page left open across an update asks for its own build, which the guard answers 409
//! `outdated` (in JSON, before anything runs), and the page says that Backshare was updated
//! (`ErrorCode::Outdated`).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// The media type of postcard on the wire.
pub const POSTCARD: &str = "application/x-postcard";

/// This build's name on the wire: a hash of the sources whose types cross (`build.rs`).
pub const BUILD: &str = env!("BACKSHARE_WIRE_BUILD");

/// What the pages' client accepts: postcard of this build.
const POSTCARD_OF_THIS_BUILD: &str =
    leptos::server_fn::const_format::concatcp!(POSTCARD, "; build=", BUILD);

/// A server function's answer in the format its caller accepts (see the module's comment).
pub struct Negotiated;

/// Arguments as the function's input encoding has them; the answer `Negotiated`.
pub type Answer = Post<Negotiated>;

impl ContentType for Negotiated {
    const CONTENT_TYPE: &'static str = POSTCARD_OF_THIS_BUILD;
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
        {
            let (media_type, body) = on_server::encode_for(&on_server::accept(), value)?;
            on_server::answer_as(media_type);
            Ok(body)
        }
        #[cfg(not(feature = "ssr"))]
        postcard::to_allocvec(value)
            .map(Bytes::from)
            .map_err(|e| e.to_string())
    }
}

impl<T: DeserializeOwned> Decodes<T> for Negotiated {
    type Error = Unreadable;

    /// In the browser, which always asks for postcard. (Server rendering decodes only an
    /// error Leptos put in a page's URL, which `forms` in the server never lets happen.)
    fn decode(bytes: Bytes) -> Result<T, Unreadable> {
        postcard::from_bytes(&bytes).map_err(|error| {
            // The guard's answer to a page of another build, in JSON: its code is the one
            // thing every build can find in it.
            let outdated = br#""code":"outdated""#;
            if bytes.windows(outdated.len()).any(|w| w == outdated) {
                Unreadable::Outdated
            } else {
                Unreadable::Garbled(error)
            }
        })
    }
}

/// Why the page could not read an answer.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    /// The server is of another build than the page (see the module's comment).
    #[error("{}", OUTDATED)]
    Outdated,
    #[error("{0}")]
    Garbled(postcard::Error),
}

/// How [`Unreadable::Outdated`] reads as text: the error Leptos makes of it carries only
/// the text (`crate::error` tells it by this).
pub const OUTDATED: &str = "the page is older than the server";

#[cfg(feature = "ssr")]
pub use on_server::{accept_of, asks_another_build, encode_for};

#[cfg(feature = "ssr")]
mod on_server {
    use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
    use leptos::prelude::use_context;
    use leptos::server_fn::Bytes;
    use leptos_axum::ResponseOptions;
    use serde::Serialize;

    const JSON: &str = "application/json";

    /// The `Accept` of the request being answered.
    pub fn accept() -> String {
        use_context::<Parts>()
            .map(|parts| accept_of(&parts.headers))
            .unwrap_or_default()
    }

    /// A request's `Accept`, its values joined.
    pub fn accept_of(headers: &HeaderMap) -> String {
        let values = headers.get_all(header::ACCEPT).iter();
        let values: Vec<_> = values.filter_map(|value| value.to_str().ok()).collect();
        values.join(", ")
    }

    /// `value` as a caller with this `Accept` wants it, and the media type it is in:
    /// postcard to the pages of this build, JSON to everyone else.
    pub fn encode_for<T: Serialize>(
        accept: &str,
        value: &T,
    ) -> Result<(&'static str, Bytes), String> {
        if postcard_asked(accept).as_deref() == Some(super::BUILD) {
            let body = postcard::to_allocvec(value).map_err(|e| e.to_string())?;
            Ok((super::POSTCARD, Bytes::from(body)))
        } else {
            let body = serde_json::to_vec(value).map_err(|e| e.to_string())?;
            Ok((JSON, Bytes::from(body)))
        }
    }

    /// Whether a request with this `Accept` comes from a page of another build, whose
    /// postcard is not this one's (the guard answers it `Outdated` before anything runs).
    pub fn asks_another_build(accept: &str) -> bool {
        postcard_asked(accept).is_some_and(|build| build != super::BUILD)
    }

    /// The build whose postcard an `Accept` value lists as acceptable (not `q=0`), empty if
    /// it names none; `None` if it does not list postcard. Media types and parameter names
    /// are compared without regard to case.
    fn postcard_asked(accept: &str) -> Option<String> {
        accept.split(',').find_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            if !parts.next()?.eq_ignore_ascii_case(super::POSTCARD) {
                return None;
            }
            let mut build = String::new();
            for parameter in parts {
                let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
                let value = value.trim().trim_matches('"');
                match name.trim().to_ascii_lowercase().as_str() {
                    "build" => build = value.to_owned(),
                    "q" if !value.parse::<f32>().is_ok_and(|q| q > 0.0) => return None,
                    _ => {}
                }
            }
            Some(build)
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
        use super::{asks_another_build, postcard_asked};
        use crate::wire::{BUILD, POSTCARD_OF_THIS_BUILD};

        #[test]
        fn postcard_is_chosen_only_when_listed_as_acceptable_and_a_page_of_another_build_is_told() {
            for this in [
                POSTCARD_OF_THIS_BUILD.to_owned(),
                format!("application/json, application/x-postcard;build={BUILD};q=0.5"),
                format!(" Application/X-Postcard ; Q=1 ; BUILD=\"{BUILD}\""),
            ] {
                assert_eq!(postcard_asked(&this).as_deref(), Some(BUILD), "{this}");
                assert!(!asks_another_build(&this), "{this}");
            }
            for json in [
                String::new(),
                "*/*".into(),
                "application/json".into(),
                "text/html,application/xhtml+xml,*/*;q=0.8".into(),
                format!("application/x-postcard; build={BUILD}; q=0"),
                format!("application/x-postcard; build={BUILD}; q=0.0, text/html"),
                format!("application/x-postcards; build={BUILD}"),
            ] {
                assert_eq!(postcard_asked(&json), None, "{json}");
                assert!(!asks_another_build(&json), "{json}");
            }
            for other in [
                "application/x-postcard",
                "application/x-postcard; build=0123456789abcdef",
            ] {
                assert!(asks_another_build(other), "{other}");
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

    /// On the server, into the page.
    pub fn encode<T: Serialize>(value: &T) -> Result<String, Error> {
        Ok(STANDARD_NO_PAD.encode(postcard::to_allocvec(value)?))
    }

    /// In the browser, from the page.
    pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        Ok(postcard::from_bytes(&STANDARD_NO_PAD.decode(text)?)?)
    }
}
