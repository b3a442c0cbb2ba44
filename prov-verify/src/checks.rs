//! Every check id a report can carry, per plugin, with its meaning: the source of
//! `docs/checks.md` (written by `PROV_VERIFY_WRITE_DOCS=1 cargo test -p prov-verify --bin
//! prov-verify checks`). A test fails when a plugin's source or a golden report holds a
//! check id that is not here, when an entry here is no longer used, and when the docs name a
//! check id that does not exist.
//!
//! `{n}` stands for a number (0, 1, ...), `{name}` for a target's or role's name, `{plugin}` for the
//! plugin whose report carries a log-receipt check (`cosign`, `x509`).

/// (plugin, [(check id, what passing means)]), in report order within each plugin.
pub const CATALOGUE: &[(&str, &[(&str, &str)])] = &[
    (
        "cosign",
        &[
            ("cosign.bundle.parse", "the bundle is a Sigstore bundle (v0.1 to v0.3) within budgets"),
            ("cosign.signer.certificate", "the bundle's leaf certificate parses and a keyless identity was expected"),
            ("cosign.signer.key", "the bundle is key-signed and a public key was given"),
            ("cosign.content.digest", "the message signature's digest (SHA-256, SHA-384 or SHA-512, as the bundle names it) is the artifact's"),
            ("cosign.content.signature", "the message signature verifies with the signer's key"),
            ("cosign.dsse.payload-type", "the DSSE envelope's payload type is in-toto"),
            ("cosign.dsse.signature", "the DSSE envelope's signature verifies with the signer's key"),
            ("cosign.intoto.subject", "the in-toto statement names the artifact's SHA-256 as a subject"),
            ("cosign.timestamp.rfc3161-{n}", "RFC 3161 timestamp n: signed by a timestamping authority of the trusted root, over this signature, within its validity"),
            ("cosign.tlog.entries", "the bundle has a transparency-log entry (waived by --insecure-ignore-tlog)"),
            ("cosign.tlog.entry-{n}.kind", "log entry n is of a supported kind and version"),
            ("cosign.tlog.entry-{n}.log", "log entry n is from a log of the trusted root, named by its key"),
            ("cosign.tlog.entry-{n}.body", "log entry n records this signature, key and content"),
            ("cosign.tlog.entry-{n}.set", "log entry n's signed entry timestamp (inclusion promise) verifies with the log's key"),
            ("cosign.tlog.entry-{n}.inclusion", "log entry n's inclusion proof reaches a checkpoint signed by the log"),
            ("cosign.tlog.entry-{n}.time", "log entry n's integrated time lies within the log key's validity"),
            ("cosign.time.threshold", "at least one verified signing time (log or timestamp authority); waived for key-signed bundles by --insecure-skip-timestamp"),
            ("cosign.certificate.validity", "every verified signing time lies within the leaf certificate's validity"),
            ("cosign.certificate.chain", "the leaf chains to a certificate authority of the trusted root, valid at the signing time, for code signing"),
            ("cosign.certificate.sct", "the leaf carries a signed certificate timestamp from a CT log of the trusted root (waived by --insecure-ignore-sct)"),
            ("cosign.identity.san", "the leaf's subject alternative name matches the expected identity"),
            ("cosign.identity.issuer", "the leaf's OIDC issuer extension matches the expected issuer"),
            ("cosign.identity.github-workflow", "the leaf's GitHub workflow claims equal the expected ones"),
            ("cosign.attestation.predicate-type", "the verified statement's predicate type is the expected one"),
            ("cosign.attestation.slsa", "the verified statement is SLSA provenance (v0.2 or v1) whose builder id, source repository and tag or branch are the expected ones, and the certificate's source claims agree"),
            ("cosign.batch.requests", "every request of a --batch file verified"),
            ("cosign.oci.layout", "the OCI layout's index.json is read within budgets and the image resolves to one manifest digest (given, or by its tag in the index)"),
            ("cosign.oci.signatures", "at least one signature of the image digest verifies: a cosign .sig layer (simple-signing payload naming the digest) or an OCI referrer's Sigstore bundle, every blob matching its digest; the others are listed as warnings"),
            ("cosign.oci.attestations", "at least one attestation of the image digest (of the --type given) verifies: a cosign .att layer or an OCI referrer's Sigstore bundle whose statement names the digest"),
        ],
    ),
    (
        "x509",
        &[
            ("x509.cms.signer", "the CMS SignerInfo names the given leaf certificate"),
            ("x509.cms.message-digest", "the CMS messageDigest attribute is the manifest's digest"),
            ("x509.signature", "the signature over the manifest verifies with the leaf's key"),
            ("x509.chain", "the leaf validates to a pinned root (RFC 5280 path validation, code-signing profile) at the verification time"),
            ("x509.revocation", "no certificate of the path is revoked by a CRL given or cached (with --require-crl: a current CRL covers each)"),
        ],
    ),
    (
        "npm",
        &[
            ("npm.package", "the tarball is a gzip tar whose package.json has a name and a version; its SHA-512 is computed"),
            ("npm.attestations", "the attestations document holds exactly one npm publish attestation and one SLSA provenance attestation"),
            ("npm.publish.bundle", "the publish attestation's bundle verifies (cosign checks) with the registry key it names, over the tarball's SHA-512"),
            ("npm.publish.key-validity", "the registry key was valid when the publish attestation was logged"),
            ("npm.publish.subject", "the publish statement's only subject is the package's purl with the tarball's SHA-512, and its predicate names the package's name and version"),
            ("npm.provenance.bundle", "the provenance bundle verifies keyless (cosign checks) over the tarball's SHA-512, signed by a CI workflow or the identity given"),
            ("npm.provenance.subject", "the provenance statement's only subject is the package's purl with the tarball's SHA-512"),
            ("npm.provenance.source", "the certificate's source repository is the one package.json names (or the identity was given)"),
        ],
    ),
    (
        "vsa",
        &[
            ("vsa.signature", "the DSSE envelope's signature verifies with the given public key (Ed25519 or ECDSA P-256)"),
            ("vsa.statement", "the payload is an in-toto Statement v1 of predicate type https://slsa.dev/verification_summary/v1"),
            ("vsa.subject", "a subject of the statement has the artifact's SHA-256"),
            ("vsa.result", "verificationResult is PASSED, and timeVerified is an RFC 3339 time not after the verification time"),
        ],
    ),
    (
        "nitro",
        &[
            ("nitro.cose.header", "the COSE_Sign1 protected header is exactly ES384 and the unprotected header empty"),
            ("nitro.payload.digest", "the payload's digest is SHA384 and every PCR a SHA-384 value"),
            ("nitro.cose.signature", "the signature verifies with the document's signing certificate"),
            ("nitro.chain.path", "the signing certificate chains through the CA bundle to the pinned AWS Nitro root"),
            ("nitro.time.timestamp", "the document's timestamp is not after the verification time (beyond clock skew)"),
            ("nitro.time.max-age", "the document is no older than the policy's maximum age"),
            ("nitro.policy.debug", "the enclave was not in debug mode (PCR0, PCR1, PCR2 not all zero), unless --allow-debug"),
            ("nitro.policy.measurements", "every expected PCR equals the document's"),
            ("nitro.policy.nonce", "the nonce equals the expected one"),
            ("nitro.policy.user-data", "the user data equals the expected data"),
            ("nitro.policy.public-key", "the public key equals the expected key"),
        ],
    ),
    (
        "audit-pack",
        &[
            ("audit-pack.subject.kind", "the subject is an audit pack (.tgz bytes)"),
            ("audit-pack.archive.safe", "one gzip member holding a strict tar of regular files with safe, unique paths, within budgets, starting with the index and its signature"),
            ("audit-pack.index.signature", "the index signature verifies with the verifier's key or pinned X.509 roots"),
            ("audit-pack.index.canonical", "index.json is canonical JSON of the index's shape"),
            ("audit-pack.files.present", "every artifact the index lists is in the pack"),
            ("audit-pack.files.sha256", "every listed file has its listed SHA-256"),
            ("audit-pack.files.size", "every listed file has its listed size"),
            ("audit-pack.files.unlisted", "the pack holds no file the index does not list"),
            ("audit-pack.index.merkle-root", "the index's Merkle root is the root over its artifact entries"),
            ("audit-pack.index.sections", "version 2 index: every section exists in the pack, every artifact lies under a declared section, as the layout gives"),
            ("audit-pack.controls.evidence", "every control line resolves to listed evidence of the same SHA-256 and kind"),
            ("audit-pack.manifests.signatures", "every signed manifest re-verifies, with the verifier's trust, to its recorded verdict"),
            ("audit-pack.evidence.schemas", "every evidence document matches its kind's schema and rules (DR approvers, drift links, budget periods)"),
            ("audit-pack.index.receipt", "the pack's transparency-log receipt verifies with the given log key and records this index"),
            ("audit-pack.spot-check", "the sampled controls resolve to evidence whose inclusion proofs verify against the signed root"),
            ("audit-pack.proof.format", "the proof file is well-formed and within budgets"),
            ("audit-pack.proof.root", "the proof's root is the signed index's Merkle root"),
            ("audit-pack.proof.inclusion", "the artifact's inclusion proof verifies against that root"),
            ("audit-pack.proof.artifact", "the proven artifact is the index's entry at that position"),
        ],
    ),
    (
        "tuf",
        &[
            ("tuf.root.signatures", "a threshold of root keys signed each root, from the anchor to the newest"),
            ("tuf.timestamp.signatures", "a threshold of timestamp keys signed the timestamp"),
            ("tuf.snapshot.consistency", "the snapshot matches the timestamp's version, length and hashes"),
            ("tuf.snapshot.signatures", "a threshold of snapshot keys signed the snapshot"),
            ("tuf.targets.consistency", "the targets metadata matches the snapshot's version"),
            ("tuf.targets.signatures", "a threshold of targets keys signed the targets metadata"),
            ("tuf.root.expiry", "the root has not expired at the verification time (or --allow-expired-cache)"),
            ("tuf.timestamp.expiry", "the timestamp has not expired"),
            ("tuf.snapshot.expiry", "the snapshot has not expired"),
            ("tuf.targets.expiry", "the targets metadata has not expired"),
            ("tuf.delegations.expiry", "the delegated roles used have not expired"),
            ("tuf.{name}.rollback", "the role's new version is not below the cached one (warm and import only)"),
            ("tuf.target.{name}", "the cached target has the length and hashes its metadata lists"),
            ("tuf.anchor.pinned", "the cached anchor is the pinned initial root"),
            ("tuf.subject.target", "the subject is the named target, with its listed length and hashes"),
        ],
    ),
    (
        "tlog",
        &[
            ("tlog.receipt.checkpoint", "the receipt's checkpoint is signed by the log's key"),
            ("tlog.receipt.inclusion", "the receipt's entry is included in the signed tree"),
            ("tlog.mirror.sync", "the mirror was brought up to the remote's verified checkpoint"),
            ("tlog.mirror.rollback", "the remote checkpoint is not older than the mirrored one"),
            ("tlog.mirror.split-view", "the remote tree extends the mirrored one (consistency proof)"),
            ("tlog.mirror.remote", "the remote served a checkpoint and tiles that verify"),
            ("tlog.mirror.inclusion", "the entry is in the mirrored, verified tree"),
            ("{plugin}.log.receipt", "the log receipt given with --log-receipt verifies with --log-key"),
            ("{plugin}.log.entry", "the receipt's entry records the subject and signature being verified"),
        ],
    ),
    (
        "merkle",
        &[
            ("merkle.root.match", "the computed root equals the expected one"),
            ("merkle.inclusion.index", "the leaf index is below the tree size"),
            ("merkle.inclusion.proof-length", "the proof has the length the index and size require"),
            ("merkle.inclusion.root", "the proof hashes the leaf up to the expected root"),
            ("merkle.consistency.sizes", "0 < old size <= new size"),
            ("merkle.consistency.proof-length", "the proof has the length the sizes require"),
            ("merkle.consistency.old-root", "the proof reproduces the old root"),
            ("merkle.consistency.new-root", "the proof reproduces the new root"),
            ("merkle.checkpoint.signature", "a trusted key signed the checkpoint"),
            ("merkle.checkpoint.origin", "the checkpoint names the expected origin"),
        ],
    ),
    (
        "evidence-set",
        &[("evidence-set.item-{n}", "item n of the set verified (the summary of `verify --set`)")],
    ),
];

/// The checks of the plugin named `plugin` (empty for a plugin without an entry).
pub fn of_plugin(plugin: &str) -> &'static [(&'static str, &'static str)] {
    CATALOGUE
        .iter()
        .find(|(p, _)| *p == plugin)
        .map_or(&[], |(_, c)| c)
}

/// Whether the concrete id `id` is an instance of the catalogue entry `pattern`.
#[cfg_attr(not(test), allow(dead_code))]
pub fn matches(pattern: &str, id: &str) -> bool {
    let (mut p, mut s) = (pattern, id);
    while !p.is_empty() {
        if let Some(rest) = p.strip_prefix("{n}") {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            s = s.get(digits..).unwrap_or_default();
            p = rest;
        } else if let Some(rest) = p
            .strip_prefix("{name}")
            .or_else(|| p.strip_prefix("{plugin}"))
        {
            // A name runs to the next literal part of the pattern (or the end).
            let next = rest.chars().next();
            let len = match next {
                Some(c) => match s.find(c) {
                    Some(i) if i > 0 => i,
                    _ => return false,
                },
                None if !s.is_empty() => s.len(),
                None => return false,
            };
            s = s.get(len..).unwrap_or_default();
            p = rest;
        } else {
            let mut chars = p.chars();
            let Some(c) = chars.next() else { break };
            let Some(rest) = s.strip_prefix(c) else {
                return false;
            };
            s = rest;
            p = chars.as_str();
        }
    }
    s.is_empty()
}

/// The catalogue as `docs/checks.md`.
#[cfg_attr(not(test), allow(dead_code))]
pub fn markdown() -> String {
    let mut out = String::from(
        "# Check ids\n\n\
         Every check a report can carry, per plugin, with what passing it means. A report \
         names each check it ran (`--json`: `checks[].id`; text: the failed ones, and every \
         one with `-v`). `{n}` stands for a number, `{name}` for a target's or a role's name, `{plugin}` \
         for the plugin whose report carries a log-receipt check (`cosign`, `x509`).\n\n\
         Generated from `prov-verify/src/checks.rs` \
         (`PROV_VERIFY_WRITE_DOCS=1 cargo test -p prov-verify --bin prov-verify checks`); a \
         test fails when a plugin reports an id that is not listed here.\n",
    );
    for (plugin, checks) in CATALOGUE {
        out.push_str(&format!(
            "\n## {plugin}\n\n| check id | passes when |\n|---|---|\n"
        ));
        for (id, meaning) in *checks {
            out.push_str(&format!("| `{id}` | {meaning} |\n"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::{markdown, matches, CATALOGUE};
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn entries() -> Vec<&'static str> {
        CATALOGUE
            .iter()
            .flat_map(|(_, c)| c.iter().map(|(id, _)| *id))
            .collect()
    }

    fn known(id: &str) -> bool {
        entries().iter().any(|p| matches(p, id))
    }

    const PREFIXES: [&str; 10] = [
        "vsa.",
        "cosign.",
        "npm.",
        "x509.",
        "nitro.",
        "audit-pack.",
        "tuf.",
        "tlog.",
        "merkle.",
        "evidence-set.",
    ];

    /// Check-id-shaped strings: `prefix.word(.word)*` of lowercase letters, digits and `-`.
    fn ids_in(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for p in PREFIXES {
            let mut from = 0;
            while let Some(i) = text.get(from..).and_then(|t| t.find(p)) {
                let start = from + i;
                from = start + p.len();
                let before = text.get(..start).and_then(|t| t.chars().last());
                if before.is_some_and(|c| {
                    c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '/' || c == '_'
                }) {
                    continue;
                }
                let rest = text.get(start..).unwrap_or_default();
                let len = rest
                    .find(|c: char| {
                        !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                    })
                    .unwrap_or(rest.len());
                let id = rest.get(..len).unwrap_or_default().trim_end_matches('.');
                // At least `plugin.area`, and not a file name.
                if id.len() > p.len()
                    && !id.ends_with(".json")
                    && !id.ends_with(".rs")
                    && !id.ends_with(".md")
                    && !id.ends_with(".pem")
                    && !id.ends_with(".tgz")
                    && !id.ends_with(".der")
                    && !id.ends_with(".txt")
                    && !id.ends_with(".pub")
                    && !id.ends_with(".key")
                {
                    out.insert(id.to_owned());
                }
            }
        }
        out
    }

    #[test]
    fn docs_checks_md_is_generated_from_the_catalogue() {
        let path = root().join("docs/checks.md");
        if std::env::var_os("PROV_VERIFY_WRITE_DOCS").is_some() {
            std::fs::write(&path, markdown()).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == markdown(),
            "docs/checks.md is stale: PROV_VERIFY_WRITE_DOCS=1 cargo test -p prov-verify --bin prov-verify checks"
        );
    }

    #[test]
    fn every_check_id_in_golden_reports_is_catalogued() {
        let mut unknown = BTreeSet::new();
        let mut seen = 0;
        for e in std::fs::read_dir(root().join("golden")).unwrap() {
            let p = e.unwrap().path();
            // `plugins --json` lists the catalogue itself, patterns included.
            if p.extension().is_some_and(|x| x == "stdout") && !p.ends_with("plugins-json.stdout") {
                let text = std::fs::read_to_string(&p).unwrap();
                for line in text.lines() {
                    // JSON reports: "id":"...".
                    for part in line.split("\"id\":\"").skip(1) {
                        let id = part.split('"').next().unwrap_or_default();
                        seen += 1;
                        if !known(id) {
                            unknown.insert(format!("{id} ({})", p.display()));
                        }
                    }
                    // Text: "  ID: detail" (failed checks) and "  [tag] ID: detail" (-v).
                    let t = line.trim_start();
                    let t = match t.strip_prefix('[') {
                        Some(rest) => rest.split_once("] ").map_or(t, |(_, r)| r),
                        None => t,
                    };
                    if line.starts_with("  ") {
                        if let Some((id, _)) = t.split_once(": ") {
                            let shaped = id.chars().all(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
                            });
                            if shaped && PREFIXES.iter().any(|p| id.starts_with(p)) {
                                seen += 1;
                                if !known(id) {
                                    unknown.insert(format!("{id} ({})", p.display()));
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(seen > 200, "only {seen} check ids in golden reports");
        assert!(unknown.is_empty(), "not in docs/checks.md: {unknown:?}");
    }

    /// Every check-id literal in the plugins' sources is catalogued, and every catalogue entry
    /// is used by some source (a literal, or a format string for the `{n}`/`{name}` forms).
    #[test]
    fn the_catalogue_matches_the_plugins_sources() {
        let dirs = [
            "plugins/cosign/src",
            "plugins/x509/src",
            "plugins/nitro/src",
            "audit-pack/src",
            "cache/src",
            "tlog/src",
            "merkle/src",
            "gate/src",
            "prov-verify/src/commands",
        ];
        let mut literals = BTreeSet::new();
        for d in dirs {
            walk(&root().join(d), &mut |text| {
                for line in text.lines() {
                    let code = line.trim_start();
                    if code.starts_with("//") {
                        continue;
                    }
                    for part in code.split('"').skip(1).step_by(2) {
                        if PREFIXES.iter().any(|p| part.starts_with(p))
                            && part.len() > 4
                            && !part.contains(' ')
                            && !part.contains('/')
                            && !part.ends_with(".json")
                            && !part.ends_with(".tgz")
                        {
                            literals.insert(part.to_owned());
                        }
                    }
                }
            });
        }
        let unknown: Vec<&String> = literals
            .iter()
            .filter(|l| !l.contains('{') && !l.ends_with('.') && !known(l))
            .collect();
        assert!(
            unknown.is_empty(),
            "check ids in the sources, not in the catalogue: {unknown:?}"
        );
        // Entries with a placeholder are built at run time; the plain ones must be literals.
        let unused: Vec<&str> = entries()
            .into_iter()
            .filter(|e| !e.contains('{') && !literals.contains(*e))
            .collect();
        assert!(
            unused.is_empty(),
            "catalogue entries no source uses: {unused:?}"
        );
    }

    /// The README and docs name only check ids that exist.
    #[test]
    fn the_docs_name_only_real_check_ids() {
        let mut files = vec![root().join("README.md")];
        for e in std::fs::read_dir(root().join("docs")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "md") && !p.ends_with("checks.md") {
                files.push(p);
            }
        }
        let mut bad = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for id in ids_in(&text) {
                // A prefix written with a wildcard (`tuf.target.*`, `cosign.tlog.entry-N.*`)
                // is a family, not an id.
                // A family ends at a segment boundary: `tuf.target.*` reads as `tuf.target`,
                // `cosign.tlog.entry-N.*` as `cosign.tlog.entry-`; `cosign.identity.git` is
                // no family.
                let family = entries().iter().any(|e| {
                    let fixed = e.split('{').next().unwrap_or(e);
                    let boundary = id.ends_with('-') || id.ends_with('.');
                    (boundary && e.starts_with(&id))
                        || e.starts_with(&format!("{id}."))
                        || (!fixed.is_empty()
                            && id.starts_with(fixed)
                            && fixed.ends_with(['.', '-']))
                });
                if !known(&id) && !family {
                    bad.push(format!("{}: {id}", f.display()));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "check ids in the docs that no report carries:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn patterns_match_their_instances_only() {
        assert!(matches(
            "cosign.tlog.entry-{n}.set",
            "cosign.tlog.entry-12.set"
        ));
        assert!(!matches(
            "cosign.tlog.entry-{n}.set",
            "cosign.tlog.entry-x.set"
        ));
        assert!(matches("tuf.target.{name}", "tuf.target.trusted-root-json"));
        assert!(matches("{plugin}.log.receipt", "x509.log.receipt"));
        assert!(!matches("{plugin}.log.receipt", ".log.receipt"));
        assert!(!matches("x509.chain", "x509.chains"));
    }

    fn walk(dir: &Path, f: &mut dyn FnMut(&str)) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, f);
            } else if p.extension().is_some_and(|x| x == "rs") {
                f(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
}
