//! The verification time, passed in: nothing in a plugin reads the clock.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The instant at which evidence is judged, in whole seconds since the Unix epoch (UTC).
///
/// Plugins compare certificate validity, metadata expiry and timestamps against this value
/// only; they never call `SystemTime::now()`. The CLI takes it from the clock (or a
/// `--at`-style flag); tests pin it. Serialized as a plain integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VerificationTime(u64);

impl VerificationTime {
    /// The time `seconds` after 1970-01-01T00:00:00Z.
    pub const fn from_unix_seconds(seconds: u64) -> Self {
        VerificationTime(seconds)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> u64 {
        self.0
    }
}

impl fmt::Display for VerificationTime {
    /// Writes the seconds since the epoch (no calendar formatting here).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl VerificationTime {
    /// The time as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_rfc3339(self) -> String {
        format_rfc3339(i64::try_from(self.0).unwrap_or(i64::MAX))
    }

    /// Parses what a user may type for a verification time: Unix seconds (`1780272000`) or
    /// an RFC 3339 timestamp in any of its forms ([`parse_rfc3339`]). Times before 1970 and
    /// after 9999-12-31T23:59:59Z ([`MAX_SECONDS`]) are refused.
    pub fn parse(text: &str) -> Option<Self> {
        let secs =
            if !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit()) {
                text.parse().ok()?
            } else {
                u64::try_from(parse_rfc3339(text)?).ok()?
            };
        // Every time printed is `YYYY-MM-DDTHH:MM:SSZ`: nothing after year 9999.
        (secs <= MAX_SECONDS).then_some(VerificationTime(secs))
    }
}

/// The last second a verification time may name: 9999-12-31T23:59:59Z (RFC 3339 has
/// four-digit years).
pub const MAX_SECONDS: u64 = 253_402_300_799;

/// Longest timestamp text accepted (a fraction of a second longer than this is not a time
/// anyone writes, and the budget keeps a hostile value from being scanned at length).
pub const MAX_RFC3339_LEN: usize = 64;

/// The two forms the parser reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` exactly, as TUF `expires` and Sigstore trusted roots
    /// write times.
    Utc,
    /// RFC 3339 section 5.6 in full: `T` or `t`, `Z`/`z` or a `±HH:MM` offset.
    Any,
}

/// Parses an RFC 3339 `date-time` (section 5.6): `2026-06-01T00:00:00Z`,
/// `2026-06-01t02:00:00.5+02:00`. Fractions of a second are truncated toward the earlier
/// second; leap seconds (`:60`) and calendar dates that do not exist are refused. Returns
/// seconds since the Unix epoch (negative before 1970).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    parse(text, Form::Any)
}

/// Parses only the UTC form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (upper-case `T` and `Z`, no
/// offset), which TUF metadata and Sigstore trusted roots use; otherwise as [`parse_rfc3339`].
pub fn parse_rfc3339_utc(text: &str) -> Option<i64> {
    parse(text, Form::Utc)
}

fn parse(text: &str, form: Form) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b.len() > MAX_RFC3339_LEN || !text.is_ascii() {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    let t_sep: &[u8] = match form {
        Form::Utc => b"T",
        Form::Any => b"Tt",
    };
    if !(at(4, b"-") && at(7, b"-") && at(10, t_sep) && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil_checked(year, month, day)?;
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = fraction.get(digits..)?;
    }
    let offset = match (rest, form) {
        ("Z", _) | ("z", Form::Any) => 0,
        (_, Form::Utc) => return None,
        (_, Form::Any) => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let o = rest.as_bytes();
            if o.len() != 6 || o.get(3) != Some(&b':') {
                return None;
            }
            let digits = |r: std::ops::Range<usize>| -> Option<i64> {
                let part = rest.get(r)?;
                if !part.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                part.parse().ok()
            };
            let (oh, om) = (digits(1..3)?, digits(4..6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3_600 + om * 60)
        }
    };
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` if the date does not exist
/// (month outside 1–12, day outside the month).
pub fn days_from_civil_checked(year: i64, month: i64, day: i64) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=month_days).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_both_forms() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-06-01T00:00:00Z"), Some(1_780_272_000));
        assert_eq!(
            parse_rfc3339("2026-06-01t02:00:00+02:00"),
            Some(1_780_272_000)
        );
        assert_eq!(
            parse_rfc3339("2026-05-31T23:00:00-01:00"),
            Some(1_780_272_000)
        );
        assert_eq!(
            parse_rfc3339("2026-06-01T00:00:00.999z"),
            Some(1_780_272_000)
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(
            parse_rfc3339_utc("2024-02-29T12:34:56.999Z"),
            Some(1_709_210_096)
        );
        assert_eq!(
            parse_rfc3339_utc("2030-01-01T00:00:00Z"),
            Some(1_893_456_000)
        );
        for utc_only_refuses in [
            "2026-06-01T02:00:00+02:00",
            "2026-06-01t00:00:00Z",
            "2026-06-01T00:00:00z",
        ] {
            assert_eq!(
                parse_rfc3339_utc(utc_only_refuses),
                None,
                "{utc_only_refuses}"
            );
            assert!(
                parse_rfc3339(utc_only_refuses).is_some(),
                "{utc_only_refuses}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "2023-02-29T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-00-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01T00:00:00",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+2:00",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00+02:60",
            "2024-01-01T00:00:00+0200",
            "+024-01-01T00:00:00Z",
            "2024-1-01T00:00:00Z",
            "2024-01-01T00:00:00ZZ",
            "2024-01-01T00:00:00.1234567890123456789012345678901234567890123456Z",
            "２０２４-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
            assert_eq!(parse_rfc3339_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn verification_time_takes_seconds_or_rfc3339() {
        let t = VerificationTime::from_unix_seconds(1_780_272_000);
        assert_eq!(VerificationTime::parse("1780272000"), Some(t));
        assert_eq!(VerificationTime::parse("2026-06-01T00:00:00Z"), Some(t));
        assert_eq!(VerificationTime::parse("1969-12-31T23:59:59Z"), None);
        assert_eq!(VerificationTime::parse("-5"), None);
        assert_eq!(VerificationTime::parse("99999999999999999999999"), None);
        assert_eq!(t.to_rfc3339(), "2026-06-01T00:00:00Z");
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_is_identity(t in -62_135_596_800i64..253_402_300_800) {
            let text = format_rfc3339(t);
            proptest::prop_assert_eq!(parse_rfc3339(&text), Some(t));
            proptest::prop_assert_eq!(parse_rfc3339_utc(&text), Some(t));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,70}") {
            let _ = parse_rfc3339(&s);
            let _ = parse_rfc3339_utc(&s);
        }
    }
}
