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
            Ok(Provenance {
                builder_id: str_at(p, &["builder", "id"]).map(str::to_owned),
                source,
                source_ref,
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
            Ok(Provenance {
                builder_id: str_at(p, &["runDetails", "builder", "id"]).map(str::to_owned),
                source,
                source_ref,
            })
        }
        other => Err(format!(
            "the statement is not SLSA provenance (predicateType {other:?}; {PROVENANCE_V02} or {PROVENANCE_V1} expected)"
        )),
    }
}

/// The Fulcio claim `name` of the certificate, if it carries it.
fn claim<'a>(claims: Option<&'a crate::CertificateClaims>, name: &str) -> Option<&'a str> {
    claims?
        .workflow
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// Checks `expected` (names from [`FIELDS`]) against the in-toto statement `payload` of a
/// verified envelope and, where it carries the claims, the signing certificate. Returns what
/// matched, or the first mismatch. Unknown names are refused.
pub fn check(
    payload: &[u8],
    claims: Option<&crate::CertificateClaims>,
    expected: &BTreeMap<String, String>,
) -> Result<String, String> {
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
        // `ID@REF` must match exactly; `ID` matches any version of that builder.
        let ok = if want.contains('@') {
            found == want
        } else {
            found.split_once('@').map_or(found, |(id, _)| id) == want
        };
        if !ok {
            return Err(format!(
                "builder id: the provenance says {found:?}, expected {want:?}"
            ));
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
        if let Some(cert) = claim(claims, "source_repository_uri") {
            let (cert_repo, _) = split_source(cert);
            if cert_repo != want_repo {
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
        if let Some(cert) = claim(claims, "source_repository_ref") {
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
            None,
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
            assert!(check(&v02(), None, &exp(&[bad])).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn v1_matches_source_and_branch() {
        let ok = check(
            &v1(),
            None,
            &exp(&[
                ("source-uri", "https://github.com/acme/widget"),
                ("source-branch", "main"),
            ]),
        );
        assert!(ok.is_ok(), "{ok:?}");
        assert!(check(&v1(), None, &exp(&[("source-tag", "main")])).is_err());
        assert!(check(
            &v1(),
            None,
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
            None,
            &exp(&[("source-uri", "github.com/acme/widget")])
        )
        .is_err());
        assert!(check(&v1(), None, &exp(&[("builder", "x")])).is_err());
        assert!(check(
            &v1(),
            None,
            &exp(&[("source-tag", "v1"), ("source-branch", "main")])
        )
        .is_err());
        assert!(check(
            &v1(),
            None,
            &exp(&[("source-uri", "github.com/acme/widget@refs/heads/main")])
        )
        .is_err());
        let no_source =
            br#"{"predicateType":"https://slsa.dev/provenance/v1","predicate":{"runDetails":{}}}"#;
        assert!(check(
            no_source,
            None,
            &exp(&[("source-uri", "github.com/acme/widget")])
        )
        .is_err());
        assert!(check(no_source, None, &exp(&[("builder-id", "x")])).is_err());
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
        assert!(check(&v1(), Some(&good), &want).is_ok());
        let other_repo = claims("https://github.com/evil/widget", "refs/heads/main");
        assert!(check(&v1(), Some(&other_repo), &want).is_err());
        let other_ref = claims("https://github.com/acme/widget", "refs/heads/dev");
        assert!(check(&v1(), Some(&other_ref), &want).is_err());
    }
}
