//! What free input may hold, checked at the edge with a sentence naming what is wrong: how
//! long names and ids may be, how many items one request may carry, and the characters
//! that never belong in a name (control, bidi-override and zero-width ones, which can
//! make a name read as another).

use crate::error::{BadInput, Field, Items, UserError};

/// The longest name (a resource share's), in characters.
pub const MAX_NAME: usize = 64;
/// The longest id, in bytes.
pub const MAX_ID: usize = 128;
/// The most backups, or principals, one request may carry (AWS RAM and CBR cap a call too).
pub const MAX_ITEMS: usize = 100;

/// Characters that change how text around them reads without showing themselves.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width space, joiners, direction marks
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061C}' // Arabic letter mark
            | '\u{FEFF}') // zero-width no-break space
}

/// Refuses text holding a control, bidi-override or zero-width character.
pub fn check_visible(field: Field, text: &str) -> Result<(), UserError> {
    match text.chars().find(|c| is_hidden(*c)) {
        Some(c) => Err(UserError::Invalid(BadInput::HiddenCharacter {
            field,
            code: u32::from(c),
        })),
        None => Ok(()),
    }
}

/// An id as typed, trimmed: at most [`MAX_ID`] bytes, visible characters only.
pub fn check_id(field: Field, id: &str) -> Result<&str, UserError> {
    let id = id.trim();
    if id.len() > MAX_ID {
        return Err(UserError::Invalid(BadInput::IdTooLong {
            field,
            length: id.chars().count(),
            limit: MAX_ID,
        }));
    }
    check_visible(field, id)?;
    Ok(id)
}

/// Refuses a request carrying more than [`MAX_ITEMS`] of something.
pub fn check_count(items: Items, count: usize) -> Result<(), UserError> {
    if count > MAX_ITEMS {
        return Err(UserError::Invalid(BadInput::TooManyItems {
            items,
            count,
            limit: MAX_ITEMS,
        }));
    }
    Ok(())
}

/// Text for a log line, cut to `max` characters (marked with "…").
pub fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_long_ids_and_big_requests_are_refused_with_a_sentence() {
        assert!(check_visible(Field::ResourceShareName, "Orders – East").is_ok());
        for sneaky in [
            "a\u{202E}b",
            "a\u{200B}b",
            "a\u{0000}b",
            "a\nb",
            "a\u{2066}b",
        ] {
            let refused = check_visible(Field::ResourceShareName, sneaky)
                .unwrap_err()
                .to_string();
            assert!(
                refused.starts_with("The resource share name contains"),
                "{refused}"
            );
        }
        assert_eq!(check_id(Field::BackupId, "  cb-1 ").unwrap(), "cb-1");
        assert!(check_id(Field::BackupId, &"x".repeat(129)).is_err());
        assert!(check_count(Items::Backups, 100).is_ok());
        assert!(check_count(Items::Backups, 101)
            .unwrap_err()
            .to_string()
            .contains("at most 100"));
        assert_eq!(bounded("abcdef", 3), "abc…");
        assert_eq!(bounded("abc", 3), "abc");
    }
}
