//! x509-limbo harness: reads the limbo document on stdin, validates every testcase with
//! `plugin_x509::verify_path`, writes the result document on stdout
//! (protocol: ../shared/conformance/x509-limbo/README.md). Logs go to stderr.
//!
//! Profile choice: `rfc5280::*` and `pathlen::*` cases are validated with the RFC 5280 generic
//! profile, every other case with the CA/B Forum server profile (x509-limbo's `webpki`
//! profile); the two disagree on three pairs of cases marked `conflicts_with` upstream.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::VerificationTime;
use plugin_x509::{
    verify_path, Certificate, Crl, Options, PeerName, Profile, EKU_ANY, EKU_CLIENT_AUTH,
    EKU_CODE_SIGNING, EKU_SERVER_AUTH,
};
use serde_json::{json, Value};
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

/// Wall-clock limit per testcase; a case that runs past it is reported as HANG.
const CASE_TIMEOUT: Duration = Duration::from_secs(20);

/// Features this implementation cannot fully judge: a case tagged with one is validated, a
/// rejection is reported as FAILURE, but an acceptance is reported as SKIPPED, since the
/// missing piece could have rejected it (see docs/conformance-x509.md).
const PARTLY_SUPPORTED_FEATURES: &[(&str, &str)] = &[(
    "pedantic-public-suffix-wildcard",
    "no Public Suffix List: a wildcard over a multi-label public suffix (*.co.uk) is not detected; single-label ones (*.com) are refused",
)];

#[derive(Debug)]
enum Outcome {
    Success,
    Failure(String),
    Skipped(String),
}

fn main() {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("limbo-harness: cannot read stdin: {e}");
        std::process::exit(2);
    }
    let doc: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("limbo-harness: stdin is not JSON: {e}");
            std::process::exit(2);
        }
    };
    let Some(cases) = doc.get("testcases").and_then(Value::as_array) else {
        eprintln!("limbo-harness: no testcases array");
        std::process::exit(2);
    };
    let mut results = Vec::with_capacity(cases.len());
    for tc in cases {
        let id = tc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let (tx, rx) = mpsc::channel();
        let case = tc.clone();
        let spawned = std::thread::Builder::new().name(id.clone()).spawn(move || {
            let outcome = std::panic::catch_unwind(|| run_case(&case))
                .unwrap_or_else(|_| Outcome::Failure("validator panicked".into()));
            let _ = tx.send(outcome);
        });
        let outcome = match spawned {
            Err(e) => Some(Outcome::Failure(format!("cannot start case thread: {e}"))),
            Ok(_) => match rx.recv_timeout(CASE_TIMEOUT) {
                Ok(o) => Some(o),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    Some(Outcome::Failure("validator thread died".into()))
                }
            },
        };
        let (actual, context) = match outcome {
            Some(Outcome::Success) => ("SUCCESS", Value::Null),
            Some(Outcome::Failure(c)) => ("FAILURE", Value::String(c)),
            Some(Outcome::Skipped(c)) => ("SKIPPED", Value::String(c)),
            None => (
                "HANG",
                Value::String(format!("no result within {CASE_TIMEOUT:?}")),
            ),
        };
        results.push(json!({"id": id, "actual_result": actual, "context": context}));
    }
    let out = json!({"version": 1, "harness": "prov-verify-plugin-x509", "results": results});
    println!("{out}");
}

fn strings(tc: &Value, key: &str) -> Vec<String> {
    tc.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn run_case(tc: &Value) -> Outcome {
    let id = tc.get("id").and_then(Value::as_str).unwrap_or("");
    let features = strings(tc, "features");
    let partly = PARTLY_SUPPORTED_FEATURES
        .iter()
        .find(|(feature, _)| features.iter().any(|f| f == feature));
    match (validate_case(id, tc), partly) {
        (Outcome::Success, Some((feature, why))) => {
            Outcome::Skipped(format!("feature {feature}: {why}"))
        }
        (outcome, _) => outcome,
    }
}

fn validate_case(id: &str, tc: &Value) -> Outcome {
    if !strings(tc, "signature_algorithms").is_empty() {
        return Outcome::Skipped(
            "restricting signature algorithms per case is not supported".into(),
        );
    }
    // x509-limbo's RFC 5280 cases (and its RFC 5280 §6 path-length cases) take the generic
    // profile; everything else is web PKI (CA/B Forum server profile).
    let profile = if id.starts_with("rfc5280::")
        || id.starts_with("pathlen::")
        || id.starts_with("bettertls::")
    {
        Profile::Rfc5280
    } else {
        Profile::CabfServer
    };
    let mut options = Options::new(profile);
    match tc.get("validation_kind").and_then(Value::as_str) {
        Some("SERVER") => options.required_ekus = vec![EKU_SERVER_AUTH.to_vec()],
        Some("CLIENT") => options = options.for_client_auth(),
        other => return Outcome::Skipped(format!("validation kind {other:?} not supported")),
    }
    let ekus = strings(tc, "extended_key_usage");
    if !ekus.is_empty() {
        let mut oids = Vec::new();
        for e in &ekus {
            let oid: &[u8] = match e.as_str() {
                "serverAuth" => EKU_SERVER_AUTH,
                "clientAuth" => EKU_CLIENT_AUTH,
                "codeSigning" => EKU_CODE_SIGNING,
                "anyExtendedKeyUsage" => EKU_ANY,
                other => {
                    return Outcome::Skipped(format!("extended key usage {other} not supported"))
                }
            };
            oids.push(oid.to_vec());
        }
        options.required_ekus = oids;
    }
    for ku in strings(tc, "key_usage") {
        let bit = match ku.as_str() {
            "digitalSignature" => 0,
            "contentCommitment" | "nonRepudiation" => 1,
            "keyEncipherment" => 2,
            "dataEncipherment" => 3,
            "keyAgreement" => 4,
            "keyCertSign" => 5,
            "cRLSign" => 6,
            "encipherOnly" => 7,
            "decipherOnly" => 8,
            other => return Outcome::Skipped(format!("key usage {other} not supported")),
        };
        options.required_key_usage |= 1 << bit;
    }
    if let Some(name) = tc.get("expected_peer_name").filter(|v| !v.is_null()) {
        let kind = name.get("kind").and_then(Value::as_str).unwrap_or("");
        let value = name.get("value").and_then(Value::as_str).unwrap_or("");
        options.peer_name = Some(match kind {
            "DNS" => PeerName::Dns(value.to_owned()),
            "IP" => match value.parse() {
                Ok(ip) => PeerName::Ip(ip),
                Err(_) => return Outcome::Failure(format!("unparsable IP peer name {value:?}")),
            },
            other => return Outcome::Skipped(format!("peer name kind {other} not supported")),
        });
    }
    if let Some(depth) = tc.get("max_chain_depth").and_then(Value::as_u64) {
        options.max_intermediates = Some(usize::try_from(depth).unwrap_or(usize::MAX));
    }
    let time = match tc.get("validation_time").and_then(Value::as_str) {
        Some(t) => match parse_rfc3339(t) {
            Some(secs) => VerificationTime::from_unix_seconds(secs),
            None => return Outcome::Failure(format!("unparsable validation_time {t:?}")),
        },
        // The harness is the edge: "null" means now, so the clock is read here, not in the
        // validator.
        None => VerificationTime::from_unix_seconds(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        ),
    };
    let parse_all = |key: &str| -> Vec<Certificate> {
        strings(tc, key)
            .iter()
            .filter_map(|pem| match Certificate::from_pem_or_der(pem.as_bytes()) {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("{id}: ignoring unparsable {key} entry: {e}");
                    None
                }
            })
            .collect()
    };
    for pem in strings(tc, "crls") {
        match Crl::from_pem_or_der(pem.as_bytes()) {
            Ok(crl) => options.crls.push(crl),
            // A CRL we cannot read could revoke something: fail closed.
            Err(e) => return Outcome::Failure(format!("unparsable CRL: {e}")),
        }
    }
    let anchors = parse_all("trusted_certs");
    let intermediates = parse_all("untrusted_intermediates");
    let peer_pem = tc
        .get("peer_certificate")
        .and_then(Value::as_str)
        .unwrap_or("");
    let leaf = match Certificate::from_pem_or_der(peer_pem.as_bytes()) {
        Ok(c) => c,
        Err(e) => return Outcome::Failure(format!("peer certificate: {e}")),
    };
    match verify_path(&leaf, &intermediates, &anchors, time, &options) {
        Ok(_) => Outcome::Success,
        Err(e) => Outcome::Failure(e.to_string()),
    }
}

/// The kit's `validation_time` (RFC 3339, any offset) as Unix seconds.
fn parse_rfc3339(s: &str) -> Option<u64> {
    plugin_api::time::parse_rfc3339(s).and_then(|secs| u64::try_from(secs).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-01-01T00:00:00+00:00"),
            Some(1_704_067_200)
        );
        assert_eq!(
            parse_rfc3339("2024-03-01T00:00:00.999+00:00"),
            Some(1_709_251_200)
        );
        assert_eq!(
            parse_rfc3339("2024-01-01T01:00:00+01:00"),
            Some(1_704_067_200)
        );
        assert_eq!(parse_rfc3339("garbage"), None);
    }
}
