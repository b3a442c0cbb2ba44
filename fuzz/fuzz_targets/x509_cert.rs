//! Certificate and CRL parsing (DER, PEM bundles) never panics, whatever the bytes; a parsed
//! certificate is exactly the input bytes (nothing skipped or trailing), and path validation
//! of it against itself as the only anchor never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plugin_api::VerificationTime;
use plugin_x509::{
    certificates_from_pem_or_der, crls_from_pem_or_der, verify_path, Certificate, Crl, Options,
    Profile,
};

fuzz_target!(|data: &[u8]| {
    let _ = Crl::from_der(data);
    let _ = crls_from_pem_or_der(data, 4);
    let _ = certificates_from_pem_or_der(data, 4);
    if let Ok(cert) = Certificate::from_der(data) {
        assert_eq!(cert.der(), data);
        let anchors = [cert.clone()];
        let time = VerificationTime::from_unix_seconds(1_780_272_000);
        let _ = verify_path(&cert, &[], &anchors, time, &Options::new(Profile::CodeSigning));
    }
});
