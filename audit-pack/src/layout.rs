//! The Audit Pack Index v1.0 layout (index version 2): the sections a pack's files sit in,
//! where each evidence file goes, and how a file's place decides its kind.
//!
//! A section is a directory (or, for the control map and a lone policy bundle, one file) of
//! the pack, named as the Audit Pack Index v1.0 names it. Evidence that already sits under a
//! section directory in the evidence folder keeps its path; any other file goes under the
//! home section of its kind (`ops/evidence/slo/` for an SLO breach, `evidence/` for kinds
//! that have none), followed by its path in the evidence folder. The artifact's `name` is
//! always its path in the evidence folder.

use crate::index::Artifact;
use crate::kind::Kind;
use serde::{Deserialize, Serialize};

/// Path of the control map in a version 2 pack.
pub const CONTROL_MAP_PATH: &str = "compliance/control-map.csv";
/// The home of evidence whose kind has no section of its own.
pub const CATCH_ALL_DIR: &str = "evidence/";

/// One section of the Audit Pack Index v1.0 layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionRule {
    /// The section's name in `index.json` (`sections[].name`).
    pub name: &'static str,
    /// The directory, ending in `/` (the control map: its file path).
    pub dir: &'static str,
    /// The kind a file placed here is, when its name ends with one of `suffixes`; `None`: the
    /// place decides no kind.
    pub kind: Option<Kind>,
    /// Which file names the place decides (`""`: every file).
    pub suffixes: &'static [&'static str],
}

/// Every section, in the order `index.json` lists them: the six of the Audit Pack Index v1.0
/// first, in its order, then ours.
pub const SECTIONS: &[SectionRule] = &[
    SectionRule {
        name: "policy-bundle",
        dir: "policy/",
        kind: Some(Kind::PolicyBundle),
        suffixes: &[".tgz", ".tar.gz"],
    },
    SectionRule {
        name: "prov-packs",
        dir: "prov/",
        kind: Some(Kind::Provenance),
        suffixes: &[""],
    },
    SectionRule {
        name: "slo-evidence",
        dir: "ops/evidence/slo/",
        kind: Some(Kind::SloBreach),
        suffixes: &[".json"],
    },
    SectionRule {
        name: "chaos-runs",
        dir: "ops/evidence/chaos/",
        kind: Some(Kind::ChaosRun),
        suffixes: &[".json"],
    },
    SectionRule {
        name: "budget-dashboards",
        dir: "ops/cost-explorer/",
        kind: Some(Kind::BudgetDashboard),
        suffixes: &[".json", ".csv"],
    },
    SectionRule {
        name: "control-map",
        dir: CONTROL_MAP_PATH,
        kind: Some(Kind::ControlMap),
        suffixes: &[],
    },
    SectionRule {
        name: "incidents",
        dir: "audit/incidents/",
        kind: Some(Kind::SloBreach),
        suffixes: &[".json"],
    },
    SectionRule {
        name: "drift-incidents",
        dir: "audit/drift/",
        kind: Some(Kind::DriftIncident),
        suffixes: &[".json"],
    },
    SectionRule {
        name: "dr-approvals",
        dir: "ops/evidence/dr/",
        kind: Some(Kind::DrApproval),
        suffixes: &[".json"],
    },
    SectionRule {
        name: "simulations",
        dir: "ops/evidence/simulations/",
        kind: Some(Kind::SimulationReport),
        suffixes: &[".json"],
    },
    SectionRule {
        name: "evidence",
        dir: CATCH_ALL_DIR,
        kind: None,
        suffixes: &[],
    },
];

/// Names of signatures and attestations that sit beside the documents of a section (a drift
/// incident's approval signatures, say): a section never makes them one of its documents.
const ATTACHMENT_SUFFIXES: &[&str] = &[
    ".sig",
    ".p7s",
    ".pem",
    ".sigstore.json",
    ".dsse.json",
    ".intoto.json",
    ".intoto.jsonl",
];

/// A section entry of `index.json`, exactly in the Audit Pack Index v1.0 shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section's name (`policy-bundle`, `slo-evidence`, …).
    pub name: String,
    /// Its path in the pack: a directory ending in `/`, or one file.
    pub path: String,
}

/// The section directory an evidence path sits under, if any (never the control map's file).
pub fn section_of(name: &str) -> Option<&'static SectionRule> {
    SECTIONS
        .iter()
        .find(|s| s.dir.ends_with('/') && name.starts_with(s.dir))
}

/// What a file's place says about its kind: the section's rule for this file, if the file
/// lies in a section that decides it.
pub fn kind_by_section(name: &str) -> Option<(Kind, &'static SectionRule)> {
    let section = section_of(name)?;
    let kind = section.kind?;
    let file_name = name.rsplit('/').next().unwrap_or_default();
    let decided = section.suffixes.iter().any(|s| file_name.ends_with(s))
        && (kind == Kind::Provenance
            || !ATTACHMENT_SUFFIXES.iter().any(|s| file_name.ends_with(s)));
    decided.then_some((kind, section))
}

/// The home directory of a kind: where a file of that kind goes when it is not already
/// under a section directory.
pub fn home_dir(kind: Kind) -> &'static str {
    SECTIONS
        .iter()
        .find(|s| s.dir.ends_with('/') && s.kind == Some(kind))
        .map_or(CATCH_ALL_DIR, |s| s.dir)
}

/// The pack path of the evidence file `name` (its path in the evidence folder) of `kind`: its
/// own path when it lies in a section directory (in `evidence/` only when its kind has no
/// section of its own), else its kind's home directory followed by its path.
pub fn pack_path(name: &str, kind: Kind) -> String {
    let home = home_dir(kind);
    let stays = match section_of(name) {
        Some(s) if s.dir == CATCH_ALL_DIR => home == CATCH_ALL_DIR,
        Some(_) => true,
        None => false,
    };
    if kind == Kind::ControlMap {
        CONTROL_MAP_PATH.to_owned()
    } else if stays {
        name.to_owned()
    } else {
        format!("{home}{name}")
    }
}

/// The sections of a pack whose artifacts are `artifacts`: each section that holds at least
/// one of them, in [`SECTIONS`] order; `policy-bundle` names the bundle itself when it is the
/// only file under `policy/`.
pub fn sections_for(artifacts: &[Artifact]) -> Vec<Section> {
    let mut out = Vec::new();
    for rule in SECTIONS {
        let inside: Vec<&Artifact> = artifacts
            .iter()
            .filter(|a| in_section(&a.path, rule.dir))
            .collect();
        let path = match inside.as_slice() {
            [] => continue,
            [one]
                if rule.kind == Some(Kind::PolicyBundle)
                    && one.kind == Kind::PolicyBundle.name() =>
            {
                one.path.clone()
            }
            _ => rule.dir.to_owned(),
        };
        out.push(Section {
            name: rule.name.to_owned(),
            path,
        });
    }
    out
}

/// Whether the pack path `path` lies in the section at `section_path` (a directory ending in
/// `/`, or one file).
pub fn in_section(path: &str, section_path: &str) -> bool {
    if section_path.ends_with('/') {
        path.starts_with(section_path)
    } else {
        path == section_path
    }
}

/// The problems of a version 2 index's `sections` against its artifacts: every section path
/// must exist in the pack, every artifact must lie under a declared section, names and paths
/// once each, and the list must be the one the layout gives ([`sections_for`]).
pub fn section_problems(sections: &[Section], artifacts: &[Artifact]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let mut paths = std::collections::BTreeSet::new();
    for s in sections {
        if !names.insert(s.name.as_str()) {
            problems.push(format!("section {:?} is declared twice", s.name));
        }
        if !paths.insert(s.path.as_str()) {
            problems.push(format!("section path {:?} is declared twice", s.path));
        }
        if !artifacts.iter().any(|a| in_section(&a.path, &s.path)) {
            problems.push(format!(
                "section {} ({}) does not exist in the pack",
                s.name, s.path
            ));
        }
    }
    for a in artifacts {
        if !sections.iter().any(|s| in_section(&a.path, &s.path)) {
            problems.push(format!("{} lies under no declared section", a.path));
        }
    }
    if problems.is_empty() {
        let expected = sections_for(artifacts);
        if expected != sections {
            let show = |v: &[Section]| {
                v.iter()
                    .map(|s| format!("{}={}", s.name, s.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            problems.push(format!(
                "sections [{}] are not the layout's [{}]",
                show(sections),
                show(&expected)
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn artifact(path: &str, kind: Kind) -> Artifact {
        Artifact {
            name: path.to_owned(),
            path: path.to_owned(),
            sha256: "0".repeat(64),
            size: 1,
            kind: kind.name().to_owned(),
            period: None,
        }
    }

    #[test]
    fn places_and_paths() {
        assert_eq!(
            kind_by_section("audit/incidents/sync-slo-breach-2026-11-01T10:00:00Z.json")
                .map(|(k, _)| k),
            Some(Kind::SloBreach)
        );
        assert_eq!(
            kind_by_section("audit/drift/2026-11-02/approval-1.sig"),
            None
        );
        assert_eq!(
            kind_by_section("prov/app.intoto.jsonl").map(|(k, _)| k),
            Some(Kind::Provenance)
        );
        assert_eq!(kind_by_section("ops/evidence/slo/README.md"), None);
        assert_eq!(kind_by_section("evidence/x.json"), None);
        assert_eq!(
            pack_path("slo/q3.slo.json", Kind::SloBreach),
            "ops/evidence/slo/slo/q3.slo.json"
        );
        assert_eq!(
            pack_path("ops/evidence/slo/README.md", Kind::Other),
            "ops/evidence/slo/README.md"
        );
        assert_eq!(
            pack_path("access/review.csv", Kind::Other),
            "evidence/access/review.csv"
        );
        assert_eq!(pack_path("x", Kind::ControlMap), CONTROL_MAP_PATH);
        assert_eq!(pack_path("evidence/a.txt", Kind::Other), "evidence/a.txt");
        assert_eq!(
            pack_path("evidence/q3.slo.json", Kind::SloBreach),
            "ops/evidence/slo/evidence/q3.slo.json"
        );
        for k in Kind::ALL {
            assert!(pack_path("a", *k).len() > 1);
        }
    }

    #[test]
    fn sections_follow_the_artifacts() {
        let mut artifacts = vec![
            artifact(CONTROL_MAP_PATH, Kind::ControlMap),
            artifact("evidence/a.csv", Kind::Other),
            artifact("ops/evidence/slo/x.json", Kind::SloBreach),
            artifact("policy/opa-2026-11-10.tgz", Kind::PolicyBundle),
        ];
        artifacts.sort_by(|a, b| a.path.cmp(&b.path));
        let sections = sections_for(&artifacts);
        let shown: Vec<(&str, &str)> = sections
            .iter()
            .map(|s| (s.name.as_str(), s.path.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("policy-bundle", "policy/opa-2026-11-10.tgz"),
                ("slo-evidence", "ops/evidence/slo/"),
                ("control-map", CONTROL_MAP_PATH),
                ("evidence", "evidence/"),
            ]
        );
        assert!(section_problems(&sections, &artifacts).is_empty());
        // A section with nothing in it, and an artifact outside every section.
        let mut extra = sections.clone();
        extra.push(Section {
            name: "chaos-runs".to_owned(),
            path: "ops/evidence/chaos/".to_owned(),
        });
        let p = section_problems(&extra, &artifacts).join("\n");
        assert!(
            p.contains("chaos-runs (ops/evidence/chaos/) does not exist"),
            "{p}"
        );
        let fewer: Vec<Section> = sections
            .iter()
            .filter(|s| s.name != "evidence")
            .cloned()
            .collect();
        let p = section_problems(&fewer, &artifacts).join("\n");
        assert!(
            p.contains("evidence/a.csv lies under no declared section"),
            "{p}"
        );
        let mut reordered = sections.clone();
        reordered.reverse();
        let p = section_problems(&reordered, &artifacts).join("\n");
        assert!(p.contains("are not the layout's"), "{p}");
    }
}
