//! Attestations (`verify-blob-attestation`): the predicate type of the in-toto statement in a
//! bundle's DSSE envelope.
//!
//! [`crate::verify`] verifies the envelope (signature over PAE, payload type, statement type,
//! subject digest). The functions here only read the statement's `predicateType`: call
//! [`check_predicate_type`] on the same bundle bytes, and trust its answer only when that
//! report is ok.

use crate::bundle::{Bundle, Content};
use crate::error::AttestationError;
use serde_json::Value;

/// Budget for a predicate type URI (expected or found).
pub const MAX_PREDICATE_TYPE_LEN: usize = crate::Limits::DEFAULT.predicate_type_bytes;

const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// cosign's `--type` short names and the predicate type URIs they stand for (cosign
/// `PredicateTypeMap`).
pub const SHORT_NAMES: &[(&str, &str)] = &[
    ("custom", "https://cosign.sigstore.dev/attestation/v1"),
    ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
    ("spdx", "https://spdx.dev/Document"),
    ("spdxjson", "https://spdx.dev/Document"),
    ("cyclonedx", "https://cyclonedx.org/bom"),
    ("link", "https://in-toto.io/Link/v1"),
    ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
    ("openvex", "https://openvex.dev/ns"),
];

/// The predicate type URI for a `--type` value: a cosign short name is mapped, anything else
/// is taken as the URI itself. Empty or over-budget values are refused.
pub fn predicate_type_uri(type_arg: &str) -> Result<String, AttestationError> {
    if type_arg.is_empty() {
        return Err(AttestationError::Unsupported(
            "the predicate type is empty".into(),
        ));
    }
    if type_arg.len() > MAX_PREDICATE_TYPE_LEN {
        return Err(AttestationError::OverBudget(format!(
            "the predicate type is {} bytes, over the {MAX_PREDICATE_TYPE_LEN}-byte budget",
            type_arg.len()
        )));
    }
    Ok(SHORT_NAMES
        .iter()
        .find(|(name, _)| *name == type_arg)
        .map_or_else(|| type_arg.to_owned(), |(_, uri)| (*uri).to_owned()))
}

/// The `predicateType` of the in-toto statement carried in the bundle's DSSE envelope.
pub fn statement_predicate_type(bundle: &Bundle) -> Result<String, AttestationError> {
    let Content::Dsse(env) = &bundle.content else {
        return Err(AttestationError::Unsupported(
            "the bundle carries a message signature, not a DSSE attestation".into(),
        ));
    };
    if env.payload_type != INTOTO_PAYLOAD_TYPE {
        return Err(AttestationError::Unsupported(format!(
            "the DSSE payload type is {:?}, not {INTOTO_PAYLOAD_TYPE:?}",
            env.payload_type
        )));
    }
    let v: Value = plugin_api::json::from_slice(&env.payload).map_err(|e| {
        AttestationError::Malformed(format!("the in-toto statement is not JSON: {e}"))
    })?;
    let found = v
        .get("predicateType")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            AttestationError::Malformed("the in-toto statement has no string predicateType".into())
        })?;
    if found.len() > MAX_PREDICATE_TYPE_LEN {
        return Err(AttestationError::OverBudget(format!(
            "the statement's predicateType is {} bytes, over the {MAX_PREDICATE_TYPE_LEN}-byte budget",
            found.len()
        )));
    }
    Ok(found.to_owned())
}

/// Whether the statement in the bundle (`bundle_json`, the bytes given to [`crate::verify`])
/// has predicate type `expected` (a full URI, see [`predicate_type_uri`]). `Ok` and `Err`
/// both carry the detail for the report's check, naming expected and found types.
pub fn check_predicate_type(
    bundle_json: &[u8],
    expected: &str,
) -> Result<String, AttestationError> {
    let bundle = Bundle::from_json(bundle_json)?;
    let found = statement_predicate_type(&bundle)?;
    if found == expected {
        Ok(format!("predicateType {found}"))
    } else {
        Err(AttestationError::Mismatch(format!(
            "predicateType mismatch: expected {expected}, found {found}"
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use base64::Engine as _;

    fn bundle(payload_type: &str, payload: &str) -> Vec<u8> {
        let b64 = base64::engine::general_purpose::STANDARD;
        serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": "k"}},
            "dsseEnvelope": {
                "payloadType": payload_type,
                "payload": b64.encode(payload),
                "signatures": [{"sig": b64.encode([1u8, 2, 3])}]
            }
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn short_names_map_and_uris_pass_through() {
        assert_eq!(
            predicate_type_uri("slsaprovenance").unwrap(),
            "https://slsa.dev/provenance/v0.2"
        );
        assert_eq!(
            predicate_type_uri("slsaprovenance1").unwrap(),
            "https://slsa.dev/provenance/v1"
        );
        assert_eq!(
            predicate_type_uri("spdxjson").unwrap(),
            "https://spdx.dev/Document"
        );
        assert_eq!(
            predicate_type_uri("https://example.com/p/v1").unwrap(),
            "https://example.com/p/v1"
        );
        assert!(predicate_type_uri("").is_err());
        assert!(predicate_type_uri(&"x".repeat(MAX_PREDICATE_TYPE_LEN + 1)).is_err());
    }

    #[test]
    fn kit_bundle_is_slsa_v1() {
        let b = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/conformance/sigstore/cases/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
        ))
        .unwrap();
        assert_eq!(
            check_predicate_type(&b, "https://slsa.dev/provenance/v1").unwrap(),
            "predicateType https://slsa.dev/provenance/v1"
        );
        let e = check_predicate_type(&b, "https://slsa.dev/provenance/v0.2").unwrap_err();
        assert_eq!(
            e.to_string(),
            "predicateType mismatch: expected https://slsa.dev/provenance/v0.2, found https://slsa.dev/provenance/v1"
        );
    }

    #[test]
    fn refuses_what_is_not_an_intoto_attestation() {
        let msg = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/conformance/sigstore/cases/happy-path-v0.3/bundle.sigstore.json"
        ))
        .unwrap();
        assert!(check_predicate_type(&msg, "x")
            .unwrap_err()
            .to_string()
            .contains("message signature"));
        let other = bundle("text/plain", r#"{"predicateType":"x"}"#);
        assert!(check_predicate_type(&other, "x")
            .unwrap_err()
            .to_string()
            .contains("payload type"));
        let no_type = bundle(INTOTO_PAYLOAD_TYPE, r#"{"subject":[]}"#);
        assert!(check_predicate_type(&no_type, "x")
            .unwrap_err()
            .to_string()
            .contains("no string predicateType"));
        let not_json = bundle(INTOTO_PAYLOAD_TYPE, "{");
        assert!(check_predicate_type(&not_json, "x").is_err());
        let ok = bundle(INTOTO_PAYLOAD_TYPE, r#"{"predicateType":"x"}"#);
        assert!(check_predicate_type(&ok, "x").is_ok());
        assert!(check_predicate_type(b"not json", "x").is_err());
    }
}
