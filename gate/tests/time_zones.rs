//! Rego's time builtins with named time zones, through the gate: regorus reads them from the
//! workspace's chrono-tz stand-in (patches/chrono-tz). A change window in Berlin time, and an
//! unknown zone, which is an evaluation error: no decision, never an allow.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use gate::{Outcome, Policy, PolicyFile, PolicyOptions};
use serde_json::json;

const WINDOW: &str = r#"package main

import rego.v1

# No releases on a weekend, nor outside 09:00-17:00, in Berlin.
deny contains msg if {
	day := time.weekday([input.released_ns, input.zone])
	day in {"Saturday", "Sunday"}
	msg := sprintf("released on a %s", [day])
}

deny contains msg if {
	[hour, _, _] := time.clock([input.released_ns, input.zone])
	not hour >= 9
	msg := sprintf("released at %d h", [hour])
}

deny contains msg if {
	[hour, _, _] := time.clock([input.released_ns, input.zone])
	hour >= 17
	msg := sprintf("released at %d h", [hour])
}
"#;

fn decide(released: &str, zone: &str) -> gate::Decision {
    let files = [PolicyFile {
        path: "window.rego".into(),
        text: WINDOW.into(),
    }];
    let mut policy = Policy::load(&files, &[], &PolicyOptions::default()).unwrap();
    let ns = chrono::DateTime::parse_from_rfc3339(released)
        .unwrap()
        .timestamp_nanos_opt()
        .unwrap();
    policy.evaluate(
        &json!({"released_ns": ns, "zone": zone}),
        &["main".to_string()],
    )
}

#[test]
fn a_change_window_in_a_named_zone() {
    // 07:30 UTC in July is 09:30 in Berlin (summer time): allowed; in January it is 08:30.
    let d = decide("2026-07-15T07:30:00Z", "Europe/Berlin");
    assert_eq!(d.outcome, Outcome::Allow, "{d:?}");
    let d = decide("2026-01-15T07:30:00Z", "Europe/Berlin");
    assert_eq!(d.outcome, Outcome::Deny, "{d:?}");
    assert!(
        d.denials.iter().any(|r| r.msg.contains("released at 8 h")),
        "{d:?}"
    );
    // Friday 23:30 UTC is Saturday 01:30 in Berlin.
    let d = decide("2026-07-17T23:30:00Z", "Europe/Berlin");
    assert!(
        d.denials
            .iter()
            .any(|r| r.msg.contains("released on a Saturday")),
        "{d:?}"
    );
    // The same instant in New York is Friday 19:30: late, not a weekend.
    let d = decide("2026-07-17T23:30:00Z", "America/New_York");
    assert!(
        d.denials.iter().all(|r| !r.msg.contains("Saturday")),
        "{d:?}"
    );
    assert!(
        d.denials.iter().any(|r| r.msg.contains("released at 19 h")),
        "{d:?}"
    );
}

#[test]
fn an_unknown_zone_is_no_decision() {
    for zone in ["Europe/Atlantis", "europe/berlin", "Factory"] {
        let d = decide("2026-07-15T07:30:00Z", zone);
        assert_eq!(d.outcome, Outcome::NoDecision, "{zone}: {d:?}");
        assert!(
            d.errors
                .iter()
                .any(|r| r.msg.contains("is not a valid timezone")),
            "{zone}: {d:?}"
        );
    }
}
