//! Both languages hold the same keys, and each sentence the same `{{ values }}` and
//! elements: a key missing in one language, or a value a translator dropped, fails here by
//! name (the build would only warn, and show English).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

/// Every sentence of one language, "namespace.key.subkey" → its text.
fn sentences(language: &str) -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(language);
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a readable directory entry").path();
        let namespace = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name");
        let text = std::fs::read_to_string(&path).expect("a readable translation file");
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        walk(namespace.to_owned(), &value, &mut found);
    }
    found
}

fn walk(prefix: String, value: &Value, found: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                walk(format!("{prefix}.{key}"), inner, found);
            }
        }
        Value::String(text) => {
            found.insert(prefix, text.clone());
        }
        other => panic!("{prefix}: a translation is a string or an object, not {other}"),
    }
}

/// The names inside `{{ … }}`, and the elements (`<a>…</a>`) the page puts around words.
fn values_in(text: &str) -> BTreeSet<&str> {
    let values = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim());
    let elements = text
        .split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>'))
        .map(|(tag, _)| tag.trim_end_matches('/'));
    values.chain(elements).collect()
}

#[test]
fn every_key_is_in_both_languages_with_the_same_values() {
    let (english, chinese) = (sentences("en"), sentences("zh"));
    assert!(
        english.len() > 100,
        "only {} English sentences",
        english.len()
    );
    let missing = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (no_chinese, no_english) = (missing(&english, &chinese), missing(&chinese, &english));
    assert!(
        no_chinese.is_empty() && no_english.is_empty(),
        "missing in zh: {no_chinese:?}; missing in en: {no_english:?}"
    );
    let differing: Vec<_> = english
        .iter()
        .filter(|(key, text)| values_in(text) != values_in(&chinese[*key]))
        .map(|(key, _)| key.clone())
        .collect();
    assert!(
        differing.is_empty(),
        "other {{{{ values }}}} in zh: {differing:?}"
    );
    println!("{} sentences in English and in Chinese", english.len());
}

/// A Chinese sentence equal to its English one, made of English words, was left
/// untranslated. Names stay as they are ("English", "SHA-256", "API").
#[test]
fn no_sentence_is_left_in_english() {
    let (english, chinese) = (sentences("en"), sentences("zh"));
    let words = |text: &str| {
        text.split_whitespace()
            .filter(|word| word.chars().all(|c| c.is_ascii_lowercase()))
            .count()
    };
    let copied: Vec<_> = english
        .iter()
        .filter(|(key, text)| chinese.get(*key) == Some(text) && words(text) >= 2)
        .map(|(key, _)| key.clone())
        .collect();
    assert!(copied.is_empty(), "left in English in zh: {copied:?}");
}
