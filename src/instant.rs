//! Instants in the views as the wire carries them (JSON, and postcard to the pages): written
//! exactly as chrono writes them (RFC 3339 in UTC, e.g. `2026-12-05T23:12:26.123Z`), read
//! back by a reader of that one form.
//!
//! chrono's own reader parses every RFC 3339 variant through its general format-string
//! parser, about 20 KB of the browser bundle, for strings only our server writes. Use with
//! `#[serde(with = "crate::instant")]` (or `crate::instant::option`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

/// Writes `at` as chrono does.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    at.serialize(serializer)
}

/// Reads an instant as [`serialize`] writes it.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| {
        D::Error::custom(format_args!(
            "expected an instant such as 2026-12-05T23:12:26Z, found {text:?}"
        ))
    })
}

/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, then `Z` or `+00:00`.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0u32, |value, &digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + u32::from(digit - b'0'))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|&(at, byte)| bytes.get(at) != Some(&byte))
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)?).ok()?,
        number(5..7)?,
        number(8..10)?,
    )?;
    let (mut nanos, mut rest) = (0, bytes.get(19..)?);
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = number(20..20 + digits)? * 10u32.pow(9 - digits as u32);
        rest = &fraction[digits..];
    }
    if rest != b"Z" && rest != b"+00:00" {
        return None;
    }
    let time = date.and_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanos)?;
    Some(time.and_utc())
}

/// The same for an optional instant (`null` when absent).
pub mod option {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        at.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Instant(#[serde(with = "super")] DateTime<Utc>);
        Ok(Option::<Instant>::deserialize(deserializer)?.map(|Instant(at)| at))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    /// Every form chrono writes (no fraction, milli-, micro- and nanoseconds) reads back
    /// as the instant written.
    #[test]
    fn what_chrono_writes_reads_back_as_the_same_instant() {
        let start = Utc.with_ymd_and_hms(2026, 12, 5, 23, 12, 26).unwrap();
        let mut instants = vec![
            start,
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
        ];
        for nanos in [
            1,
            10,
            999,
            1_000,
            120_000,
            1_000_000,
            123_456_789,
            999_999_999,
        ] {
            instants.push(start + Duration::nanoseconds(nanos));
        }
        instants.push(Utc::now());
        for at in instants {
            let json = serde_json::to_string(&at).unwrap();
            let text: String = serde_json::from_str(&json).unwrap();
            assert_eq!(super::parse(&text), Some(at), "{text}");
            assert_eq!(text.parse::<DateTime<Utc>>().unwrap(), at, "{text}");
        }
        assert_eq!(
            super::parse("2026-12-05T23:12:26.5+00:00"),
            Some(start + Duration::milliseconds(500))
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "2026-12-05",
            "2026-12-05 23:12:26Z",
            "2026-12-05T23:12:26",
            "2026-12-05T23:12:26+01:00",
            "2026-12-05T23:12:26.Z",
            "2026-12-05T23:12:26.1234567890Z",
            "2026-13-05T23:12:26Z",
            "2026-02-30T23:12:26Z",
            "2026-12-05T24:00:00Z",
            "2026-12-05T23:12:26ZZ",
            "2026-12-05T23:12:2",
            "2026-12-05T23:12:",
            "+2026-12-05T23:12:26Z",
            "２026-12-05T23:12:26Z",
        ] {
            assert_eq!(super::parse(text), None, "{text}");
        }
        let error = serde_json::from_str::<Wrapped>("\"yesterday\"").unwrap_err();
        assert!(error.to_string().contains("found \"yesterday\""), "{error}");
    }

    #[derive(Debug, serde::Deserialize)]
    struct Wrapped(
        #[serde(with = "super")]
        #[allow(dead_code)]
        DateTime<Utc>,
    );
}
