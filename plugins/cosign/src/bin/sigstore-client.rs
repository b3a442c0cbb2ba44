//! Adapter for the shared Sigstore conformance kit (`../shared/conformance/sigstore`).
//!
//! `sigstore-client verify-bundle [--staging] --bundle FILE
//!     (--certificate-identity ID --certificate-oidc-issuer URL | --key PEMFILE)
//!     [--trusted-root FILE] (ARTIFACT_FILE | sha256:HEX)`
//!
//! Exit 0 only if the report is ok; 1 if verification failed; 2 on usage or input errors.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use plugin_cosign::{verify, Artifact, IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

const MAX_FILE: u64 = 512 * 1024 * 1024;

fn read(path: &str) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{path}: {e}"))?;
    if meta.len() > MAX_FILE {
        return Err(format!("{path}: over the {MAX_FILE}-byte budget"));
    }
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

#[derive(Default)]
struct Args {
    bundle: Option<String>,
    identity: Option<String>,
    issuer: Option<String>,
    key: Option<String>,
    trusted_root: Option<String>,
    artifact: Option<String>,
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut it = argv.iter();
    if it.next().map(String::as_str) != Some("verify-bundle") {
        return Err("expected the verify-bundle command".into());
    }
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--staging" => return Err("--staging: no built-in roots; pass --trusted-root".into()),
            "--bundle" => a.bundle = Some(value(arg)?),
            "--certificate-identity" => a.identity = Some(value(arg)?),
            "--certificate-oidc-issuer" => a.issuer = Some(value(arg)?),
            "--key" => a.key = Some(value(arg)?),
            "--trusted-root" => a.trusted_root = Some(value(arg)?),
            s if s.starts_with("--") => return Err(format!("unknown flag {s}")),
            s => {
                if a.artifact.replace(s.to_owned()).is_some() {
                    return Err("more than one artifact".into());
                }
            }
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(true) => ExitCode::from(0),
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("sigstore-client: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(argv: &[String]) -> Result<bool, String> {
    let a = parse_args(argv)?;
    let bundle = read(a.bundle.as_deref().ok_or("--bundle is required")?)?;
    let root_path = a
        .trusted_root
        .as_deref()
        .ok_or("--trusted-root is required (no built-in trust roots)")?;
    let root = TrustedRoot::from_json(&read(root_path)?).map_err(|e| e.to_string())?;
    let artifact_arg = a.artifact.ok_or("an artifact is required")?;
    let artifact_bytes;
    let artifact = if let Some(h) = artifact_arg.strip_prefix("sha256:") {
        let raw = hex::decode(h).map_err(|e| format!("bad sha256 digest: {e}"))?;
        Artifact::Sha256Digest(
            <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| "digest is not 32 bytes")?,
        )
    } else {
        artifact_bytes = read(&artifact_arg)?;
        Artifact::Bytes(&artifact_bytes)
    };
    let key;
    let policy;
    let signer = match (a.key, a.identity, a.issuer) {
        (Some(k), None, None) => {
            key = PublicKey::from_pem(&read(&k)?).map_err(|e| e.to_string())?;
            Signer::Key(&key)
        }
        (None, Some(san), Some(issuer)) => {
            policy = IdentityPolicy {
                san: Matcher::Exact(san),
                issuer: Matcher::Exact(issuer),
            };
            Signer::Keyless(&policy)
        }
        _ => {
            return Err(
                "give --key, or both --certificate-identity and --certificate-oidc-issuer".into(),
            )
        }
    };
    // The one clock read.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let report = verify(
        &bundle,
        &root,
        artifact,
        signer,
        plugin_api::VerificationTime::from_unix_seconds(now),
        &[],
    );
    for c in report.checks() {
        eprintln!("{}: {} {}", c.status.name(), c.id, c.explanation());
    }
    Ok(report.ok())
}
