//! Fulcio certificate extensions (OID arc `1.3.6.1.4.1.57264.1`): the OIDC issuer and the
//! CI/CD (GitHub workflow) claims Fulcio copies from the identity token into the leaf.
//!
//! Legacy v1 extensions (`.1`–`.6`) hold the raw string as the extension value; v2
//! extensions (`.8`–`.22`) hold a DER UTF8String. This module only *reads* them, for display
//! in a report: the values mean something only for a leaf whose chain and signature
//! verified, and only the SAN and issuer are matched against a policy (by [`crate::verify`]).

use crate::error::CertificateError;
use plugin_x509::der;
use serde_json::{Map, Value};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;

/// Budget for a leaf certificate's DER.
pub const MAX_LEAF_DER: usize = crate::Limits::DEFAULT.leaf_bytes;
/// Budget for one extension value, in bytes.
pub const MAX_VALUE_LEN: usize = crate::Limits::DEFAULT.extension_value_bytes;
/// Budget for the number of extensions read.
pub const MAX_EXTENSIONS: usize = crate::Limits::DEFAULT.leaf_extensions;

/// The DER content octets of Fulcio's extension arc, 1.3.6.1.4.1.57264.1.
const ARC_DER: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01];

/// The last arc of a Fulcio extension OID given as DER content octets
/// (1.3.6.1.4.1.57264.1.`n`): `Some(n)` when the OID is the arc plus exactly one minimally
/// encoded component, else `None`. Compared as bytes, not as formatted strings.
pub(crate) fn fulcio_arc(oid: &[u8]) -> Option<u32> {
    let rest = oid.strip_prefix(ARC_DER)?;
    if rest.is_empty() || rest.len() > 4 || rest.first() == Some(&0x80) {
        return None;
    }
    let (last, init) = rest.split_last()?;
    if last & 0x80 != 0 || init.iter().any(|b| b & 0x80 == 0) {
        return None;
    }
    Some(
        rest.iter()
            .fold(0u32, |n, b| (n << 7) | u32::from(b & 0x7f)),
    )
}

/// Whether an extension holds a raw string (v1) or a DER UTF8String (v2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Raw,
    Utf8String,
}

/// The Fulcio extensions read, by the last OID arc: (arc, JSON name, encoding).
const KNOWN: &[(u32, &str, Encoding)] = &[
    (1, "issuer_v1", Encoding::Raw),
    (2, "github_workflow_trigger", Encoding::Raw),
    (3, "github_workflow_sha", Encoding::Raw),
    (4, "github_workflow_name", Encoding::Raw),
    (5, "github_workflow_repository", Encoding::Raw),
    (6, "github_workflow_ref", Encoding::Raw),
    (8, "issuer", Encoding::Utf8String),
    (9, "build_signer_uri", Encoding::Utf8String),
    (10, "build_signer_digest", Encoding::Utf8String),
    (11, "runner_environment", Encoding::Utf8String),
    (12, "source_repository_uri", Encoding::Utf8String),
    (13, "source_repository_digest", Encoding::Utf8String),
    (14, "source_repository_ref", Encoding::Utf8String),
    (15, "source_repository_identifier", Encoding::Utf8String),
    (16, "source_repository_owner_uri", Encoding::Utf8String),
    (
        17,
        "source_repository_owner_identifier",
        Encoding::Utf8String,
    ),
    (18, "build_config_uri", Encoding::Utf8String),
    (19, "build_config_digest", Encoding::Utf8String),
    (20, "build_trigger", Encoding::Utf8String),
    (21, "run_invocation_uri", Encoding::Utf8String),
    (
        22,
        "source_repository_visibility_at_signing",
        Encoding::Utf8String,
    ),
];

/// What a Fulcio leaf says about its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateClaims {
    /// The URI and email subject alternative names, in certificate order.
    pub san: Vec<String>,
    /// The OIDC issuer: the v2 extension, else the v1 one (when both are present they must
    /// agree).
    pub issuer: Option<String>,
    /// The other Fulcio extensions present (v1 `.2`–`.6`, v2 `.9`–`.22`), by name, in OID
    /// order.
    pub workflow: Vec<(&'static str, String)>,
}

impl CertificateClaims {
    /// As JSON: `{"san": "...", "issuer": "...", "github_workflow": {name: value, ...}}`;
    /// `san` is a string when there is one name, else a list; absent parts are omitted.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        match self.san.as_slice() {
            [one] => {
                m.insert("san".into(), Value::String(one.clone()));
            }
            many => {
                m.insert(
                    "san".into(),
                    Value::Array(many.iter().cloned().map(Value::String).collect()),
                );
            }
        }
        if let Some(i) = &self.issuer {
            m.insert("issuer".into(), Value::String(i.clone()));
        }
        if !self.workflow.is_empty() {
            let w: Map<String, Value> = self
                .workflow
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                .collect();
            m.insert("github_workflow".into(), Value::Object(w));
        }
        Value::Object(m)
    }
}

fn value(raw: &[u8], enc: Encoding, name: &str) -> Result<String, CertificateError> {
    let bytes = match enc {
        Encoding::Raw => raw,
        Encoding::Utf8String => {
            let mut r = der::Reader::new(raw);
            let t = r
                .read()
                .map_err(|e| CertificateError::Malformed(format!("{name}: malformed DER ({e})")))?;
            if t.tag != 0x0c || !r.is_empty() {
                return Err(CertificateError::Malformed(format!(
                    "{name}: not a DER UTF8String"
                )));
            }
            t.content
        }
    };
    if bytes.len() > MAX_VALUE_LEN {
        return Err(CertificateError::OverBudget(format!(
            "{name}: {} bytes, over the {MAX_VALUE_LEN}-byte budget",
            bytes.len()
        )));
    }
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| CertificateError::Malformed(format!("{name}: not UTF-8")))
}

/// Reads the SANs, the OIDC issuer and the workflow extensions of a leaf certificate (DER).
/// Malformed, duplicate or over-budget extensions are errors.
pub fn read(leaf_der: &[u8]) -> Result<CertificateClaims, CertificateError> {
    if leaf_der.len() > MAX_LEAF_DER {
        return Err(CertificateError::OverBudget(format!(
            "certificate is {} bytes, over the {MAX_LEAF_DER}-byte budget",
            leaf_der.len()
        )));
    }
    let (rest, cert) = X509Certificate::from_der(leaf_der)
        .map_err(|e| CertificateError::Malformed(format!("certificate does not parse: {e}")))?;
    if !rest.is_empty() {
        return Err(CertificateError::Malformed(
            "trailing bytes after the certificate".into(),
        ));
    }
    check_oid_encodings(&cert)?;
    read_parsed(&cert)
}

/// Whether `oid` (DER content octets) is in DER's shortest form: every component minimally
/// encoded (no leading 0x80 byte) and complete (its last byte below 0x80).
fn oid_is_canonical(oid: &[u8]) -> bool {
    let Some(last) = oid.last() else {
        return false;
    };
    if last & 0x80 != 0 {
        return false;
    }
    let mut starts_component = true;
    for b in oid {
        if starts_component && *b == 0x80 {
            return false;
        }
        starts_component = b & 0x80 == 0;
    }
    true
}

/// Refuses a certificate with an extension OID or a SAN otherName OID not in DER's shortest
/// form. The OIDs the verification looks for are compared as bytes, so another encoding of
/// one of them (which a lenient reader takes for the same OID) must not pass unseen: it is
/// an error.
pub(crate) fn check_oid_encodings(cert: &X509Certificate<'_>) -> Result<(), CertificateError> {
    let bad = |what: &str| {
        Err(CertificateError::Malformed(format!(
            "{what} OID is not DER-encoded (not in its shortest form)"
        )))
    };
    for e in cert.extensions() {
        if !oid_is_canonical(e.oid.as_bytes()) {
            return bad("an extension");
        }
    }
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for g in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::OtherName(oid, _) = g {
                if !oid_is_canonical(oid.as_bytes()) {
                    return bad("a subject alternative name's otherName");
                }
            }
        }
    }
    Ok(())
}

/// [`read`] of a leaf already parsed from DER within the budget, its OIDs checked (the
/// verified leaf's: `keyless::parse_cert` checks them).
pub(crate) fn read_parsed(
    cert: &X509Certificate<'_>,
) -> Result<CertificateClaims, CertificateError> {
    let exts = cert.extensions();
    if exts.len() > MAX_EXTENSIONS {
        return Err(CertificateError::OverBudget(format!(
            "{} extensions, over the budget of {MAX_EXTENSIONS}",
            exts.len()
        )));
    }
    let san = match cert
        .subject_alternative_name()
        .map_err(|e| CertificateError::Identity(format!("subject alternative name: {e}")))?
    {
        None => Vec::new(),
        Some(s) => crate::keyless::identity_names(&s.value.general_names)?
            .into_iter()
            .map(str::to_owned)
            .collect(),
    };
    let mut found: Vec<(u32, &'static str, String)> = Vec::new();
    for e in exts {
        let Some(arc) = fulcio_arc(e.oid.as_bytes()) else {
            continue;
        };
        let Some((_, name, enc)) = KNOWN.iter().find(|(a, _, _)| *a == arc) else {
            continue;
        };
        if found.iter().any(|(a, _, _)| *a == arc) {
            return Err(CertificateError::Malformed(format!(
                "{name}: duplicate extension"
            )));
        }
        found.push((arc, name, value(e.value, *enc, name)?));
    }
    found.sort_by_key(|(a, _, _)| *a);
    let get = |arc: u32| {
        found
            .iter()
            .find(|(a, _, _)| *a == arc)
            .map(|(_, _, v)| v.clone())
    };
    let issuer = match (get(1), get(8)) {
        (Some(v1), Some(v2)) if v1 != v2 => {
            return Err(CertificateError::Identity(
                "the v1 and v2 issuer extensions differ".into(),
            ))
        }
        (_, Some(v2)) => Some(v2),
        (v1, None) => v1,
    };
    let workflow = found
        .into_iter()
        .filter(|(a, _, _)| *a != 1 && *a != 8)
        .map(|(_, n, v)| (n, v))
        .collect();
    Ok(CertificateClaims {
        san,
        issuer,
        workflow,
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::bundle::{Bundle, Material};
    use x509_parser::der_parser::oid::Oid;

    #[test]
    fn fulcio_arcs_are_read_from_the_der_bytes() {
        let oid = |s: &str| {
            let arcs: Vec<u64> = s.split('.').map(|a| a.parse().unwrap()).collect();
            Oid::from(&arcs).unwrap().as_bytes().to_vec()
        };
        assert_eq!(oid("1.3.6.1.4.1.57264.1"), ARC_DER);
        for n in [1u32, 7, 8, 22, 127, 128, 300, 16_383, 16_384, 0x0fff_ffff] {
            let der = oid(&format!("1.3.6.1.4.1.57264.1.{n}"));
            assert_eq!(fulcio_arc(&der), Some(n), "arc {n}");
        }
        for other in [
            "1.3.6.1.4.1.57264.1",
            "1.3.6.1.4.1.57264.1.8.1",
            "1.3.6.1.4.1.57264.2.8",
            "1.3.6.1.4.1.11129.2.4.2",
            "2.5.29.17",
        ] {
            assert_eq!(fulcio_arc(&oid(other)), None, "{other}");
        }
        let mut padded = ARC_DER.to_vec();
        padded.extend([0x80, 0x08]); // a non-minimal encoding of 8
        assert_eq!(fulcio_arc(&padded), None);
        let mut open = ARC_DER.to_vec();
        open.push(0x88); // a component without its last byte
        assert_eq!(fulcio_arc(&open), None);
    }

    #[test]
    fn only_shortest_form_oids_are_canonical() {
        assert!(oid_is_canonical(ARC_DER));
        assert!(oid_is_canonical(&[
            0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02
        ]));
        assert!(oid_is_canonical(&[0x55, 0x1d, 0x11]));
        assert!(!oid_is_canonical(&[]));
        assert!(!oid_is_canonical(&[0x2b, 0x80, 0x06])); // 6 padded with a leading 0x80
        assert!(!oid_is_canonical(&[0x80, 0x2b])); // the first component padded
        assert!(!oid_is_canonical(&[0x2b, 0x06, 0x83])); // cut short
        let mut padded_issuer = vec![
            0x2b, 0x06, 0x01, 0x04, 0x01, 0x80, 0x83, 0xbf, 0x30, 0x01, 0x08,
        ];
        assert!(!oid_is_canonical(&padded_issuer));
        padded_issuer.remove(5);
        assert!(oid_is_canonical(&padded_issuer));
        assert_eq!(fulcio_arc(&padded_issuer), Some(8));
    }

    fn kit_leaf(case: &str) -> Vec<u8> {
        let b = std::fs::read(format!(
            "{}/../../../shared/conformance/sigstore/cases/{case}/bundle.sigstore.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        match Bundle::from_json(&b).unwrap().material {
            Material::Certificate(c) => c,
            Material::Chain(c) => c[0].clone(),
            Material::PublicKey => panic!("no certificate"),
        }
    }

    #[test]
    fn reads_the_github_workflow_claims_of_a_kit_leaf() {
        let c = read(&kit_leaf("happy-path-v0.3")).unwrap();
        let id = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
        assert_eq!(c.san, vec![id.to_owned()]);
        assert_eq!(
            c.issuer.as_deref(),
            Some("https://token.actions.githubusercontent.com")
        );
        let w: std::collections::BTreeMap<_, _> = c.workflow.iter().cloned().collect();
        assert_eq!(w["build_signer_uri"], id);
        assert_eq!(
            w["source_repository_uri"],
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon"
        );
        assert_eq!(
            w["github_workflow_repository"],
            "sigstore-conformance/extremely-dangerous-public-oidc-beacon"
        );
        assert_eq!(w["runner_environment"], "github-hosted");
        assert_eq!(w["source_repository_ref"], "refs/heads/main");
        assert_eq!(w["source_repository_digest"], w["github_workflow_sha"]);
        let j = c.to_json();
        assert_eq!(j["san"], id);
        assert_eq!(
            j["github_workflow"]["build_trigger"],
            w["build_trigger"].as_str()
        );
    }

    #[test]
    fn encodings_and_budgets() {
        assert_eq!(value(b"push", Encoding::Raw, "n").unwrap(), "push");
        assert_eq!(
            value(&der::encode(0x0c, b"push"), Encoding::Utf8String, "n").unwrap(),
            "push"
        );
        assert!(value(b"push", Encoding::Utf8String, "n").is_err());
        assert!(value(&der::encode(0x13, b"push"), Encoding::Utf8String, "n").is_err());
        let mut trailing = der::encode(0x0c, b"push");
        trailing.push(0);
        assert!(value(&trailing, Encoding::Utf8String, "n").is_err());
        assert!(value(&[0xff, 0xfe], Encoding::Raw, "n").is_err());
        let big = vec![b'a'; MAX_VALUE_LEN + 1];
        assert!(value(&big, Encoding::Raw, "n").is_err());
        assert!(value(&der::encode(0x0c, &big), Encoding::Utf8String, "n").is_err());
        assert!(read(&vec![0u8; MAX_LEAF_DER + 1]).is_err());
        assert!(read(b"not a certificate").is_err());
        let mut extra = kit_leaf("happy-path-v0.3");
        extra.push(0);
        assert!(read(&extra).is_err());
    }
}
