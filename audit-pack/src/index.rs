//! `index.json`: the signed table of contents of a pack.
//!
//! ```json
//! {"artifacts":[{"kind":"control-map","name":"control-map.csv","path":"control-map.csv","sha256":"…","size":1234}, …],
//!  "controls":[{"collected_at":"…", …, "state":"…"}, …],
//!  "generatedAt":"2026-11-23T00:00:00Z",
//!  "manifestSignatures":[{"manifest":"evidence/…manifest.json","signature":"evidence/…manifest.json.sig","signers":["release"],"verified":true}],
//!  "merkleRoot":"…","org":"acme","trustedKeys":["release+1234abcd+AQ…"],"version":1}
//! ```
//!
//! `trustedKeys` lists the keys the builder gave with `--manifest-key`, for display only: a
//! verifier never trusts a key because the pack names it (it gives its own `--manifest-key`).
//! `insecureModes` (absent unless the build was told otherwise) records explicit insecure
//! modes of the build, such as `allow-unverified-manifests` ([`BuildInsecure`]).
//!
//! The file is the RFC 8785 canonical form of that object followed by one newline, and a
//! reader insists on exactly that form. `merkleRoot` is the RFC 6962 root over the artifacts
//! in index order; leaf `i` is the canonical JSON of artifact entry `i` (the five members
//! `kind`, `name`, `path`, `sha256`, `size`), so one artifact can be proven with an inclusion
//! proof against the signed root.

use crate::controls::ControlLine;
use crate::jcs::{self, CanonicalError};
use crate::kind::Kind;
use crate::layout::{self, Section, CONTROL_MAP_PATH};
use crate::names::OrgSlug;
use crate::path::pack_path_problem;
use merkle::note::VerifierKey;
use merkle::Hash;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The index format version written: 2, the Audit Pack Index v1.0 layout (sections). Version
/// 1 (every evidence file under `evidence/`, the control map at the root, no sections) is
/// still read, so packs built before verify.
pub const INDEX_VERSION: u64 = 2;
/// The oldest index version read.
pub const INDEX_VERSION_LEGACY: u64 = 1;
/// Name of the index in the pack.
pub const INDEX_NAME: &str = "index.json";
/// Name of the index signature in the pack.
pub const SIGNATURE_NAME: &str = "index.json.sig";
/// Name of the filled-in control map (its artifact `name`; also its path in a version 1 pack).
pub const CONTROL_MAP_NAME: &str = "control-map.csv";
/// Prefix of every evidence file in a version 1 pack.
pub const EVIDENCE_PREFIX: &str = "evidence/";

/// One file of the pack, as listed in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// The name: the path relative to the evidence folder (`control-map.csv` for the map).
    pub name: String,
    /// The path of the entry in the pack.
    pub path: String,
    /// SHA-256 of the contents, 64 lowercase hex digits.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The evidence kind's name.
    pub kind: String,
    /// The period a budget dashboard covers (absent for every other kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

/// The period of a budget dashboard: first and last day, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub start: String,
    /// Last day (for a Cost Explorer export, its exclusive `End`, as written there).
    pub end: String,
}

impl Artifact {
    /// The leaf bytes of this artifact in the index's Merkle tree: its canonical JSON.
    pub fn leaf_bytes(&self) -> Result<String, CanonicalError> {
        let value = serde_json::to_value(self).map_err(|e| CanonicalError::Serialize {
            reason: e.to_string(),
        })?;
        jcs::to_canonical(&value)
    }

    /// The RFC 6962 leaf hash of this artifact.
    pub fn leaf_hash(&self) -> Result<Hash, CanonicalError> {
        Ok(merkle::leaf_hash(self.leaf_bytes()?.as_bytes()))
    }
}

/// A manifest/signature pair and the verdict recorded when the pack was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSignature {
    /// Pack path of the manifest.
    pub manifest: String,
    /// Pack path of its detached signature.
    pub signature: String,
    /// Whether the signature verified at build time with the trust the builder gave
    /// (`--manifest-key`, `--manifest-trust-root`, the Sigstore flags). `false` only in a
    /// pack built with [`BuildInsecure::AllowUnverifiedManifests`].
    pub verified: bool,
    /// Names of the keys whose signatures verified, or the X.509 signer's subject, or the
    /// Sigstore signer (empty if not verified).
    pub signers: Vec<String>,
    /// The plugin that verified the pair: absent for Ed25519 signed-note signatures
    /// (`<manifest>.sig`), `x509` for CMS signatures (`<manifest>.p7s`), `cosign` for
    /// Sigstore bundles (`<manifest>.sigstore.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
}

/// An explicit insecure mode a pack was built with. It is recorded in the signed index
/// (`insecureModes`), and every verification and report of the pack shows it. Serialized in
/// kebab case (`"allow-unverified-manifests"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum BuildInsecure {
    /// A manifest whose signature could not be verified at build time (no trust given for
    /// it, or a signature that does not verify) is recorded as not verified instead of
    /// failing the build.
    AllowUnverifiedManifests,
}

impl BuildInsecure {
    /// Every mode, in a stable order.
    pub const ALL: &'static [BuildInsecure] = &[BuildInsecure::AllowUnverifiedManifests];

    /// The name recorded in the index (`"allow-unverified-manifests"`).
    pub fn name(self) -> &'static str {
        match self {
            BuildInsecure::AllowUnverifiedManifests => "allow-unverified-manifests",
        }
    }

    /// The `audit-pack build` flag that turns it on.
    pub fn flag(self) -> &'static str {
        match self {
            BuildInsecure::AllowUnverifiedManifests => "--allow-unverified-manifests",
        }
    }

    /// What it means for the pack, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            BuildInsecure::AllowUnverifiedManifests => {
                "manifest signatures that could not be verified at build time are in the pack, recorded as not verified"
            }
        }
    }
}

impl std::fmt::Display for BuildInsecure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.flag())
    }
}

/// The `plugin` of X.509 (CMS) manifest pairs.
pub const PLUGIN_X509: &str = "x509";
/// The `plugin` of Sigstore-bundle manifest pairs.
pub const PLUGIN_COSIGN: &str = "cosign";

impl ManifestSignature {
    /// The signature file's suffix for this pair's plugin.
    pub fn signature_suffix(&self) -> Option<&'static str> {
        match self.plugin.as_deref() {
            None => Some(".sig"),
            Some(PLUGIN_X509) => Some(".p7s"),
            Some(PLUGIN_COSIGN) => Some(".sigstore.json"),
            Some(_) => None,
        }
    }
}

/// The index, as written and as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Index {
    /// [`INDEX_VERSION`] when written; [`INDEX_VERSION_LEGACY`] is read too.
    pub version: u64,
    /// `YYYY-MM-DDT00:00:00Z`, from the pack date.
    pub generated_at: String,
    /// The organisation slug.
    pub org: String,
    /// Every file of the pack except the index and its signature, sorted by path.
    pub artifacts: Vec<Artifact>,
    /// The Audit Pack Index v1.0 sections (`name`, `path`), in layout order; present exactly
    /// in a version 2 index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// The control map's lines, as filled in by the build.
    pub controls: Vec<ControlLine>,
    /// Manifest/signature pairs and their recorded verdicts.
    pub manifest_signatures: Vec<ManifestSignature>,
    /// The verifier keys the builder gave for manifest signatures (`--manifest-key`). For
    /// display only: verification never trusts a key because the pack lists it.
    pub trusted_keys: Vec<String>,
    /// RFC 6962 root over the artifacts' leaf hashes, hex.
    pub merkle_root: String,
    /// Explicit insecure modes of the build, sorted, each once; absent from the JSON when
    /// there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insecure_modes: Vec<BuildInsecure>,
}

/// Why an `index.json` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Larger than the budget.
    #[error("index.json is {size} bytes, more than the limit of {max}")]
    TooLarge { size: usize, max: usize },
    /// Not JSON, or not of the index's shape.
    #[error("index.json is malformed: {reason}")]
    Malformed { reason: String },
    /// Valid JSON but not in canonical form followed by one newline.
    #[error("index.json is not RFC 8785 canonical JSON followed by one newline")]
    NotCanonical,
    /// A field has an invalid value.
    #[error("index.json field {field}: {reason}")]
    InvalidField { field: String, reason: String },
    /// A value has no canonical form.
    #[error("index.json: {0}")]
    Canonical(#[from] CanonicalError),
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> IndexError {
    IndexError::InvalidField {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Whether `s` is 64 lowercase hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Index {
    /// The Merkle root over the artifacts (RFC 6962, leaves as in [`Artifact::leaf_bytes`]).
    pub fn compute_merkle_root(&self) -> Result<Hash, CanonicalError> {
        let leaves = self
            .artifacts
            .iter()
            .map(Artifact::leaf_hash)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(merkle::root_from_leaf_hashes(&leaves))
    }

    /// The bytes of `index.json`: canonical JSON and a newline.
    pub fn to_file_text(&self) -> Result<String, IndexError> {
        let value = serde_json::to_value(self).map_err(|e| IndexError::Malformed {
            reason: e.to_string(),
        })?;
        let mut text = jcs::to_canonical(&value)?;
        text.push('\n');
        Ok(text)
    }

    /// Parses `index.json`, insisting on canonical form and checking every field's form:
    /// version, org slug, artifact paths (safe, unique, sorted), digests, kinds, and that the
    /// manifest pairs and trusted keys are well formed. It does not check the signature or
    /// the Merkle root: see `verify`.
    pub fn parse(bytes: &[u8], max_len: usize) -> Result<Index, IndexError> {
        if bytes.len() > max_len {
            return Err(IndexError::TooLarge {
                size: bytes.len(),
                max: max_len,
            });
        }
        let body = bytes.strip_suffix(b"\n").ok_or(IndexError::NotCanonical)?;
        let value: Value =
            plugin_api::json::from_slice(body).map_err(|e| IndexError::Malformed {
                reason: e.to_string(),
            })?;
        if jcs::to_canonical(&value)?.as_bytes() != body {
            return Err(IndexError::NotCanonical);
        }
        // One encoding only: no insecure mode is written as an absent member, never as [].
        if value
            .get("insecureModes")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            return Err(invalid("insecureModes", "must be absent when empty"));
        }
        if value
            .get("sections")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            return Err(invalid("sections", "must not be empty"));
        }
        let index: Index = serde_json::from_value(value).map_err(|e| IndexError::Malformed {
            reason: e.to_string(),
        })?;
        index.check_fields()?;
        Ok(index)
    }

    fn check_fields(&self) -> Result<(), IndexError> {
        let legacy = match self.version {
            INDEX_VERSION => false,
            INDEX_VERSION_LEGACY => true,
            other => {
                return Err(invalid(
                    "version",
                    format!("{other} is not supported (expected 1 or 2)"),
                ))
            }
        };
        if legacy != self.sections.is_empty() {
            return Err(invalid(
                "sections",
                "present exactly in a version 2 index (the Audit Pack Index v1.0 layout)",
            ));
        }
        OrgSlug::parse(&self.org).map_err(|e| invalid("org", e.to_string()))?;
        let ok_date = self.generated_at.len() == 20
            && self.generated_at.ends_with("T00:00:00Z")
            && self
                .generated_at
                .get(..10)
                .is_some_and(|d| crate::names::PackDate::parse(d).is_ok());
        if !ok_date {
            return Err(invalid("generatedAt", "expected YYYY-MM-DDT00:00:00Z"));
        }
        if Hash::from_hex(&self.merkle_root).is_err() || !is_sha256_hex(&self.merkle_root) {
            return Err(invalid("merkleRoot", "expected 64 lowercase hex digits"));
        }
        let mut previous: Option<&str> = None;
        let mut names = std::collections::BTreeSet::new();
        for (i, a) in self.artifacts.iter().enumerate() {
            let field = |f: &str| format!("artifacts/{i}/{f}");
            if let Some(problem) = pack_path_problem(&a.path) {
                return Err(invalid(field("path"), format!("{:?}: {problem}", a.path)));
            }
            let Some(kind) = Kind::from_name(&a.kind) else {
                return Err(invalid(field("kind"), format!("unknown kind {:?}", a.kind)));
            };
            if kind == Kind::ControlMap && a.name != CONTROL_MAP_NAME {
                return Err(invalid(
                    field("name"),
                    "the control map is named control-map.csv",
                ));
            }
            let expected_path = if legacy {
                if kind == Kind::ControlMap {
                    CONTROL_MAP_NAME.to_owned()
                } else {
                    format!("{EVIDENCE_PREFIX}{}", a.name)
                }
            } else {
                layout::pack_path(&a.name, kind)
            };
            if a.path != expected_path {
                return Err(invalid(
                    field("path"),
                    format!(
                        "{:?} does not match name {:?} (expected {expected_path:?})",
                        a.path, a.name
                    ),
                ));
            }
            if previous.is_some_and(|p| p.as_bytes() >= a.path.as_bytes()) {
                return Err(invalid(
                    field("path"),
                    "artifacts are not sorted by path or are repeated",
                ));
            }
            previous = Some(&a.path);
            if !is_sha256_hex(&a.sha256) {
                return Err(invalid(field("sha256"), "expected 64 lowercase hex digits"));
            }
            if a.size > jcs::MAX_SAFE_INTEGER {
                return Err(invalid(field("size"), "too large"));
            }
            let file_name = a.name.rsplit('/').next().unwrap_or_default();
            let name_kind = if kind == Kind::ControlMap {
                Kind::ControlMap
            } else if legacy {
                Kind::of_evidence_file_v1(file_name)
            } else {
                Kind::of_evidence_file(file_name)
            };
            // Version 1: the kind is the file name's. Version 2: the kind is decided by
            // mapping, place, name or content, but manifests and their signatures (paired by
            // name) are always exactly the files named so.
            let paired = |k: Kind| matches!(k, Kind::Manifest | Kind::ManifestSignature);
            if legacy && (kind != name_kind || !Kind::VERSION_1.contains(&kind)) {
                return Err(invalid(
                    field("kind"),
                    format!("{kind} does not match the file name, which makes it {name_kind}"),
                ));
            }
            if !legacy && (paired(kind) || paired(name_kind)) && kind != name_kind {
                return Err(invalid(
                    field("kind"),
                    format!("{kind} does not match the file name, which makes it {name_kind}"),
                ));
            }
            // Version 2: a file whose place or name gives it a checked kind is not listed as
            // `other` (which would switch its checks off); a mapping may choose another
            // checked kind.
            if !legacy && kind == Kind::Other {
                let placed = layout::kind_by_section(&a.name)
                    .map(|(k, _)| k)
                    .filter(|k| *k != Kind::Other)
                    .or(Some(name_kind).filter(|k| *k != Kind::Other));
                if let Some(placed) = placed {
                    return Err(invalid(
                        field("kind"),
                        format!(
                            "{} is listed as other, but its place or name makes it {placed}",
                            a.name
                        ),
                    ));
                }
            }
            match (&a.period, kind == Kind::BudgetDashboard && !legacy) {
                (None, false) => {}
                (Some(p), true) => {
                    let day = |d: &str| crate::names::PackDate::parse(d).is_ok();
                    if !day(&p.start) || !day(&p.end) || p.start > p.end {
                        return Err(invalid(
                            field("period"),
                            "expected start <= end, both YYYY-MM-DD",
                        ));
                    }
                }
                (None, true) => {
                    return Err(invalid(field("period"), "a budget dashboard has a period"))
                }
                (Some(_), false) => {
                    return Err(invalid(
                        field("period"),
                        "only a budget dashboard has a period",
                    ))
                }
            }
            // Names are unique among the evidence (the control map is named apart, so an
            // evidence file may be called control-map.csv too).
            if kind != Kind::ControlMap && !names.insert(a.name.as_str()) {
                return Err(invalid(field("name"), "listed twice"));
            }
        }
        if self.artifact(self.control_map_path()).is_none() {
            return Err(invalid(
                "artifacts",
                format!("{} is not listed", self.control_map_path()),
            ));
        }
        if self
            .insecure_modes
            .windows(2)
            .any(|w| w.first() >= w.get(1))
        {
            return Err(invalid("insecureModes", "not sorted or repeated"));
        }
        for (i, key) in self.trusted_keys.iter().enumerate() {
            VerifierKey::parse(key)
                .map_err(|e| invalid(format!("trustedKeys/{i}"), e.to_string()))?;
        }
        let mut previous: Option<&str> = None;
        for (i, pair) in self.manifest_signatures.iter().enumerate() {
            let field = |f: &str| format!("manifestSignatures/{i}/{f}");
            if previous.is_some_and(|p| p.as_bytes() >= pair.manifest.as_bytes()) {
                return Err(invalid(
                    field("manifest"),
                    "pairs are not sorted by manifest or are repeated",
                ));
            }
            previous = Some(&pair.manifest);
            match self.artifact(&pair.manifest) {
                Some(a) if a.kind == Kind::Manifest.name() => {}
                _ => return Err(invalid(field("manifest"), "not a listed manifest artifact")),
            }
            let Some(suffix) = pair.signature_suffix() else {
                return Err(invalid(
                    field("plugin"),
                    "unknown plugin (expected x509 or cosign)",
                ));
            };
            if pair.signature != format!("{}{suffix}", pair.manifest)
                || self.artifact(&pair.signature).is_none()
            {
                return Err(invalid(
                    field("signature"),
                    format!("not the listed `<manifest>{suffix}` artifact"),
                ));
            }
            if pair.verified == pair.signers.is_empty() {
                return Err(invalid(
                    field("signers"),
                    "must be non-empty exactly when verified",
                ));
            }
        }
        Ok(())
    }

    /// Whether this index uses the version 1 layout (no sections).
    pub fn is_legacy(&self) -> bool {
        self.version == INDEX_VERSION_LEGACY
    }

    /// The control map's path in this pack.
    pub fn control_map_path(&self) -> &'static str {
        if self.is_legacy() {
            CONTROL_MAP_NAME
        } else {
            CONTROL_MAP_PATH
        }
    }

    /// The artifact whose name (path in the evidence folder) is `name`.
    pub fn artifact_named(&self, name: &str) -> Option<&Artifact> {
        if self.is_legacy() {
            return self.artifact(&format!("{EVIDENCE_PREFIX}{name}"));
        }
        let mut paths: Vec<String> = Kind::ALL
            .iter()
            .filter(|k| **k != Kind::ControlMap)
            .map(|k| layout::pack_path(name, *k))
            .collect();
        paths.sort();
        paths.dedup();
        paths
            .iter()
            .filter_map(|p| self.artifact(p))
            .find(|a| a.name == name)
    }

    /// Whether the pack was built with the insecure mode `mode`.
    pub fn has_insecure(&self, mode: BuildInsecure) -> bool {
        self.insecure_modes.contains(&mode)
    }

    /// The artifact listed at `path` (binary search: artifacts are sorted).
    pub fn artifact(&self, path: &str) -> Option<&Artifact> {
        self.artifacts
            .binary_search_by(|a| a.path.as_bytes().cmp(path.as_bytes()))
            .ok()
            .and_then(|i| self.artifacts.get(i))
    }

    /// An inclusion proof for the artifact at `path` against the index's Merkle tree.
    pub fn inclusion_proof(&self, path: &str) -> Option<ArtifactProof> {
        let i = self
            .artifacts
            .binary_search_by(|a| a.path.as_bytes().cmp(path.as_bytes()))
            .ok()?;
        let leaves = self
            .artifacts
            .iter()
            .map(Artifact::leaf_hash)
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let size = u64::try_from(leaves.len()).ok()?;
        let index = u64::try_from(i).ok()?;
        let proof = merkle::inclusion_proof(&leaves, size, index).ok()?;
        Some(ArtifactProof {
            leaf: self.artifacts.get(i)?.leaf_bytes().ok()?,
            index,
            size,
            proof,
        })
    }
}

/// An RFC 6962 inclusion proof of one artifact entry in an index's Merkle tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactProof {
    /// The leaf bytes: the artifact entry's canonical JSON.
    pub leaf: String,
    /// The artifact's position in the index.
    pub index: u64,
    /// The number of artifacts.
    pub size: u64,
    /// The audit path.
    pub proof: Vec<Hash>,
}

impl ArtifactProof {
    /// Checks the proof against a Merkle root (taken from a verified index).
    pub fn verify(&self, root: &Hash) -> Result<(), merkle::ProofError> {
        merkle::verify_inclusion(
            self.index,
            self.size,
            &merkle::leaf_hash(self.leaf.as_bytes()),
            &self.proof,
            root,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// `insecureModes`: known modes only, sorted, each once, and absent rather than empty.
    #[test]
    fn insecure_modes_have_one_encoding() {
        let sample = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/evidence/insecure/audit-pack-acme-2026-11-23.tgz"
        ))
        .unwrap();
        let mut reader = crate::archive::PackReader::new(sample.as_slice(), crate::Limits::DEFAULT);
        let entry = reader.next_entry(&|_, _| true).unwrap().unwrap();
        let text = String::from_utf8(entry.data.unwrap()).unwrap();
        let index = Index::parse(text.as_bytes(), 1 << 20).unwrap();
        assert!(index.has_insecure(BuildInsecure::AllowUnverifiedManifests));
        let mode = r#""insecureModes":["allow-unverified-manifests"]"#;
        assert!(text.contains(mode));
        for (replacement, why) in [
            (r#""insecureModes":[]"#, "must be absent when empty"),
            (r#""insecureModes":["skip-everything"]"#, "unknown variant"),
            (
                r#""insecureModes":["allow-unverified-manifests","allow-unverified-manifests"]"#,
                "not sorted or repeated",
            ),
        ] {
            let edited = text.replace(mode, replacement);
            let err = Index::parse(edited.as_bytes(), 1 << 20).unwrap_err();
            assert!(err.to_string().contains(why), "{replacement}: {err}");
        }
    }
}
