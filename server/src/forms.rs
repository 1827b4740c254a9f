//! Forms posted without JavaScript. Leptos sends such a browser back to the page it came
//! from when a server function succeeds; when one refuses, the browser would be left on the
//! function's URL with its JSON error. Here a refusal sends it back too, and the sentence
//! waits in the session for that page to show once ("notice", read by `me`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The session key of a refusal the next page shows.
pub use backshare_app::api::NOTICE_KEY;

/// The largest error body read back (a `{code, message}` is far smaller).
const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// A POST to a server function from a browser that wants HTML back (a plain form).
fn is_plain_form_post(request: &Request) -> bool {
    request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

/// Where to send the browser back to: the path and query of the page that posted the form
/// (never another host: the guard has refused posts from other sites already, and only
/// the path is kept), or the start page.
pub(crate) fn back_to(headers: &HeaderMap) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .filter(|path| {
            // `/\host` is `//host` to a browser: another site.
            path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.starts_with("/api/")
        })
        .unwrap_or_else(|| "/".to_owned())
}

/// Sends a refused plain form post back to its page, the sentence kept for it; a caller
/// who is not signed in goes to "Sign in". Everything else passes untouched.
pub async fn refusals_back_to_page(request: Request, next: Next) -> Response {
    if !is_plain_form_post(&request) {
        return next.run(request).await;
    }
    let back = back_to(request.headers());
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, ERROR_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return (parts.status, "The request was refused.").into_response(),
    };
    let error: Option<backshare_app::error::AppError> = serde_json::from_slice(&bytes).ok();
    let Some(error) = error else {
        // Not a server function's answer (the guard's 403 or 413, say): as it was.
        return Response::from_parts(parts, Body::from(bytes));
    };
    if error.is_not_signed_in() {
        return Redirect::to("/signin").into_response();
    }
    match session {
        Some(session) => {
            let notice = backshare::error::Problem {
                message: error.message,
                reason: error.reason.map(|reason| *reason),
            };
            if let Err(fault) = session.insert(NOTICE_KEY, notice).await {
                tracing::error!(%fault, "keeping a refusal for the next page failed");
            }
            let mut back = Redirect::to(&back).into_response();
            // A throttled post keeps saying when to try again.
            if let Some(retry) = parts.headers.get(header::RETRY_AFTER) {
                back.headers_mut()
                    .insert(header::RETRY_AFTER, retry.clone());
            }
            back
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_a_path_of_this_site_is_gone_back_to() {
        let with = |referer: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::REFERER, referer.parse().unwrap());
            back_to(&headers)
        };
        assert_eq!(
            with("http://127.0.0.1:3000/my-shares?page=2"),
            "/my-shares?page=2"
        );
        assert_eq!(with("https://evil.example//evil.example/x"), "/");
        let mut headers = HeaderMap::new();
        headers.insert(header::REFERER, HeaderValue::from_static("/\\evil.example"));
        assert_eq!(back_to(&headers), "/");
        assert_eq!(with("http://127.0.0.1:3000/api/cancel_sharing"), "/");
        assert_eq!(back_to(&HeaderMap::new()), "/");
    }
}
