//! The X.509 verifier behind the `plugin_api::Plugin` contract: a detached signature (raw, or
//! CMS SignedData) over a manifest, by a leaf validated to pinned roots for code signing.
//!
//! The request maps as follows:
//! - subject: the manifest's bytes (a digest is refused: CMS and raw signatures are checked
//!   over the bytes);
//! - signature: raw signature bytes or CMS (DER or PEM); the media type
//!   [`MEDIA_TYPE_CMS`] or [`MEDIA_TYPE_RAW`] forces the reading, none detects CMS;
//! - certificates: the first holds exactly the signer's certificate; the others are
//!   untrusted intermediates (PEM bundles or DER);
//! - trust roots: [`TrustRootKind::X509Certificate`] (PEM bundles or DER), the only anchors;
//! - revocation: CRLs (PEM or DER); policy `require-revocation` requires a current CRL for
//!   every certificate of the path but the anchor. No other policy field is accepted.
//!
//! Inputs that do not parse are errors (no verdict), each naming the input by the name the
//! caller gave it.

use crate::{
    certificates_from_pem_or_der, crls_from_pem_or_der, verify_manifest,
    verify_manifest_noting_crl_source, Certificate, Crl, DetachedSignature, ManifestRequest,
    SignedData,
};
use plugin_api::{
    Error, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind, VerifyRequest,
};

/// The plugin's name and check-id prefix.
pub const PLUGIN: &str = "x509";
/// Signature media type: CMS/PKCS#7 detached SignedData.
pub const MEDIA_TYPE_CMS: &str = "application/pkcs7-signature";
/// Signature media type: raw signature bytes by the leaf key.
pub const MEDIA_TYPE_RAW: &str = "application/octet-stream";

/// Budgets on what a request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most certificates in one certificate or root input (a bundle).
    pub certs_per_input: usize,
    /// Most certificates over all intermediates and roots.
    pub certs_total: usize,
    /// Most CRLs in one revocation input.
    pub crls_per_input: usize,
}

impl Limits {
    /// 64 certificates per input, 256 in all, 16 CRLs per input.
    pub const DEFAULT: Limits = Limits {
        certs_per_input: 64,
        certs_total: 256,
        crls_per_input: 16,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The X.509 manifest-signature verifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct X509Plugin {
    /// Budgets.
    pub limits: Limits,
}

impl X509Plugin {
    fn certs(&self, name: &str, bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
        certificates_from_pem_or_der(bytes, self.limits.certs_per_input)
            .map_err(|e| Error::malformed(name, e))
    }

    fn add_all(&self, all: &mut Vec<Certificate>, name: &str, bytes: &[u8]) -> Result<(), Error> {
        all.extend(self.certs(name, bytes)?);
        if all.len() > self.limits.certs_total {
            return Err(Error::malformed(
                name,
                format!("more than {} certificates in all", self.limits.certs_total),
            ));
        }
        Ok(())
    }
}

impl Plugin for X509Plugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "a detached signature (raw or CMS SignedData) over a manifest, the signer validated to pinned roots for code signing (RFC 5280, CRLs)",
            subjects: &[SubjectKind::Bytes],
            signature: "raw signature bytes, or CMS/PKCS#7 detached SignedData (DER or PEM)",
            trust_roots: &[TrustRootKind::X509Certificate],
            media_types: &[MEDIA_TYPE_CMS, MEDIA_TYPE_RAW],
            policy: &["require-revocation"],
            certificates: true,
            revocation: true,
            insecure: &[],
            uses_signature: true,
            uses_cache: true,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        plugin_api::check_declared(&self.info(), req)?;
        let Subject::Bytes(manifest) = req.subject() else {
            return Err(Error::malformed(
                "subject",
                "the x509 plugin checks signatures over the manifest's bytes, not a digest",
            ));
        };
        let sig = req.signature();
        let is_cms = match sig.media_type() {
            Some(MEDIA_TYPE_CMS) => true,
            Some(MEDIA_TYPE_RAW) => false,
            Some(other) => {
                return Err(Error::malformed(
                    sig.name(),
                    format!("unknown signature media type {other:?} (expected {MEDIA_TYPE_CMS} or {MEDIA_TYPE_RAW})"),
                ))
            }
            None => SignedData::looks_like_cms(sig.bytes()),
        };
        let signature = if is_cms {
            let cms = SignedData::from_pem_or_der(sig.bytes())
                .map_err(|e| Error::malformed(sig.name(), e))?;
            DetachedSignature::Cms(Box::new(cms))
        } else {
            if sig.bytes().is_empty() {
                return Err(Error::malformed(sig.name(), "empty signature"));
            }
            DetachedSignature::Raw(sig.bytes().to_vec())
        };
        let Some((leaf_input, chain_inputs)) = req.certificates().split_first() else {
            return Err(Error::malformed(
                "certificates",
                "the signer's certificate is required (the first certificate input)",
            ));
        };
        let leaf = match self
            .certs(leaf_input.name(), leaf_input.bytes())?
            .as_slice()
        {
            [one] => one.clone(),
            _ => {
                return Err(Error::malformed(
                    leaf_input.name(),
                    "expected exactly one certificate (the signer's)",
                ))
            }
        };
        let mut intermediates = Vec::new();
        for c in chain_inputs {
            self.add_all(&mut intermediates, c.name(), c.bytes())?;
        }
        let mut anchors = Vec::new();
        for r in req.trust_roots().of_kind(TrustRootKind::X509Certificate) {
            self.add_all(&mut anchors, r.name(), r.bytes())?;
        }
        if anchors.is_empty() {
            return Err(Error::malformed(
                "trust roots",
                "no pinned root certificate (x509-certificate trust root) was given",
            ));
        }
        let mut crls: Vec<Crl> = Vec::new();
        for l in req.revocation() {
            crls.extend(
                crls_from_pem_or_der(l.bytes(), self.limits.crls_per_input)
                    .map_err(|e| Error::malformed(l.name(), e))?,
            );
        }
        let subject = req.subject_name().unwrap_or("manifest");
        let request = ManifestRequest {
            subject,
            manifest,
            signature: &signature,
            leaf: &leaf,
            intermediates: &intermediates,
            anchors: &anchors,
            crls: &crls,
            require_crl: req.policy().requires_revocation(),
            time: req.time(),
        };
        Ok(match req.revocation_source() {
            Some(note) => verify_manifest_noting_crl_source(&request, note),
            None => verify_manifest(&request),
        })
    }
}
