//! Signed-note verification on arbitrary bytes: never panics; anything it accepts was signed
//! by the one trusted key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use merkle::note::{open, Signer};

fuzz_target!(|data: &[u8]| {
    let Ok(signer) = Signer::from_seed("fuzz.example/log", [7u8; 32]) else { return };
    let key = signer.to_verifier_key();
    if let Ok(v) = open(data, std::slice::from_ref(&key)) {
        // Accepted: the note is that text followed by our (deterministic) signature line.
        let note = std::str::from_utf8(data).unwrap_or_default();
        let line = signer.sign(v.text()).unwrap_or_default();
        assert!(note.starts_with(v.text()));
        assert!(note.contains(&line));
    }
});
