//! The native API: every server function (`/api/<name>`) also answers requests signed with
//! an access key (SigV4, service `backshare`), acting as the key's user with its role,
//! instead of a session. A signed request's signature is verified here, before the server
//! function runs, and the verified caller travels as a request extension that the server
//! functions read first; a bad signature is a 403 with the reason, as on `/ram`.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backshare::service::Backshare;
use backshare_app::api::SignedBy;

use crate::rate::ApiRate;

/// Verifies `/api/*` requests that carry a SigV4 `Authorization`; others pass untouched.
pub async fn verify(
    State((svc, rate)): State<(Backshare, ApiRate)>,
    request: Request,
    next: Next,
) -> Response {
    let signed = request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(AUTHORIZATION)
            .is_some_and(|v| v.as_bytes().starts_with(b"AWS4-"));
    if !signed {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    // The guard bounded the body already; this limit only restates it.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return axum::http::StatusCode::BAD_REQUEST.into_response(),
    };
    let now = chrono::Utc::now();
    let received = crate::sigv4::Received::of(&parts.method, &parts.uri, &parts.headers, &bytes);
    match crate::ram::authenticate(&svc, &rate, "backshare", &received, now).await {
        Ok((key, _region)) => {
            parts.extensions.insert(SignedBy(key.caller));
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(refusal) => refusal.into_response(),
    }
}
