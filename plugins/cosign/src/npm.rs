//! npm packages: what `npm audit signatures` checks of a package's attestations, offline.
//!
//! The registry serves, for a package published with provenance, an attestations document
//! (`https://registry.npmjs.org/-/npm/v1/attestations/NAME@VERSION`) holding two Sigstore
//! bundles, each a DSSE envelope over an in-toto statement whose subject is the package
//! (`pkg:npm/NAME@VERSION`, by the SHA-512 of its tarball):
//!
//! - the **publish attestation** (predicate `https://github.com/npm/attestation/tree/main/specs/publish/v0.1`),
//!   signed by the registry's key (the bundle names it by key id), logged in Rekor;
//! - the **SLSA provenance** (v0.2 or v1), signed keyless by the CI workflow that built it.
//!
//! [`verify`] checks both through this crate's bundle verification ([`crate::verify_with_value`])
//! and then: the subject of each is the package's purl with the tarball's SHA-512; the
//! registry key was valid when the publish attestation was logged; the publish predicate
//! names the package; the provenance's signer is the package's own repository (its
//! `package.json` `repository`, matched against the certificate's source claims) or the
//! identity the caller gives. Everything is read from bytes the caller passes in.

use crate::keys::PublicKey;
use crate::verified::{Verified, VerifiedSigner};
use crate::{Artifact, IdentityPolicy, Signer, TrustedRoot};
use base64::Engine as _;
use plugin_api::{Report, VerificationTime};
use serde_json::Value;
use sha2::Digest as _;
use std::io::Read as _;

/// Plugin name of the reports [`verify`] writes.
pub const PLUGIN: &str = "npm";
/// The npm publish attestation's predicate type.
pub const PUBLISH_PREDICATE: &str =
    "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";
/// SLSA provenance predicate types npm publishes.
pub const PROVENANCE_PREDICATES: [&str; 2] = [
    "https://slsa.dev/provenance/v0.2",
    "https://slsa.dev/provenance/v1",
];
/// Largest attestations document read.
pub const MAX_ATTESTATIONS_BYTES: usize = 4 << 20;
/// Largest number of attestations in one document.
pub const MAX_ATTESTATIONS: usize = 8;
/// Largest keys document read.
pub const MAX_KEYS_BYTES: usize = 1 << 20;
/// Largest `package.json` read from a tarball.
pub const MAX_PACKAGE_JSON_BYTES: u64 = 4 << 20;
/// Largest number of decompressed tarball bytes scanned for `package.json`.
pub const MAX_SCANNED_BYTES: u64 = 1 << 30;
/// Largest number of tar entries scanned for `package.json`.
pub const MAX_SCANNED_ENTRIES: usize = 100_000;

/// The registry keys compiled in: the Sigstore TUF target `registry.npmjs.org/keys.json` at
/// sigstore/root-signing 60cf2ce8 (see `data/README.md`).
pub const EMBEDDED_KEYS_JSON: &[u8] = include_bytes!("../data/npm-registry-keys.json");
/// The snapshot date of [`EMBEDDED_KEYS_JSON`].
pub const EMBEDDED_KEYS_DATE: &str = "2026-08-21";
/// The TUF target name of the registry keys in the Sigstore repository.
pub const KEYS_TARGET: &str = "registry.npmjs.org/keys.json";

/// Check ids.
pub mod checks {
    /// `npm.package`: the tarball is a gzip tar holding a `package.json` with name and version.
    pub const PACKAGE: &str = "npm.package";
    /// `npm.attestations`: the attestations document is read and holds both attestations.
    pub const ATTESTATIONS: &str = "npm.attestations";
    /// `npm.publish.bundle`: the publish attestation's bundle verifies with the registry key.
    pub const PUBLISH_BUNDLE: &str = "npm.publish.bundle";
    /// `npm.publish.key-validity`: the registry key was valid when the bundle was logged.
    pub const PUBLISH_KEY_VALIDITY: &str = "npm.publish.key-validity";
    /// `npm.publish.subject`: the statement names the package (purl and SHA-512), and its
    /// predicate the package's name and version.
    pub const PUBLISH_SUBJECT: &str = "npm.publish.subject";
    /// `npm.provenance.bundle`: the provenance bundle verifies keyless.
    pub const PROVENANCE_BUNDLE: &str = "npm.provenance.bundle";
    /// `npm.provenance.subject`: the statement names the package (purl and SHA-512).
    pub const PROVENANCE_SUBJECT: &str = "npm.provenance.subject";
    /// `npm.provenance.source`: the signer built it from the package's own repository.
    pub const PROVENANCE_SOURCE: &str = "npm.provenance.source";
}

/// A registry signing key, from either keys document npm's clients read.
#[derive(Debug, Clone)]
pub struct RegistryKey {
    /// `SHA256:...`, as bundles name it.
    pub key_id: String,
    /// The key.
    pub key: PublicKey,
    /// Start of validity (Unix seconds), if bounded.
    pub valid_from: Option<i64>,
    /// End of validity (Unix seconds, exclusive), if bounded.
    pub valid_until: Option<i64>,
}

fn rfc3339(s: &str, what: &str) -> Result<i64, String> {
    plugin_api::time::parse_rfc3339(s)
        .ok_or_else(|| format!("{what}: {s:?} is not an RFC 3339 time"))
}

/// Reads the keys that may sign publish attestations: the registry's document
/// (`https://registry.npmjs.org/-/npm/v1/keys`: `keyid`, `key`, `expires`) or the Sigstore
/// TUF target `registry.npmjs.org/keys.json` (`keyId`, `keyUsage`, `publicKey.rawBytes`,
/// `validFor`; only `npm:attestations` keys are taken).
pub fn parse_keys(json: &[u8]) -> Result<Vec<RegistryKey>, String> {
    if json.len() > MAX_KEYS_BYTES {
        return Err(format!(
            "the keys document is {} bytes, over the {MAX_KEYS_BYTES}-byte budget",
            json.len()
        ));
    }
    let v: Value = plugin_api::json::from_slice(json)
        .map_err(|e| format!("the keys document is not JSON: {e}"))?;
    let keys = v
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("the keys document has no `keys` array")?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::new();
    for k in keys.iter().take(64) {
        let str_of = |name: &str| k.get(name).and_then(Value::as_str);
        if let Some(id) = str_of("keyId") {
            // The TUF target: one entry per usage.
            if str_of("keyUsage") != Some("npm:attestations") {
                continue;
            }
            let pk = k.get("publicKey").ok_or("a key has no publicKey")?;
            let raw = pk
                .get("rawBytes")
                .and_then(Value::as_str)
                .ok_or("a key has no publicKey.rawBytes")?;
            let der = b64
                .decode(raw)
                .map_err(|e| format!("key {id}: rawBytes is not base64: {e}"))?;
            let valid = match pk.get("validFor") {
                None => None,
                Some(Value::Object(o)) => Some(o),
                Some(_) => return Err(format!("key {id}: validFor is not an object")),
            };
            let bound = |name: &str| match valid.and_then(|v| v.get(name)) {
                None => Ok(None),
                Some(Value::String(s)) => {
                    rfc3339(s, &format!("key {id} validFor.{name}")).map(Some)
                }
                Some(_) => Err(format!("key {id}: validFor.{name} is not a time")),
            };
            out.push(RegistryKey {
                key_id: id.to_owned(),
                key: PublicKey::from_spki_der(&der).map_err(|e| format!("key {id}: {e}"))?,
                valid_from: bound("start")?,
                valid_until: bound("end")?,
            });
        } else if let Some(id) = str_of("keyid") {
            // The registry's document.
            let raw = str_of("key").ok_or_else(|| format!("key {id} has no `key`"))?;
            let der = b64
                .decode(raw)
                .map_err(|e| format!("key {id}: `key` is not base64: {e}"))?;
            let expires = match k.get("expires") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(rfc3339(s, &format!("key {id} expires"))?),
                Some(_) => return Err(format!("key {id}: `expires` is not a string or null")),
            };
            out.push(RegistryKey {
                key_id: id.to_owned(),
                key: PublicKey::from_spki_der(&der).map_err(|e| format!("key {id}: {e}"))?,
                valid_from: None,
                valid_until: expires,
            });
        } else {
            return Err("a key has neither keyid nor keyId".into());
        }
    }
    if out.is_empty() {
        return Err("the keys document holds no key for npm attestations".into());
    }
    Ok(out)
}

/// What the tarball says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageInfo {
    /// `name` of its `package.json`.
    pub name: String,
    /// `version` of its `package.json`.
    pub version: String,
    /// The repository `package.json` names, normalised (`github.com/OWNER/REPO`), if any.
    pub repository: Option<String>,
    /// SHA-512 of the tarball.
    pub sha512: [u8; 64],
}

impl PackageInfo {
    /// The package URL npm's attestations name it by: `pkg:npm/NAME@VERSION`, a scope's `@`
    /// written `%40`.
    pub fn purl(&self) -> String {
        let name = match self.name.strip_prefix('@') {
            Some(rest) => format!("%40{rest}"),
            None => self.name.clone(),
        };
        format!("pkg:npm/{name}@{}", self.version)
    }
}

/// `github.com/owner/repo` from a `package.json` repository (`git+https://github.com/o/r.git`,
/// `https://github.com/o/r`, `git://github.com/o/r.git`, `github:o/r`, `o/r`), or from a
/// certificate's source repository claim.
pub fn normalize_repository(url: &str) -> Option<String> {
    let s = url.trim();
    let s = s.strip_prefix("git+").unwrap_or(s);
    let s = if let Some(rest) = s.strip_prefix("github:") {
        format!("github.com/{rest}")
    } else if let Some(rest) = s.strip_prefix("gitlab:") {
        format!("gitlab.com/{rest}")
    } else if let Some((_, rest)) = s.split_once("://") {
        // Drop a user part of the authority (`git@github.com`), nothing after it.
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if path.contains('@') {
            return None;
        }
        format!("{host}/{path}")
    } else if let Some(rest) = s.strip_prefix("git@") {
        rest.replacen(':', "/", 1)
    } else if s.split('/').count() == 2 && !s.contains(':') {
        format!("github.com/{s}")
    } else {
        return None;
    };
    let s = s.split(['#', '?']).next().unwrap_or_default();
    let s = s.strip_suffix('/').unwrap_or(s);
    let s = s.strip_suffix(".git").unwrap_or(s);
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [host, owner, repo] if !host.is_empty() && !owner.is_empty() && !repo.is_empty() => {
            Some(format!("{}/{owner}/{repo}", host.to_ascii_lowercase()))
        }
        _ => None,
    }
}

/// Largest GNU long-name or pax extended header read.
pub const MAX_EXTENDED_HEADER_BYTES: u64 = 64 << 10;

/// The path an extended header (`x`) gives the next entry, if any.
fn pax_path(body: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut rest = body;
    let mut path = None;
    while !rest.is_empty() {
        // `LEN key=value\n`, LEN counting the whole record.
        let space = rest
            .iter()
            .position(|b| *b == b' ')
            .ok_or("a pax record has no length")?;
        let len: usize = std::str::from_utf8(rest.get(..space).unwrap_or_default())
            .ok()
            .and_then(|l| l.parse().ok())
            .ok_or("a pax record length is not a number")?;
        let record = rest.get(..len).ok_or("a pax record runs past its header")?;
        let kv = record
            .get(space + 1..len.saturating_sub(1))
            .ok_or("a pax record is too short")?;
        if let Some(v) = kv.strip_prefix(b"path=") {
            path = Some(v.to_vec());
        }
        rest = rest.get(len..).unwrap_or_default();
    }
    Ok(path)
}

/// Reads `name`, `version` and `repository` of the tarball's `package.json`, and hashes the
/// tarball. The archive is read as npm extracts it (every gzip member; GNU long names and pax
/// `path` records applied; the first path component stripped), entirely: exactly one
/// `DIR/package.json`, a regular file, may be in it — a second one (which an extractor would
/// write over the first) or one that is a link is refused, as are paths with `..`, oversized
/// extended headers and global headers that rename entries.
pub fn read_package(tgz: &[u8]) -> Result<PackageInfo, String> {
    let sha512: [u8; 64] = sha2::Sha512::digest(tgz).into();
    let gz = flate2::read::MultiGzDecoder::new(tgz).take(MAX_SCANNED_BYTES);
    let mut archive = tar::Archive::new(gz);
    let entries = archive
        .entries()
        .map_err(|e| format!("not a gzip tar archive: {e}"))?
        .raw(true);
    let mut json: Option<Vec<u8>> = None;
    let mut pending_path: Option<Vec<u8>> = None;
    for (n, entry) in entries.enumerate() {
        if n >= MAX_SCANNED_ENTRIES {
            return Err(format!(
                "more than {MAX_SCANNED_ENTRIES} entries in the archive"
            ));
        }
        let mut entry = entry.map_err(|e| format!("not a gzip tar archive: {e}"))?;
        let kind = entry.header().entry_type();
        let size = entry.size();
        let extended = matches!(
            kind,
            tar::EntryType::GNULongName
                | tar::EntryType::GNULongLink
                | tar::EntryType::XHeader
                | tar::EntryType::XGlobalHeader
        );
        if extended {
            if size > MAX_EXTENDED_HEADER_BYTES {
                return Err(format!(
                    "an extended tar header of {size} bytes, over the {MAX_EXTENDED_HEADER_BYTES}-byte budget"
                ));
            }
            let mut body = Vec::new();
            (&mut entry)
                .take(MAX_EXTENDED_HEADER_BYTES)
                .read_to_end(&mut body)
                .map_err(|e| format!("an extended tar header cannot be read: {e}"))?;
            match kind {
                tar::EntryType::GNULongName => {
                    let end = body.iter().position(|b| *b == 0).unwrap_or(body.len());
                    pending_path = Some(body.get(..end).unwrap_or_default().to_vec());
                }
                tar::EntryType::XHeader => {
                    if let Some(p) = pax_path(&body)? {
                        pending_path = Some(p);
                    }
                }
                tar::EntryType::XGlobalHeader if pax_path(&body)?.is_some() => {
                    return Err("a global tar header renames entries".into());
                }
                _ => {}
            }
            continue;
        }
        let raw_path = match pending_path.take() {
            Some(p) => p,
            None => entry.path_bytes().into_owned(),
        };
        let path = String::from_utf8_lossy(&raw_path).into_owned();
        let parts: Vec<&str> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.contains(&"..") {
            return Err(format!("an entry's path leaves the package: {path:?}"));
        }
        if parts.len() != 2 || parts.get(1) != Some(&"package.json") {
            continue;
        }
        if !matches!(kind, tar::EntryType::Regular | tar::EntryType::Continuous) {
            return Err(format!("{path:?} is not a regular file"));
        }
        if json.is_some() {
            return Err(format!(
                "a second package.json ({path:?}): an extractor would keep the last one"
            ));
        }
        if size > MAX_PACKAGE_JSON_BYTES {
            return Err(format!(
                "package.json is {size} bytes, over the {MAX_PACKAGE_JSON_BYTES}-byte budget"
            ));
        }
        let mut buf = Vec::new();
        (&mut entry)
            .take(MAX_PACKAGE_JSON_BYTES)
            .read_to_end(&mut buf)
            .map_err(|e| format!("package.json cannot be read: {e}"))?;
        json = Some(buf);
    }
    // Whatever follows the end of the archive (zero blocks aside) is something an extractor
    // might read: another gzip member, another archive. Refused.
    let mut rest = archive.into_inner();
    let mut block = [0u8; 8192];
    loop {
        let n = rest
            .read(&mut block)
            .map_err(|e| format!("not a gzip tar archive: {e}"))?;
        if n == 0 {
            break;
        }
        if block.get(..n).is_some_and(|b| b.iter().any(|x| *x != 0)) {
            return Err("data after the end of the tar archive".into());
        }
    }
    let json = json.ok_or("the archive has no package.json (PACKAGE/package.json)")?;
    let v: Value = plugin_api::json::from_slice(&json)
        .map_err(|e| format!("package.json is not JSON: {e}"))?;
    let field = |name: &str| {
        v.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("package.json has no string `{name}`"))
    };
    let repository = match v.get("repository") {
        Some(Value::String(s)) => normalize_repository(s),
        Some(Value::Object(o)) => o
            .get("url")
            .and_then(Value::as_str)
            .and_then(normalize_repository),
        _ => None,
    };
    Ok(PackageInfo {
        name: field("name")?,
        version: field("version")?,
        repository,
        sha512,
    })
}

/// Who must have signed the provenance.
#[derive(Debug, Clone, Copy)]
pub enum ProvenanceSigner<'a> {
    /// A keyless signer whose certificate's source repository is the package's `repository`
    /// (GitHub Actions or GitLab CI as issuer).
    PackageRepository,
    /// This identity.
    Identity(&'a IdentityPolicy),
}

/// OIDC issuers of the CI systems npm accepts provenance from.
pub const CI_ISSUERS: [&str; 2] = [
    "https://token.actions.githubusercontent.com",
    "https://gitlab.com",
];

/// Everything [`verify`] needs.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The package tarball.
    pub package: &'a [u8],
    /// The attestations document.
    pub attestations: &'a [u8],
    /// The registry keys.
    pub keys: &'a [RegistryKey],
    /// The Sigstore trusted root (Fulcio, Rekor).
    pub root: &'a TrustedRoot,
    /// Who must have signed the provenance.
    pub provenance_signer: ProvenanceSigner<'a>,
    /// The verification time.
    pub time: VerificationTime,
    /// The package expected, `NAME@VERSION` (the tarball's package.json must say so), if any.
    pub expected: Option<&'a str>,
}

/// Verifies a package's attestations (see the module documentation). `subject` names the
/// package in the report. Unreadable input is a failed check, not an error: every problem is
/// a verdict here, because the caller read the files already.
pub fn verify(subject: &str, inputs: Inputs<'_>) -> Report {
    let r = Report::builder(PLUGIN)
        .subject(subject)
        .verified_at(inputs.time);
    let package = match read_package(inputs.package) {
        Ok(p) => p,
        Err(e) => return r.fail(checks::PACKAGE, e).finish(),
    };
    let purl = package.purl();
    if let Some(want) = inputs.expected {
        let found = format!("{}@{}", package.name, package.version);
        if found != want {
            return r
                .fail(
                    checks::PACKAGE,
                    format!("the tarball is {found}, not the expected {want}"),
                )
                .finish();
        }
    }
    let r = r
        .pass(
            checks::PACKAGE,
            format!(
                "{purl}, sha512:{}{}",
                hex::encode(package.sha512),
                package
                    .repository
                    .as_ref()
                    .map(|repo| format!(", repository {repo}"))
                    .unwrap_or_default()
            ),
        )
        .output("package", purl.clone())
        .output("sha512", hex::encode(package.sha512));
    let (publish, provenance, provenance_type) = match split(inputs.attestations) {
        Ok(pair) => pair,
        Err(e) => return r.fail(checks::ATTESTATIONS, e).finish(),
    };
    let r = r.pass(
        checks::ATTESTATIONS,
        "a publish attestation and a SLSA provenance attestation",
    );
    let artifact = Artifact::Sha512Digest(package.sha512);

    // The publish attestation: the registry's key.
    let r = match publish_key(&publish, inputs.keys) {
        Err(e) => r.fail(checks::PUBLISH_BUNDLE, e),
        Ok(key) => {
            let (report, verified) = crate::verify_with_value(
                &publish,
                inputs.root,
                artifact,
                Signer::Key(&key.key),
                inputs.time,
                &[],
                None,
            );
            let r = r.output("publish", report_json(&report));
            match verified {
                None => r.fail(checks::PUBLISH_BUNDLE, first_failure(&report)),
                Some(v) => {
                    let r = r.pass(
                        checks::PUBLISH_BUNDLE,
                        format!("verified with registry key {}{}", key.key_id, logged(&v)),
                    );
                    let r = match key_validity(key, &v) {
                        Ok(d) => r.pass(checks::PUBLISH_KEY_VALIDITY, d),
                        Err(e) => r.fail(checks::PUBLISH_KEY_VALIDITY, e),
                    };
                    match publish_subject(&publish, &package) {
                        Ok(d) => r.pass(checks::PUBLISH_SUBJECT, d),
                        Err(e) => r.fail(checks::PUBLISH_SUBJECT, e),
                    }
                }
            }
        }
    };

    // The provenance: keyless.
    // Any SAN: the source claim is what binds the signer to the package (below).
    let issuers = CI_ISSUERS.map(regex_escape).join("|");
    let any_ci = match (crate::Matcher::regex(".+"), crate::Matcher::regex(&issuers)) {
        (Ok(san), Ok(issuer)) => IdentityPolicy { san, issuer },
        _ => {
            return r
                .fail(
                    checks::PROVENANCE_BUNDLE,
                    "internal: the CI identity patterns",
                )
                .finish()
        }
    };
    let identity = match inputs.provenance_signer {
        ProvenanceSigner::PackageRepository => &any_ci,
        ProvenanceSigner::Identity(p) => p,
    };
    let (report, verified) = crate::verify_with_value(
        &provenance,
        inputs.root,
        artifact,
        Signer::Keyless(identity),
        inputs.time,
        &[],
        None,
    );
    let r = r.output("provenance", report_json(&report));
    let r = match verified {
        None => r.fail(checks::PROVENANCE_BUNDLE, first_failure(&report)),
        Some(v) => {
            let r = r.pass(
                checks::PROVENANCE_BUNDLE,
                format!(
                    "signed by {} ({}){}",
                    v.signer.san().unwrap_or_default(),
                    v.signer.issuer().unwrap_or_default(),
                    logged(&v)
                ),
            );
            let r = match statement_subject(&provenance, &package, &provenance_type) {
                Ok(d) => r.pass(checks::PROVENANCE_SUBJECT, d),
                Err(e) => r.fail(checks::PROVENANCE_SUBJECT, e),
            };
            match inputs.provenance_signer {
                ProvenanceSigner::Identity(_) => r.pass(
                    checks::PROVENANCE_SOURCE,
                    "the signer is the identity given (the package's repository is not compared)",
                ),
                ProvenanceSigner::PackageRepository => match source(&v, &package) {
                    Ok(d) => r.pass(checks::PROVENANCE_SOURCE, d),
                    Err(e) => r.fail(checks::PROVENANCE_SOURCE, e),
                },
            }
        }
    };
    r.finish()
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

fn report_json(report: &Report) -> Value {
    serde_json::from_str(&report.to_json()).unwrap_or(Value::Null)
}

fn first_failure(report: &Report) -> String {
    match report.first_failure() {
        Some(c) => format!("{}: {}", c.id, c.explanation()),
        None => report
            .errors()
            .first()
            .cloned()
            .unwrap_or_else(|| "the bundle does not verify".into()),
    }
}

fn logged(v: &Verified) -> String {
    match (v.log_entries.first(), v.signing_times.first()) {
        (Some(e), Some(t)) => format!(
            "; Rekor entry {} at {}",
            e.log_index,
            plugin_api::time::format_rfc3339(*t)
        ),
        (Some(e), None) => format!("; Rekor entry {}", e.log_index),
        _ => String::new(),
    }
}

/// The publish and provenance bundles (JSON bytes) of an attestations document.
fn split(doc: &[u8]) -> Result<(Vec<u8>, Vec<u8>, String), String> {
    if doc.len() > MAX_ATTESTATIONS_BYTES {
        return Err(format!(
            "the attestations document is {} bytes, over the {MAX_ATTESTATIONS_BYTES}-byte budget",
            doc.len()
        ));
    }
    let v: Value = plugin_api::json::from_slice(doc)
        .map_err(|e| format!("the attestations document is not JSON: {e}"))?;
    let list = v
        .get("attestations")
        .and_then(Value::as_array)
        .ok_or("the attestations document has no `attestations` array")?;
    if list.len() > MAX_ATTESTATIONS {
        return Err(format!(
            "{} attestations, over the budget of {MAX_ATTESTATIONS}",
            list.len()
        ));
    }
    let mut publish = None;
    let mut provenance = None;
    let mut provenance_type = String::new();
    for a in list {
        let t = a
            .get("predicateType")
            .and_then(Value::as_str)
            .ok_or("an attestation has no predicateType")?;
        let bundle = a.get("bundle").ok_or("an attestation has no bundle")?;
        let slot = if t == PUBLISH_PREDICATE {
            &mut publish
        } else if PROVENANCE_PREDICATES.contains(&t) {
            provenance_type = t.to_owned();
            &mut provenance
        } else {
            continue;
        };
        if slot.is_some() {
            return Err(format!("two attestations of type {t}"));
        }
        *slot = Some(serde_json::to_vec(bundle).map_err(|e| format!("internal: {e}"))?);
    }
    match (publish, provenance) {
        (Some(p), Some(q)) => Ok((p, q, provenance_type)),
        (None, _) => Err("no npm publish attestation".into()),
        (_, None) => Err("no SLSA provenance attestation".into()),
    }
}

/// The registry key the publish bundle names (by its public-key hint).
fn publish_key<'a>(bundle: &[u8], keys: &'a [RegistryKey]) -> Result<&'a RegistryKey, String> {
    let v: Value = plugin_api::json::from_slice(bundle).map_err(|e| format!("not JSON: {e}"))?;
    let hint = v
        .get("verificationMaterial")
        .and_then(|m| m.get("publicKey"))
        .and_then(|k| k.get("hint"))
        .and_then(Value::as_str)
        .ok_or("the publish attestation is not signed by a key (no publicKey hint)")?;
    keys.iter()
        .find(|k| k.key_id == hint)
        .ok_or_else(|| format!("no registry key with key id {hint}"))
}

fn key_validity(key: &RegistryKey, v: &Verified) -> Result<String, String> {
    let Some(&t) = v.signing_times.iter().min() else {
        return Err("no verified signing time to hold against the key's validity".into());
    };
    let when = plugin_api::time::format_rfc3339(t);
    if let Some(from) = key.valid_from {
        if t < from {
            return Err(format!(
                "logged at {when}, before registry key {} became valid ({})",
                key.key_id,
                plugin_api::time::format_rfc3339(from)
            ));
        }
    }
    if let Some(until) = key.valid_until {
        if t >= until {
            return Err(format!(
                "logged at {when}, after registry key {} expired ({})",
                key.key_id,
                plugin_api::time::format_rfc3339(until)
            ));
        }
    }
    Ok(format!(
        "logged at {when}, within registry key {}'s validity",
        key.key_id
    ))
}

/// The verified statement of a DSSE bundle.
fn statement(bundle: &[u8]) -> Result<Value, String> {
    match crate::Bundle::from_json(bundle).map(|b| b.content) {
        Ok(crate::Content::Dsse(env)) => plugin_api::json::from_slice(&env.payload)
            .map_err(|e| format!("the statement is not JSON: {e}")),
        Ok(_) => Err("the bundle carries a message signature, not a statement".into()),
        Err(e) => Err(format!("the bundle cannot be read again: {e}")),
    }
}

/// The statement of `bundle` must be exactly about the package: its own (signed) predicate
/// type is `predicate_type` (the document's label is not signed), and it has one subject,
/// named by the package's purl, with the tarball's SHA-512.
fn statement_subject(
    bundle: &[u8],
    package: &PackageInfo,
    predicate_type: &str,
) -> Result<String, String> {
    subject_of(&statement(bundle)?, package, predicate_type)
}

fn subject_of(st: &Value, package: &PackageInfo, predicate_type: &str) -> Result<String, String> {
    let signed_type = st
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if signed_type != predicate_type {
        return Err(format!(
            "the signed statement's predicateType is {signed_type:?}, not {predicate_type:?} as the document labels it"
        ));
    }
    let subjects = st
        .get("subject")
        .and_then(Value::as_array)
        .ok_or("the statement has no subject array")?;
    let [subject] = subjects.as_slice() else {
        return Err(format!(
            "the statement has {} subjects; npm names exactly one, the package",
            subjects.len()
        ));
    };
    let purl = package.purl();
    let name = subject
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name != purl {
        return Err(format!("the subject is {name:?}, not {purl:?}"));
    }
    let digest = subject
        .get("digest")
        .and_then(|d| d.get("sha512"))
        .and_then(Value::as_str)
        .ok_or("the subject has no sha512 digest")?;
    if !digest.eq_ignore_ascii_case(&hex::encode(package.sha512)) {
        return Err("the subject's sha512 is not the tarball's".into());
    }
    Ok(format!("{purl} with the tarball's sha512"))
}

fn publish_subject(bundle: &[u8], package: &PackageInfo) -> Result<String, String> {
    let st = statement(bundle)?;
    let d = subject_of(&st, package, PUBLISH_PREDICATE)?;
    let p = st
        .get("predicate")
        .ok_or("the statement has no predicate")?;
    let field = |n: &str| p.get(n).and_then(Value::as_str).unwrap_or_default();
    if field("name") != package.name || field("version") != package.version {
        return Err(format!(
            "the publish predicate names {}@{}, not {}@{}",
            field("name"),
            field("version"),
            package.name,
            package.version
        ));
    }
    Ok(format!(
        "{d}; predicate {}@{}",
        package.name, package.version
    ))
}

/// The certificate's source repository is the package's repository.
fn source(v: &Verified, package: &PackageInfo) -> Result<String, String> {
    let VerifiedSigner::Certificate { claims, .. } = &v.signer else {
        return Err("the provenance is not signed by a certificate".into());
    };
    let claims = claims
        .as_ref()
        .map_err(|e| format!("the certificate's claims cannot be read: {e}"))?;
    let claim = |name: &str| {
        claims
            .workflow
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    // Fulcio v2 extension (.12), else v1 (.5, `owner/repo` on github.com).
    let v2 = match claim("source_repository_uri") {
        Some(uri) => Some(normalize_repository(uri).ok_or_else(|| {
            format!("the certificate's source repository {uri:?} is not a repository URL")
        })?),
        None => None,
    };
    let found = v2
        .or_else(|| {
            claim("github_workflow_repository")
                .map(|r| format!("github.com/{}", r.to_ascii_lowercase()))
        })
        .ok_or("the certificate names no source repository")?;
    let Some(expected) = &package.repository else {
        return Err(format!(
            "package.json names no repository to compare with the certificate's ({found}); give the expected identity"
        ));
    };
    if !found.eq_ignore_ascii_case(expected) {
        return Err(format!(
            "built from {found}, but package.json names {expected}"
        ));
    }
    Ok(format!(
        "built from {found}, the repository package.json names"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn repositories_normalise() {
        for (input, want) in [
            (
                "git+https://github.com/sigstore/sigstore-js.git",
                "github.com/sigstore/sigstore-js",
            ),
            ("https://github.com/Sigstore/x", "github.com/Sigstore/x"),
            ("git://github.com/a/b.git", "github.com/a/b"),
            ("github:a/b", "github.com/a/b"),
            ("a/b", "github.com/a/b"),
            ("git+ssh://git@github.com/a/b.git", "github.com/a/b"),
            ("git@github.com:a/b.git", "github.com/a/b"),
            ("https://gitlab.com/a/b", "gitlab.com/a/b"),
        ] {
            assert_eq!(
                normalize_repository(input).as_deref(),
                Some(want),
                "{input}"
            );
        }
        for bad in [
            "",
            "https://github.com/a",
            "https://github.com/a/b/c",
            "nonsense",
        ] {
            assert_eq!(normalize_repository(bad), None, "{bad}");
        }
    }

    #[test]
    fn purls_escape_the_scope() {
        let p = |name: &str| PackageInfo {
            name: name.into(),
            version: "1.0.0".into(),
            repository: None,
            sha512: [0; 64],
        };
        assert_eq!(p("@sigstore/core").purl(), "pkg:npm/%40sigstore/core@1.0.0");
        assert_eq!(p("sigstore").purl(), "pkg:npm/sigstore@1.0.0");
    }

    #[test]
    fn regex_escape_escapes() {
        assert_eq!(regex_escape("https://gitlab.com"), "https://gitlab\\.com");
    }
}
