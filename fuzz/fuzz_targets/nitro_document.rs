//! The Nitro attestation document reader and the whole plugin: never panic, never accept.
//! Any input the reader takes is re-read identically; the plugin, given an arbitrary input,
//! a pinned root no input can chain to (the embedded AWS root) and an expectation, returns
//! an error or a report that is not ok.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugin_api::{Policy, Signature, Subject, TrustRoots, VerificationTime, VerifyRequest};
use plugin_nitro::{decode, parse, Format, Limits, NitroPlugin};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(bytes) = decode(data, Format::Auto, &limits) {
        if let Ok(doc) = parse(&bytes, &limits) {
            assert_eq!(parse(&bytes, &limits).ok(), Some(doc));
        }
    }
    let roots = TrustRoots::new();
    let policy = Policy::new().with_measurement(0, vec![0; 48]);
    let req = VerifyRequest::new(
        Subject::Bytes(data),
        Signature::new(b""),
        &roots,
        VerificationTime::from_unix_seconds(1_780_272_000),
    )
    .with_policy(&policy)
    .with_time_from_clock();
    if let Ok(report) = plugin_api::run_plugin(&NitroPlugin::default(), &req) {
        // Fuzzed bytes carry no AWS signature over a payload that chains to the AWS root
        // and matches PCR0 = 0 outside debug mode.
        assert!(!report.ok());
    }
});
