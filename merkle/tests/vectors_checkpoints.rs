//! Every entry of ../shared/vectors/merkle/checkpoints.json, through the public API of
//! `merkle::note` and `merkle::checkpoint`. No case is skipped: the test counts what it checked
//! and asserts that the count equals the number of entries in the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::checkpoint::{self, Checkpoint, CheckpointError};
use merkle::note::{self, NoteError, Signer, VerifierKey};
use serde_json::Value;

const FILE: &str = "checkpoints.json";
const SECTIONS: [&str; 5] = ["keys", "signing", "vkeys", "notes", "checkpoint_bodies"];

fn load() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/vectors/merkle/checkpoints.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn str_of<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("case {}: field {field} is not a string", case["id"]))
}

fn seed_of(hex_seed: &str) -> [u8; 32] {
    <[u8; 32]>::try_from(hex::decode(hex_seed).unwrap().as_slice()).unwrap()
}

/// `expect` is "valid" or "invalid"; anything else is a broken vector.
fn expect_valid(case: &Value) -> bool {
    match case["expect"].as_str() {
        Some("valid") => true,
        Some("invalid") => false,
        other => panic!("case {}: unknown expect {other:?}", case["id"]),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{v} is not an array"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Compares a parsed checkpoint with a vector's `parsed` (origin, size, root hex, extensions).
fn compare_checkpoint(cp: &Checkpoint, parsed: &Value, errors: &mut Vec<String>, id: &str) {
    if cp.origin != str_of(parsed, "origin") {
        errors.push(format!(
            "{id}: origin {:?} != {}",
            cp.origin, parsed["origin"]
        ));
    }
    if Some(cp.size) != parsed["size"].as_u64() {
        errors.push(format!("{id}: size {} != {}", cp.size, parsed["size"]));
    }
    if cp.root.to_hex() != str_of(parsed, "root") {
        errors.push(format!("{id}: root {} != {}", cp.root, parsed["root"]));
    }
    if cp.extensions != strings(&parsed["extensions"]) {
        errors.push(format!(
            "{id}: extensions {:?} != {}",
            cp.extensions, parsed["extensions"]
        ));
    }
}

/// The informative `error_class` of an invalid note, checked against the error returned.
fn error_class_matches(class: &str, e: &CheckpointError) -> bool {
    match (class, e) {
        ("malformed", CheckpointError::Note(n)) => n.is_malformed(),
        ("no signature from a known key", CheckpointError::Note(n)) => {
            matches!(n, NoteError::NoKnownSignature { .. })
        }
        ("malformed checkpoint body", e) => e.is_malformed_body(),
        ("origin mismatch", e) => matches!(e, CheckpointError::OriginMismatch { .. }),
        (class, CheckpointError::Note(NoteError::InvalidSignature { name, .. })) => {
            class.strip_prefix("invalid signature from known key ") == Some(name.as_str())
        }
        _ => false,
    }
}

fn check_keys(doc: &Value, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for k in doc["keys"].as_array().unwrap() {
        let name = str_of(k, "name");
        let signer = Signer::from_seed(name, seed_of(str_of(k, "seed"))).unwrap();
        if signer.verifier_key() != str_of(k, "vkey") {
            errors.push(format!(
                "key {name}: vkey {} != {}",
                signer.verifier_key(),
                k["vkey"]
            ));
        }
        if hex::encode(signer.public_key()) != str_of(k, "public_key") {
            errors.push(format!("key {name}: public key differs"));
        }
        if hex::encode(signer.key_id()) != str_of(k, "key_id") {
            errors.push(format!("key {name}: key id differs"));
        }
        match VerifierKey::parse(str_of(k, "vkey")) {
            Ok(vk) => {
                if vk.name() != name
                    || hex::encode(vk.key_id()) != str_of(k, "key_id")
                    || hex::encode(vk.public_key()) != str_of(k, "public_key")
                    || vk != signer.to_verifier_key()
                {
                    errors.push(format!(
                        "key {name}: parsed vkey differs from the listed key"
                    ));
                }
            }
            Err(e) => errors.push(format!("key {name}: vkey does not parse: {e}")),
        }
        n += 1;
    }
    n
}

fn check_signing(doc: &Value, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for s in doc["signing"].as_array().unwrap() {
        let id = str_of(s, "id");
        let key_name = str_of(s, "key");
        let key = doc["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == s["key"])
            .unwrap_or_else(|| panic!("signing {id}: no key {key_name}"));
        let signer = Signer::from_seed(key_name, seed_of(str_of(key, "seed"))).unwrap();
        let text = str_of(s, "text");
        let line = signer.sign(text).unwrap();
        if line != str_of(s, "signature_line") {
            errors.push(format!(
                "signing {id}: {line:?} != {:?}",
                s["signature_line"]
            ));
        }
        // The signed note opens with the key's vkey and yields the text back.
        let vk = VerifierKey::parse(str_of(key, "vkey")).unwrap();
        let note = signer.sign_note(text).unwrap();
        match note::open(note.as_bytes(), &[vk]) {
            Ok(v) if v.text() == text && v.verified() == [key_name.to_owned()] => {}
            other => errors.push(format!("signing {id}: signed note opens as {other:?}")),
        }
        n += 1;
    }
    n
}

fn check_vkeys(doc: &Value, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in doc["vkeys"].as_array().unwrap() {
        let id = str_of(c, "id");
        let result = VerifierKey::parse(str_of(c, "vkey"));
        match (expect_valid(c), result) {
            (true, Ok(vk)) => {
                if vk.name() != str_of(c, "name")
                    || hex::encode(vk.key_id()) != str_of(c, "key_id")
                    || hex::encode(vk.public_key()) != str_of(c, "public_key")
                    || vk.to_vkey() != str_of(c, "vkey")
                {
                    errors.push(format!("vkey {id}: parsed to {vk:?}, not the listed key"));
                }
            }
            (true, Err(e)) => errors.push(format!("vkey {id}: valid key rejected: {e}")),
            (false, Ok(vk)) => errors.push(format!("vkey {id}: invalid key accepted as {vk:?}")),
            (false, Err(_)) => {}
        }
        n += 1;
    }
    n
}

const PARSED_FIELDS: [&str; 6] = ["text", "verified", "origin", "size", "root", "extensions"];

fn check_notes(doc: &Value, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in doc["notes"].as_array().unwrap() {
        let id = str_of(c, "id");
        let bytes = match (c.get("note_hex"), c.get("note")) {
            (Some(h), None) => hex::decode(h.as_str().unwrap()).unwrap(),
            (None, Some(t)) => t.as_str().unwrap().as_bytes().to_vec(),
            _ => panic!("note {id}: needs exactly one of note, note_hex"),
        };
        // Every verifier key given with a note is meant to be valid: a note must not be
        // "rejected" merely because its key list failed to parse.
        let keys: Vec<VerifierKey> = strings(&c["verifier_keys"])
            .iter()
            .map(|k| VerifierKey::parse(k).unwrap_or_else(|e| panic!("note {id}: vkey {k}: {e}")))
            .collect();
        let result: Result<(Option<Checkpoint>, String, Vec<String>), CheckpointError> =
            match str_of(c, "kind") {
                "note" => note::open(&bytes, &keys)
                    .map(|v| (None, v.text().to_owned(), v.verified().to_vec()))
                    .map_err(CheckpointError::from),
                "checkpoint" => {
                    let expected_origin = match &c["expected_origin"] {
                        Value::Null => None,
                        Value::String(s) => Some(s.as_str()),
                        other => panic!("note {id}: expected_origin {other}"),
                    };
                    checkpoint::open(&bytes, &keys, expected_origin).map(|v| {
                        let text = v.checkpoint().to_body().unwrap();
                        (Some(v.checkpoint().clone()), text, v.verified().to_vec())
                    })
                }
                other => panic!("note {id}: unknown kind {other}"),
            };
        match (expect_valid(c), result) {
            (true, Ok((cp, text, verified))) => {
                let parsed = c["parsed"]
                    .as_object()
                    .unwrap_or_else(|| panic!("note {id}: valid case without parsed"));
                for key in parsed.keys() {
                    assert!(
                        PARSED_FIELDS.contains(&key.as_str()),
                        "note {id}: parsed field {key} is not checked by this test"
                    );
                }
                if let Some(t) = parsed.get("text") {
                    if t.as_str() != Some(text.as_str()) {
                        errors.push(format!("note {id}: text {text:?} != {t}"));
                    }
                }
                if verified != strings(&c["parsed"]["verified"]) {
                    errors.push(format!(
                        "note {id}: verified {verified:?} != {}",
                        c["parsed"]["verified"]
                    ));
                }
                match (cp, parsed.contains_key("origin")) {
                    (Some(cp), true) => {
                        compare_checkpoint(&cp, &c["parsed"], errors, id);
                        // The verified body is exactly the signed text.
                        let signed_text = note::open(&bytes, &keys).unwrap().into_text();
                        if signed_text != text {
                            errors.push(format!("note {id}: body does not re-encode exactly"));
                        }
                    }
                    (None, false) => {}
                    (cp, _) => errors.push(format!(
                        "note {id}: kind and parsed fields disagree (checkpoint: {})",
                        cp.is_some()
                    )),
                }
            }
            (true, Err(e)) => errors.push(format!("note {id}: valid note rejected: {e}")),
            (false, Ok(_)) => errors.push(format!("note {id}: invalid note accepted")),
            (false, Err(e)) => {
                if let Some(class) = c.get("error_class").and_then(Value::as_str) {
                    if !error_class_matches(class, &e) {
                        errors.push(format!(
                            "note {id}: rejected with {} ({e}), but the vector's class is {class:?}",
                            e.kind()
                        ));
                    }
                }
            }
        }
        n += 1;
    }
    n
}

fn check_bodies(doc: &Value, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in doc["checkpoint_bodies"].as_array().unwrap() {
        let id = str_of(c, "id");
        let text = str_of(c, "text");
        match (expect_valid(c), Checkpoint::parse_body(text)) {
            (true, Ok(cp)) => {
                compare_checkpoint(&cp, &c["parsed"], errors, id);
                match cp.to_body() {
                    Ok(body) if body == text => {}
                    other => errors.push(format!("body {id}: re-encodes as {other:?}")),
                }
            }
            (true, Err(e)) => errors.push(format!("body {id}: valid body rejected: {e}")),
            (false, Ok(cp)) => errors.push(format!("body {id}: invalid body accepted as {cp:?}")),
            (false, Err(e)) => {
                if !e.is_malformed_body() {
                    errors.push(format!("body {id}: rejected with unexpected {e:?}"));
                }
            }
        }
        n += 1;
    }
    n
}

#[test]
fn every_checkpoint_vector() {
    let doc = load();
    // Every list in the file is a section this test knows.
    for (key, value) in doc.as_object().unwrap() {
        assert!(
            !value.is_array() || SECTIONS.contains(&key.as_str()),
            "{FILE}: section {key} is not checked by this test"
        );
    }
    let expected: usize = SECTIONS
        .iter()
        .map(|s| {
            doc[*s]
                .as_array()
                .unwrap_or_else(|| panic!("{FILE}: no section {s}"))
                .len()
        })
        .sum();
    let mut errors = Vec::new();
    let counts = [
        ("keys", check_keys(&doc, &mut errors)),
        ("signing", check_signing(&doc, &mut errors)),
        ("vkeys", check_vkeys(&doc, &mut errors)),
        ("notes", check_notes(&doc, &mut errors)),
        ("checkpoint_bodies", check_bodies(&doc, &mut errors)),
    ];
    for (section, count) in counts {
        assert_eq!(
            count,
            doc[section].as_array().unwrap().len(),
            "{FILE}: {section} not fully checked"
        );
    }
    let checked: usize = counts.iter().map(|(_, c)| c).sum();
    assert!(
        errors.is_empty(),
        "{FILE}: {} failure(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(checked, expected, "{FILE}: not every case was checked");
    let breakdown: Vec<String> = counts.iter().map(|(s, c)| format!("{s} {c}")).collect();
    println!("{FILE}: {checked} cases checked ({})", breakdown.join(", "));
}
