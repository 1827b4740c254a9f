//! Which language a page is in. The server decides it for each request: the header's
//! choice (a cookie, set by `POST /language`), else the browser's `Accept-Language`, else
//! English. The page carries it in `<html lang>`, which hydration reads back, so the
//! server's rendering and the browser's agree and nothing flashes in another language.

use leptos_i18n::context::CookieOptions;

use crate::i18n::Locale;
use leptos_i18n::Locale as _;

/// The cookie that keeps the header's choice.
pub const COOKIE: &str = "backshare_lang";

/// Where the header's choice is posted (a plain form: it works without JavaScript too).
pub const CHOOSE_PATH: &str = "/language";

/// The languages offered, each named in itself.
pub const CHOICES: [(Locale, &str); 2] = [(Locale::en, "English"), (Locale::zh, "中文")];

/// The context reads the cookie but never writes it: only `POST /language` does, with
/// `Path=/`, so one choice holds on every page.
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::default().readonly(true)
}

/// The language a cookie value names, if it names one offered.
pub fn from_cookie_value(value: &str) -> Option<Locale> {
    CHOICES
        .iter()
        .map(|(locale, _)| *locale)
        .find(|locale| locale.as_str() == value)
}

/// The page's language where the context is known, else English (code outside a page,
/// such as a test).
pub fn current() -> Locale {
    leptos::prelude::use_context::<leptos_i18n::I18nContext<Locale>>()
        .map(|i18n| i18n.get_locale_untracked())
        .unwrap_or_default()
}
