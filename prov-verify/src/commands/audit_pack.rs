//! `prov-verify audit-pack ...`: audit packs built by `audit-pack`: verify (optionally with a
//! reproducible spot check of control lines), and reports for auditors (JSON, CSV, PDF) made
//! only from a pack that verifies.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{make_proof, verify_proof_trusted, Limits, SpotCheckRequest, PLUGIN};
use audit_pack::{max_proof_size, proof_file_malformed};
use audit_pack::{LoadedTrust, TrustArgsError};
use audit_pack_cli::{ProofTrustArgs, TrustArgs};
use clap::{Subcommand, ValueEnum};
use plugin_api::{Report, VerificationTime};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum AuditPackCommand {
    /// Verify a pack (.tgz) with the public key of its index signer, or the pinned roots of
    /// its X.509 signer
    Verify {
        /// The pack (audit-pack-<org>-<date>.tgz)
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// Also follow N control lines, picked from --seed, to their evidence, its SHA-256,
        /// its Merkle inclusion proof against the signed root and the index signature
        #[arg(long, value_name = "N", requires = "seed")]
        spot_check: Option<usize>,
        /// Seed of the SplitMix64 generator that picks the spot-checked lines
        #[arg(long, value_name = "S", requires = "spot_check")]
        seed: Option<u64>,
        /// Spot-check every line of this control (its id in the control map) down to its
        /// evidence and inclusion proof; repeatable. A control with no line fails the check
        #[arg(long = "control", value_name = "ID", conflicts_with = "spot_check")]
        controls: Vec<String>,
    },
    /// Write the inclusion proof (JSON) of one artifact of a pack that verifies, checkable
    /// later without the pack by `verify-proof`; a pack that does not verify gets no proof
    Prove {
        /// The pack (audit-pack-<org>-<date>.tgz)
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// The artifact: its name in the evidence folder (or control-map.csv)
        #[arg(long, value_name = "NAME")]
        artifact: String,
        /// Output file (default: stdout)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify a proof file written by `prove`, without the pack, with the index signer's
    /// public key (or pinned roots); a proof holds no log receipt and no manifest, so the log
    /// and manifest trust flags of `verify` are refused here
    VerifyProof {
        /// The proof file (audit-pack-proof/1 JSON)
        proof: PathBuf,
        #[command(flatten)]
        trust: ProofTrustArgs,
    },
    /// Write a report (JSON, CSV or PDF) of a pack that verifies; a pack that does not
    /// verify gets no report (the failed verification is printed, exit 1)
    Report {
        /// The pack (audit-pack-<org>-<date>.tgz)
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// Report format; several, comma-separated, with --out-dir (`json,csv,pdf,oscal`)
        #[arg(long, value_enum, value_delimiter = ',', required = true)]
        format: Vec<Format>,
        /// Output file of one format (default: stdout; required for pdf)
        #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
        out: Option<PathBuf>,
        /// Write each format into this folder (created if needed) as PACK.report.json,
        /// .csv, .pdf, .oscal.json, printing each path; every report is rendered before any
        /// is written, and a failed run leaves none
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// The trust flags' errors as this tool's: usage errors stay usage errors, unreadable files
/// are I/O errors and malformed files (or a malformed --log-key) are malformed input.
fn trust_error(e: TrustArgsError) -> CliError {
    match e {
        TrustArgsError::Usage(message) => CliError::Usage(message),
        TrustArgsError::Flag { flag, message } => CliError::malformed(flag, message),
        TrustArgsError::Io { path, source, .. } => CliError::io(&path, source),
        TrustArgsError::TooLarge { path, max, .. } => CliError::malformed(
            path.display().to_string(),
            format!("larger than the {max}-byte limit"),
        ),
        TrustArgsError::NotUtf8 { path, .. } => {
            CliError::malformed(path.display().to_string(), "not UTF-8 text")
        }
        TrustArgsError::Malformed { path, message, .. } => {
            CliError::malformed(path.display().to_string(), message)
        }
        other => CliError::Usage(other.to_string()),
    }
}

fn load_trust(args: &TrustArgs) -> Result<LoadedTrust, CliError> {
    args.load().map_err(trust_error)
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The index and every check's result
    Json,
    /// The control map with a verification status per line
    Csv,
    /// For auditors: cover, controls table, evidence index
    Pdf,
    /// OSCAL 1.2.1 assessment results (JSON), for compliance tools
    Oscal,
}

impl Format {
    fn library(self) -> ReportFormat {
        match self {
            Format::Json => ReportFormat::Json,
            Format::Csv => ReportFormat::Csv,
            Format::Pdf => ReportFormat::Pdf,
            Format::Oscal => ReportFormat::Oscal,
        }
    }
}

pub fn run(cmd: &AuditPackCommand, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        AuditPackCommand::Verify {
            pack,
            trust,
            spot_check,
            seed,
            controls,
        } => {
            let spot = match (spot_check, seed) {
                (Some(count), Some(seed)) => Some(SpotCheckRequest::Sample {
                    count: *count,
                    seed: *seed,
                }),
                _ if !controls.is_empty() => Some(SpotCheckRequest::Controls(controls.clone())),
                _ => None,
            };
            // The one read of the clock: recorded in the report as the verification time.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}")))?
                .as_secs();
            let builder =
                Report::builder(PLUGIN).verified_at(VerificationTime::from_unix_seconds(now));
            let (verification, _digest) = verify(pack, trust, builder, spot)?;
            Ok(Outcome::Report(verification.report))
        }
        AuditPackCommand::Prove {
            pack,
            trust,
            artifact,
            out,
        } => {
            let (verification, _digest) = verify(pack, trust, Report::builder(PLUGIN), None)?;
            let Some(verified) = verification.verified() else {
                // Fail closed: no proof from a pack that does not verify.
                return Ok(Outcome::Report(verification.report));
            };
            let proof =
                make_proof(verified, artifact).map_err(|e| CliError::Usage(e.to_string()))?;
            let text = proof
                .to_file_text()
                .map_err(|e| CliError::Internal(e.to_string()))?;
            match out {
                // The document itself only with --json; a summary as text otherwise.
                None if g.json => Ok(Outcome::Text(text)),
                None => Ok(Outcome::Text(proof.summary())),
                Some(path) => {
                    crate::input::write_atomically(path, text.as_bytes())?;
                    Ok(Outcome::Report(verification.report))
                }
            }
        }
        AuditPackCommand::VerifyProof { proof, trust } => {
            let trust = trust.load().map_err(trust_error)?;
            let bytes = read_limited(proof, max_proof_size(&Limits::DEFAULT) as u64)?;
            if let Some(reason) = proof_file_malformed(&bytes, &Limits::DEFAULT) {
                return Err(CliError::malformed(proof.display().to_string(), reason));
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}")))?
                .as_secs();
            let builder =
                Report::builder(PLUGIN).verified_at(VerificationTime::from_unix_seconds(now));
            Ok(Outcome::Report(verify_proof_trusted(
                builder,
                &bytes,
                trust.trust(),
                &Limits::DEFAULT,
            )))
        }
        AuditPackCommand::Report {
            pack,
            trust,
            format,
            out,
            out_dir,
        } => {
            for (i, f) in format.iter().enumerate() {
                if format.get(..i).is_some_and(|before| before.contains(f)) {
                    return Err(CliError::Usage(format!(
                        "--format {} is given twice",
                        f.to_possible_value()
                            .map(|v| v.get_name().to_owned())
                            .unwrap_or_default()
                    )));
                }
            }
            if format.len() > 1 && out_dir.is_none() {
                return Err(CliError::Usage("several formats need --out-dir DIR".into()));
            }
            if format.contains(&Format::Pdf) && out.is_none() && out_dir.is_none() {
                return Err(CliError::Usage(
                    "--format pdf needs --out FILE or --out-dir DIR (a PDF is not written to a terminal)".into(),
                ));
            }
            // No verification time: a report depends only on the pack and the key, so the
            // same pack always gives the same report (pack checks do not depend on time).
            let (verification, digest) = verify(pack, trust, Report::builder(PLUGIN), None)?;
            let (Some(verified), Some(digest)) = (verification.verified(), digest) else {
                // Fail closed: no report of a pack that does not verify.
                return Ok(Outcome::Report(verification.report));
            };
            let file_name = pack
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let input = ReportInput {
                pack: verified,
                verification: &verification.report,
                file_name: &file_name,
                pack_sha256: &digest,
            };
            if let Some(dir) = out_dir {
                // Every report rendered first; then all written together, or none.
                let stem = file_name.strip_suffix(".tgz").unwrap_or(&file_name);
                let mut rendered = Vec::new();
                for f in format {
                    let lib = f.library();
                    let bytes = report::render(&input, lib)
                        .map_err(|e| CliError::Internal(e.to_string()))?;
                    rendered.push((
                        dir.join(format!("{stem}.report.{}", lib.extension())),
                        bytes,
                    ));
                }
                audit_pack_cli::write_all_or_none(dir, &rendered)
                    .map_err(|e| CliError::io(dir, std::io::Error::other(e)))?;
                let paths: Vec<String> = rendered
                    .iter()
                    .map(|(p, _)| p.display().to_string())
                    .collect();
                return Ok(Outcome::Text(format!("{}\n", paths.join("\n"))));
            }
            let Some(format) = format.first() else {
                return Err(CliError::Usage("give --format".into()));
            };
            let bytes = report::render(&input, format.library())
                .map_err(|e| CliError::Internal(e.to_string()))?;
            match out {
                None => Ok(Outcome::Text(String::from_utf8(bytes).map_err(|e| {
                    CliError::Internal(format!("report is not UTF-8: {e}"))
                })?)),
                Some(path) => {
                    crate::input::write_atomically(path, &bytes)?;
                    Ok(Outcome::Report(verification.report))
                }
            }
        }
    }
}

fn verify(
    pack: &Path,
    trust: &TrustArgs,
    builder: plugin_api::ReportBuilder,
    spot: Option<SpotCheckRequest>,
) -> Result<(audit_pack::Verification, Option<String>), CliError> {
    let trust = load_trust(trust)?;
    let file = std::fs::File::open(pack).map_err(|e| CliError::io(pack, e))?;
    let (verification, digest) =
        report::verify_and_digest_trusted(builder, file, &trust.trust(), &Limits::DEFAULT, spot)
            .map_err(|e| CliError::io(pack, e))?;
    // Bytes that are no pack at all reach no verdict: exit 2, as for any malformed input.
    if let Some(reason) = verification.not_a_pack() {
        return Err(CliError::malformed(pack.display().to_string(), reason));
    }
    Ok((verification, digest))
}

#[cfg(test)]
mod tests {
    //! Every flag of every `prov-verify audit-pack` subcommand is used or refused (exit 2),
    //! never accepted and ignored. The flags are read from the clap definition (hidden ones
    //! included), so a new flag without a probe here fails the test. A probe runs the command
    //! in process with and without the flag (or with another value) and expects two
    //! different, given results.
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;
    use clap::Parser;
    use std::collections::{BTreeMap, BTreeSet};

    const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
    const ISSUER: &str = "https://token.actions.githubusercontent.com";

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn ev(name: &str) -> String {
        repo()
            .join("fixtures/evidence")
            .join(name)
            .display()
            .to_string()
    }

    fn x509(name: &str) -> String {
        repo()
            .join("fixtures/x509/gen")
            .join(name)
            .display()
            .to_string()
    }

    fn cosign(name: &str) -> String {
        repo()
            .join("fixtures/cosign")
            .join(name)
            .display()
            .to_string()
    }

    /// Runs `prov-verify audit-pack ARGS` in process: the exit status and what it printed
    /// (the report's subject and checks, the text, or the error).
    fn run_args(args: &[String]) -> (u8, String) {
        let mut argv = vec!["prov-verify".to_owned(), "audit-pack".to_owned()];
        argv.extend_from_slice(args);
        let cli = match crate::cli::Cli::try_parse_from(&argv) {
            Ok(cli) => cli,
            Err(e) => return (2, e.to_string()),
        };
        let crate::cli::Command::AuditPack(cmd) = &cli.command else {
            panic!("not an audit-pack command");
        };
        match run(cmd, &cli.global) {
            Ok(Outcome::Report(r)) => (u8::from(!r.ok()), r.to_json()),
            Ok(Outcome::Text(t)) => (0, t),
            Ok(Outcome::Data(v)) => (0, v.to_string()),
            Ok(Outcome::Set { summary, .. }) => (u8::from(!summary.ok()), summary.to_json()),
            Ok(Outcome::Decided { text, code }) => (code, text),
            Err(e) => (2, e.to_string()),
        }
    }

    #[derive(Default)]
    struct Probes {
        covered: BTreeMap<String, BTreeSet<String>>,
    }

    impl Probes {
        /// `sub` with `without` and with `with` exits `codes.0` and `codes.1`.
        fn differs(
            &mut self,
            sub: &str,
            flag: &str,
            without: &[String],
            with: &[String],
            codes: (u8, u8),
        ) {
            let run_sub = |rest: &[String]| {
                let mut a = vec![sub.to_owned()];
                a.extend_from_slice(rest);
                run_args(&a)
            };
            let (a, b) = (run_sub(without), run_sub(with));
            assert_eq!(
                (a.0, b.0),
                codes,
                "{sub} {flag}:\n without {without:?}: {}\n with {with:?}: {}",
                a.1,
                b.1
            );
            self.covered(sub, flag);
        }

        /// Both runs exit 0 and `check(without, with)` holds on their outputs.
        fn output_differs(
            &mut self,
            sub: &str,
            flag: &str,
            without: &[String],
            with: &[String],
            check: impl Fn(&str, &str) -> bool,
        ) {
            let run_sub = |rest: &[String]| {
                let mut a = vec![sub.to_owned()];
                a.extend_from_slice(rest);
                run_args(&a)
            };
            let (a, b) = (run_sub(without), run_sub(with));
            assert!(
                a.0 == 0 && b.0 == 0 && check(&a.1, &b.1),
                "{sub} {flag}:\n without: {}\n with: {}",
                a.1,
                b.1
            );
            self.covered(sub, flag);
        }

        fn covered(&mut self, sub: &str, flag: &str) {
            self.covered
                .entry(sub.to_owned())
                .or_default()
                .insert(flag.to_owned());
        }
    }

    fn s(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    fn cat(parts: &[&[String]]) -> Vec<String> {
        parts.concat()
    }

    /// An X.509-signed pack and a pack with a CMS manifest pair, built with the library into
    /// a fresh folder.
    fn build_fixtures(dir: &Path) -> (String, String) {
        use audit_pack::{build_pack, BuildInput, IndexSigner, OrgSlug, PackDate, SigningKey};
        let read = |p: String| std::fs::read(p).unwrap();
        let release = [audit_pack::parse_public_key(
            &std::fs::read_to_string(ev("keys/acme-release.pub")).unwrap(),
        )
        .unwrap()];
        let signer = audit_pack::X509Signer::new(
            &read(x509("leaf-rsa.pem")),
            &read(x509("leaf-rsa.key")),
            Some(&read(x509("inter.pem"))),
        )
        .unwrap();
        let map = PathBuf::from(ev("control-map.csv"));
        let acme = PathBuf::from(ev("acme"));
        fn input<'a>(
            key: IndexSigner<'a>,
            evidence: &'a Path,
            map: &'a Path,
            release: &'a [merkle::note::VerifierKey],
            roots: &'a [plugin_x509::Certificate],
        ) -> BuildInput<'a> {
            BuildInput {
                org: OrgSlug::parse("acme").unwrap(),
                date: PackDate::parse("2026-11-23").unwrap(),
                evidence_dir: evidence,
                control_map: map,
                kinds: None,
                key,
                manifest_keys: release,
                manifest_roots: roots,
                manifest_sigstore: None,
                insecure: &[],
                strict_dates: false,
                limits: Limits::DEFAULT,
                log: None,
            }
        }
        let mut x = Vec::new();
        build_pack(
            &input(IndexSigner::X509(&signer), &acme, &map, &release, &[]),
            &mut x,
        )
        .unwrap();
        let x_path = dir.join("x509.tgz");
        std::fs::write(&x_path, x).unwrap();

        let cms_ev = dir.join("cms-evidence");
        copy_tree(&acme, &cms_ev);
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
        let key =
            SigningKey::parse(&std::fs::read_to_string(ev("keys/acme-audit-pack.key")).unwrap())
                .unwrap();
        let roots = audit_pack::parse_certificates(&read(x509("root.pem"))).unwrap();
        let mut c = Vec::new();
        build_pack(
            &input(IndexSigner::Ed25519(&key), &cms_ev, &map, &release, &roots),
            &mut c,
        )
        .unwrap();
        let c_path = dir.join("cms.tgz");
        std::fs::write(&c_path, c).unwrap();
        (x_path.display().to_string(), c_path.display().to_string())
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

    /// The whole-pack trust flags (`TrustArgs`), probed on `sub` (`extra` completes it).
    fn probe_pack_trust(p: &mut Probes, sub: &str, extra: &[String], x_pack: &str, cms_pack: &str) {
        let with = |parts: &[&[String]]| {
            let mut v = parts.concat();
            v.extend_from_slice(extra);
            v
        };
        let sample = [ev("audit-pack-acme-2026-11-23.tgz")];
        let key = s(&["--key", &ev("keys/acme-audit-pack.pub")]);
        let mkey = s(&["--manifest-key", &ev("keys/acme-release.pub")]);
        p.differs(
            sub,
            "--key",
            &with(&[&sample, &key, &mkey]),
            &with(&[&sample, &s(&["--key", &ev("keys/acme-release.pub")]), &mkey]),
            (0, 1),
        );
        p.differs(
            sub,
            "--manifest-key",
            &with(&[&sample, &key]),
            &with(&[&sample, &key, &mkey]),
            (1, 0),
        );
        let logged = [ev("logged/audit-pack-acme-2026-11-23.tgz")];
        p.differs(
            sub,
            "--log-key",
            &with(&[&logged, &key, &mkey]),
            &with(&[
                &logged,
                &key,
                &mkey,
                &s(&["--log-key", &ev("logged/log.pub")]),
            ]),
            (1, 0),
        );
        let x = [x_pack.to_owned()];
        let root = s(&["--trust-root", &x509("root.pem")]);
        let june = s(&["--at", "2026-06-01T00:00:00Z"]);
        let crls = s(&[
            "--crl",
            &x509("inter.crl.pem"),
            "--crl",
            &x509("root.crl.pem"),
        ]);
        let require = s(&["--require-crl"]);
        p.differs(
            sub,
            "--trust-root",
            &with(&[&x, &s(&["--trust-root", &x509("other-root.pem")]), &mkey]),
            &with(&[&x, &root, &mkey]),
            (1, 0),
        );
        p.differs(
            sub,
            "--require-crl",
            &with(&[&x, &root, &june, &mkey]),
            &with(&[&x, &root, &june, &require, &mkey]),
            (0, 1),
        );
        p.differs(
            sub,
            "--crl",
            &with(&[&x, &root, &june, &require, &mkey]),
            &with(&[&x, &root, &june, &require, &crls, &mkey]),
            (1, 0),
        );
        p.differs(
            sub,
            "--at",
            &with(&[&x, &root, &require, &crls, &mkey]),
            &with(&[&x, &root, &june, &require, &crls, &mkey]),
            (1, 0),
        );
        let c = [cms_pack.to_owned()];
        p.differs(
            sub,
            "--manifest-trust-root",
            &with(&[&c, &key, &mkey]),
            &with(&[
                &c,
                &key,
                &mkey,
                &s(&["--manifest-trust-root", &x509("root.pem")]),
            ]),
            (1, 0),
        );
        let sig = [ev("sigstore/audit-pack-acme-2026-11-23.tgz")];
        let tr = s(&[
            "--manifest-sigstore-trusted-root",
            &cosign("trusted_root.json"),
        ]);
        let id = s(&["--manifest-identity", SAN]);
        let iss = s(&["--manifest-issuer", ISSUER]);
        let ok = with(&[&sig, &key, &tr, &id, &iss]);
        p.differs(
            sub,
            "--manifest-sigstore-trusted-root",
            &with(&[&sig, &key]),
            &ok,
            (1, 0),
        );
        p.differs(
            sub,
            "--manifest-identity",
            &with(&[
                &sig,
                &key,
                &tr,
                &s(&["--manifest-identity", "https://example.com/x"]),
                &iss,
            ]),
            &ok,
            (1, 0),
        );
        p.differs(
            sub,
            "--manifest-issuer",
            &with(&[
                &sig,
                &key,
                &tr,
                &id,
                &s(&["--manifest-issuer", "https://example.com"]),
            ]),
            &ok,
            (1, 0),
        );
        p.differs(
            sub,
            "--manifest-identity-regexp",
            &with(&[
                &sig,
                &key,
                &tr,
                &s(&[
                    "--manifest-identity-regexp",
                    "https://github\\.com/other/.*",
                ]),
                &iss,
            ]),
            &with(&[
                &sig,
                &key,
                &tr,
                &s(&[
                    "--manifest-identity-regexp",
                    "https://github\\.com/acme/app/.*",
                ]),
                &iss,
            ]),
            (1, 0),
        );
        p.differs(
            sub,
            "--manifest-issuer-regexp",
            &with(&[
                &sig,
                &key,
                &tr,
                &id,
                &s(&["--manifest-issuer-regexp", "https://example\\.com"]),
            ]),
            &with(&[
                &sig,
                &key,
                &tr,
                &id,
                &s(&["--manifest-issuer-regexp", "https://token\\.actions\\..*"]),
            ]),
            (1, 0),
        );
        p.differs(
            sub,
            "--manifest-sigstore-key",
            &ok,
            &with(&[
                &sig,
                &key,
                &tr,
                &s(&["--manifest-sigstore-key", &cosign("key.pub")]),
            ]),
            (0, 1),
        );
    }

    /// Each audit-pack subcommand's own long flags (hidden ones included; not the global
    /// flags, which every command shares).
    fn defined_flags() -> BTreeMap<String, BTreeSet<String>> {
        let cli = crate::cli::Cli::full_command();
        let audit = cli
            .get_subcommands()
            .find(|c| c.get_name() == "audit-pack")
            .unwrap();
        let globals: BTreeSet<String> = cli
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        audit
            .get_subcommands()
            .filter(|sub| sub.get_name() != "help")
            .map(|sub| {
                let flags = sub
                    .get_arguments()
                    .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
                    .filter(|f| !globals.contains(f) && f != "--help")
                    .collect();
                (sub.get_name().to_owned(), flags)
            })
            .collect()
    }

    #[test]
    fn every_flag_is_used_or_refused() {
        let dir = std::env::temp_dir().join(format!(
            "prov-verify-audit-pack-flags-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (x_pack, cms_pack) = build_fixtures(&dir);
        let mut p = Probes::default();
        let sample = [ev("audit-pack-acme-2026-11-23.tgz")];
        let key = s(&["--key", &ev("keys/acme-audit-pack.pub")]);
        let mkey = s(&["--manifest-key", &ev("keys/acme-release.pub")]);

        probe_pack_trust(&mut p, "verify", &[], &x_pack, &cms_pack);
        let spot = |text: &str| {
            let r = plugin_api::Report::from_json(text).unwrap();
            r.outputs()
                .iter()
                .filter(|(k, _)| {
                    k.starts_with("spot_check_")
                        && *k != "spot_check_seed"
                        && *k != "spot_check_controls"
                })
                .map(|(_, v)| v.to_string())
                .collect::<Vec<_>>()
        };
        for flag in ["--spot-check", "--seed"] {
            let changed = if flag == "--seed" {
                s(&["--spot-check", "2", "--seed", "8"])
            } else {
                s(&["--spot-check", "3", "--seed", "7"])
            };
            p.output_differs(
                "verify",
                flag,
                &cat(&[
                    &sample,
                    &key,
                    &mkey,
                    &s(&["--spot-check", "2", "--seed", "7"]),
                ]),
                &cat(&[&sample, &key, &mkey, &changed]),
                |a, b| spot(a).len() == 2 && spot(a) != spot(b),
            );
        }

        p.output_differs(
            "verify",
            "--control",
            &cat(&[&sample, &key, &mkey]),
            &cat(&[&sample, &key, &mkey, &s(&["--control", "CC8.1"])]),
            |a, b| spot(a).is_empty() && spot(b).len() == 1 && spot(b)[0].contains("control CC8.1"),
        );

        let proof_out = dir.join("p.json").display().to_string();
        let prove_extra = s(&["--artifact", "control-map.csv", "--out", &proof_out]);
        probe_pack_trust(&mut p, "prove", &prove_extra, &x_pack, &cms_pack);
        p.differs(
            "prove",
            "--artifact",
            &cat(&[&sample, &key, &mkey, &s(&["--artifact", "nope.csv"])]),
            &cat(&[&sample, &key, &mkey, &s(&["--artifact", "control-map.csv"])]),
            (2, 0),
        );
        let _ = std::fs::remove_file(&proof_out);
        p.output_differs(
            "prove",
            "--out",
            &cat(&[&sample, &key, &mkey, &s(&["--artifact", "control-map.csv"])]),
            &cat(&[&sample, &key, &mkey, &prove_extra]),
            |a, _| {
                // Without --out a summary (the file only with --json); with it, the file.
                a.starts_with("proof of ")
                    && std::fs::read_to_string(&proof_out)
                        .unwrap()
                        .starts_with("{")
            },
        );

        let report_extra = s(&["--format", "json"]);
        probe_pack_trust(&mut p, "report", &report_extra, &x_pack, &cms_pack);
        p.output_differs(
            "report",
            "--format",
            &cat(&[&sample, &key, &mkey, &s(&["--format", "json"])]),
            &cat(&[&sample, &key, &mkey, &s(&["--format", "csv"])]),
            |a, b| a.starts_with('{') && b.starts_with("framework,"),
        );
        let report_out = dir.join("r.csv").display().to_string();
        p.output_differs(
            "report",
            "--out",
            &cat(&[&sample, &key, &mkey, &s(&["--format", "csv"])]),
            &cat(&[
                &sample,
                &key,
                &mkey,
                &s(&["--format", "csv", "--out", &report_out]),
            ]),
            |a, _| std::fs::read_to_string(&report_out).unwrap() == a,
        );
        let report_dir = dir.join("reports");
        let report_dir_s = report_dir.display().to_string();
        p.output_differs(
            "report",
            "--out-dir",
            &cat(&[&sample, &key, &mkey, &s(&["--format", "csv"])]),
            &cat(&[
                &sample,
                &key,
                &mkey,
                &s(&["--format", "csv,oscal", "--out-dir", &report_dir_s]),
            ]),
            |a, b| {
                let csv = report_dir.join("audit-pack-acme-2026-11-23.report.csv");
                std::fs::read_to_string(&csv).unwrap() == a
                    && report_dir
                        .join("audit-pack-acme-2026-11-23.report.oscal.json")
                        .is_file()
                    && b.lines().count() == 2
            },
        );

        // verify-proof: the index trust flags are used, the others refused.
        let proof = [ev("proofs/payments-api-1.4.0.manifest.json.proof.json")];
        p.differs(
            "verify-proof",
            "--key",
            &cat(&[&proof, &s(&["--key", &ev("keys/acme-release.pub")])]),
            &cat(&[&proof, &key]),
            (1, 0),
        );
        let x_proof = dir.join("x-proof.json").display().to_string();
        let made = run_args(&cat(&[
            &s(&["prove", &x_pack, "--trust-root", &x509("root.pem")]),
            &mkey,
            &s(&["--artifact", "control-map.csv", "--out", &x_proof]),
        ]));
        assert_eq!(made.0, 0, "{}", made.1);
        let xp = [x_proof];
        let root = s(&["--trust-root", &x509("root.pem")]);
        let june = s(&["--at", "2026-06-01T00:00:00Z"]);
        let crls = s(&[
            "--crl",
            &x509("inter.crl.pem"),
            "--crl",
            &x509("root.crl.pem"),
        ]);
        let require = s(&["--require-crl"]);
        p.differs(
            "verify-proof",
            "--trust-root",
            &cat(&[&xp, &s(&["--trust-root", &x509("other-root.pem")])]),
            &cat(&[&xp, &root]),
            (1, 0),
        );
        p.differs(
            "verify-proof",
            "--require-crl",
            &cat(&[&xp, &root, &june]),
            &cat(&[&xp, &root, &june, &require]),
            (0, 1),
        );
        p.differs(
            "verify-proof",
            "--crl",
            &cat(&[&xp, &root, &june, &require]),
            &cat(&[&xp, &root, &june, &require, &crls]),
            (1, 0),
        );
        p.differs(
            "verify-proof",
            "--at",
            &cat(&[&xp, &root, &require, &crls]),
            &cat(&[&xp, &root, &june, &require, &crls]),
            (1, 0),
        );
        let defined = defined_flags();
        for flag in defined["verify"].difference(&defined["verify-proof"]) {
            if ["--spot-check", "--seed", "--control"].contains(&flag.as_str()) {
                continue;
            }
            // (Not reached: such a flag is in verify-proof's definition, hidden.)
            panic!("verify-proof does not define {flag}: it must refuse it with a message");
        }
        let hidden: Vec<String> = crate::cli::Cli::full_command()
            .find_subcommand("audit-pack")
            .and_then(|a| a.find_subcommand("verify-proof"))
            .unwrap()
            .get_arguments()
            .filter(|a| a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        assert_eq!(hidden.len(), 9, "{hidden:?}");
        for flag in &hidden {
            let (code, text) = run_args(&cat(&[
                &s(&["verify-proof"]),
                &proof,
                &key,
                &s(&[flag, "x"]),
            ]));
            assert_eq!(code, 2, "{flag}: {text}");
            assert!(
                text.contains(&format!("{flag} is not accepted by verify-proof")),
                "{flag}: {text}"
            );
            p.covered("verify-proof", flag);
        }

        for (sub, flags) in &defined {
            let done = p.covered.get(sub).cloned().unwrap_or_default();
            let missing: Vec<&String> = flags.difference(&done).collect();
            assert!(
                missing.is_empty(),
                "prov-verify audit-pack {sub}: no probe shows these flags are used: {missing:?}"
            );
        }
        assert_eq!(defined.len(), 4);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
