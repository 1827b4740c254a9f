//! What every request meets before the app, and every response on its way out: a body
//! limit (413), a same-origin check on requests that change state (403), and the headers a
//! security review expects.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backshare_app::error::{AppError, ErrorCode};
use backshare_app::wire;

/// How the web surface is exposed: settings the middleware and the session cookie read.
#[derive(Debug, Clone)]
pub struct Web {
    /// Mark the session cookie `Secure` and send HSTS (behind HTTPS).
    pub secure_cookies: bool,
    /// The origins (`https://backshare.example.com`) pages are served from. Empty: the
    /// origin the request itself names in `Host`, which is right unless a proxy rewrites it.
    pub public_origins: Vec<String>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// A session ends after this long without a request (each request renews it).
    pub session_idle: std::time::Duration,
    /// A session ends this long after sign-in, however active.
    pub session_lifetime: std::time::Duration,
    /// Signed API calls per second per access key (0: no limit), and the burst.
    pub api_calls_per_second: u32,
    pub api_burst: u32,
}

impl Web {
    /// Pages are served over HTTPS: the cookie must be `Secure` (and may be `__Host-`).
    pub fn https(&self) -> bool {
        self.secure_cookies
            || (!self.public_origins.is_empty()
                && self
                    .public_origins
                    .iter()
                    .all(|o| o.starts_with("https://")))
    }
}

impl Default for Web {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            public_origins: Vec::new(),
            body_limit: 64 * 1024,
            session_idle: std::time::Duration::from_secs(12 * 3600),
            session_lifetime: std::time::Duration::from_secs(7 * 24 * 3600),
            api_calls_per_second: 50,
            api_burst: 200,
        }
    }
}

/// The middleware: refuses what must not reach the app, then adds the headers.
pub async fn guard(State(web): State<Arc<Web>>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let hashed = is_hashed_asset(request.uri().path());
    let ram = request.uri().path().starts_with("/ram/");
    let request = match admit(&web, request).await {
        Ok(request) => request,
        Err(mut refusal) => {
            // The RAM endpoint's clients read the exception's name from this header.
            if ram {
                let name = match refusal.status() {
                    StatusCode::FORBIDDEN => "OperationNotPermittedException",
                    _ => "InvalidParameterException",
                };
                refusal
                    .headers_mut()
                    .insert("x-amzn-ErrorType", HeaderValue::from_static(name));
            }
            return refusal;
        }
    };
    let mut response = next.run(request).await;
    secure_headers(&web, api, response.headers_mut());
    if hashed && response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

/// Whether a path names a bundle file whose name carries its content's hash
/// (`/pkg/backshare.<hash>.wasm`, a page's chunk `/pkg/split___backups_view_<n>.<hash>.wasm`,
/// the chunk loader `/pkg/__wasm_split.<hash>.js`; the hash in URL-safe base64 as
/// cargo-leptos writes it): such a file never changes, so browsers may keep it.
fn is_hashed_asset(path: &str) -> bool {
    let Some(file) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let mut parts = file.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(name), Some(hash), Some("js" | "wasm" | "css"), None)
            if !name.is_empty() && hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    )
}

async fn admit(web: &Web, request: Request) -> Result<Request, Response> {
    if changes_state(request.method()) {
        if let Some(origin) = foreign_origin(web, request.headers()) {
            tracing::info!(%origin, path = %request.uri().path(), "cross-site request refused");
            return Err(refuse(
                request.headers(),
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                format!("This request came from another site ({origin}): Backshare accepts changes only from its own pages."),
            ));
        }
    }
    // A page left open across an update reads answers by position: it must not get this
    // build's, nor run anything (`backshare_app::wire`).
    if request.uri().path().starts_with("/api/")
        && wire::asks_another_build(&wire::accept_of(request.headers()))
    {
        let outdated = AppError::outdated();
        return Err(answer(request.headers(), StatusCode::CONFLICT, &outdated));
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > web.body_limit as u64) {
        return Err(too_large(web, request.headers()));
    }
    if !changes_state(request.method()) {
        return Ok(request);
    }
    // A body without a declared length (chunked) is read up to the limit here.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, web.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => return Err(too_large(web, &parts.headers)),
    };
    // No field may hold NUL (PostgreSQL refuses it in text): refused here, once for all,
    // raw, form-encoded or JSON-escaped.
    if holds_nul(&bytes) {
        return Err(refuse(
            &parts.headers,
            StatusCode::BAD_REQUEST,
            ErrorCode::Invalid,
            "The request contains a NUL character, which no field may hold.".into(),
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn holds_nul(body: &[u8]) -> bool {
    let has = |needle: &[u8]| {
        body.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    body.contains(&0) || has(b"%00") || has(b"\\u0000")
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The origin a browser says the request came from, when it is not this server's. A
/// request with none of `Origin`, `Sec-Fetch-Site` or `Referer` comes from no browser
/// page (a script or `curl`) and is let through: cross-site forgery needs a browser.
fn foreign_origin(web: &Web, headers: &HeaderMap) -> Option<String> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let own = |origin: &str| {
        if web.public_origins.is_empty() {
            let host = text(header::HOST).unwrap_or_default();
            origin == format!("http://{host}") || origin == format!("https://{host}")
        } else {
            web.public_origins.iter().any(|o| o == origin)
        }
    };
    if let Some(origin) = text(header::ORIGIN) {
        return (!own(origin)).then(|| origin.to_owned());
    }
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return (!matches!(site, "same-origin" | "none")).then(|| format!("a {site} page"));
    }
    let referer = text(header::REFERER)?;
    let origin = origin_of(referer);
    (!own(&origin)).then_some(origin)
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{host}")
        }
        None => url.to_owned(),
    }
}

fn too_large(web: &Web, headers: &HeaderMap) -> Response {
    refuse(
        headers,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Invalid,
        format!(
            "The request is larger than {} KiB, the most Backshare accepts.",
            web.body_limit / 1024
        ),
    )
}

/// A refusal as every server function answers one: an `AppError`, in the format the
/// caller accepts (postcard to the pages, JSON to everyone else).
fn refuse(headers: &HeaderMap, status: StatusCode, code: ErrorCode, message: String) -> Response {
    let error = AppError {
        code,
        message,
        reason: None,
    };
    answer(headers, status, &error)
}

/// `error` with `status`, in the format the caller accepts.
fn answer(headers: &HeaderMap, status: StatusCode, error: &AppError) -> Response {
    match wire::encode_for(&wire::accept_of(headers), error) {
        Ok((media_type, body)) => {
            (status, [(header::CONTENT_TYPE, media_type)], body).into_response()
        }
        Err(fault) => {
            tracing::error!(%fault, "encoding a refusal failed");
            status.into_response()
        }
    }
}

fn secure_headers(web: &Web, api: bool, headers: &mut HeaderMap) {
    let mut set = |name: &'static str, value: &'static str| {
        headers
            .entry(header::HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    };
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "same-origin");
    // Pages set their own policy (with the nonce of their scripts); every other answer
    // gets this one: no framing, no posting elsewhere, no plugins.
    set(
        "content-security-policy",
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
    );
    if web.https() {
        set("strict-transport-security", "max-age=31536000");
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A signed-in user's pages and answers are theirs alone: no cache keeps them.
    if api || html {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn only_bundle_files_named_by_their_hash_are_immutable() {
        assert!(is_hashed_asset("/pkg/backshare.Xk3_a-9QzT0.wasm"));
        assert!(is_hashed_asset("/pkg/backshare.Xk3_a-9QzT0.js"));
        assert!(is_hashed_asset("/pkg/backshare.Xk3_a-9QzT0.css"));
        assert!(is_hashed_asset(
            "/pkg/split___backups_view_2544955.-JDc5QKkvST.wasm"
        ));
        assert!(is_hashed_asset("/pkg/chunk_106.I2Eqn0gPT99.wasm"));
        assert!(is_hashed_asset("/pkg/__wasm_split.we5T2Aa2oI7.js"));
        assert!(!is_hashed_asset("/pkg/backshare.wasm"));
        assert!(!is_hashed_asset("/pkg/backshare_bg.wasm"));
        assert!(!is_hashed_asset("/pkg/backshare.Xk3_a-9QzT0.d.ts"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/api/backshare.Xk3_a-9QzT0.js"));
    }
}
