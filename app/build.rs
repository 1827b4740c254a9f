//! Generates the `i18n` module from the translation files in `locales/` (leptos_i18n):
//! every key becomes a typed accessor, so a key the pages use but a file lacks fails the
//! build. `tests/locales.rs` checks that both languages hold the same keys. Also names the
//! build for the wire (`wire_build`).

use std::error::Error;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

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
    wire_build()
}

/// The sources whose types cross between the server and the pages (and the lock file that
/// fixes serde's and postcard's versions). Their hash names the build on the wire.
const WIRE_SOURCES: [&str; 3] = ["src", "../src", "../Cargo.lock"];

/// Sets `BACKSHARE_WIRE_BUILD`: a hash of [`WIRE_SOURCES`], the same for the server's and
/// the browser's build of one tree. postcard reads fields by position, so a page left open
/// across an update must not read a newer server's answers as its own (`src/wire.rs`).
fn wire_build() -> Result<(), Box<dyn Error>> {
    fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
        if path.is_dir() {
            for entry in std::fs::read_dir(path)? {
                collect(&entry?.path(), files)?;
            }
        } else {
            files.push(path.to_owned());
        }
        Ok(())
    }
    let mut files = Vec::new();
    for source in WIRE_SOURCES {
        println!("cargo::rerun-if-changed={source}");
        collect(Path::new(source), &mut files)?;
    }
    files.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file)?.hash(&mut hasher);
    }
    println!(
        "cargo::rustc-env=BACKSHARE_WIRE_BUILD={:016x}",
        hasher.finish()
    );
    Ok(())
}
