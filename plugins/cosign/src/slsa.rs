//! slsa-verifier's policy over a verified SLSA provenance attestation: the builder, the source
//! repository, and the tag or branch it was built from (`--builder-id`, `--source-uri`,
//! `--source-tag`, `--source-branch`).
//!
//! The statement is read from a DSSE envelope whose signature, signer identity and subject
//! have already verified; call [`check`] only then. Each expectation is compared with the
//! provenance predicate (SLSA v0.2 or v1) and, where the signing certificate carries the
//! matching Fulcio claim (source repository URI and ref), with the certificate as well: both
//! must agree with the expectation. A claim that is absent from the predicate fails.

use serde_json::Value;
use std::collections::BTreeMap;

/// The expectation names, as the policy carries them.
pub const FIELDS: [&str; 4] = ["builder-id", "source-uri", "source-tag", "source-branch"];

const PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// What the provenance says, normalised.
#[derive(Debug, Default)]
struct Provenance {
    builder_id: Option<String>,
    /// `github.com/OWNER/REPO`-style: no scheme, no `git+`, no `.git`, no `@ref`.
    source: Option<String>,
    /// `refs/tags/...` or `refs/heads/...`.
    source_ref: Option<String>,
    /// The first material (v0.2 `materials[0]`, v1 `resolvedDependencies[0]`), when the source
    /// above was read elsewhere: slsa-verifier requires both to name the source.
    material: Option<(String, Option<String>)>,
}

/// `github.com/owner/repo` from `git+https://github.com/owner/repo@refs/tags/v1`,
/// `https://github.com/owner/repo.git` and the like; the `@ref` part, if any, separately.
fn split_source(uri: &str) -> (String, Option<String>) {
    let s = uri.strip_prefix("git+").unwrap_or(uri);
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let (repo, r) = match s.split_once('@') {
        Some((repo, r)) => (repo, Some(r.to_owned())),
        None => (s, None),
    };
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    let repo = repo.strip_suffix('/').unwrap_or(repo);
    (repo.to_owned(), r)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |acc, k| acc.get(*k))?.as_str()
}

fn read(statement: &Value) -> Result<Provenance, String> {
    let predicate_type = statement
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(p) = statement.get("predicate") else {
        return Err("the statement has no predicate".into());
    };
    match predicate_type {
        PROVENANCE_V02 => {
            let (source, source_ref) = match str_at(p, &["invocation", "configSource", "uri"]) {
                Some(uri) => {
                    let (repo, r) = split_source(uri);
                    (Some(repo), r)
                }
                None => (None, None),
            };
            let material = p
                .get("materials")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(|m| m.get("uri"))
                .and_then(Value::as_str)
                .map(split_source);
            Ok(Provenance {
                builder_id: str_at(p, &["builder", "id"]).map(str::to_owned),
                source,
                source_ref,
                material,
            })
        }
        PROVENANCE_V1 => {
            let params = p.get("buildDefinition").and_then(|d| d.get("externalParameters"));
            // GitHub Actions build types (slsa-github-generator, actions/attest-build-provenance,
            // npm) name the workflow's repository and ref; others the source or, failing that,
            // the first resolved dependency.
            let workflow = params.and_then(|e| e.get("workflow"));
            let (source, source_ref) = match workflow {
                Some(w) => (
                    str_at(w, &["repository"]).map(|r| split_source(r).0),
                    str_at(w, &["ref"]).map(str::to_owned),
                ),
                None => {
                    // The container-based builder names `source.uri`; delegated builders
                    // only the first resolved dependency.
                    let dep = params
                        .and_then(|e| str_at(e, &["source", "uri"]))
                        .or_else(|| {
                            p.get("buildDefinition")
                        .and_then(|d| d.get("resolvedDependencies"))
                        .and_then(Value::as_array)
                        .and_then(|a| a.first())
                                .and_then(|d| d.get("uri"))
                                .and_then(Value::as_str)
                        });
                    match dep {
                        Some(uri) => {
                            let (repo, r) = split_source(uri);
                            (Some(repo), r)
                        }
                        None => (None, None),
                    }
                }
            };
            let material = p
                .get("buildDefinition")
                .and_then(|d| d.get("resolvedDependencies"))
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(|d| d.get("uri"))
                .and_then(Value::as_str)
                .map(split_source);
            Ok(Provenance {
                builder_id: str_at(p, &["runDetails", "builder", "id"]).map(str::to_owned),
                source,
                source_ref,
                material,
            })
        }
        other => Err(format!(
            "the statement is not SLSA provenance (predicateType {other:?}; {PROVENANCE_V02} or {PROVENANCE_V1} expected)"
        )),
    }
}

/// Who signed the statement, as far as these checks care.
#[derive(Debug, Clone, Copy)]
pub enum SlsaSigner<'a> {
    /// A key: only the provenance can be compared.
    Key,
    /// A Fulcio certificate: its claims, or why they cannot be read. Every expectation is
    /// compared with the certificate's matching claim too, which must be present.
    Certificate(Result<&'a crate::CertificateClaims, &'a str>),
}

/// The Fulcio claim `name` of the certificate, if it carries it.
fn claim<'a>(claims: &'a crate::CertificateClaims, name: &str) -> Option<&'a str> {
    claims
        .workflow
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// The certificate's source repository (`github.com/OWNER/REPO`): the v2 claim (.12), else the
/// v1 GitHub workflow repository (.5).
fn cert_source(claims: &crate::CertificateClaims) -> Option<String> {
    match claim(claims, "source_repository_uri") {
        Some(uri) => Some(split_source(uri).0),
        None => claim(claims, "github_workflow_repository").map(|r| format!("github.com/{r}")),
    }
}

/// The certificate's source ref: the v2 claim (.14), else the v1 workflow ref (.6).
fn cert_ref(claims: &crate::CertificateClaims) -> Option<&str> {
    claim(claims, "source_repository_ref").or_else(|| claim(claims, "github_workflow_ref"))
}

/// `ID` matches any `@REF` of that builder; `ID@REF` only that one.
fn builder_matches(found: &str, want: &str) -> bool {
    if want.contains('@') {
        found == want
    } else {
        found.split_once('@').map_or(found, |(id, _)| id) == want
    }
}

/// Checks `expected` (names from [`FIELDS`]) against the in-toto statement `payload` of a
/// verified envelope and, where it carries the claims, the signing certificate. Returns what
/// matched, or the first mismatch. Unknown names are refused.
pub fn check(
    payload: &[u8],
    signer: SlsaSigner<'_>,
    expected: &BTreeMap<String, String>,
) -> Result<String, String> {
    let claims = match signer {
        SlsaSigner::Key => None,
        SlsaSigner::Certificate(Ok(c)) => Some(c),
        SlsaSigner::Certificate(Err(e)) => {
            return Err(format!("the certificate's claims cannot be read: {e}"))
        }
    };
    if let Some(unknown) = expected.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "unknown SLSA expectation {unknown:?} (one of: {})",
            FIELDS.join(", ")
        ));
    }
    if expected.contains_key("source-tag") && expected.contains_key("source-branch") {
        return Err("a source tag and a source branch cannot both be expected".into());
    }
    let statement: Value = plugin_api::json::from_slice(payload)
        .map_err(|e| format!("the in-toto statement is not JSON: {e}"))?;
    let prov = read(&statement)?;
    let mut matched = Vec::new();
    if let Some(want) = expected.get("builder-id") {
        let found = prov
            .builder_id
            .as_deref()
            .ok_or("the provenance names no builder id")?;
        if !builder_matches(found, want) {
            return Err(format!(
                "builder id: the provenance says {found:?}, expected {want:?}"
            ));
        }
        // The provenance's builder id is written by whoever signed it: for a keyless
        // signature, the certificate says which workflow actually ran (a reusable builder
        // workflow is the build signer) or on what runner.
        if let Some(c) = claims {
            if want.contains("/.github/workflows/") {
                let signer = claim(c, "build_signer_uri")
                    .ok_or("builder id: the certificate names no build signer workflow")?;
                if !builder_matches(signer, want) {
                    return Err(format!(
                        "builder id: the certificate's build signer is {signer:?}, expected {want:?}"
                    ));
                }
            } else if let Some(kind) = want.strip_prefix("https://github.com/actions/runner/") {
                let runner = claim(c, "runner_environment")
                    .ok_or("builder id: the certificate names no runner environment")?;
                if runner != kind {
                    return Err(format!(
                        "builder id: the certificate's runner environment is {runner:?}, expected {kind:?}"
                    ));
                }
            } else {
                return Err(format!(
                    "builder id {want:?}: a keyless provenance's builder is checked against the certificate, which can vouch only for a GitHub workflow (…/.github/workflows/…) or runner (https://github.com/actions/runner/…)"
                ));
            }
        }
        matched.push(format!("builder {found:?}"));
    }
    if let Some(want) = expected.get("source-uri") {
        let (want_repo, want_ref) = split_source(want);
        if want_ref.is_some() {
            return Err(format!(
                "source URI {want:?}: give the repository only; the ref is --source-tag or --source-branch"
            ));
        }
        let found = prov
            .source
            .as_deref()
            .ok_or("the provenance names no source repository")?;
        if found != want_repo {
            return Err(format!(
                "source: the provenance says {found:?}, expected {want_repo:?}"
            ));
        }
        if let Some((material, _)) = &prov.material {
            if *material != want_repo {
                return Err(format!(
                    "source: the provenance's first material is {material:?}, expected {want_repo:?}"
                ));
            }
        }
        if let Some(c) = claims {
            let cert =
                cert_source(c).ok_or("source: the certificate names no source repository")?;
            if cert != want_repo {
                return Err(format!(
                    "source: the certificate says {cert:?}, expected {want_repo:?}"
                ));
            }
        }
        matched.push(format!("source {found:?}"));
    }
    for (field, prefix) in [
        ("source-tag", "refs/tags/"),
        ("source-branch", "refs/heads/"),
    ] {
        let Some(want) = expected.get(field) else {
            continue;
        };
        let want_ref = if want.starts_with("refs/") {
            want.clone()
        } else {
            format!("{prefix}{want}")
        };
        if !want_ref.starts_with(prefix) {
            return Err(format!("{field} {want:?} is not under {prefix}"));
        }
        let found = prov
            .source_ref
            .as_deref()
            .ok_or("the provenance names no source ref")?;
        if found != want_ref {
            return Err(format!(
                "{field}: the provenance was built from {found:?}, expected {want_ref:?}"
            ));
        }
        if let Some((_, Some(material_ref))) = &prov.material {
            if *material_ref != want_ref {
                return Err(format!(
                    "{field}: the provenance's first material was built from {material_ref:?}, expected {want_ref:?}"
                ));
            }
        }
        if let Some(c) = claims {
            let cert = cert_ref(c)
                .ok_or_else(|| format!("{field}: the certificate names no source ref"))?;
            if cert != want_ref {
                return Err(format!(
                    "{field}: the certificate says {cert:?}, expected {want_ref:?}"
                ));
            }
        }
        matched.push(format!("ref {found:?}"));
    }
    Ok(format!("SLSA provenance: {}", matched.join(", ")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    fn exp(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn v02() -> Vec<u8> {
        serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": PROVENANCE_V02,
            "subject": [],
            "predicate": {
                "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0"},
                "invocation": {"configSource": {"uri": "git+https://github.com/acme/widget@refs/tags/v1.2.3"}}
            }
        })
        .to_string()
        .into_bytes()
    }

    fn v1() -> Vec<u8> {
        serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "predicateType": PROVENANCE_V1,
            "subject": [],
            "predicate": {
                "buildDefinition": {"externalParameters": {"workflow": {
                    "repository": "https://github.com/acme/widget", "ref": "refs/heads/main", "path": ".github/workflows/release.yml"}}},
                "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}}
            }
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn v02_matches_builder_source_and_tag() {
        let got = check(
            &v02(),
            SlsaSigner::Key,
            &exp(&[
                ("builder-id", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"),
                ("source-uri", "github.com/acme/widget"),
                ("source-tag", "v1.2.3"),
            ]),
        );
        assert!(got.is_ok(), "{got:?}");
        for bad in [
            ("builder-id", "https://github.com/evil/builder/.github/workflows/x.yml"),
            ("builder-id", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.8.0"),
            ("source-uri", "github.com/acme/widget2"),
            ("source-uri", "github.com/acme"),
            ("source-tag", "v1.2.4"),
            ("source-branch", "main"),
        ] {
            assert!(check(&v02(), SlsaSigner::Key, &exp(&[bad])).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn v1_matches_source_and_branch() {
        let ok = check(
            &v1(),
            SlsaSigner::Key,
            &exp(&[
                ("source-uri", "https://github.com/acme/widget"),
                ("source-branch", "main"),
            ]),
        );
        assert!(ok.is_ok(), "{ok:?}");
        assert!(check(&v1(), SlsaSigner::Key, &exp(&[("source-tag", "main")])).is_err());
        assert!(check(
            &v1(),
            SlsaSigner::Key,
            &exp(&[(
                "builder-id",
                "https://github.com/actions/runner/github-hosted"
            )])
        )
        .is_ok());
    }

    #[test]
    fn not_provenance_unknown_names_and_conflicts_are_refused() {
        let other = br#"{"predicateType":"https://spdx.dev/Document","predicate":{}}"#;
        assert!(check(
            other,
            SlsaSigner::Key,
            &exp(&[("source-uri", "github.com/acme/widget")])
        )
        .is_err());
        assert!(check(&v1(), SlsaSigner::Key, &exp(&[("builder", "x")])).is_err());
        assert!(check(
            &v1(),
            SlsaSigner::Key,
            &exp(&[("source-tag", "v1"), ("source-branch", "main")])
        )
        .is_err());
        assert!(check(
            &v1(),
            SlsaSigner::Key,
            &exp(&[("source-uri", "github.com/acme/widget@refs/heads/main")])
        )
        .is_err());
        let no_source =
            br#"{"predicateType":"https://slsa.dev/provenance/v1","predicate":{"runDetails":{}}}"#;
        assert!(check(
            no_source,
            SlsaSigner::Key,
            &exp(&[("source-uri", "github.com/acme/widget")])
        )
        .is_err());
        assert!(check(no_source, SlsaSigner::Key, &exp(&[("builder-id", "x")])).is_err());
    }

    #[test]
    fn the_certificate_claims_must_agree_too() {
        let claims = |uri: &str, r: &str| crate::CertificateClaims {
            san: Vec::new(),
            issuer: None,
            workflow: vec![
                ("source_repository_uri", uri.to_owned()),
                ("source_repository_ref", r.to_owned()),
            ],
        };
        let want = exp(&[
            ("source-uri", "github.com/acme/widget"),
            ("source-branch", "main"),
        ]);
        let good = claims("https://github.com/acme/widget", "refs/heads/main");
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&good)), &want).is_ok());
        let other_repo = claims("https://github.com/evil/widget", "refs/heads/main");
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&other_repo)), &want).is_err());
        let other_ref = claims("https://github.com/acme/widget", "refs/heads/dev");
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&other_ref)), &want).is_err());
    }

    fn claims(pairs: &[(&'static str, &str)]) -> crate::CertificateClaims {
        crate::CertificateClaims {
            san: Vec::new(),
            issuer: None,
            workflow: pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn a_keyless_builder_id_is_the_certificates_build_signer_or_runner() {
        let generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
        let signer = claims(&[("build_signer_uri", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0")]);
        let want = exp(&[("builder-id", generic)]);
        assert!(check(&v02(), SlsaSigner::Certificate(Ok(&signer)), &want).is_ok());
        // Any workflow of the repository may write that builder id into its own provenance;
        // the certificate says which one ran.
        let own = claims(&[(
            "build_signer_uri",
            "https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3",
        )]);
        assert!(check(&v02(), SlsaSigner::Certificate(Ok(&own)), &want)
            .is_err_and(|e| e.contains("build signer")));
        assert!(check(&v02(), SlsaSigner::Certificate(Ok(&claims(&[]))), &want).is_err());
        // The GitHub-hosted runner builder id: the runner environment.
        let runner = exp(&[(
            "builder-id",
            "https://github.com/actions/runner/github-hosted",
        )]);
        let hosted = claims(&[("runner_environment", "github-hosted")]);
        let self_hosted = claims(&[("runner_environment", "self-hosted")]);
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&hosted)), &runner).is_ok());
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&self_hosted)), &runner).is_err());
        // Claims that cannot be read fail.
        assert!(check(&v1(), SlsaSigner::Certificate(Err("bad")), &runner).is_err());
    }

    #[test]
    fn the_certificate_must_carry_the_source_claims_and_the_first_material_must_agree() {
        let want = exp(&[("source-uri", "github.com/acme/widget")]);
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&claims(&[]))), &want).is_err());
        // The v1 (.5) claim stands in for the v2 one.
        let v1_claim = claims(&[("github_workflow_repository", "acme/widget")]);
        assert!(check(&v1(), SlsaSigner::Certificate(Ok(&v1_claim)), &want).is_ok());
        // A v0.2 provenance whose first material names another repository.
        let mut st: Value = serde_json::from_slice(&v02()).unwrap();
        st["predicate"]["materials"] =
            serde_json::json!([{"uri": "git+https://github.com/evil/widget@refs/tags/v1.2.3"}]);
        let bytes = serde_json::to_vec(&st).unwrap();
        assert!(check(&bytes, SlsaSigner::Key, &want).is_err_and(|e| e.contains("first material")));
        st["predicate"]["materials"] =
            serde_json::json!([{"uri": "git+https://github.com/acme/widget@refs/tags/v1.2.2"}]);
        let bytes = serde_json::to_vec(&st).unwrap();
        assert!(check(&bytes, SlsaSigner::Key, &exp(&[("source-tag", "v1.2.3")])).is_err());
    }
}
