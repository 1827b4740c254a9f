//! How numbers and instants read on screen.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Bytes in binary units, e.g. "2.0 MiB" (the domain's wording, so messages match).
pub use backshare::units::human_bytes as bytes;

/// An instant in UTC to the minute, e.g. "2026-12-05 23:12 UTC".
///
/// Written from the date's fields rather than with `format("%Y-%m-%d %H:%M UTC")`: chrono's
/// format strings bring their parser and formatter into the browser bundle.
pub fn instant(at: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    #[test]
    fn an_instant_reads_as_chrono_formats_it() {
        for at in [
            Utc.with_ymd_and_hms(2026, 12, 5, 23, 12, 26).unwrap(),
            Utc.with_ymd_and_hms(999, 1, 2, 3, 4, 5).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 59).unwrap(),
        ] {
            assert_eq!(
                super::instant(at),
                at.format("%Y-%m-%d %H:%M UTC").to_string()
            );
        }
    }
}
