//! The organisation slug and the pack date: the two values that name a pack
//! (`audit-pack-<org>-<date>.tgz`).

use std::fmt;

/// Longest organisation slug, in bytes.
pub const MAX_ORG_LEN: usize = 63;

/// A validated organisation slug: 1 to 63 characters from `a-z`, `0-9` and `-`, starting and
/// ending with a letter or digit, with no `--`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrgSlug(String);

/// A slug or date that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The organisation slug is not of the required form.
    #[error("organisation slug {value:?} is invalid: {reason}")]
    InvalidOrg { value: String, reason: &'static str },
    /// The date is not a real calendar date written `YYYY-MM-DD`.
    #[error("date {value:?} is invalid: {reason}")]
    InvalidDate { value: String, reason: &'static str },
}

impl OrgSlug {
    /// Parses and validates a slug.
    pub fn parse(value: &str) -> Result<Self, NameError> {
        let bad = |reason| NameError::InvalidOrg {
            value: value.chars().take(80).collect(),
            reason,
        };
        if value.is_empty() || value.len() > MAX_ORG_LEN {
            return Err(bad("must be 1 to 63 characters"));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad("only a-z, 0-9 and '-' are allowed"));
        }
        if value.starts_with('-') || value.ends_with('-') || value.contains("--") {
            return Err(bad("'-' must sit between letters or digits"));
        }
        Ok(OrgSlug(value.to_owned()))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar date (proleptic Gregorian, UTC), years 1970 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackDate {
    year: u16,
    month: u8,
    day: u8,
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl PackDate {
    /// Parses `YYYY-MM-DD` strictly (exactly ten characters, a real date, year 1970 to 9999).
    pub fn parse(value: &str) -> Result<Self, NameError> {
        let bad = |reason| NameError::InvalidDate {
            value: value.chars().take(40).collect(),
            reason,
        };
        let b = value.as_bytes();
        let shape_ok = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shape_ok {
            return Err(bad("expected YYYY-MM-DD"));
        }
        let num = |range: std::ops::Range<usize>| -> Option<u16> {
            value.get(range).and_then(|s| s.parse::<u16>().ok())
        };
        let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad("expected YYYY-MM-DD"));
        };
        if year < 1970 {
            return Err(bad("year must be 1970 or later"));
        }
        let month = u8::try_from(month).map_err(|_| bad("month out of range"))?;
        if !(1..=12).contains(&month) {
            return Err(bad("month must be 01 to 12"));
        }
        let day = u8::try_from(day).map_err(|_| bad("day out of range"))?;
        if day == 0 || day > days_in_month(year, month) {
            return Err(bad("no such day in that month"));
        }
        Ok(PackDate { year, month, day })
    }

    /// The date containing the instant `seconds` after the Unix epoch (UTC). `None` after
    /// the year 9999.
    pub fn from_unix_seconds(seconds: u64) -> Option<Self> {
        // Howard Hinnant's civil_from_days, for days since 1970-01-01.
        let days = i64::try_from(seconds / 86_400).ok()?;
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year).ok().filter(|y| *y <= 9999)?;
        Some(PackDate {
            year,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// Seconds from the Unix epoch to 00:00:00 UTC on this date (the mtime of every entry).
    pub fn unix_seconds(self) -> u64 {
        let days = plugin_api::time::days_from_civil_checked(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
        .unwrap_or(0);
        u64::try_from(days).unwrap_or(0).saturating_mul(86_400)
    }

    /// `YYYY-MM-DDT00:00:00Z`, the index's `generatedAt`.
    pub fn to_rfc3339(self) -> String {
        format!("{self}T00:00:00Z")
    }
}

impl fmt::Display for PackDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The file name of a pack: `audit-pack-<org>-<date>.tgz`.
pub fn pack_file_name(org: &OrgSlug, date: PackDate) -> String {
    format!("audit-pack-{org}-{date}.tgz")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-11-23",
            "9999-12-31",
            "2024-12-31",
        ] {
            let d = PackDate::parse(s).unwrap();
            assert_eq!(d.to_string(), s);
            assert_eq!(PackDate::from_unix_seconds(d.unix_seconds()).unwrap(), d);
            assert_eq!(
                PackDate::from_unix_seconds(d.unix_seconds() + 86_399).unwrap(),
                d
            );
        }
        assert_eq!(
            PackDate::parse("2026-11-23").unwrap().unix_seconds(),
            1_795_392_000
        );
        for bad in [
            "2026-2-01",
            "2026-02-30",
            "1900-02-29",
            "2023-02-29",
            "1969-12-31",
            "2026-13-01",
            "2026-00-10",
            "+026-01-01",
            "2026-01-01 ",
        ] {
            assert!(PackDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn org_slugs() {
        for ok in ["acme", "acme-corp", "a", "x9"] {
            assert!(OrgSlug::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Acme",
            "-acme",
            "acme-",
            "ac--me",
            "ac/me",
            "../x",
            "acme corp",
            &"a".repeat(64),
        ] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
    }
}
