//! CMS SignedData parsing (DER and PEM) and manifest verification of whatever parses (against
//! the fixture leaf, intermediate and root) never panic; a document that verifies either has
//! no signed attributes or a messageDigest equal to the manifest's digest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_api::VerificationTime;
use plugin_x509::{
    verify_manifest, Certificate, DetachedSignature, ManifestRequest, SignedData,
};

const LEAF: &[u8] = include_bytes!("../../fixtures/x509/gen/leaf.pem");
const ROOT: &[u8] = include_bytes!("../../fixtures/x509/gen/root.pem");
const INTER: &[u8] = include_bytes!("../../fixtures/x509/gen/inter.pem");
const MANIFEST: &[u8] = include_bytes!("../../fixtures/x509/gen/manifest.json");

fuzz_target!(|data: &[u8]| {
    let _ = SignedData::looks_like_cms(data);
    let Ok(cms) = SignedData::from_pem_or_der(data) else {
        return;
    };
    let (Ok(leaf), Ok(root), Ok(inter)) = (
        Certificate::from_pem_or_der(LEAF),
        Certificate::from_pem_or_der(ROOT),
        Certificate::from_pem_or_der(INTER),
    ) else {
        return;
    };
    let digest_ok = cms
        .signed_attributes
        .as_ref()
        .is_none_or(|a| a.message_digest == cms.digest_algorithm.digest(MANIFEST));
    let signature = DetachedSignature::Cms(Box::new(cms));
    let report = verify_manifest(&ManifestRequest {
        subject: "fuzz",
        manifest: MANIFEST,
        signature: &signature,
        leaf: &leaf,
        intermediates: &[inter],
        anchors: &[root],
        crls: &[],
        require_crl: false,
        time: VerificationTime::from_unix_seconds(1_780_272_000),
    });
    assert!(!report.ok() || digest_ok, "verified with a wrong messageDigest");
});
