//! The Sigstore public-good production trusted root, compiled in.
//!
//! A snapshot (see `data/README.md` for its source and licence) for offline use when no
//! TUF-verified trusted root is at hand. It goes stale as keys rotate and logs are added: the
//! trusted root from the TUF-verified offline cache is preferred, and a caller using this one
//! should say so, with its age ([`description`]).

use crate::error::ParseError;
use crate::trusted_root::TrustedRoot;

/// The embedded `trusted_root.json`, byte-for-byte as published.
pub const PRODUCTION_TRUSTED_ROOT_JSON: &[u8] =
    include_bytes!("../data/production-trusted-root.json");

/// The snapshot date: the newest `validFor.start` among the root's entries (the Rekor log
/// `log2025-1.rekor.sigstore.dev`), as `YYYY-MM-DD`.
pub const SNAPSHOT_DATE: &str = "2025-09-23";

/// [`SNAPSHOT_DATE`] at 00:00:00 UTC, in Unix seconds.
pub const SNAPSHOT_UNIX_SECONDS: i64 = 1_758_585_600;

const SECONDS_PER_DAY: i64 = 86_400;

/// Parses the embedded production trusted root with [`TrustedRoot::from_json`].
pub fn production_trusted_root() -> Result<TrustedRoot, ParseError> {
    TrustedRoot::from_json(PRODUCTION_TRUSTED_ROOT_JSON)
}

/// Whole days from the snapshot date to `at` (Unix seconds); negative if `at` is earlier.
pub fn age_days(at: i64) -> i64 {
    at.saturating_sub(SNAPSHOT_UNIX_SECONDS)
        .div_euclid(SECONDS_PER_DAY)
}

/// What a report should say about the embedded root at verification time `at`:
/// `embedded Sigstore production trusted root snapshot of YYYY-MM-DD, N days old`.
pub fn description(at: i64) -> String {
    let days = age_days(at);
    if days < 0 {
        format!(
            "embedded Sigstore production trusted root snapshot of {SNAPSHOT_DATE}, \
             {} days newer than the verification time",
            days.unsigned_abs()
        )
    } else {
        format!("embedded Sigstore production trusted root snapshot of {SNAPSHOT_DATE}, {days} days old")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::time::parse_rfc3339;
    use serde_json::Value;

    fn starts(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "validFor" {
                        if let Some(s) = x.get("start").and_then(Value::as_str) {
                            out.push(s.to_owned());
                        }
                    }
                    starts(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| starts(x, out)),
            _ => {}
        }
    }

    #[test]
    fn parses_and_has_the_production_authorities() {
        let root = production_trusted_root().unwrap();
        assert_eq!(root.tlogs.len(), 2);
        assert_eq!(root.ctlogs.len(), 2);
        assert_eq!(root.cas.len(), 2);
        assert!(root
            .tlogs
            .iter()
            .any(|l| l.base_url == "https://rekor.sigstore.dev"));
        assert!(root.tlogs.iter().all(|l| l.key.is_some()));
    }

    #[test]
    fn snapshot_date_is_the_newest_validity_start() {
        let v: Value = serde_json::from_slice(PRODUCTION_TRUSTED_ROOT_JSON).unwrap();
        let mut all = Vec::new();
        starts(&v, &mut all);
        assert!(all.len() >= 5);
        let newest = all
            .iter()
            .map(|s| parse_rfc3339(s, "start").unwrap())
            .max()
            .unwrap();
        assert_eq!(newest, SNAPSHOT_UNIX_SECONDS);
        assert_eq!(
            parse_rfc3339(&format!("{SNAPSHOT_DATE}T00:00:00Z"), "d").unwrap(),
            SNAPSHOT_UNIX_SECONDS
        );
    }

    #[test]
    fn age_in_days() {
        assert_eq!(age_days(SNAPSHOT_UNIX_SECONDS), 0);
        assert_eq!(age_days(SNAPSHOT_UNIX_SECONDS + SECONDS_PER_DAY - 1), 0);
        assert_eq!(age_days(SNAPSHOT_UNIX_SECONDS + 10 * SECONDS_PER_DAY), 10);
        assert_eq!(age_days(SNAPSHOT_UNIX_SECONDS - 1), -1);
        assert_eq!(age_days(i64::MIN), i64::MIN.div_euclid(SECONDS_PER_DAY));
        assert_eq!(
            description(SNAPSHOT_UNIX_SECONDS + 100 * SECONDS_PER_DAY),
            "embedded Sigstore production trusted root snapshot of 2025-09-23, 100 days old"
        );
        assert!(description(0).contains("newer than the verification time"));
    }
}
