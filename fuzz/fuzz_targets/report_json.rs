//! Report deserialization: never panics, and never yields an ok report that has a failing
//! check, an error, no checks, or an unwaived skip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugin_api::{CheckStatus, Report};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(r) = Report::from_json(text) {
        if r.ok() {
            assert!(!r.checks().is_empty());
            assert!(r.errors().is_empty());
            for c in r.checks() {
                match &c.status {
                    CheckStatus::Fail => panic!("ok report with a failed check"),
                    CheckStatus::Skipped { waived_by, .. } => {
                        assert!(waived_by.is_some_and(|m| r.insecure().contains(&m)))
                    }
                    CheckStatus::Pass => {}
                }
            }
        }
    }
});
