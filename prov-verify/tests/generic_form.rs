//! Every golden case of a dedicated verify subcommand (`x509 verify`, `cosign verify-blob`,
//! `cosign verify-blob-attestation`, `log verify-receipt`, `merkle verify-checkpoint`,
//! `merkle verify-inclusion`, `merkle verify-consistency`, `audit-pack verify`, `nitro
//! verify`) that
//! ends in a verdict (exit 0 or 1) is run again through the generic form, `prov-verify verify
//! --plugin NAME ...`: the report (stdout) and the exit status must be byte-identical. Two
//! features of the dedicated commands have no generic form and are listed with the reason:
//! cosign batches (many verdicts and a batch summary from one command; a set is the generic
//! way), cosign's detached signature and certificate (the dedicated command makes them into
//! the bundle the generic form takes) and audit-pack spot checks (a seeded sample of the
//! verified pack). The test fails if
//! fewer than the expected number of cases were compared.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `args` array and `status.code` of a golden case (TOML basic strings are JSON strings).
fn read_case(path: &Path) -> Option<(Vec<String>, i32)> {
    let text = std::fs::read_to_string(path).unwrap();
    if text.contains("stdin") {
        return None;
    }
    let args = text.lines().find_map(|l| l.strip_prefix("args = "))?;
    let args: Vec<String> = serde_json::from_str(args).unwrap();
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("status.code = "))
        .map_or(0, |c| c.trim().parse().unwrap());
    Some((args, code))
}

/// Why a cosign case with a detached signature has no generic form: the dedicated command
/// turns `--signature`/`--certificate` into the bundle that the generic form takes.
const DETACHED: &str = "cosign's detached signature and certificate are made into a bundle by the dedicated command; the generic form takes the bundle";

const GLOBAL_WITH_VALUE: &[&str] = &["--cache-dir", "--log-format"];

/// Splits global flags (which stay) from the subcommand path and its arguments.
fn split(args: &[String]) -> (Vec<String>, Vec<String>) {
    let mut global = Vec::new();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if GLOBAL_WITH_VALUE.contains(&a.as_str()) {
            global.push(a.clone());
            global.push(args[i + 1].clone());
            i += 2;
            continue;
        }
        if [
            "--json",
            "--quiet",
            "-q",
            "-v",
            "-vv",
            "--verbose",
            "--offline",
        ]
        .contains(&a.as_str())
        {
            global.push(a.clone());
        } else {
            rest.push(a.clone());
        }
        i += 1;
    }
    (global, rest)
}

/// A literal verifier key written to a file (the generic form reads roots from files).
fn key_file(tmp: &Path, key: &str, n: &mut usize) -> String {
    if repo().join(key).is_file() {
        return key.to_owned();
    }
    *n += 1;
    let p = tmp.join(format!("key-{n}.vkey"));
    std::fs::write(&p, key).unwrap();
    p.display().to_string()
}

/// The generic form of a dedicated command, or why there is none.
fn translate(rest: &[String], tmp: &Path, n: &mut usize) -> Result<Vec<String>, String> {
    let sub: Vec<&str> = rest.iter().take(2).map(String::as_str).collect();
    let args = &rest[2.min(rest.len())..];
    let mut out = vec!["verify".to_owned()];
    let mut positional = Vec::new();
    let mut i = 0;
    let value = |i: usize| args.get(i + 1).cloned().unwrap();
    match sub.as_slice() {
        ["x509", "verify"] => {
            out.extend(["--plugin".into(), "x509".into()]);
            while i < args.len() {
                match args[i].as_str() {
                    f @ ("--log-receipt" | "--log-key") => out.extend([f.to_owned(), value(i)]),
                    "--chain" | "--cert" => out.extend(["--cert".into(), value(i)]),
                    "--format" => match value(i).as_str() {
                        "cms" => out.extend([
                            "--signature-type".into(),
                            "application/pkcs7-signature".into(),
                        ]),
                        "raw" => out
                            .extend(["--signature-type".into(), "application/octet-stream".into()]),
                        _ => {}
                    },
                    "--crl" => out.extend(["--crl".into(), value(i)]),
                    "--require-crl" => {
                        out.push("--require-crl".into());
                        i += 1;
                        continue;
                    }
                    f @ ("--manifest" | "--signature" | "--root" | "--at") => {
                        out.extend([f.to_owned(), value(i)])
                    }
                    other => return Err(format!("flag {other} not translated")),
                }
                i += 2;
            }
        }
        ["cosign", sub @ ("verify-blob" | "verify-blob-attestation")] => {
            out.extend(["--plugin".into(), "cosign".into()]);
            // cosign's default predicate type, as `verify-blob-attestation` applies it.
            if *sub == "verify-blob-attestation" && !args.iter().any(|a| a == "--type") {
                out.extend(["--type".into(), "custom".into()]);
            }
            while i < args.len() {
                match args[i].as_str() {
                    "--batch" => return Err("batches are a dedicated-command feature".into()),
                    f @ ("--log-receipt" | "--log-key") => out.extend([f.to_owned(), value(i)]),
                    "--use-embedded-root" => {
                        out.push("--use-embedded-root".into());
                        i += 1;
                        continue;
                    }
                    "--allow-expired-cache" => {
                        out.extend(["--insecure".into(), "allow-expired-cache".into()]);
                        i += 1;
                        continue;
                    }
                    "--insecure-skip-timestamp" => {
                        out.extend(["--insecure".into(), "skip-timestamp".into()]);
                        i += 1;
                        continue;
                    }
                    "--require-inclusion-proof" => {
                        out.push("--require-inclusion-proof".into());
                        i += 1;
                        continue;
                    }
                    "--insecure-ignore-tlog" => {
                        out.extend(["--insecure".into(), "skip-tlog".into()]);
                        i += 1;
                        continue;
                    }
                    "--insecure-ignore-sct" => {
                        out.extend(["--insecure".into(), "skip-sct".into()]);
                        i += 1;
                        continue;
                    }
                    "--signature" | "--certificate" | "--certificate-chain" => {
                        return Err(DETACHED.into())
                    }
                    "--bundle" => out.extend(["--signature".into(), value(i)]),
                    "--trusted-root" => {
                        out.extend([
                            "--root".into(),
                            format!("sigstore-trusted-root={}", value(i)),
                        ]);
                    }
                    "--key" => out.extend(["--root".into(), format!("public-key={}", value(i))]),
                    f @ ("--certificate-identity"
                    | "--certificate-identity-regexp"
                    | "--certificate-oidc-issuer"
                    | "--certificate-oidc-issuer-regexp"
                    | "--at"
                    | "--type"
                    | "--certificate-github-workflow-trigger"
                    | "--certificate-github-workflow-sha"
                    | "--certificate-github-workflow-name"
                    | "--certificate-github-workflow-repository"
                    | "--certificate-github-workflow-ref"
                    | "--builder-id"
                    | "--source-uri"
                    | "--source-tag"
                    | "--source-branch") => out.extend([f.to_owned(), value(i)]),
                    other if other.starts_with("--") => {
                        return Err(format!("flag {other} not translated"))
                    }
                    other => {
                        positional.push(other.to_owned());
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
            match positional.as_slice() {
                [a] if ["sha256:", "sha384:", "sha512:"]
                    .iter()
                    .any(|p| a.starts_with(p)) =>
                {
                    out.extend(["--digest".into(), a.clone()])
                }
                [a] => out.extend(["--manifest".into(), a.clone()]),
                _ => return Err("no single artifact".into()),
            }
        }
        ["log", "verify-receipt"] => {
            out.extend(["--plugin".into(), "tlog".into()]);
            while i < args.len() {
                match args[i].as_str() {
                    "--key" => out.extend([
                        "--root".into(),
                        format!("note-verifier-key={}", key_file(tmp, &value(i), n)),
                    ]),
                    other if other.starts_with("--") => {
                        return Err(format!("flag {other} not translated"))
                    }
                    other => {
                        out.extend(["--manifest".into(), other.to_owned()]);
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
        }
        ["merkle", "verify-checkpoint"] => {
            out.extend(["--plugin".into(), "merkle".into()]);
            while i < args.len() {
                match args[i].as_str() {
                    "--key" => out.extend([
                        "--root".into(),
                        format!("note-verifier-key={}", key_file(tmp, &value(i), n)),
                    ]),
                    "--origin" => out.extend(["--certificate-identity".into(), value(i)]),
                    other if other.starts_with("--") => {
                        return Err(format!("flag {other} not translated"))
                    }
                    other => {
                        out.extend(["--manifest".into(), other.to_owned()]);
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
        }
        ["audit-pack", "verify"] => {
            out.extend(["--plugin".into(), "audit-pack".into()]);
            while i < args.len() {
                match args[i].as_str() {
                    "--key" => {
                        out.extend(["--root".into(), format!("note-verifier-key={}", value(i))])
                    }
                    "--manifest-key" => {
                        out.extend(["--root".into(), format!("manifest-signer-key={}", value(i))])
                    }
                    "--trust-root" => {
                        out.extend(["--root".into(), format!("x509-certificate={}", value(i))])
                    }
                    "--crl" => out.extend(["--crl".into(), value(i)]),
                    "--require-crl" => {
                        out.push("--require-crl".into());
                        i += 1;
                        continue;
                    }
                    "--log-key" => out.extend([
                        "--root".into(),
                        format!("log-key={}", key_file(tmp, &value(i), n)),
                    ]),
                    "--manifest-sigstore-trusted-root" => out.extend([
                        "--root".into(),
                        format!("sigstore-trusted-root={}", value(i)),
                    ]),
                    "--manifest-sigstore-key" => {
                        out.extend(["--root".into(), format!("public-key={}", value(i))])
                    }
                    f @ ("--manifest-identity"
                    | "--manifest-identity-regexp"
                    | "--manifest-issuer"
                    | "--manifest-issuer-regexp") => {
                        let flag = f
                            .replace("--manifest-identity", "--certificate-identity")
                            .replace("--manifest-issuer", "--certificate-oidc-issuer");
                        out.extend([flag, value(i)]);
                    }
                    other if other.starts_with("--") => {
                        return Err(format!(
                        "{other}: CMS manifest roots and spot checks are the dedicated command's"
                    ))
                    }
                    other => {
                        out.extend(["--manifest".into(), other.to_owned()]);
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
        }
        ["merkle", kind @ ("verify-inclusion" | "verify-consistency")] => {
            // The proof document is the subject and the trusted root a merkle-root trust
            // root: merge the proof file and the flags into one document, as the command does.
            let root_field = if *kind == "verify-inclusion" {
                "root"
            } else {
                "root1"
            };
            let mut doc = serde_json::Map::new();
            while i < args.len() {
                let flag = args[i].as_str();
                let v = value(i);
                match flag {
                    "--proof-file" => {
                        let text = std::fs::read_to_string(repo().join(&v)).unwrap();
                        let serde_json::Value::Object(m) = serde_json::from_str(&text).unwrap()
                        else {
                            return Err("proof file is not an object".into());
                        };
                        doc.extend(m);
                    }
                    "--leaf" => {
                        // The generic form is given the leaf hash, as `--leaf` computes it.
                        let f = std::fs::File::open(repo().join(&v)).unwrap();
                        let leaf = merkle::leaf_hash_reader(f).unwrap();
                        doc.insert("leaf_hash".into(), leaf.to_hex().into());
                    }
                    "--proof" => {
                        let nodes: Vec<serde_json::Value> = v
                            .split(',')
                            .filter(|h| !h.is_empty())
                            .map(|h| serde_json::Value::from(h.trim()))
                            .collect();
                        doc.insert("proof".into(), nodes.into());
                    }
                    f => {
                        let key = f.trim_start_matches("--").replace('-', "_");
                        let value = v
                            .parse::<u64>()
                            .map_or_else(|_| serde_json::Value::from(v.clone()), Into::into);
                        doc.insert(key, value);
                    }
                }
                i += 2;
            }
            let Some(serde_json::Value::String(root)) = doc.remove(root_field) else {
                return Err(format!("no {root_field}"));
            };
            *n += 1;
            let root_file = tmp.join(format!("root-{n}.hex"));
            std::fs::write(&root_file, root).unwrap();
            let doc_file = tmp.join(format!("proof-{n}.json"));
            std::fs::write(&doc_file, serde_json::to_vec(&doc).unwrap()).unwrap();
            out.extend([
                "--plugin".into(),
                "merkle".into(),
                "--manifest".into(),
                doc_file.display().to_string(),
                "--root".into(),
                format!("merkle-root={}", root_file.display()),
            ]);
        }
        ["nitro", "verify"] => {
            out.extend(["--plugin".into(), "nitro".into()]);
            while i < args.len() {
                match args[i].as_str() {
                    "--root" => {
                        out.extend(["--root".into(), format!("x509-certificate={}", value(i))])
                    }
                    "--allow-debug" => {
                        out.extend(["--insecure".into(), "allow-debug-enclave".into()]);
                        i += 1;
                        continue;
                    }
                    // The generic form reads any of the encodings (auto-detected).
                    "--format" => {}
                    f @ ("--pcr" | "--measurements" | "--nonce" | "--user-data"
                    | "--public-key" | "--max-age" | "--at") => {
                        out.extend([f.to_owned(), value(i)])
                    }
                    other if other.starts_with("--") => {
                        return Err(format!("flag {other} not translated"))
                    }
                    other => {
                        out.extend(["--manifest".into(), other.to_owned()]);
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
        }
        _ => return Err(String::new()),
    }
    Ok(out)
}

fn run(args: &[String]) -> (i32, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(args)
        .current_dir(repo())
        .env("XDG_CACHE_HOME", repo().join("target/golden-no-cache"))
        .env_remove("PROV_VERIFY_CACHE_DIR")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout)
}

/// `"verified_at":"..."` with its value replaced by `*`.
fn mask_time(out: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(out);
    let key = "\"verified_at\":\"";
    let mut masked = String::new();
    let mut rest = text.as_ref();
    while let Some(i) = rest.find(key) {
        let after = &rest[i + key.len()..];
        let end = after.find('"').unwrap_or(after.len());
        masked.push_str(&rest[..i + key.len()]);
        masked.push('*');
        rest = &after[end..];
    }
    masked.push_str(rest);
    masked.into_bytes()
}

#[test]
fn the_generic_form_gives_the_same_report_for_every_golden_verdict() {
    let tmp = std::env::temp_dir().join(format!("prov-verify-generic-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut n = 0;
    let mut compared = Vec::new();
    let mut skipped = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    for case in cases {
        let Some((args, code)) = read_case(&case) else {
            continue;
        };
        if code == 2 || args.iter().any(|a| a == "--help") {
            continue;
        }
        let (global, rest) = split(&args);
        let generic = match translate(&rest, &tmp, &mut n) {
            Ok(g) => g,
            Err(why) if why.is_empty() => continue,
            Err(why) => {
                skipped.push(format!("{}: {why}", case.display()));
                continue;
            }
        };
        let mut generic_args = global.clone();
        generic_args.extend(generic);
        let (c1, out1) = run(&args);
        let (c2, out2) = run(&generic_args);
        assert_eq!(c1, code, "{}: the dedicated form's status", case.display());
        // A case without --at is verified at the clock's time: the two runs may be a second
        // apart, so their `verified_at` is not compared (the golden case masks it too).
        let (out1, out2) = if args.iter().any(|a| a == "--at") {
            (out1, out2)
        } else {
            (mask_time(&out1), mask_time(&out2))
        };
        assert_eq!(
            (c2, String::from_utf8_lossy(&out2)),
            (c1, String::from_utf8_lossy(&out1)),
            "{}: generic form {generic_args:?}",
            case.display()
        );
        compared.push(case);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "{} golden verdicts compared; {} not translatable:\n  {}",
        compared.len(),
        skipped.len(),
        skipped.join("\n  ")
    );
    // Only the features listed at the top have no generic form; any other untranslated flag
    // is a gap in the generic form.
    for s in &skipped {
        assert!(
            s.ends_with("batches are a dedicated-command feature")
                || s.contains("spot check")
                || s.ends_with(DETACHED),
            "no generic form: {s}"
        );
    }
    assert!(
        compared.len() >= 119,
        "only {} golden verdicts compared",
        compared.len()
    );
}
