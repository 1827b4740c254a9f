//! The header's language choice, `POST /language` with `lang=en|zh`: a plain form, so it
//! works without JavaScript. It keeps the choice in a cookie for a year and sends the
//! browser back to the page it came from, which the server then renders in that language.
//! (The guard has already refused a post from another site.)

use axum::extract::rejection::FormRejection;
use axum::extract::Form;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use backshare_app::error::{AppError, ErrorCode};
use backshare_app::language::{from_cookie_value, COOKIE};
use serde::Deserialize;
use tower_sessions::cookie::{time::Duration, Cookie, SameSite};

use crate::forms::back_to;

/// The form's one field.
#[derive(Debug, Deserialize)]
pub struct Choice {
    lang: String,
}

/// Keeps the language chosen and returns to the page; a missing or unknown language
/// answers 400 with `{code, message}`, as every server function does.
pub async fn choose(
    secure: bool,
    headers: HeaderMap,
    choice: Result<Form<Choice>, FormRejection>,
) -> Response {
    let Some(Form(choice)) = choice
        .ok()
        .filter(|Form(choice)| from_cookie_value(&choice.lang).is_some())
    else {
        let refused = AppError {
            code: ErrorCode::Invalid,
            message: "lang must be one of: en, zh.".to_owned(),
            reason: None,
        };
        return (StatusCode::BAD_REQUEST, Json(refused)).into_response();
    };
    let cookie = Cookie::build((COOKIE, choice.lang))
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    let mut response = Redirect::to(&back_to(&headers)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
