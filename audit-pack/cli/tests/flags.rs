//! Every flag of every `audit-pack` subcommand is used or refused (exit 2), never accepted and
//! ignored. The flags are read from each subcommand's `--help`, so a new flag without a probe
//! here fails `every_flag_is_used_or_refused`. A probe shows a flag is used by running the
//! same command with and without it (or with another value) and getting the two different,
//! expected results.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

const SUBCOMMANDS: [&str; 8] = [
    "build",
    "keygen",
    "sign-manifest",
    "verify",
    "prove",
    "verify-proof",
    "report",
    "man",
];
const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ev(name: &str) -> OsString {
    repo().join("fixtures/evidence").join(name).into_os_string()
}

fn x509(name: &str) -> OsString {
    repo().join("fixtures/x509/gen").join(name).into_os_string()
}

fn cosign(name: &str) -> OsString {
    repo().join("fixtures/cosign").join(name).into_os_string()
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn run(args: &[OsString]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audit-pack"))
        .env_remove("SOURCE_DATE_EPOCH")
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The long flags listed by `audit-pack SUB --help` (without `--help`).
fn help_flags(sub: &str) -> BTreeSet<String> {
    let out = run(&os(&[sub, "--help"]));
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| {
            l.split([' ', ','])
                .find(|w| w.starts_with("--"))
                .map(str::to_owned)
        })
        .filter(|f| f != "--help")
        .collect()
}

/// Flags shown to be used (or refused), by subcommand.
static COVERED: Mutex<BTreeMap<String, BTreeSet<String>>> = Mutex::new(BTreeMap::new());

fn covered(sub: &str, flag: &str) {
    COVERED
        .lock()
        .unwrap()
        .entry(sub.to_owned())
        .or_default()
        .insert(flag.to_owned());
}

/// Runs `sub` with `without` and with `with`, expects the exit codes `codes` (without,
/// with), and records `flag` of `sub` as used.
fn differs(sub: &str, flag: &str, without: &[OsString], with: &[OsString], codes: (i32, i32)) {
    let mut a = os(&[sub]);
    a.extend_from_slice(without);
    let mut b = os(&[sub]);
    b.extend_from_slice(with);
    let (oa, ob) = (run(&a), run(&b));
    assert_eq!(
        (oa.status.code(), ob.status.code()),
        (Some(codes.0), Some(codes.1)),
        "{sub} {flag}:\n without {without:?}: {}\n with {with:?}: {}",
        text(&oa),
        text(&ob)
    );
    covered(sub, flag);
}

/// As [`differs`] for flags whose effect is on the output, not the exit code: both runs
/// exit 0 and `check(without, with)` holds.
fn output_differs(
    sub: &str,
    flag: &str,
    without: &[OsString],
    with: &[OsString],
    check: impl Fn(&Output, &Output) -> bool,
) {
    let mut a = os(&[sub]);
    a.extend_from_slice(without);
    let mut b = os(&[sub]);
    b.extend_from_slice(with);
    let (oa, ob) = (run(&a), run(&b));
    assert!(
        oa.status.success() && ob.status.success() && check(&oa, &ob),
        "{sub} {flag}:\n without: {}\n with: {}",
        text(&oa),
        text(&ob)
    );
    covered(sub, flag);
}

fn cat(parts: &[&[OsString]]) -> Vec<OsString> {
    parts.concat()
}

/// Builds an X.509-signed pack (RSA leaf under the fixtures' intermediate) and a pack with
/// a CMS manifest pair, in `dir`, with the binary; returns their paths.
fn build_fixtures(dir: &Path) -> (PathBuf, PathBuf) {
    let x_out = dir.join("x509");
    let built = run(&cat(&[
        &os(&[
            "build",
            "--org",
            "acme",
            "--date",
            "2026-11-23",
            "--evidence",
        ]),
        &[ev("acme"), "--controls".into(), ev("control-map.csv")],
        &[
            "--signer-cert".into(),
            x509("leaf-rsa.pem"),
            "--signer-key".into(),
            x509("leaf-rsa.key"),
            "--signer-chain".into(),
            x509("inter.pem"),
        ],
        &["--manifest-key".into(), ev("keys/acme-release.pub")],
        &["--out".into(), x_out.clone().into_os_string()],
    ]));
    assert!(built.status.success(), "{}", text(&built));

    let cms_ev = dir.join("cms-evidence");
    copy_tree(&repo().join("fixtures/evidence/acme"), &cms_ev);
    std::fs::copy(
        x509("manifest.json"),
        cms_ev.join("releases/demo.manifest.json"),
    )
    .unwrap();
    std::fs::copy(
        x509("manifest.cms.der"),
        cms_ev.join("releases/demo.manifest.json.p7s"),
    )
    .unwrap();
    let map = dir.join("cms-control-map.csv");
    std::fs::copy(repo().join("fixtures/evidence/control-map.csv"), &map).unwrap();
    let c_out = dir.join("cms");
    let built = run(&cat(&[
        &os(&[
            "build",
            "--org",
            "acme",
            "--date",
            "2026-11-23",
            "--evidence",
        ]),
        &[cms_ev.into_os_string(), "--controls".into(), map.into()],
        &["--key".into(), ev("keys/acme-audit-pack.key")],
        &["--manifest-key".into(), ev("keys/acme-release.pub")],
        &["--manifest-trust-root".into(), x509("root.pem")],
        &["--out".into(), c_out.clone().into_os_string()],
    ]));
    assert!(built.status.success(), "{}", text(&built));
    (
        x_out.join("audit-pack-acme-2026-11-23.tgz"),
        c_out.join("audit-pack-acme-2026-11-23.tgz"),
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The trust flags shared by `verify`, `prove` and `report` (one definition, `TrustArgs`),
/// probed on each of them: `extra` makes the command complete (`--artifact` for `prove`,
/// `--format` for `report`).
fn probe_pack_trust(sub: &str, extra: &[OsString], x_pack: &Path, cms_pack: &Path) {
    let sample = ev("audit-pack-acme-2026-11-23.tgz");
    let key = [OsString::from("--key"), ev("keys/acme-audit-pack.pub")];
    let mkey = [
        OsString::from("--manifest-key"),
        ev("keys/acme-release.pub"),
    ];
    let with_extra = |args: &[&[OsString]]| {
        let mut v = args.concat();
        v.extend_from_slice(extra);
        v
    };
    let s = [sample.clone()];
    // --key: the pack key, or another.
    differs(
        sub,
        "--key",
        &with_extra(&[&s, &key, &mkey]),
        &with_extra(&[&s, &["--key".into(), ev("keys/acme-release.pub")], &mkey]),
        (0, 1),
    );
    // --manifest-key: the release key re-verifies the manifest; without it, not re-verified.
    differs(
        sub,
        "--manifest-key",
        &with_extra(&[&s, &key]),
        &with_extra(&[&s, &key, &mkey]),
        (1, 0),
    );
    // --log-key: the logged pack needs it; the sample pack has no receipt for it.
    let logged = [ev("logged/audit-pack-acme-2026-11-23.tgz")];
    differs(
        sub,
        "--log-key",
        &with_extra(&[&logged, &key, &mkey]),
        &with_extra(&[
            &logged,
            &key,
            &mkey,
            &["--log-key".into(), ev("logged/log.pub")],
        ]),
        (1, 0),
    );
    // X.509 index trust.
    let x = [x_pack.as_os_str().to_owned()];
    let root = [OsString::from("--trust-root"), x509("root.pem")];
    let june = os(&["--at", "2026-06-01T00:00:00Z"]);
    let crls = [
        OsString::from("--crl"),
        x509("inter.crl.pem"),
        "--crl".into(),
        x509("root.crl.pem"),
    ];
    let require = os(&["--require-crl"]);
    differs(
        sub,
        "--trust-root",
        &with_extra(&[&x, &["--trust-root".into(), x509("other-root.pem")], &mkey]),
        &with_extra(&[&x, &root, &mkey]),
        (1, 0),
    );
    differs(
        sub,
        "--require-crl",
        &with_extra(&[&x, &root, &june, &mkey]),
        &with_extra(&[&x, &root, &june, &require, &mkey]),
        (0, 1),
    );
    differs(
        sub,
        "--crl",
        &with_extra(&[&x, &root, &june, &require, &mkey]),
        &with_extra(&[&x, &root, &june, &require, &crls, &mkey]),
        (1, 0),
    );
    // At the pack date the CRLs are past their nextUpdate; at --at they are current.
    differs(
        sub,
        "--at",
        &with_extra(&[&x, &root, &require, &crls, &mkey]),
        &with_extra(&[&x, &root, &june, &require, &crls, &mkey]),
        (1, 0),
    );
    // CMS manifest pairs need the verifier's roots.
    let c = [cms_pack.as_os_str().to_owned()];
    differs(
        sub,
        "--manifest-trust-root",
        &with_extra(&[&c, &key, &mkey]),
        &with_extra(&[
            &c,
            &key,
            &mkey,
            &["--manifest-trust-root".into(), x509("root.pem")],
        ]),
        (1, 0),
    );
    // Sigstore manifest pairs need the verifier's trusted root and signer.
    let sig = [ev("sigstore/audit-pack-acme-2026-11-23.tgz")];
    let root_flag = [
        OsString::from("--manifest-sigstore-trusted-root"),
        cosign("trusted_root.json"),
    ];
    let id = os(&["--manifest-identity", SAN]);
    let iss = os(&["--manifest-issuer", ISSUER]);
    differs(
        sub,
        "--manifest-sigstore-trusted-root",
        &with_extra(&[&sig, &key]),
        &with_extra(&[&sig, &key, &root_flag, &id, &iss]),
        (1, 0),
    );
    differs(
        sub,
        "--manifest-identity",
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &os(&["--manifest-identity", "https://example.com/other"]),
            &iss,
        ]),
        &with_extra(&[&sig, &key, &root_flag, &id, &iss]),
        (1, 0),
    );
    differs(
        sub,
        "--manifest-issuer",
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &id,
            &os(&["--manifest-issuer", "https://example.com"]),
        ]),
        &with_extra(&[&sig, &key, &root_flag, &id, &iss]),
        (1, 0),
    );
    differs(
        sub,
        "--manifest-identity-regexp",
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &os(&[
                "--manifest-identity-regexp",
                "https://github\\.com/other/.*",
            ]),
            &iss,
        ]),
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &os(&[
                "--manifest-identity-regexp",
                "https://github\\.com/acme/app/.*",
            ]),
            &iss,
        ]),
        (1, 0),
    );
    differs(
        sub,
        "--manifest-issuer-regexp",
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &id,
            &os(&["--manifest-issuer-regexp", "https://example\\.com"]),
        ]),
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &id,
            &os(&["--manifest-issuer-regexp", "https://token\\.actions\\..*"]),
        ]),
        (1, 0),
    );
    // A key instead of an identity: the keyless bundle is not by that key.
    differs(
        sub,
        "--manifest-sigstore-key",
        &with_extra(&[&sig, &key, &root_flag, &id, &iss]),
        &with_extra(&[
            &sig,
            &key,
            &root_flag,
            &["--manifest-sigstore-key".into(), cosign("key.pub")],
        ]),
        (0, 1),
    );
}

#[test]
fn every_flag_is_used_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (x_pack, cms_pack) = build_fixtures(dir.path());
    let sample = ev("audit-pack-acme-2026-11-23.tgz");
    let key = [OsString::from("--key"), ev("keys/acme-audit-pack.pub")];
    let mkey = [
        OsString::from("--manifest-key"),
        ev("keys/acme-release.pub"),
    ];
    let s = [sample.clone()];

    // verify
    probe_pack_trust("verify", &[], &x_pack, &cms_pack);
    output_differs(
        "verify",
        "--json",
        &cat(&[&s, &key, &mkey]),
        &cat(&[&s, &key, &mkey, &os(&["--json"])]),
        |a, b| {
            serde_json::from_slice::<serde_json::Value>(&a.stdout).is_err()
                && serde_json::from_slice::<serde_json::Value>(&b.stdout).is_ok()
        },
    );
    let spot_lines = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("spot check: "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    for flag in ["--spot-check", "--seed"] {
        output_differs(
            "verify",
            flag,
            &cat(&[&s, &key, &mkey, &os(&["--spot-check", "2", "--seed", "7"])]),
            &cat(&[
                &s,
                &key,
                &mkey,
                &os(if flag == "--seed" {
                    &["--spot-check", "2", "--seed", "8"]
                } else {
                    &["--spot-check", "3", "--seed", "7"]
                }),
            ]),
            |a, b| spot_lines(a).len() == 2 && spot_lines(a) != spot_lines(b),
        );
    }

    output_differs(
        "verify",
        "--control",
        &cat(&[&s, &key, &mkey]),
        &cat(&[&s, &key, &mkey, &os(&["--control", "CC8.1"])]),
        |a, b| {
            spot_lines(a).is_empty()
                && spot_lines(b) == ["spot check: control CC8.1 (SOC 2, line 4)".to_owned()]
        },
    );

    // prove
    let proof_out = dir.path().join("p.json");
    let prove_extra = cat(&[
        &os(&["--artifact", "control-map.csv", "--out"]),
        &[proof_out.clone().into_os_string()],
    ]);
    probe_pack_trust("prove", &prove_extra, &x_pack, &cms_pack);
    differs(
        "prove",
        "--artifact",
        &cat(&[&s, &key, &mkey, &os(&["--artifact", "nope.csv"])]),
        &cat(&[&s, &key, &mkey, &os(&["--artifact", "control-map.csv"])]),
        (2, 0),
    );
    output_differs(
        "prove",
        "--out",
        &cat(&[&s, &key, &mkey, &os(&["--artifact", "control-map.csv"])]),
        &cat(&[&s, &key, &mkey, &prove_extra]),
        |a, b| {
            a.stdout.starts_with(b"proof of ")
                && String::from_utf8_lossy(&b.stdout).trim() == proof_out.display().to_string()
        },
    );
    // Without --out: a summary as text; with --json, the proof file itself.
    output_differs(
        "prove",
        "--json",
        &cat(&[&s, &key, &mkey, &os(&["--artifact", "control-map.csv"])]),
        &cat(&[
            &s,
            &key,
            &mkey,
            &os(&["--artifact", "control-map.csv", "--json"]),
        ]),
        |a, b| a.stdout.starts_with(b"proof of ") && b.stdout.starts_with(b"{"),
    );

    // report
    let report_extra = os(&["--format", "json"]);
    probe_pack_trust("report", &report_extra, &x_pack, &cms_pack);
    output_differs(
        "report",
        "--format",
        &cat(&[&s, &key, &mkey, &os(&["--format", "json"])]),
        &cat(&[&s, &key, &mkey, &os(&["--format", "csv"])]),
        |a, b| a.stdout.starts_with(b"{") && b.stdout.starts_with(b"framework,"),
    );
    let report_out = dir.path().join("r.csv");
    output_differs(
        "report",
        "--out",
        &cat(&[&s, &key, &mkey, &os(&["--format", "csv"])]),
        &cat(&[
            &s,
            &key,
            &mkey,
            &os(&["--format", "csv", "--out"]),
            &[report_out.clone().into_os_string()],
        ]),
        |a, _| std::fs::read(&report_out).unwrap() == a.stdout,
    );
    let report_dir = dir.path().join("reports");
    output_differs(
        "report",
        "--out-dir",
        &cat(&[&s, &key, &mkey, &os(&["--format", "csv"])]),
        &cat(&[
            &s,
            &key,
            &mkey,
            &os(&["--format", "csv", "--out-dir"]),
            &[report_dir.clone().into_os_string()],
        ]),
        |a, _| {
            std::fs::read(report_dir.join("audit-pack-acme-2026-11-23.report.csv")).unwrap()
                == a.stdout
        },
    );

    // verify-proof: the index trust flags are used; the others are refused (below).
    let proof = [ev("proofs/payments-api-1.4.0.manifest.json.proof.json")];
    differs(
        "verify-proof",
        "--key",
        &cat(&[&proof, &["--key".into(), ev("keys/acme-release.pub")]]),
        &cat(&[&proof, &key]),
        (1, 0),
    );
    output_differs(
        "verify-proof",
        "--json",
        &cat(&[&proof, &key]),
        &cat(&[&proof, &key, &os(&["--json"])]),
        |a, b| {
            serde_json::from_slice::<serde_json::Value>(&a.stdout).is_err()
                && serde_json::from_slice::<serde_json::Value>(&b.stdout).is_ok()
        },
    );
    let x_proof = dir.path().join("x-proof.json");
    let made = run(&cat(&[
        &os(&["prove"]),
        &[x_pack.clone().into_os_string()],
        &["--trust-root".into(), x509("root.pem")],
        &mkey,
        &os(&["--artifact", "control-map.csv", "--out"]),
        &[x_proof.clone().into_os_string()],
    ]));
    assert!(made.status.success(), "{}", text(&made));
    let xp = [x_proof.into_os_string()];
    let root = [OsString::from("--trust-root"), x509("root.pem")];
    let june = os(&["--at", "2026-06-01T00:00:00Z"]);
    let crls = [
        OsString::from("--crl"),
        x509("inter.crl.pem"),
        "--crl".into(),
        x509("root.crl.pem"),
    ];
    let require = os(&["--require-crl"]);
    differs(
        "verify-proof",
        "--trust-root",
        &cat(&[&xp, &["--trust-root".into(), x509("other-root.pem")]]),
        &cat(&[&xp, &root]),
        (1, 0),
    );
    differs(
        "verify-proof",
        "--require-crl",
        &cat(&[&xp, &root, &june]),
        &cat(&[&xp, &root, &june, &require]),
        (0, 1),
    );
    differs(
        "verify-proof",
        "--crl",
        &cat(&[&xp, &root, &june, &require]),
        &cat(&[&xp, &root, &june, &require, &crls]),
        (1, 0),
    );
    differs(
        "verify-proof",
        "--at",
        &cat(&[&xp, &root, &require, &crls]),
        &cat(&[&xp, &root, &june, &require, &crls]),
        (1, 0),
    );
    // Every other trust flag `verify` takes is refused by verify-proof, with a message that
    // names it (exit 2): a proof holds no receipt and no manifest.
    let proof_flags = help_flags("verify-proof");
    for flag in help_flags("verify").difference(&proof_flags) {
        if ["--json", "--spot-check", "--seed", "--control"].contains(&flag.as_str()) {
            continue;
        }
        let out = run(&cat(&[
            &os(&["verify-proof"]),
            &proof,
            &key,
            &os(&[flag.as_str(), "x"]),
        ]));
        assert_eq!(
            out.status.code(),
            Some(2),
            "verify-proof {flag}: {}",
            text(&out)
        );
        assert!(
            text(&out).contains(&format!("{flag} is not accepted by verify-proof")),
            "verify-proof {flag}: {}",
            text(&out)
        );
        covered("verify-proof (refused)", flag);
    }

    probe_build(dir.path());
    probe_keygen(dir.path());
    // man: the page on stdout, or one file per command in --out-dir (their paths printed).
    let man_dir = dir.path().join("man");
    output_differs(
        "man",
        "--out-dir",
        &[],
        &[
            OsString::from("--out-dir"),
            man_dir.clone().into_os_string(),
        ],
        |a, b| {
            a.stdout.starts_with(b".ie")
                && man_dir.join("audit-pack.1").exists()
                && man_dir.join("audit-pack-verify.1").exists()
                && String::from_utf8_lossy(&b.stdout).contains("audit-pack-build.1")
        },
    );

    // sign-manifest: the key names the signer; the manifest decides the file written.
    let sign_dir = dir.path().join("sign-manifest");
    std::fs::create_dir_all(&sign_dir).unwrap();
    for m in ["a", "b"] {
        std::fs::write(sign_dir.join(format!("{m}.manifest.json")), b"{}\n").unwrap();
    }
    let other_key = dir.path().join("sign-keys");
    let out = run(&cat(&[
        &os(&["keygen", "--name", "other", "--out"]),
        &[other_key.clone().into_os_string()],
    ]));
    assert!(out.status.success());
    let manifest = |m: &str| sign_dir.join(format!("{m}.manifest.json")).into_os_string();
    output_differs(
        "sign-manifest",
        "--key",
        &[
            OsString::from("--key"),
            ev("keys/acme-audit-pack.key"),
            manifest("a"),
        ],
        &[
            OsString::from("--key"),
            other_key.join("other.key").into_os_string(),
            manifest("b"),
        ],
        |a, b| {
            String::from_utf8_lossy(&a.stdout).contains("signed by acme-audit-pack")
                && String::from_utf8_lossy(&b.stdout).contains("signed by other")
        },
    );

    // sign-manifest with a certificate: --signer-cert and --signer-key choose the CMS form
    // (a .p7s instead of a .sig), --signer-chain embeds the intermediate (a larger file).
    let cms_dir = dir.path().join("sign-manifest-cms");
    std::fs::create_dir_all(&cms_dir).unwrap();
    for m in ["c", "d"] {
        std::fs::write(cms_dir.join(format!("{m}.manifest.json")), b"{}\n").unwrap();
    }
    let cms_manifest = |m: &str| cms_dir.join(format!("{m}.manifest.json")).into_os_string();
    let signer = [
        OsString::from("--signer-cert"),
        x509("leaf-rsa.pem"),
        OsString::from("--signer-key"),
        x509("leaf-rsa.key"),
    ];
    for flag in ["--signer-cert", "--signer-key"] {
        let m = if flag == "--signer-cert" { "c" } else { "d" };
        let (a, b) = (
            format!("{m}-a.manifest.json"),
            format!("{m}-b.manifest.json"),
        );
        std::fs::write(cms_dir.join(&a), b"{}\n").unwrap();
        std::fs::write(cms_dir.join(&b), b"{}\n").unwrap();
        output_differs(
            "sign-manifest",
            flag,
            &[
                OsString::from("--key"),
                ev("keys/acme-audit-pack.key"),
                cms_dir.join(&a).into_os_string(),
            ],
            &cat(&[&signer, &[cms_dir.join(&b).into_os_string()]]),
            |_, _| {
                cms_dir.join(format!("{a}.sig")).exists()
                    && cms_dir.join(format!("{b}.p7s")).exists()
            },
        );
    }
    output_differs(
        "sign-manifest",
        "--signer-chain",
        &cat(&[&signer, &[cms_manifest("c")]]),
        &cat(&[
            &signer,
            &[
                OsString::from("--signer-chain"),
                x509("inter.pem"),
                cms_manifest("d"),
            ],
        ]),
        |_, _| {
            let size = |m: &str| {
                std::fs::metadata(cms_dir.join(format!("{m}.manifest.json.p7s")))
                    .unwrap()
                    .len()
            };
            size("d") > size("c")
        },
    );

    let covered = COVERED.lock().unwrap().clone();
    for sub in SUBCOMMANDS {
        let flags = help_flags(sub);
        assert!(!flags.is_empty(), "{sub}: no flags read from --help");
        let done = covered.get(sub).cloned().unwrap_or_default();
        let missing: Vec<&String> = flags.difference(&done).collect();
        assert!(
            missing.is_empty(),
            "audit-pack {sub}: no probe shows these flags are used: {missing:?}"
        );
    }
    // The refused flags of verify-proof are the log and manifest trust flags.
    let refused = covered.get("verify-proof (refused)").cloned().unwrap();
    assert!(refused.contains("--log-key") && refused.contains("--manifest-key"));
    assert_eq!(refused.len(), 9, "{refused:?}");
}

fn probe_build(dir: &Path) {
    let base = |out: &Path| {
        cat(&[
            &os(&["--org", "acme", "--date", "2026-11-23", "--evidence"]),
            &[ev("acme"), "--controls".into(), ev("control-map.csv")],
            &["--out".into(), out.as_os_str().to_owned()],
        ])
    };
    let key = [OsString::from("--key"), ev("keys/acme-audit-pack.key")];
    let mkey = [
        OsString::from("--manifest-key"),
        ev("keys/acme-release.pub"),
    ];
    let n = std::cell::Cell::new(0);
    let fresh = || {
        n.set(n.get() + 1);
        let d = dir.join(format!("build-{}", n.get()));
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let pack_in = |d: &Path| d.join("audit-pack-acme-2026-11-23.tgz");

    // --manifest-key: without it the manifest is not verified and the build fails (exit 1).
    differs(
        "build",
        "--manifest-key",
        &cat(&[&base(&fresh()), &key]),
        &cat(&[&base(&fresh()), &key, &mkey]),
        (1, 0),
    );
    differs(
        "build",
        "--allow-unverified-manifests",
        &cat(&[&base(&fresh()), &key]),
        &cat(&[
            &base(&fresh()),
            &key,
            &os(&["--allow-unverified-manifests"]),
        ]),
        (1, 0),
    );
    // --strict: the sample's periods that end after the pack date warn, and fail with it.
    differs(
        "build",
        "--strict",
        &cat(&[&base(&fresh()), &key, &mkey]),
        &cat(&[&base(&fresh()), &key, &mkey, &os(&["--strict"])]),
        (0, 2),
    );
    // --kinds: a rule that makes the access review an SLO breach fails the build (it is no
    // JSON document), where the suffix rules alone make it `other`.
    let kinds = dir.join("kinds.txt");
    std::fs::write(&kinds, "access/*.csv slo-breach\n").unwrap();
    differs(
        "build",
        "--kinds",
        &cat(&[&base(&fresh()), &key, &mkey]),
        &cat(&[
            &base(&fresh()),
            &key,
            &mkey,
            &["--kinds".into(), kinds.into_os_string()],
        ]),
        (0, 2),
    );
    // --org, --date, --out: the pack's name and place.
    let (a, b) = (fresh(), fresh());
    output_differs(
        "build",
        "--date",
        &cat(&[&base(&a), &key, &mkey]),
        &cat(&[
            &os(&["--org", "acme", "--date", "2026-11-24", "--evidence"]),
            &[ev("acme"), "--controls".into(), ev("control-map.csv")],
            &["--out".into(), b.clone().into_os_string()],
            &key,
            &mkey,
        ]),
        |_, _| pack_in(&a).exists() && b.join("audit-pack-acme-2026-11-24.tgz").exists(),
    );
    let c = fresh();
    output_differs(
        "build",
        "--org",
        &cat(&[&base(&fresh()), &key, &mkey]),
        &cat(&[
            &os(&["--org", "acme-eu", "--date", "2026-11-23", "--evidence"]),
            &[ev("acme"), "--controls".into(), ev("control-map.csv")],
            &["--out".into(), c.clone().into_os_string()],
            &key,
            &mkey,
        ]),
        |_, _| c.join("audit-pack-acme-eu-2026-11-23.tgz").exists(),
    );
    let d = fresh();
    output_differs(
        "build",
        "--out",
        &cat(&[&base(&fresh()), &key, &mkey]),
        &cat(&[&base(&d), &key, &mkey]),
        |_, b| String::from_utf8_lossy(&b.stdout).starts_with(&pack_in(&d).display().to_string()),
    );
    output_differs(
        "build",
        "--json",
        &cat(&[&base(&fresh()), &key, &mkey]),
        &cat(&[&base(&fresh()), &key, &mkey, &os(&["--json"])]),
        |a, b| {
            serde_json::from_slice::<serde_json::Value>(&a.stdout).is_err()
                && serde_json::from_slice::<serde_json::Value>(&b.stdout)
                    .is_ok_and(|v| v["file"] == "audit-pack-acme-2026-11-23.tgz")
        },
    );
    // Inputs: another evidence folder, control map or key gives another result.
    differs(
        "build",
        "--evidence",
        &cat(&[
            &os(&["--org", "acme", "--date", "2026-11-23", "--evidence"]),
            &[dir.join("no-such-folder").into_os_string()],
            &["--controls".into(), ev("control-map.csv")],
            &["--out".into(), fresh().into_os_string()],
            &key,
            &mkey,
        ]),
        &cat(&[&base(&fresh()), &key, &mkey]),
        (2, 0),
    );
    differs(
        "build",
        "--controls",
        &cat(&[
            &os(&["--org", "acme", "--date", "2026-11-23", "--evidence"]),
            &[ev("acme"), "--controls".into(), ev("keys/acme-release.pub")],
            &["--out".into(), fresh().into_os_string()],
            &key,
            &mkey,
        ]),
        &cat(&[&base(&fresh()), &key, &mkey]),
        (2, 0),
    );
    let (k1, k2) = (fresh(), fresh());
    let other_key = dir.join("other.key");
    std::fs::write(
        &other_key,
        audit_pack::SigningKey::from_seed("acme-audit-pack", [5; 32])
            .unwrap()
            .to_private_key_file()
            .unwrap(),
    )
    .unwrap();
    output_differs(
        "build",
        "--key",
        &cat(&[&base(&k1), &key, &mkey]),
        &cat(&[
            &base(&k2),
            &["--key".into(), other_key.into_os_string()],
            &mkey,
        ]),
        |_, _| std::fs::read(pack_in(&k1)).unwrap() != std::fs::read(pack_in(&k2)).unwrap(),
    );
    // The X.509 signer: the certificate, its key and the chain stored with it.
    let signer = |cert: &str, key: &str| {
        [
            OsString::from("--signer-cert"),
            x509(cert),
            "--signer-key".into(),
            x509(key),
        ]
    };
    let chain = [OsString::from("--signer-chain"), x509("inter.pem")];
    let verify_x = |d: &Path| {
        run(&cat(&[
            &os(&["verify"]),
            &[pack_in(d).into_os_string()],
            &["--trust-root".into(), x509("root.pem")],
            &["--manifest-key".into(), ev("keys/acme-release.pub")],
        ]))
        .status
        .code()
    };
    let (x1, x2) = (fresh(), fresh());
    output_differs(
        "build",
        "--signer-chain",
        &cat(&[&base(&x1), &signer("leaf-rsa.pem", "leaf-rsa.key"), &mkey]),
        &cat(&[
            &base(&x2),
            &signer("leaf-rsa.pem", "leaf-rsa.key"),
            &chain,
            &mkey,
        ]),
        // Without the intermediate the leaf does not chain to the root.
        |_, _| verify_x(&x1) == Some(1) && verify_x(&x2) == Some(0),
    );
    differs(
        "build",
        "--signer-cert",
        &cat(&[
            &base(&fresh()),
            &signer("leaf.pem", "leaf-rsa.key"),
            &chain,
            &mkey,
        ]),
        &cat(&[
            &base(&fresh()),
            &signer("leaf-rsa.pem", "leaf-rsa.key"),
            &chain,
            &mkey,
        ]),
        (2, 0),
    );
    differs(
        "build",
        "--signer-key",
        &cat(&[
            &base(&fresh()),
            &signer("leaf-rsa.pem", "leaf.key"),
            &chain,
            &mkey,
        ]),
        &cat(&[
            &base(&fresh()),
            &signer("leaf-rsa.pem", "leaf-rsa.key"),
            &chain,
            &mkey,
        ]),
        (2, 0),
    );
    // A log: the pack carries a receipt that verifies with the log's key.
    let log_dir = dir.join("log");
    let log_signer = merkle::note::Signer::from_seed("example.com/flags", [0x4c; 32]).unwrap();
    tlog::init_log(&log_dir, &log_signer).unwrap();
    let log_key = dir.join("log.key");
    std::fs::write(
        &log_key,
        merkle::note::private_key_string("example.com/flags", &[0x4c; 32]).unwrap(),
    )
    .unwrap();
    let log_vkey = log_signer.verifier_key();
    let verify_logged = |d: &Path| {
        run(&cat(&[
            &os(&["verify"]),
            &[pack_in(d).into_os_string()],
            &["--key".into(), ev("keys/acme-audit-pack.pub")],
            &mkey,
            &os(&["--log-key", &log_vkey]),
        ]))
        .status
        .code()
    };
    let (l1, l2) = (fresh(), fresh());
    let log_flags = [
        OsString::from("--log-dir"),
        log_dir.into_os_string(),
        "--log-key".into(),
        log_key.into_os_string(),
    ];
    for flag in ["--log-dir", "--log-key"] {
        let (a, b) = if flag == "--log-dir" {
            (l1.clone(), l2.clone())
        } else {
            (fresh(), fresh())
        };
        output_differs(
            "build",
            flag,
            &cat(&[&base(&a), &key, &mkey]),
            &cat(&[&base(&b), &key, &mkey, &log_flags]),
            |_, _| verify_logged(&a) == Some(1) && verify_logged(&b) == Some(0),
        );
    }
    // CMS manifest pairs: the roots given at build.
    let cms_ev = dir.join("build-cms-evidence");
    copy_tree(&repo().join("fixtures/evidence/acme"), &cms_ev);
    std::fs::copy(
        x509("manifest.json"),
        cms_ev.join("releases/demo.manifest.json"),
    )
    .unwrap();
    std::fs::copy(
        x509("manifest.cms.der"),
        cms_ev.join("releases/demo.manifest.json.p7s"),
    )
    .unwrap();
    let cms_base = |out: &Path| {
        cat(&[
            &os(&["--org", "acme", "--date", "2026-11-23", "--evidence"]),
            &[cms_ev.clone().into_os_string()],
            &["--controls".into(), ev("control-map.csv")],
            &["--out".into(), out.as_os_str().to_owned()],
        ])
    };
    differs(
        "build",
        "--manifest-trust-root",
        &cat(&[&cms_base(&fresh()), &key, &mkey]),
        &cat(&[
            &cms_base(&fresh()),
            &key,
            &mkey,
            &["--manifest-trust-root".into(), x509("root.pem")],
        ]),
        (1, 0),
    );
    // Sigstore manifest pairs: the trusted root and signer given at build.
    let sig_base = |out: &Path| {
        cat(&[
            &os(&["--org", "acme", "--date", "2026-11-23", "--evidence"]),
            &[ev("sigstore/evidence")],
            &["--controls".into(), ev("sigstore/control-map.csv")],
            &["--out".into(), out.as_os_str().to_owned()],
            &key,
        ])
    };
    let root_flag = [
        OsString::from("--manifest-sigstore-trusted-root"),
        cosign("trusted_root.json"),
    ];
    let id = os(&["--manifest-identity", SAN]);
    let iss = os(&["--manifest-issuer", ISSUER]);
    differs(
        "build",
        "--manifest-sigstore-trusted-root",
        &sig_base(&fresh()),
        &cat(&[&sig_base(&fresh()), &root_flag, &id, &iss]),
        (1, 0),
    );
    differs(
        "build",
        "--manifest-identity",
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &os(&["--manifest-identity", "https://example.com/other"]),
            &iss,
        ]),
        &cat(&[&sig_base(&fresh()), &root_flag, &id, &iss]),
        (1, 0),
    );
    differs(
        "build",
        "--manifest-issuer",
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &id,
            &os(&["--manifest-issuer", "https://example.com"]),
        ]),
        &cat(&[&sig_base(&fresh()), &root_flag, &id, &iss]),
        (1, 0),
    );
    differs(
        "build",
        "--manifest-identity-regexp",
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &os(&[
                "--manifest-identity-regexp",
                "https://github\\.com/other/.*",
            ]),
            &iss,
        ]),
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &os(&[
                "--manifest-identity-regexp",
                "https://github\\.com/acme/app/.*",
            ]),
            &iss,
        ]),
        (1, 0),
    );
    differs(
        "build",
        "--manifest-issuer-regexp",
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &id,
            &os(&["--manifest-issuer-regexp", "https://example\\.com"]),
        ]),
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &id,
            &os(&["--manifest-issuer-regexp", "https://token\\.actions\\..*"]),
        ]),
        (1, 0),
    );
    differs(
        "build",
        "--manifest-sigstore-key",
        &cat(&[&sig_base(&fresh()), &root_flag, &id, &iss]),
        &cat(&[
            &sig_base(&fresh()),
            &root_flag,
            &["--manifest-sigstore-key".into(), cosign("key.pub")],
        ]),
        (0, 1),
    );
}

fn probe_keygen(dir: &Path) {
    let out = dir.join("keygen");
    std::fs::create_dir_all(&out).unwrap();
    let other = dir.join("keygen-other");
    std::fs::create_dir_all(&other).unwrap();
    output_differs(
        "keygen",
        "--name",
        &cat(&[
            &os(&["--name", "one", "--out"]),
            &[out.clone().into_os_string()],
        ]),
        &cat(&[
            &os(&["--name", "two", "--out"]),
            &[out.clone().into_os_string()],
        ]),
        |_, _| out.join("one.pub").exists() && out.join("two.key").exists(),
    );
    output_differs(
        "keygen",
        "--out",
        &cat(&[
            &os(&["--name", "three", "--out"]),
            &[out.clone().into_os_string()],
        ]),
        &cat(&[
            &os(&["--name", "three", "--out"]),
            &[other.clone().into_os_string()],
        ]),
        |_, _| out.join("three.pub").exists() && other.join("three.pub").exists(),
    );
}
