//! Inclusion receipt parsing: never panics, and no receipt made from fuzz input opens under a
//! key that signed nothing (the checkpoint signature cannot be forged).
#![no_main]
use libfuzzer_sys::fuzz_target;
use merkle::note::Signer;

fuzz_target!(|data: &[u8]| {
    let Ok(receipt) = tlog::Receipt::parse(data) else { return };
    let Ok(signer) = Signer::from_seed("fuzz.example/log", [3u8; 32]) else { return };
    assert!(receipt.open_checkpoint(&signer.to_verifier_key()).is_err());
});
