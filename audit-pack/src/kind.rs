//! Evidence kinds, and the file-name suffix rules (the last of the ways a kind is decided; see
//! [`crate::layout`] and docs/audit-pack.md).

use std::fmt;

/// What an artifact in a pack is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// The filled-in control map (`compliance/control-map.csv`; `control-map.csv` in a
    /// version 1 pack).
    ControlMap,
    /// An OPA/Rego policy bundle: under `policy/` (`.tgz`, `.tar.gz`), or `bundle.tar.gz`,
    /// `*.bundle.tar.gz`.
    PolicyBundle,
    /// A signed manifest: `*.manifest.json` (its signature is `*.manifest.json.sig`).
    Manifest,
    /// The detached signature of a manifest: `*.manifest.json.sig` (Ed25519 signed-note
    /// lines), `*.manifest.json.p7s` (CMS detached SignedData, verified by plugin-x509) or
    /// `*.manifest.json.sigstore.json` (a Sigstore bundle, verified by plugin-cosign).
    ManifestSignature,
    /// SLO-breach evidence: under `ops/evidence/slo/` or `audit/incidents/`, or `*.slo.json`.
    SloBreach,
    /// Disaster-recovery dual approval: under `ops/evidence/dr/`, `*.dr-approval.json`, or
    /// any JSON document of its shape.
    DrApproval,
    /// Chaos-run results: under `ops/evidence/chaos/`, or `*.chaos.json`.
    ChaosRun,
    /// A guardrail-drift incident: under `audit/drift/`, or `*.drift.json`.
    DriftIncident,
    /// A budget dashboard (cost-explorer export, JSON or CSV), recorded with its period: under
    /// `ops/cost-explorer/`, or `*.cost.json`, `*.cost.csv`.
    BudgetDashboard,
    /// A simulation report: under `ops/evidence/simulations/`, or `*.simulation.json`.
    SimulationReport,
    /// Provenance (a Sigstore bundle, DSSE envelope, in-toto statement, or a file of them):
    /// anything under `prov/`.
    Provenance,
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
        Kind::DriftIncident,
        Kind::BudgetDashboard,
        Kind::SimulationReport,
        Kind::Provenance,
        Kind::Other,
    ];

    /// The kinds a version 1 pack may list (the rest came with the Audit Pack Index v1.0
    /// layout, index version 2).
    pub const VERSION_1: &'static [Kind] = &[
        Kind::ControlMap,
        Kind::PolicyBundle,
        Kind::Manifest,
        Kind::ManifestSignature,
        Kind::SloBreach,
        Kind::DrApproval,
        Kind::ChaosRun,
        Kind::Other,
    ];

    /// JSON document kinds that are recognised by their content too: a JSON file that matches
    /// one of these schemas is of that kind unless its place or an explicit mapping decides.
    pub const BY_CONTENT: &'static [Kind] = &[
        Kind::SloBreach,
        Kind::DrApproval,
        Kind::ChaosRun,
        Kind::DriftIncident,
        Kind::SimulationReport,
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
            Kind::DriftIncident => "drift-incident",
            Kind::BudgetDashboard => "budget-dashboard",
            Kind::SimulationReport => "simulation-report",
            Kind::Provenance => "provenance",
            Kind::Other => "other",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Whether files of this kind are JSON documents checked against a schema.
    pub fn is_json_document(self) -> bool {
        matches!(
            self,
            Kind::SloBreach
                | Kind::DrApproval
                | Kind::ChaosRun
                | Kind::DriftIncident
                | Kind::SimulationReport
                | Kind::Manifest
        )
    }

    /// The kind that the suffix rules give a file name (the last path component): the third
    /// and last way a kind is decided. Manifests and their signatures are decided by these
    /// rules alone (a pair is found by its names).
    pub fn of_evidence_file(file_name: &str) -> Kind {
        if file_name == "bundle.tar.gz" || file_name.ends_with(".bundle.tar.gz") {
            Kind::PolicyBundle
        } else if is_manifest_signature_name(file_name) {
            Kind::ManifestSignature
        } else if file_name.ends_with(".manifest.json") {
            Kind::Manifest
        } else if file_name.ends_with(".slo.json") {
            Kind::SloBreach
        } else if file_name.ends_with(".dr-approval.json") {
            Kind::DrApproval
        } else if file_name.ends_with(".chaos.json") {
            Kind::ChaosRun
        } else if file_name.ends_with(".drift.json") {
            Kind::DriftIncident
        } else if file_name.ends_with(".cost.json") || file_name.ends_with(".cost.csv") {
            Kind::BudgetDashboard
        } else if file_name.ends_with(".simulation.json") {
            Kind::SimulationReport
        } else {
            Kind::Other
        }
    }
}

impl Kind {
    /// The suffix rules of index version 1 packs (before drift incidents, budget dashboards
    /// and simulation reports had kinds): what a version 1 index's kinds are checked against.
    pub fn of_evidence_file_v1(file_name: &str) -> Kind {
        match Kind::of_evidence_file(file_name) {
            Kind::DriftIncident | Kind::BudgetDashboard | Kind::SimulationReport => Kind::Other,
            k => k,
        }
    }
}

/// Whether a file name is that of a manifest's detached signature.
/// What follows `NAME.manifest.json` in the name of its detached signature: an Ed25519
/// signed note, a CMS SignedData, a Sigstore bundle.
pub const MANIFEST_SIGNATURE_SUFFIXES: [&str; 3] = [".sig", ".p7s", crate::sigstore::BUNDLE_SUFFIX];

pub(crate) fn is_manifest_signature_name(file_name: &str) -> bool {
    MANIFEST_SIGNATURE_SUFFIXES.iter().any(|s| {
        file_name
            .strip_suffix(s)
            .is_some_and(|m| m.ends_with(".manifest.json"))
    })
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
        for (name, kind) in [
            ("authz.bundle.tar.gz", Kind::PolicyBundle),
            ("bundle.tar.gz", Kind::PolicyBundle),
            ("release.manifest.json", Kind::Manifest),
            ("release.manifest.json.sig", Kind::ManifestSignature),
            ("release.manifest.json.p7s", Kind::ManifestSignature),
            (
                "release.manifest.json.sigstore.json",
                Kind::ManifestSignature,
            ),
            ("release.sigstore.json", Kind::Other),
            ("2026-q3.slo.json", Kind::SloBreach),
            ("restore.dr-approval.json", Kind::DrApproval),
            ("az-outage.chaos.json", Kind::ChaosRun),
            ("sg-open.drift.json", Kind::DriftIncident),
            ("2026-10.cost.csv", Kind::BudgetDashboard),
            ("2026-10.cost.json", Kind::BudgetDashboard),
            ("failover.simulation.json", Kind::SimulationReport),
            ("notes.json", Kind::Other),
            ("x.SLO.json", Kind::Other),
        ] {
            assert_eq!(Kind::of_evidence_file(name), kind, "{name}");
            let v1 = Kind::of_evidence_file_v1(name);
            assert!(Kind::VERSION_1.contains(&v1), "{name}");
        }
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(*k));
        }
        for k in Kind::VERSION_1.iter().chain(Kind::BY_CONTENT) {
            assert!(Kind::ALL.contains(k));
        }
    }
}
