//! `expires` timestamps: `YYYY-MM-DDTHH:MM:SSZ` (UTC, as the TUF specification writes them),
//! read by the workspace's one RFC 3339 parser ([`plugin_api::time::parse_rfc3339_utc`]).
//! Fractional seconds are dropped (so metadata expires no later than it says). Metadata is
//! expired when the verification time is at or past its expiry.

/// Parses an `expires` value into seconds since the Unix epoch.
pub(crate) fn parse_expires(text: &str) -> Option<i64> {
    plugin_api::time::parse_rfc3339_utc(text)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (for messages).
pub(crate) fn format_unix(seconds: u64) -> String {
    plugin_api::time::format_rfc3339(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// Whether metadata expiring at `expires` (Unix seconds) is expired at `now` (Unix seconds).
pub(crate) fn is_expired(expires: i64, now: u64) -> bool {
    match i64::try_from(now) {
        Ok(now) => now >= expires,
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuf_expiry_is_the_utc_form_only() {
        assert_eq!(parse_expires("2030-01-01T00:00:00Z"), Some(1_893_456_000));
        assert_eq!(
            parse_expires("2024-02-29T12:34:56.999Z"),
            Some(1_709_210_096)
        );
        assert_eq!(parse_expires("2024-01-01T00:00:00+00:00"), None);
        assert_eq!(format_unix(1_893_456_000), "2030-01-01T00:00:00Z");
    }

    #[test]
    fn expiry_is_inclusive() {
        assert!(!is_expired(100, 99));
        assert!(is_expired(100, 100));
        assert!(is_expired(100, 101));
        assert!(is_expired(i64::MAX, u64::MAX));
    }
}
