//! A `--batch` request line: never panics; a line that parses names exactly one signer by
//! the flag rules (a key and no identity field, or exactly one of the exact and regexp forms
//! of both identity and issuer), and a refused combination is refused for the right reason.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugin_cosign::{BatchLine, SignerError, SignerSpec};

fuzz_target!(|data: &[u8]| {
    let Ok(line) = BatchLine::parse(data) else {
        return;
    };
    let id = line.certificate_identity.is_some();
    let id_re = line.certificate_identity_regexp.is_some();
    let iss = line.certificate_oidc_issuer.is_some();
    let iss_re = line.certificate_oidc_issuer_regexp.is_some();
    let any_identity = id || id_re || iss || iss_re;
    let key = line.key.is_some();
    match line.signer(str::to_owned).parse() {
        Ok(SignerSpec::Key(_)) => assert!(key && !any_identity),
        Ok(SignerSpec::Keyless(_)) => assert!(!key && (id ^ id_re) && (iss ^ iss_re)),
        Err(SignerError::KeyWithIdentity(_)) => assert!(key && any_identity),
        Err(SignerError::Both(_)) => assert!(!key && ((id && id_re) || (iss && iss_re))),
        Err(SignerError::Missing(_)) => assert!(!key && !((id ^ id_re) && (iss ^ iss_re))),
        Err(SignerError::BadRegex(..)) => assert!(!key && (id_re || iss_re)),
        Err(_) => {}
    }
});
