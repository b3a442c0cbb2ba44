//! Shared by the nitro tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

pub mod forge;

use forge::Chain;
use plugin_api::{
    Error, Insecure, Policy, Report, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots,
    VerificationTime, VerifyRequest,
};
use plugin_nitro::NitroPlugin;

/// Verifies `doc` against `root` (DER; `None`: the embedded AWS root) with `policy`, at `at`
/// (`None`: the clock, so the chain is judged at the document's timestamp, with `now` as the
/// clock).
pub fn verify_with_root(
    doc: &[u8],
    root: Option<&[u8]>,
    policy: &Policy,
    at: Option<u64>,
    now: u64,
    insecure: &[Insecure],
) -> Result<Report, Error> {
    let mut roots = TrustRoots::new();
    if let Some(r) = root {
        roots.push(TrustRoot::new(
            TrustRootKind::X509Certificate,
            "test-root.der",
            r.to_vec(),
        ));
    }
    let time = VerificationTime::from_unix_seconds(at.unwrap_or(now));
    let mut req = VerifyRequest::new(Subject::Bytes(doc), Signature::new(b""), &roots, time)
        .with_subject_name("doc")
        .with_policy(policy)
        .with_insecure(insecure);
    if at.is_none() {
        req = req.with_time_from_clock();
    }
    plugin_api::run_plugin(&NitroPlugin::default(), &req)
}

/// [`verify_with_root`] with the test chain's root, the clock a minute after T0.
pub fn verify(chain: &Chain, doc: &[u8], policy: &Policy) -> Result<Report, Error> {
    verify_with_root(
        doc,
        Some(&chain.root.cert),
        policy,
        None,
        forge::T0 + 60,
        &[],
    )
}

/// Every expectation the standard document meets: all 16 PCRs, nonce, user data, public key,
/// a day's maximum age.
pub fn full_policy() -> Policy {
    let mut p = Policy::new()
        .with_nonce(forge::NONCE.to_vec())
        .with_user_data(forge::USER_DATA.to_vec())
        .with_attested_public_key(forge::PUBLIC_KEY.to_vec())
        .with_max_age(86_400);
    for (i, v) in forge::standard_pcrs() {
        p = p.with_measurement(i, v);
    }
    p
}

/// The check that failed, if exactly one did (the others passed or were not reached).
pub fn failed_check(r: &Report) -> Option<String> {
    let failed: Vec<&str> = r
        .checks()
        .iter()
        .filter(|c| c.is_fail())
        .map(|c| c.id.as_str())
        .collect();
    match failed.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}
