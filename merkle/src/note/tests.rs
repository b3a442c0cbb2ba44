//! Tests of signed notes: round trips, the C2SP rules, hostile inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use super::*;

fn signer(name: &str, byte: u8) -> Signer {
    Signer::from_seed(name, [byte; 32]).unwrap()
}

#[test]
fn private_key_string_round_trips() {
    let text = private_key_string("example.com/log", &[7; 32]).unwrap();
    assert!(text.starts_with("PRIVATE+KEY+example.com/log+"));
    let s = signer_from_private_key(&format!("{text}\n")).unwrap();
    assert_eq!(
        s.verifier_key(),
        signer("example.com/log", 7).verifier_key()
    );
    let wrong_id = text.replacen("+example.com/log+", "+other+", 1);
    assert!(signer_from_private_key(&wrong_id).is_err());
    assert!(signer_from_private_key("PRIVATE+KEY+x+00000000+AQ==").is_err());
    assert!(signer_from_private_key("x+00000000+AQ==").is_err());
}

#[test]
fn sign_then_open_round_trips() {
    let s = signer("example.com/log", 1);
    let key = VerifierKey::parse(&s.verifier_key()).unwrap();
    assert_eq!(key, s.to_verifier_key());
    assert_eq!(key.to_vkey(), s.verifier_key());
    for text in [
        "hello\n",
        "\n",
        "a\n\nb\n",
        "ends in blank\n\n",
        "— not a sig\n",
    ] {
        let note = s.sign_note(text).unwrap();
        let v = open(note.as_bytes(), std::slice::from_ref(&key)).unwrap();
        assert_eq!(v.text(), text);
        assert_eq!(v.verified(), ["example.com/log".to_owned()]);
    }
}

#[test]
fn sign_rejects_texts_that_are_not_note_texts() {
    let s = signer("k", 1);
    for text in ["", "no newline", "tab\there\n", "cr\r\n"] {
        let e = s.sign(text).unwrap_err();
        assert_eq!(e.kind(), "invalid-text", "{text:?}");
    }
    assert_eq!(
        Signer::from_seed("bad name", [0; 32]).unwrap_err().kind(),
        "invalid-signer"
    );
    assert_eq!(
        Signer::from_seed("a+b", [0; 32]).unwrap_err().kind(),
        "invalid-signer"
    );
}

#[test]
fn known_key_with_bad_signature_rejects_even_if_another_verifies() {
    let log = signer("example.com/log", 1);
    let witness = signer("example.com/witness", 2);
    let keys = [log.to_verifier_key(), witness.to_verifier_key()];
    let text = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    let good_log = log.sign(text).unwrap();
    let other_witness = witness.sign("another text\n").unwrap();
    for order in [
        format!("{text}\n{good_log}\n{other_witness}\n"),
        format!("{text}\n{other_witness}\n{good_log}\n"),
    ] {
        let e = open(order.as_bytes(), &keys).unwrap_err();
        assert!(
            matches!(&e, NoteError::InvalidSignature { name, .. } if name == "example.com/witness"),
            "{e}"
        );
        assert_eq!(e.kind(), "invalid-signature");
        // With only the log key trusted, the witness signature is unknown and ignored.
        let v = open(order.as_bytes(), &keys[..1]).unwrap();
        assert_eq!(v.verified(), ["example.com/log".to_owned()]);
    }
    // A duplicated good signature is verified twice but reported once.
    let dup = format!("{text}\n{good_log}\n{good_log}\n");
    assert_eq!(open(dup.as_bytes(), &keys).unwrap().verified().len(), 1);
}

#[test]
fn unknown_keys_sharing_name_or_id_are_ignored() {
    let log = signer("example.com/log", 1);
    let impostor = signer("example.com/log", 3); // same name, different key and key ID
    let text = "t\n";
    let note = format!(
        "{text}\n{}\n{}\n",
        impostor.sign(text).unwrap(),
        log.sign(text).unwrap()
    );
    let v = open(note.as_bytes(), &[log.to_verifier_key()]).unwrap();
    assert_eq!(v.verified(), ["example.com/log".to_owned()]);
    let e = open(note.as_bytes(), &[]).unwrap_err();
    assert_eq!(
        e,
        NoteError::NoKnownSignature {
            unknown: 2,
            trusted: 0
        }
    );
}

#[test]
fn oversized_note_is_rejected_before_parsing() {
    let s = signer("k", 1);
    let key = s.to_verifier_key();
    let mut big = vec![b'a'; MAX_NOTE_SIZE];
    big.push(b'\n');
    let e = open(&big, &[key]).unwrap_err();
    assert_eq!(e.kind(), "note-too-large");
    assert!(e.is_malformed());
    let text = "a".repeat(MAX_NOTE_SIZE - 10) + "\n";
    assert_eq!(s.sign_note(&text).unwrap_err().kind(), "invalid-text");
}

#[test]
fn too_many_signature_lines_are_rejected() {
    let s = signer("k", 1);
    let text = "t\n";
    let line = s.sign(text).unwrap();
    let mut note = format!("{text}\n");
    for _ in 0..MAX_SIGNATURES {
        note.push_str(&line);
        note.push('\n');
    }
    assert!(open(note.as_bytes(), &[s.to_verifier_key()]).is_ok());
    note.push_str(&line);
    note.push('\n');
    let e = open(note.as_bytes(), &[s.to_verifier_key()]).unwrap_err();
    assert_eq!(
        e,
        NoteError::TooManySignatures {
            count: MAX_SIGNATURES + 1,
            max: MAX_SIGNATURES
        }
    );
}

#[test]
fn non_canonical_base64_signature_is_malformed() {
    let s = signer("k", 1);
    let text = "t\n";
    let line = s.sign(text).unwrap();
    // 68 bytes encode to 91 characters and one '='; the last character carries 2 spare bits.
    let (head, tail) = line.split_at(line.len() - 2);
    let last = tail.as_bytes()[0];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let pos = alphabet.iter().position(|&c| c == last).unwrap();
    let bumped = alphabet[pos ^ 1] as char;
    let note = format!("{text}\n{head}{bumped}=\n");
    let e = open(note.as_bytes(), &[s.to_verifier_key()]).unwrap_err();
    assert_eq!(e.kind(), "malformed-signature-line", "{e}");
}

#[test]
fn error_messages_name_the_problem() {
    let s = signer("example.com/log", 1);
    let key = s.to_verifier_key();
    let note = s.sign_note("a\nb\n").unwrap().replace("a\nb", "a\nc");
    let e = open(note.as_bytes(), std::slice::from_ref(&key)).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("example.com/log") && msg.contains("line 4"),
        "{msg}"
    );
    let e = open(b"a\n\n- k AAAA\n", &[key]).unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    let e = VerifierKey::parse("k+0000000g+AA==").unwrap_err();
    assert!(e.to_string().contains("0000000g"), "{e}");
}

#[test]
fn excerpt_bounds_quoted_text() {
    assert_eq!(excerpt("short"), "short");
    let long = "é".repeat(200);
    assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
}
