//! Keyset pages. A list sorted newest first is read from a cursor (the sort key of the row
//! next to the page), never from an offset, so a deep page costs what the first one does.
//! Totals are counted only up to [`COUNT_CAP`]: past it a page says "more than 1,000".

use serde::{Deserialize, Serialize};

use crate::error::UserError;

/// Rows counted at most for a total; beyond it the total reads "more than …".
pub const COUNT_CAP: u64 = 1_000;

/// The sort key of one row: its time (Unix milliseconds) and id, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

impl Cursor {
    /// As a page hands it to the browser: `<at>.<id>`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at, self.id)
    }

    /// A cursor a page handed out; anything else is refused, naming it.
    pub fn parse(text: &str) -> Result<Self, UserError> {
        let (at, id) = text.split_once('.').ok_or_else(Self::refused)?;
        let at = at.parse().map_err(|_| Self::refused())?;
        if id.is_empty() || id.len() > 128 {
            return Err(Self::refused());
        }
        Ok(Self {
            at,
            id: id.to_owned(),
        })
    }
}

impl Cursor {
    fn refused() -> UserError {
        UserError::Invalid(crate::error::BadInput::PagePosition)
    }
}

/// Which page of a list sorted newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PageAt {
    /// The newest rows.
    #[default]
    First,
    /// The rows older than a cursor ("Older →").
    Older(Cursor),
    /// The rows newer than a cursor ("← Newer").
    Newer(Cursor),
}

impl PageAt {
    /// A page position as a page's links hand it out: none for the first page,
    /// `older.<cursor>` or `newer.<cursor>`.
    pub fn parse(token: Option<&str>) -> Result<Self, UserError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Ok(Self::First);
        };
        match token.split_once('.') {
            Some(("older", cursor)) => Ok(Self::Older(Cursor::parse(cursor)?)),
            Some(("newer", cursor)) => Ok(Self::Newer(Cursor::parse(cursor)?)),
            _ => Err(Cursor::refused()),
        }
    }

    /// The token [`PageAt::parse`] reads back.
    pub fn token(&self) -> Option<String> {
        match self {
            Self::First => None,
            Self::Older(cursor) => Some(format!("older.{}", cursor.encode())),
            Self::Newer(cursor) => Some(format!("newer.{}", cursor.encode())),
        }
    }
}

impl PageAt {
    /// The SQL that reads this page of a list sorted by `key` then `id`, newest first: a
    /// condition to add to the `WHERE` (binding the cursor's time and id as `$n` and
    /// `$n+1`, see [`PageAt::cursor`]) and the direction to `ORDER BY key, id` in. Read
    /// `page_size + 1` rows and pass them to [`PageAt::settle`].
    pub fn sql(&self, key: &str, id: &str, n: usize) -> (String, &'static str) {
        match self {
            Self::First => (String::new(), "DESC"),
            Self::Older(_) => (format!("AND ({key}, {id}) < (${n}, ${})", n + 1), "DESC"),
            Self::Newer(_) => (format!("AND ({key}, {id}) > (${n}, ${})", n + 1), "ASC"),
        }
    }

    /// The cursor to bind, if the page has one.
    pub fn cursor(&self) -> Option<&Cursor> {
        match self {
            Self::First => None,
            Self::Older(cursor) | Self::Newer(cursor) => Some(cursor),
        }
    }

    /// The page's rows newest first, from the `page_size + 1` rows [`PageAt::sql`] read,
    /// and whether there were more beyond the page in its direction.
    pub fn settle<T>(&self, mut rows: Vec<T>, page_size: usize) -> (Vec<T>, bool) {
        let more = rows.len() > page_size;
        rows.truncate(page_size);
        if matches!(self, Self::Newer(_)) {
            rows.reverse();
        }
        (rows, more)
    }
}

/// A total as a page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Total {
    Exactly(u64),
    /// More rows than were counted.
    MoreThan(u64),
}

impl Total {
    /// A count taken with `LIMIT COUNT_CAP + 1`.
    pub fn of_capped(count: u64) -> Self {
        if count > COUNT_CAP {
            Self::MoreThan(COUNT_CAP)
        } else {
            Self::Exactly(count)
        }
    }

    /// Whether there is nothing at all.
    pub fn is_zero(self) -> bool {
        self == Self::Exactly(0)
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exactly(n) => write!(f, "{n}"),
            Self::MoreThan(n) => write!(f, "more than {}", crate::units::thousands(*n)),
        }
    }
}

/// The page links of a keyset page: the positions "← Newer" and "Older →" lead to (as
/// [`PageAt::token`]s), if anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageLinks {
    pub newer: Option<String>,
    pub older: Option<String>,
}

impl PageLinks {
    /// The links of a page read at `at` whose rows (newest first) run from `first` to
    /// `last`, when the read found rows beyond the page in its direction (`more`).
    pub fn of(at: &PageAt, first: Option<Cursor>, last: Option<Cursor>, more: bool) -> Self {
        let (newer_exists, older_exists) = match at {
            PageAt::First => (false, more),
            PageAt::Older(_) => (true, more),
            PageAt::Newer(_) => (more, true),
        };
        Self {
            newer: first
                .filter(|_| newer_exists)
                .and_then(|c| PageAt::Newer(c).token()),
            older: last
                .filter(|_| older_exists)
                .and_then(|c| PageAt::Older(c).token()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_trip_to_the_browser_and_back() {
        let cursor = Cursor {
            at: 1_733_000_000_000,
            id: "rs-1.2".into(),
        };
        assert_eq!(Cursor::parse(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn a_cursor_the_console_did_not_make_is_refused() {
        for text in [
            "",
            "abc",
            "12",
            "x.rs-1",
            "12.",
            &format!("1.{}", "a".repeat(129)),
        ] {
            assert!(
                matches!(Cursor::parse(text), Err(UserError::Invalid(_))),
                "{text}"
            );
        }
        for token in ["page two", "older.", "sideways.1.a", "newer.x.y"] {
            assert!(PageAt::parse(Some(token)).is_err(), "{token}");
        }
        assert_eq!(PageAt::parse(None), Ok(PageAt::First));
        let at = PageAt::Older(Cursor {
            at: 5,
            id: "a".into(),
        });
        assert_eq!(PageAt::parse(at.token().as_deref()), Ok(at));
    }

    #[test]
    fn a_total_past_the_cap_reads_more_than() {
        assert_eq!(Total::of_capped(53).to_string(), "53");
        assert_eq!(Total::of_capped(1_001).to_string(), "more than 1,000");
    }

    #[test]
    fn the_first_page_links_only_older_and_a_middle_page_both_ways() {
        let c = |n| {
            Some(Cursor {
                at: n,
                id: "x".into(),
            })
        };
        let first = PageLinks::of(&PageAt::First, c(9), c(5), true);
        assert_eq!(
            (first.newer, first.older.as_deref()),
            (None, Some("older.5.x"))
        );
        let middle = PageLinks::of(&PageAt::Older(c(5).unwrap()), c(4), c(1), true);
        assert_eq!(
            (middle.newer.as_deref(), middle.older.as_deref()),
            (Some("newer.4.x"), Some("older.1.x"))
        );
        let newest = PageLinks::of(&PageAt::Newer(c(4).unwrap()), c(9), c(5), false);
        assert_eq!(
            (newest.newer, newest.older.as_deref()),
            (None, Some("older.5.x"))
        );
    }
}
