//! How numbers and instants read on screen.

use chrono::{DateTime, Utc};

/// Bytes in binary units, e.g. "2.0 MiB" (the domain's wording, so messages match).
pub use backshare::units::human_bytes as bytes;

/// An instant in UTC to the minute.
pub fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
