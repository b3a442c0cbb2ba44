//! Evidence kinds and how files are recognised: by file-name suffix (see docs/audit-pack.md).

use std::fmt;

/// What an artifact in a pack is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// The filled-in control map at the pack root, `control-map.csv`.
    ControlMap,
    /// An OPA/Rego policy bundle: `bundle.tar.gz` or `*.bundle.tar.gz`.
    PolicyBundle,
    /// A signed manifest: `*.manifest.json` (its signature is `*.manifest.json.sig`).
    Manifest,
    /// The detached signature of a manifest: `*.manifest.json.sig` (Ed25519 signed-note
    /// lines), `*.manifest.json.p7s` (CMS detached SignedData, verified by plugin-x509) or
    /// `*.manifest.json.sigstore.json` (a Sigstore bundle, verified by plugin-cosign).
    ManifestSignature,
    /// SLO-breach evidence: `*.slo.json`.
    SloBreach,
    /// Disaster-recovery dual approval: `*.dr-approval.json`.
    DrApproval,
    /// Chaos-run results: `*.chaos.json`.
    ChaosRun,
    /// Any other file.
    Other,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: &'static [Kind] = &[
        Kind::ControlMap,
        Kind::PolicyBundle,
        Kind::Manifest,
        Kind::ManifestSignature,
        Kind::SloBreach,
        Kind::DrApproval,
        Kind::ChaosRun,
        Kind::Other,
    ];

    /// The name written in the index and the control map.
    pub fn name(self) -> &'static str {
        match self {
            Kind::ControlMap => "control-map",
            Kind::PolicyBundle => "policy-bundle",
            Kind::Manifest => "manifest",
            Kind::ManifestSignature => "manifest-signature",
            Kind::SloBreach => "slo-breach",
            Kind::DrApproval => "dr-approval",
            Kind::ChaosRun => "chaos-run",
            Kind::Other => "other",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The kind of an evidence file, from its file name (the last path component).
    pub fn of_evidence_file(file_name: &str) -> Kind {
        if file_name == "bundle.tar.gz" || file_name.ends_with(".bundle.tar.gz") {
            Kind::PolicyBundle
        } else if file_name.ends_with(".manifest.json.sig")
            || file_name.ends_with(".manifest.json.p7s")
            || file_name.ends_with(".manifest.json.sigstore.json")
        {
            Kind::ManifestSignature
        } else if file_name.ends_with(".manifest.json") {
            Kind::Manifest
        } else if file_name.ends_with(".slo.json") {
            Kind::SloBreach
        } else if file_name.ends_with(".dr-approval.json") {
            Kind::DrApproval
        } else if file_name.ends_with(".chaos.json") {
            Kind::ChaosRun
        } else {
            Kind::Other
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn recognition_by_suffix() {
        assert_eq!(
            Kind::of_evidence_file("authz.bundle.tar.gz"),
            Kind::PolicyBundle
        );
        assert_eq!(Kind::of_evidence_file("bundle.tar.gz"), Kind::PolicyBundle);
        assert_eq!(
            Kind::of_evidence_file("release.manifest.json"),
            Kind::Manifest
        );
        assert_eq!(
            Kind::of_evidence_file("release.manifest.json.sig"),
            Kind::ManifestSignature
        );
        assert_eq!(
            Kind::of_evidence_file("release.manifest.json.p7s"),
            Kind::ManifestSignature
        );
        assert_eq!(
            Kind::of_evidence_file("release.manifest.json.sigstore.json"),
            Kind::ManifestSignature
        );
        assert_eq!(Kind::of_evidence_file("release.sigstore.json"), Kind::Other);
        assert_eq!(Kind::of_evidence_file("2026-q3.slo.json"), Kind::SloBreach);
        assert_eq!(
            Kind::of_evidence_file("restore.dr-approval.json"),
            Kind::DrApproval
        );
        assert_eq!(
            Kind::of_evidence_file("az-outage.chaos.json"),
            Kind::ChaosRun
        );
        assert_eq!(Kind::of_evidence_file("notes.json"), Kind::Other);
        assert_eq!(Kind::of_evidence_file("x.SLO.json"), Kind::Other);
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(*k));
        }
    }
}
