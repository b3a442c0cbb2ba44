//! Tests of the trusted set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use super::*;
use crate::testutil::{meta, meta_with_hash, sign, Repo, TestKey, FUTURE, NOW, PAST};
use serde_json::json;

fn now() -> VerificationTime {
    VerificationTime::from_unix_seconds(NOW)
}

/// A set with root v1 and timestamp v1 (snapshot v1) trusted.
fn with_timestamp(repo: &Repo) -> TrustedSet {
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    set.update_timestamp(&repo.timestamp(1, meta(1), FUTURE))
        .unwrap();
    set
}

#[test]
fn initial_root_must_be_self_signed() {
    let repo = Repo::new();
    let signed = repo.root_signed(1, FUTURE);
    let unsigned = sign(&signed, &[&TestKey::new(9)]);
    assert!(matches!(
        TrustedSet::new(&unsigned, now()),
        Err(UpdateError::Threshold { .. })
    ));
    // An expired initial root is still a starting point (a newer root may follow).
    let expired = sign(&repo.root_signed(1, PAST), &[&repo.root_keys[0]]);
    assert!(TrustedSet::new(&expired, now()).is_ok());
}

#[test]
fn one_key_listed_under_two_key_ids_counts_once() {
    let repo = Repo::new();
    let key = TestKey::new(1);
    let mut alias = TestKey::new(1);
    alias.id = "alias-of-key-1".into();
    let mut signed = repo.root_signed(1, FUTURE);
    signed["keys"][&alias.id] = alias.public();
    signed["roles"]["root"] =
        json!({ "keyids": [key.id.clone(), alias.id.clone()], "threshold": 2 });
    // Two signatures under two key ids, but one key holder: threshold 2 is not met.
    let doubled = sign(&signed, &[&key, &alias]);
    assert!(matches!(
        TrustedSet::new(&doubled, now()),
        Err(UpdateError::Threshold {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
}

/// `key` listed again under `alias_id`, its public key written in upper-case hex: the
/// same key material in another encoding.
fn upper_case_alias(key: &TestKey, alias_id: &str) -> (TestKey, serde_json::Value) {
    let mut alias = TestKey::new(key.seed());
    alias.id = alias_id.to_owned();
    let mut public = key.public();
    let upper = public["keyval"]["public"]
        .as_str()
        .unwrap()
        .to_ascii_uppercase();
    public["keyval"]["public"] = json!(upper);
    (alias, public)
}

#[test]
fn one_key_in_two_encodings_counts_once_for_the_root_role() {
    let repo = Repo::new();
    let key = TestKey::new(1);
    let (alias, alias_public) = upper_case_alias(&key, "alias-of-key-1");
    let mut signed = repo.root_signed(1, FUTURE);
    signed["keys"][&alias.id] = alias_public;
    signed["roles"]["root"] =
        json!({ "keyids": [key.id.clone(), alias.id.clone()], "threshold": 2 });
    let doubled = sign(&signed, &[&key, &alias]);
    assert!(matches!(
        TrustedSet::new(&doubled, now()),
        Err(UpdateError::Threshold {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
    // The same through a rotation: root v2 must meet its own threshold of 2.
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    let mut v2 = signed.clone();
    v2["version"] = json!(2);
    assert!(matches!(
        set.update_root(&sign(&v2, &[&key, &alias])),
        Err(UpdateError::Threshold {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
    assert_eq!(set.root_version(), 1);
}

#[test]
fn key_ids_differing_only_in_letter_case_are_refused() {
    // The key listed under its hex key id and the same id in upper case, its public key
    // in upper case too, signing under both ids (the reviewed attack): refused as
    // ambiguous before any signature counts.
    let repo = Repo::new();
    let mut key = TestKey::new(1);
    key.id = "c0ffee00c0ffee00".into();
    let (alias, alias_public) = upper_case_alias(&key, "C0FFEE00C0FFEE00");
    let mut signed = repo.root_signed(1, FUTURE);
    let keys = signed["keys"].as_object_mut().unwrap();
    keys.remove("key-1");
    keys.insert(key.id.clone(), key.public());
    keys.insert(alias.id.clone(), alias_public);
    signed["roles"]["root"] =
        json!({ "keyids": [key.id.clone(), alias.id.clone()], "threshold": 2 });
    match TrustedSet::new(&sign(&signed, &[&key, &alias]), now()) {
        Err(UpdateError::Metadata(MetadataError::Format { reason, .. })) => {
            assert!(reason.contains("letter case"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // A role listing one id in two cases, and signatures under one id in two cases,
    // are refused the same way.
    let mut signed = repo.root_signed(1, FUTURE);
    signed["roles"]["root"] = json!({ "keyids": ["key-1", "KEY-1"], "threshold": 1 });
    assert!(matches!(
        TrustedSet::new(&sign(&signed, &[&repo.root_keys[0]]), now()),
        Err(UpdateError::Metadata(MetadataError::Format { .. }))
    ));
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    let ts = repo.timestamp(1, meta(1), FUTURE);
    let mut doc: serde_json::Value = serde_json::from_slice(&ts).unwrap();
    let mut twin = doc["signatures"][0].clone();
    twin["keyid"] = json!("KEY-2");
    doc["signatures"].as_array_mut().unwrap().push(twin);
    assert!(matches!(
        set.update_timestamp(&serde_json::to_vec(&doc).unwrap()),
        Err(UpdateError::Metadata(MetadataError::Format { .. }))
    ));
}

#[test]
fn one_key_in_two_encodings_counts_once_for_a_top_level_role() {
    let repo = Repo::new();
    let (alias, alias_public) = upper_case_alias(&repo.timestamp_key, "timestamp-alias");
    let mut signed = repo.root_signed(2, FUTURE);
    signed["keys"][&alias.id] = alias_public;
    signed["roles"]["timestamp"] =
        json!({ "keyids": [repo.timestamp_key.id, alias.id], "threshold": 2 });
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    set.update_root(&sign(&signed, &[&repo.root_keys[0]]))
        .unwrap();
    let ts = sign(
        &json!({ "_type": "timestamp", "spec_version": "1.0.31", "version": 1,
                 "expires": FUTURE, "meta": { "snapshot.json": meta(1) } }),
        &[&repo.timestamp_key, &alias],
    );
    assert!(matches!(
        set.update_timestamp(&ts),
        Err(UpdateError::Threshold {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
    assert!(set.timestamp().is_none());
}

#[test]
fn one_key_in_two_encodings_counts_once_for_a_delegated_role() {
    let repo = Repo::new();
    let mut set = with_timestamp(&repo);
    set.update_snapshot(
        &repo.snapshot(
            1,
            json!({"targets.json": meta(1), "a.json": meta(1)}),
            FUTURE,
        ),
        false,
    )
    .unwrap();
    let a_key = TestKey::new(20);
    let (alias, alias_public) = upper_case_alias(&a_key, "a-alias");
    let delegations = json!({
        "keys": { (a_key.id.clone()): a_key.public(), (alias.id.clone()): alias_public },
        "roles": [{ "name": "a", "keyids": [a_key.id, alias.id], "threshold": 2,
                    "terminating": false, "paths": ["*"] }],
    });
    set.update_targets(
        &repo.targets(1, json!({}), Some(delegations)),
        "targets",
        "root",
    )
    .unwrap();
    let a = sign(&Repo::targets_signed(1, json!({}), None), &[&a_key, &alias]);
    assert!(matches!(
        set.update_targets(&a, "a", "targets"),
        Err(UpdateError::Threshold {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
    assert!(set.targets("a").is_none());
    // Two distinct keys do meet it.
    let b_key = TestKey::new(21);
    let mut set2 = with_timestamp(&repo);
    set2.update_snapshot(
        &repo.snapshot(
            1,
            json!({"targets.json": meta(1), "a.json": meta(1)}),
            FUTURE,
        ),
        false,
    )
    .unwrap();
    let delegations = json!({
        "keys": { (a_key.id.clone()): a_key.public(), (b_key.id.clone()): b_key.public() },
        "roles": [{ "name": "a", "keyids": [a_key.id, b_key.id], "threshold": 2,
                    "terminating": false, "paths": ["*"] }],
    });
    set2.update_targets(
        &repo.targets(1, json!({}), Some(delegations)),
        "targets",
        "root",
    )
    .unwrap();
    let a = sign(&Repo::targets_signed(1, json!({}), None), &[&a_key, &b_key]);
    set2.update_targets(&a, "a", "targets").unwrap();
}

#[test]
fn root_rotation_needs_old_and_new_thresholds_and_next_version() {
    let mut repo = Repo::new();
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    let old_key = TestKey::new(1);
    repo.root_keys = vec![TestKey::new(11)];
    let v2 = repo.root_signed(2, FUTURE);
    // Only the new key: the trusted root's threshold is not met.
    assert!(matches!(
        set.update_root(&sign(&v2, &[&repo.root_keys[0]])),
        Err(UpdateError::Threshold { .. })
    ));
    // Only the old key: the new root's own threshold is not met.
    assert!(matches!(
        set.update_root(&sign(&v2, &[&old_key])),
        Err(UpdateError::Threshold { .. })
    ));
    // Skipping a version is refused.
    let v3 = repo.root_signed(3, FUTURE);
    assert!(matches!(
        set.update_root(&sign(&v3, &[&old_key, &repo.root_keys[0]])),
        Err(UpdateError::RootVersion {
            expected: 2,
            found: 3,
            ..
        })
    ));
    set.update_root(&sign(&v2, &[&old_key, &repo.root_keys[0]]))
        .unwrap();
    assert_eq!(set.root_version(), 2);
}

#[test]
fn expired_final_root_blocks_timestamp() {
    let repo = Repo::new();
    let expired = sign(&repo.root_signed(1, PAST), &[&repo.root_keys[0]]);
    let mut set = TrustedSet::new(&expired, now()).unwrap();
    assert!(matches!(
        set.update_timestamp(&repo.timestamp(1, meta(1), FUTURE)),
        Err(UpdateError::Expired { .. })
    ));
}

#[test]
fn timestamp_rollback_equal_and_expiry() {
    let repo = Repo::new();
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    assert_eq!(
        set.update_timestamp(&repo.timestamp(2, meta(2), FUTURE))
            .unwrap(),
        TimestampUpdate::Accepted
    );
    assert!(matches!(
        set.update_timestamp(&repo.timestamp(1, meta(2), FUTURE)),
        Err(UpdateError::Rollback { .. })
    ));
    // Same version, different content: the trusted one is kept.
    assert_eq!(
        set.update_timestamp(&repo.timestamp(2, meta(100), FUTURE))
            .unwrap(),
        TimestampUpdate::Unchanged
    );
    assert_eq!(
        set.timestamp()
            .unwrap()
            .signed
            .snapshot_meta()
            .unwrap()
            .version,
        2
    );
    // Snapshot version rollback through a newer timestamp.
    assert!(matches!(
        set.update_timestamp(&repo.timestamp(3, meta(1), FUTURE)),
        Err(UpdateError::Rollback { .. })
    ));
    assert!(matches!(
        set.update_timestamp(&repo.timestamp(3, meta(3), PAST)),
        Err(UpdateError::Expired { .. })
    ));
    // The wrong type is refused even when signed by the right key.
    let snapshot_as_timestamp = sign(
        &json!({"_type": "snapshot", "spec_version": "1.0", "version": 4,
                "expires": FUTURE, "meta": {"snapshot.json": {"version": 4}}}),
        &[&repo.timestamp_key],
    );
    assert!(matches!(
        set.update_timestamp(&snapshot_as_timestamp),
        Err(UpdateError::Metadata(MetadataError::WrongType { .. }))
    ));
}

#[test]
fn snapshot_hashes_length_version_and_rollback() {
    let repo = Repo::new();
    let snapshot = repo.snapshot(1, json!({"targets.json": meta(1)}), FUTURE);

    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    let mut wrong = meta_with_hash(1, &snapshot);
    wrong["hashes"]["sha256"] = json!("00".repeat(32));
    set.update_timestamp(&repo.timestamp(1, wrong, FUTURE))
        .unwrap();
    assert!(matches!(
        set.update_snapshot(&snapshot, false),
        Err(UpdateError::HashMismatch { .. })
    ));

    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    let mut wrong = meta_with_hash(1, &snapshot);
    wrong["length"] = json!(snapshot.len() + 1);
    set.update_timestamp(&repo.timestamp(1, wrong, FUTURE))
        .unwrap();
    assert!(matches!(
        set.update_snapshot(&snapshot, false),
        Err(UpdateError::LengthMismatch { .. })
    ));

    let mut set = with_timestamp(&repo);
    let v2 = repo.snapshot(2, json!({"targets.json": meta(1)}), FUTURE);
    assert!(matches!(
        set.update_snapshot(&v2, false),
        Err(UpdateError::VersionMismatch { .. })
    ));

    // Rollback of a listed role, and removal of a listed role.
    let mut set = with_timestamp(&repo);
    set.update_snapshot(
        &repo.snapshot(
            1,
            json!({"targets.json": meta(5), "a.json": meta(1)}),
            FUTURE,
        ),
        false,
    )
    .unwrap();
    let mut set2 = TrustedSet::new(&repo.root(1), now()).unwrap();
    set2.update_timestamp(&repo.timestamp(1, meta(1), FUTURE))
        .unwrap();
    set2.snapshot = set.snapshot.clone();
    set2.timestamp = Some(Trusted {
        signed: Parsed::<Timestamp>::parse(&repo.timestamp(2, meta(2), FUTURE), "t")
            .unwrap()
            .signed,
        raw: vec![],
    });
    assert!(matches!(
        set2.update_snapshot(
            &repo.snapshot(
                2,
                json!({"targets.json": meta(4), "a.json": meta(1)}),
                FUTURE
            ),
            false
        ),
        Err(UpdateError::Rollback { .. })
    ));
    assert!(matches!(
        set2.update_snapshot(
            &repo.snapshot(2, json!({"targets.json": meta(5)}), FUTURE),
            false
        ),
        Err(UpdateError::RemovedFromSnapshot { .. })
    ));
    set2.update_snapshot(
        &repo.snapshot(
            2,
            json!({"targets.json": meta(6), "a.json": meta(1)}),
            FUTURE,
        ),
        false,
    )
    .unwrap();
}

#[test]
fn snapshot_version_does_not_go_back() {
    let repo = Repo::new();
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    set.update_timestamp(&repo.timestamp(1, meta(2), FUTURE))
        .unwrap();
    set.update_snapshot(&repo.snapshot(2, json!({}), FUTURE), false)
        .unwrap();
    // A timestamp trusted afresh (e.g. after a timestamp key rotation) names v1.
    set.timestamp = Some(Trusted {
        signed: Parsed::<Timestamp>::parse(&repo.timestamp(1, meta(1), FUTURE), "t")
            .unwrap()
            .signed,
        raw: vec![],
    });
    assert!(matches!(
        set.update_snapshot(&repo.snapshot(1, json!({}), FUTURE), false),
        Err(UpdateError::Rollback {
            trusted: 2,
            found: 1,
            ..
        })
    ));
}

#[test]
fn expired_snapshot_is_refused() {
    let repo = Repo::new();
    let mut set = with_timestamp(&repo);
    assert!(matches!(
        set.update_snapshot(
            &repo.snapshot(1, json!({"targets.json": meta(1)}), PAST),
            false
        ),
        Err(UpdateError::Expired { .. })
    ));
}

#[test]
fn targets_threshold_version_and_delegation() {
    let repo = Repo::new();
    let mut set = with_timestamp(&repo);
    set.update_snapshot(
        &repo.snapshot(
            1,
            json!({"targets.json": meta(2), "a.json": meta(1)}),
            FUTURE,
        ),
        false,
    )
    .unwrap();
    assert!(matches!(
        set.update_targets(&repo.targets(1, json!({}), None), "targets", "root"),
        Err(UpdateError::VersionMismatch { .. })
    ));
    let unsigned = sign(
        &Repo::targets_signed(2, json!({}), None),
        &[&repo.snapshot_key],
    );
    assert!(matches!(
        set.update_targets(&unsigned, "targets", "root"),
        Err(UpdateError::Threshold { .. })
    ));
    let a_key = TestKey::new(20);
    let delegations = json!({
        "keys": { (a_key.id.clone()): a_key.public() },
        "roles": [{ "name": "a", "keyids": [a_key.id], "threshold": 1,
                    "terminating": false, "paths": ["*"] }],
    });
    set.update_targets(
        &repo.targets(2, json!({}), Some(delegations)),
        "targets",
        "root",
    )
    .unwrap();
    let a = sign(&Repo::targets_signed(1, json!({}), None), &[&a_key]);
    assert!(matches!(
        set.update_targets(&a, "a", "root"),
        Err(UpdateError::NotDelegated { .. })
    ));
    let wrongly_signed = sign(
        &Repo::targets_signed(1, json!({}), None),
        &[&repo.targets_key],
    );
    assert!(matches!(
        set.update_targets(&wrongly_signed, "a", "targets"),
        Err(UpdateError::Threshold { .. })
    ));
    set.update_targets(&a, "a", "targets").unwrap();
    assert!(matches!(
        set.update_targets(&a, "b", "targets"),
        Err(UpdateError::NotInSnapshot { .. })
    ));
}

#[test]
fn duplicate_signatures_and_keyids_are_refused() {
    let repo = Repo::new();
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    let ts = repo.timestamp(1, meta(1), FUTURE);
    let mut doc: serde_json::Value = serde_json::from_slice(&ts).unwrap();
    let first = doc["signatures"][0].clone();
    doc["signatures"].as_array_mut().unwrap().push(first);
    assert!(set
        .update_timestamp(&serde_json::to_vec(&doc).unwrap())
        .is_err());

    // A role listing one key id many times cannot meet a threshold with it.
    let mut signed = repo.root_signed(2, FUTURE);
    signed["roles"]["snapshot"] = json!({
        "keyids": [repo.snapshot_key.id, repo.snapshot_key.id], "threshold": 2 });
    let v2 = sign(&signed, &[&repo.root_keys[0]]);
    assert!(matches!(
        set.update_root(&v2),
        Err(UpdateError::Metadata(MetadataError::Format { .. }))
    ));
}

#[test]
fn threshold_counts_distinct_valid_signatures() {
    let repo = Repo::new();
    let extra = TestKey::new(30);
    let mut signed = repo.root_signed(2, FUTURE);
    signed["keys"][extra.id.clone()] = extra.public();
    signed["roles"]["timestamp"] =
        json!({ "keyids": [repo.timestamp_key.id, extra.id], "threshold": 2 });
    let mut set = TrustedSet::new(&repo.root(1), now()).unwrap();
    set.update_root(&sign(&signed, &[&repo.root_keys[0]]))
        .unwrap();
    // One valid signature plus one invalid one: below threshold.
    let ts = repo.timestamp(1, meta(1), FUTURE);
    let mut doc: serde_json::Value = serde_json::from_slice(&ts).unwrap();
    doc["signatures"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "keyid": extra.id, "sig": "00".repeat(64) }));
    assert!(matches!(
        set.update_timestamp(&serde_json::to_vec(&doc).unwrap()),
        Err(UpdateError::Threshold {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
}
