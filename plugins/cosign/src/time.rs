//! RFC 3339 timestamps (UTC, `Z` only) as Unix seconds.

use crate::error::ParseError;

fn digits(s: &str, what: &'static str) -> Result<i64, ParseError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::invalid(what, format!("not a timestamp: {s:?}")));
    }
    s.parse::<i64>()
        .map_err(|_| ParseError::invalid(what, format!("not a timestamp: {s:?}")))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` into Unix seconds (the fraction is truncated).
pub fn parse_rfc3339(s: &str, what: &'static str) -> Result<i64, ParseError> {
    let bad = || ParseError::invalid(what, format!("not an RFC 3339 UTC timestamp: {s:?}"));
    if s.len() > 64 || !s.is_ascii() {
        return Err(bad());
    }
    let body = s.strip_suffix('Z').ok_or_else(bad)?;
    let (date, time) = body.split_once('T').ok_or_else(bad)?;
    let time = match time.split_once('.') {
        Some((t, frac)) => {
            digits(frac, what)?;
            t
        }
        None => time,
    };
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    let (y, mo, da) = match d.as_slice() {
        [y, mo, da] if y.len() == 4 && mo.len() == 2 && da.len() == 2 => {
            (digits(y, what)?, digits(mo, what)?, digits(da, what)?)
        }
        _ => return Err(bad()),
    };
    let (h, mi, se) = match t.as_slice() {
        [h, mi, se] if h.len() == 2 && mi.len() == 2 && se.len() == 2 => {
            (digits(h, what)?, digits(mi, what)?, digits(se, what)?)
        }
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return Err(bad());
    }
    Ok(days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Parses a DER GeneralizedTime (`YYYYMMDDHHMMSS[.fraction]Z`, UTC) into Unix seconds; the
/// fraction is truncated. DER forbids other forms (no offsets, no trailing zeros in the
/// fraction); they are refused.
pub fn parse_generalized_time(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?;
    let body = s.strip_suffix('Z')?;
    let (main, frac) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || f.ends_with('0') || !f.bytes().all(|c| c.is_ascii_digit())
        {
            return None;
        }
    }
    if main.len() != 14 || !main.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| main.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d, h, mi, se) = (
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_generalized_time() {
        assert_eq!(
            parse_generalized_time(b"20210112115327Z"),
            Some(1_610_452_407)
        );
        assert_eq!(
            parse_generalized_time(b"20210112115327.123Z"),
            Some(1_610_452_407)
        );
        assert_eq!(parse_generalized_time(b"20210112115327.120Z"), None);
        assert_eq!(parse_generalized_time(b"20210112115327+0100"), None);
        assert_eq!(parse_generalized_time(b"2021011211532Z"), None);
    }

    #[test]
    fn parses_known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z", "t"), Ok(0));
        assert_eq!(
            parse_rfc3339("2021-01-12T11:53:27Z", "t"),
            Ok(1_610_452_407)
        );
        assert_eq!(
            parse_rfc3339("2021-01-12T11:53:27.123Z", "t"),
            Ok(1_610_452_407)
        );
        assert!(parse_rfc3339("2021-01-12T11:53:27+01:00", "t").is_err());
        assert!(parse_rfc3339("2021-1-12T11:53:27Z", "t").is_err());
    }
}
