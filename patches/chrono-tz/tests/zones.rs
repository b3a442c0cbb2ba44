//! The stand-in against what regorus needs from chrono-tz: names, offsets, abbreviations,
//! gaps and folds, and every offset of the bundled database fitting chrono's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, MappedLocalTime, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

fn tz(name: &str) -> Tz {
    name.parse().unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn at(rfc3339: &str) -> chrono::NaiveDateTime {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().naive_utc()
}

#[test]
fn names_are_matched_exactly() {
    for name in [
        "Europe/Berlin",
        "US/Pacific",
        "UTC",
        "Etc/GMT+5",
        "America/Argentina/Buenos_Aires",
    ] {
        assert_eq!(tz(name).name(), name);
        assert_eq!(tz(name).to_string(), name);
    }
    for name in [
        "europe/berlin",
        "EUROPE/BERLIN",
        "",
        " UTC",
        "Nowhere/City",
        "../../etc/passwd",
        "Europe/Berlin\0",
    ] {
        let err = name.parse::<Tz>().unwrap_err();
        assert!(err.to_string().contains("is not a valid timezone"), "{err}");
    }
}

#[test]
fn offsets_and_abbreviations() {
    let cases = [
        ("Europe/Berlin", "2026-01-15T12:00:00Z", 3600, "CET"),
        ("Europe/Berlin", "2026-07-15T12:00:00Z", 7200, "CEST"),
        ("America/New_York", "2026-01-15T12:00:00Z", -18000, "EST"),
        ("America/New_York", "2026-07-15T12:00:00Z", -14400, "EDT"),
        ("Asia/Kolkata", "2026-07-15T12:00:00Z", 19800, "IST"),
        ("Asia/Kathmandu", "2026-07-15T12:00:00Z", 20700, "+0545"),
        ("Australia/Lord_Howe", "2026-01-15T12:00:00Z", 39600, "+11"),
        (
            "Australia/Lord_Howe",
            "2026-07-15T12:00:00Z",
            37800,
            "+1030",
        ),
        ("UTC", "2026-07-15T12:00:00Z", 0, "UTC"),
        // Before and after the 2026-03-29 01:00 UTC change in Berlin, to the second.
        ("Europe/Berlin", "2026-03-29T00:59:59Z", 3600, "CET"),
        ("Europe/Berlin", "2026-03-29T01:00:00Z", 7200, "CEST"),
    ];
    for (name, instant, seconds, abbreviation) in cases {
        let offset = tz(name).offset_from_utc_datetime(&at(instant));
        assert_eq!(
            offset.fix().local_minus_utc(),
            seconds,
            "{name} at {instant}"
        );
        assert_eq!(offset.to_string(), abbreviation, "{name} at {instant}");
        assert_eq!(offset.abbreviation(), abbreviation);
        assert_eq!(Tz::from_offset(&offset), tz(name));
    }
    // What regorus does: nanoseconds since the epoch, then a fixed offset.
    let berlin = tz("Europe/Berlin").timestamp_nanos(1_784_116_800_000_000_000);
    assert_eq!(
        berlin.fixed_offset().to_rfc3339(),
        "2026-07-15T14:00:00+02:00"
    );
    assert_eq!(berlin.format("%H:%M %Z").to_string(), "14:00 CEST");
}

#[test]
fn local_times_in_gaps_and_folds() {
    let berlin = tz("Europe/Berlin");
    let local = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    // Clocks went from 02:00 to 03:00: no 02:30.
    assert!(matches!(
        berlin.offset_from_local_datetime(&local("2026-03-29 02:30")),
        MappedLocalTime::None
    ));
    // Clocks went from 03:00 back to 02:00: 02:30 twice, the earlier (summer time) first.
    match berlin.offset_from_local_datetime(&local("2026-10-25 02:30")) {
        MappedLocalTime::Ambiguous(earlier, later) => {
            assert_eq!(
                (earlier.fix().local_minus_utc(), earlier.abbreviation()),
                (7200, "CEST")
            );
            assert_eq!(
                (later.fix().local_minus_utc(), later.abbreviation()),
                (3600, "CET")
            );
        }
        other => panic!("{other:?}"),
    }
    match berlin.offset_from_local_datetime(&local("2026-10-25 12:00")) {
        MappedLocalTime::Single(o) => assert_eq!(o.fix().local_minus_utc(), 3600),
        other => panic!("{other:?}"),
    }
    let built = berlin.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap();
    assert_eq!(built.to_rfc3339(), "2026-07-01T09:00:00+02:00");
    let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert_eq!(
        berlin.offset_from_utc_date(&date).fix().local_minus_utc(),
        3600
    );
    // Outside jiff's years: no local time, and UTC instants use the nearest rule.
    assert!(matches!(
        berlin.offset_from_local_datetime(
            &NaiveDate::from_ymd_opt(20000, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        ),
        MappedLocalTime::None
    ));
    let far = NaiveDate::from_ymd_opt(-20000, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let _ = berlin.offset_from_utc_datetime(&far).fix();
    let _ = berlin
        .offset_from_utc_datetime(&chrono::NaiveDateTime::MAX)
        .fix();
    let _ = berlin
        .offset_from_utc_datetime(&chrono::NaiveDateTime::MIN)
        .fix();
}

/// `fixed` falls back to UTC for an offset chrono cannot hold: no zone of the bundled
/// database has one, at any transition, so the fallback is never taken.
#[test]
fn every_offset_of_every_zone_fits_chrono() {
    let mut zones = 0;
    let mut transitions = 0;
    for name in jiff::tz::db().available() {
        let zone = jiff::tz::db().get(name.as_str()).unwrap();
        zones += 1;
        let first = zone.to_offset(jiff::Timestamp::MIN);
        assert!(
            chrono::FixedOffset::east_opt(first.seconds()).is_some(),
            "{name}"
        );
        for t in zone.following(jiff::Timestamp::MIN).take(100_000) {
            transitions += 1;
            assert!(
                chrono::FixedOffset::east_opt(t.offset().seconds()).is_some(),
                "{name} at {}",
                t.timestamp()
            );
        }
        // Every database name parses back to itself, except the placeholder chrono-tz lacks.
        if name.as_str() == "Factory" {
            assert!(name.as_str().parse::<Tz>().is_err());
            continue;
        }
        assert_eq!(tz(name.as_str()).name(), name.as_str());
    }
    assert!(zones > 590, "{zones} zones");
    assert!(transitions > 10_000, "{transitions} transitions");
}

/// Only the database compiled in: were jiff built with its default features (through another
/// dependency), it would prefer the machine's /usr/share/zoneinfo and `TZDIR`, and a policy's
/// zones would depend on the machine.
#[test]
fn the_database_is_the_bundled_one_only() {
    let db = format!("{:?}", jiff::tz::db());
    assert!(db.contains("Bundled"), "{db}");
    assert!(!db.to_lowercase().contains("zoneinfo"), "{db}");
}
