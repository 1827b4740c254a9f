//! How sizes read, in messages and on pages alike.

/// Bytes in binary units, e.g. "2.0 MiB": one decimal, rounded half to even as `{:.1}`
/// rounds the exact quotient. Integer arithmetic only, so that the browser's bundle
/// carries no float formatting for it.
pub fn human_bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let magnitude = i128::from(n).unsigned_abs();
    let mut unit = 0;
    while unit < UNITS.len() - 1 && magnitude >= 1u128 << (10 * (unit + 1)) {
        unit += 1;
    }
    if unit == 0 {
        return format!("{n} B");
    }
    let scale = 1u128 << (10 * unit);
    let (mut tenths, rest) = (magnitude * 10 / scale, magnitude * 10 % scale);
    if 2 * rest > scale || (2 * rest == scale && tenths % 2 == 1) {
        tenths += 1;
    }
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// A count with thousands separated, e.g. "100,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    /// The float formatting it replaces, as the oracle.
    fn by_float(n: i64) -> String {
        const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
        let mut value = n as f64;
        let mut unit = 0;
        while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        match unit {
            0 => format!("{n} B"),
            _ => format!("{value:.1} {}", UNITS[unit]),
        }
    }

    #[test]
    fn sizes_read_as_the_float_formatting_did_ties_included() {
        let mut samples = vec![0, 1, 1023, 1024, 1075, 1126, 1280, 1536, 10 * 1024 - 1];
        for unit in 1..=5u32 {
            let scale = 1i64 << (10 * unit);
            for tenths in [0, 1, 5, 9, 10, 15, 25, 35, 99, 1023 * 10] {
                let at = scale / 10 * tenths;
                samples.extend([at - 1, at, at + 1, at + scale / 20, at + scale / 20 + 1]);
            }
        }
        samples.extend([i64::MAX / 4096, 5 << 40, 123_456_789_012]);
        for n in samples.into_iter().filter(|n| *n >= 0) {
            assert_eq!(super::human_bytes(n), by_float(n), "{n} bytes");
            assert_eq!(super::human_bytes(-n), by_float(-n), "-{n} bytes");
        }
        assert_eq!(super::human_bytes(2 << 20), "2.0 MiB");
    }

    #[test]
    fn counts_read_with_thousands_separated() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(100_000), "100,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn bytes_read_in_binary_units() {
        assert_eq!(super::human_bytes(512), "512 B");
        assert_eq!(super::human_bytes(2 * 1024 * 1024), "2.0 MiB");
        assert_eq!(super::human_bytes(1536), "1.5 KiB");
    }
}
