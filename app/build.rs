//! Generates the `i18n` module from the translation files in `locales/` (leptos_i18n):
//! every key becomes a typed accessor, so a key the pages use but a file lacks fails the
//! build. `tests/locales.rs` checks that both languages hold the same keys.

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// One file per page or component group, so a translator edits one screen at a time.
const NAMESPACES: [&str; 14] = [
    "common",
    "nav",
    "sign_in",
    "backups",
    "backup_details",
    "my_shares",
    "shared_with_me",
    "share_dialog",
    "vaults",
    "resources",
    "activity",
    "credentials",
    "api_reference",
    "refusals",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let module_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?).join("i18n");
    // `interpolate_display`: sentences with values can also be made as plain strings, for
    // attributes such as `title` and `aria-label`.
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("en")?
        .add_locale("zh")?
        .add_namespaces(NAMESPACES)?
        .parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(module_dir)?;
    Ok(())
}
