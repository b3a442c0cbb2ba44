//! docs/evidence-set.schema.json: a valid draft 2020-12 schema that accepts the fixture sets,
//! rejects what the reader rejects, and names exactly the registered plugins and trust-root
//! kinds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join(rel)).unwrap()).unwrap()
}

fn validator() -> (Value, jsonschema::Validator) {
    let schema = json("docs/evidence-set.schema.json");
    jsonschema::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    let v = jsonschema::validator_for(&schema).unwrap();
    (schema, v)
}

#[test]
fn the_schema_accepts_the_fixture_sets_and_rejects_unknown_members() {
    let (_, v) = validator();
    for ok in [
        "fixtures/sets/release-evidence.json",
        "fixtures/sets/two-fail.json",
    ] {
        let errors: Vec<String> = v.iter_errors(&json(ok)).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{ok}: {errors:?}");
    }
    assert!(!v.is_valid(&json("fixtures/sets/unknown-member.json")));
    let mut both = json("fixtures/sets/release-evidence.json");
    both["items"][0]["digest"] = Value::from(format!("sha256:{}", "00".repeat(32)));
    assert!(!v.is_valid(&both), "subject and digest together");
    assert!(
        !v.is_valid(&json("fixtures/sets/bad-name.json")),
        "a name with newlines"
    );
    assert!(
        !v.is_valid(&json("fixtures/sets/bad-digest.json")),
        "a short digest"
    );
    let mut neither = json("fixtures/sets/release-evidence.json");
    neither["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("subject");
    assert!(!v.is_valid(&neither), "neither subject nor digest");
    let mut wrong_version = json("fixtures/sets/release-evidence.json");
    wrong_version["version"] = Value::from(2);
    assert!(!v.is_valid(&wrong_version));
}

#[test]
fn the_schema_names_the_registered_plugins_and_root_kinds() {
    let (schema, _) = validator();
    let out = Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(["plugins", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> = listed["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let mut in_schema: Vec<String> = schema["$defs"]["request"]["properties"]["plugin"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    names.sort();
    in_schema.sort();
    assert_eq!(names, in_schema);
    let mut kinds: Vec<&str> = plugin_api::TrustRootKind::ALL
        .iter()
        .map(|k| k.name())
        .collect();
    let mut kinds_in_schema: Vec<&str> = schema["$defs"]["request"]["properties"]["roots"]["items"]
        ["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    kinds_in_schema.sort_unstable();
    assert_eq!(kinds, kinds_in_schema);
}
