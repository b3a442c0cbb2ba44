//! Times in Sigstore documents, read by the workspace's one parser of each form: RFC 3339 UTC
//! in trusted roots ([`plugin_api::time::parse_rfc3339_utc`]) and DER GeneralizedTime in
//! timestamp tokens ([`plugin_x509::der::generalized_time`]).

use crate::error::ParseError;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` into Unix seconds (the fraction is truncated);
/// `what` names the field in the error.
pub(crate) fn parse_rfc3339(s: &str, what: &'static str) -> Result<i64, ParseError> {
    plugin_api::time::parse_rfc3339_utc(s).ok_or_else(|| {
        let shown: String = s.chars().take(64).collect();
        ParseError::invalid(what, format!("not an RFC 3339 UTC timestamp: {shown:?}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_root_times_are_utc_rfc3339() {
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
        assert!(parse_rfc3339("2021-02-30T11:53:27Z", "t").is_err());
    }
}
