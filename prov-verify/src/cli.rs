//! Command-line definitions (clap derive). Parsing only: no I/O here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Verify provenance and evidence offline: Sigstore bundles, X.509-signed manifests, TUF trust
/// roots, audit packs, Merkle proofs, transparency-log receipts and AWS Nitro Enclaves
/// attestation documents.
///
/// Exit status: 0 verified, 1 verification failed, 2 usage error, unreadable or malformed
/// input, or internal error.
#[derive(Debug, Parser)]
#[command(
    name = "prov-verify",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments as [`clap::Parser::try_parse`] does, with the same
    /// result, errors, help and version output.
    ///
    /// clap copies every global option into every subcommand of each command it builds on the
    /// way (six options into some twenty commands at the top, again below `cosign`): about
    /// 120 KB of memory and a fifth of a millisecond per run, more than the rest of the
    /// parse. So the arguments are first parsed by the same command tree with the global
    /// options made local to the top (accepted before the subcommand's name only), which
    /// copies nothing. That parse accepts a subset of what the full tree accepts, with the
    /// same meaning: the top-level options are the same options, and the subcommands are the
    /// same minus the copies. Anything it refuses (a global option after the subcommand's
    /// name, an error, `--help`, `--version`) is parsed again by the full tree, whose answer
    /// is final.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        match Self::parse_with_top_level_globals(&args) {
            Some(cli) => Ok(cli),
            None => <Cli as Parser>::try_parse_from(args),
        }
    }

    /// [`Cli::parse_args`]'s first parse: `None` when it refuses `args` (for any reason).
    fn parse_with_top_level_globals(args: &[std::ffi::OsString]) -> Option<Cli> {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        let globals: Vec<clap::Id> = cmd
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().clone())
            .collect();
        for id in globals {
            cmd = cmd.mut_arg(id, |a| a.global(false));
        }
        let mut matches = cmd.try_get_matches_from_mut(args).ok()?;
        <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut matches).ok()
    }

    /// The whole command tree with every subcommand's arguments: for completions, manual pages
    /// and tests that walk it. Parsing builds only the subcommands it enters (`defer`): the
    /// others' arguments are never constructed, which was most of the process's start.
    pub fn full_command() -> clap::Command {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        cmd.build();
        cmd
    }
}

// Options every command accepts (listed under their own heading, after each command's own).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Write the full report as JSON on stdout (one line per report)
    #[arg(long, global = true)]
    pub json: bool,

    /// Print nothing on success; on failure print only the failed check
    #[arg(long, short, global = true, conflicts_with = "json")]
    pub quiet: bool,

    /// Forbid every network access; use only local files and the offline cache
    #[arg(long, global = true)]
    pub offline: bool,

    /// Directory of the offline cache (trust roots, checkpoints, CRLs)
    #[arg(
        long,
        global = true,
        env = "PROV_VERIFY_CACHE_DIR",
        hide_env_values = true,
        value_name = "DIR"
    )]
    pub cache_dir: Option<PathBuf>,

    /// Format of the log lines written to stderr
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub log_format: LogFormat,

    /// List every check in human output; more log output on stderr (-v info, -vv debug, -vvv trace)
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines
    Text,
    /// One JSON object per line, for pipelines
    Json,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// RFC 6962 / RFC 9162 Merkle trees: roots, inclusion and consistency proofs, checkpoints
    #[command(subcommand)]
    Merkle(MerkleCommand),

    /// Sigstore / cosign: verify bundles (keyless or key), DSSE attestations, Rekor inclusion
    #[command(subcommand)]
    Cosign(crate::commands::cosign::CosignCommand),

    /// X.509: verify detached manifest signatures against pinned roots
    #[command(subcommand)]
    X509(crate::commands::x509::X509Command),

    /// AWS Nitro Enclaves: verify attestation documents offline against expected measurements
    #[command(subcommand)]
    Nitro(crate::commands::nitro::NitroCommand),

    /// npm packages: verify a tarball against its registry attestations (publish attestation
    /// and SLSA provenance) offline, as `npm audit signatures` does
    #[command(subcommand)]
    Npm(crate::commands::npm::NpmCommand),

    /// Audit packs built by audit-pack: verify, report
    #[command(subcommand, name = "audit-pack")]
    AuditPack(crate::commands::audit_pack::AuditPackCommand),

    /// The offline cache: warm it online, check it, move it to an air-gapped machine
    #[command(subcommand)]
    Cache(crate::commands::cache::CacheCommand),

    /// A local transparency log: append, checkpoint, serve, mirror, verify receipts
    #[command(subcommand)]
    Log(crate::commands::log::LogCommand),

    /// Verify with any registered plugin: flags, a request file, or an evidence set
    Verify(Box<crate::commands::verify::VerifyArgs>),

    /// List the registered plugins: name, version, what each takes, conformance figures
    Plugins,

    /// Release gate: verify an evidence set, then decide with a fail-closed Rego policy
    /// (exit 0 allow, 1 deny, 2 no decision); SARIF, JUnit, GitHub and VSA outputs
    Gate(Box<crate::commands::gate::GateArgs>),

    /// Print a shell completion script
    Completions {
        /// The shell to generate for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff), or write one page per command into a directory
    Man {
        /// Write prov-verify.1 and one page per subcommand into this directory
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum MerkleCommand {
    /// Compute the tree root (and size) over leaves
    Root {
        #[command(flatten)]
        leaves: LeafSource,

        /// Also check that the root equals this hash (hex); exit 1 if it does not
        #[arg(long, value_name = "HEX")]
        expect: Option<String>,
    },

    /// Generate an inclusion proof (JSON) for one leaf of a tree built from leaves
    ProveInclusion {
        #[command(flatten)]
        leaves: LeafSource,

        /// Index of the leaf to prove (0-based)
        #[arg(long, value_name = "N")]
        index: u64,

        /// Tree size to prove against (default: all leaves)
        #[arg(long, value_name = "N")]
        size: Option<u64>,
    },

    /// Generate a consistency proof (JSON) between two sizes of a tree built from leaves
    ProveConsistency {
        #[command(flatten)]
        leaves: LeafSource,

        /// The old tree size (at least 1)
        #[arg(long, value_name = "N")]
        size1: u64,

        /// The new tree size (default: all leaves)
        #[arg(long, value_name = "N")]
        size2: Option<u64>,
    },

    /// Verify that a leaf is included in a tree with a given root
    VerifyInclusion(InclusionArgs),

    /// Verify that a tree is an append-only extension of an older one
    VerifyConsistency(ConsistencyArgs),

    /// Verify a C2SP signed checkpoint against verifier keys and print origin, size and root
    VerifyCheckpoint {
        /// Verifier key `name+hash+base64key`; repeat for several. Every signature by a given
        /// key must verify, and at least one must.
        #[arg(long = "key", value_name = "VKEY", required = true)]
        keys: Vec<String>,

        /// Require this origin line
        #[arg(long, value_name = "ORIGIN")]
        origin: Option<String>,

        /// The signed checkpoint (note text)
        file: PathBuf,
    },
}

// Where leaves come from: files in the order given, a directory walked in sorted order, or a
// file of leaf hashes.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct LeafSource {
    /// Files, one leaf each, in the order given
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Every regular file below DIR, one leaf each, in sorted path order
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// A file of leaf hashes, one 64-digit hex hash per line
    #[arg(long, value_name = "FILE")]
    pub leaf_hashes: Option<PathBuf>,
}

// Inputs of an inclusion check: on flags, or in a JSON proof file with the fields
// `index`, `size`, `leaf_hash`, `proof`, `root` (a field may not come from both).
#[derive(Debug, Args)]
pub struct InclusionArgs {
    /// JSON proof file (as written by `merkle prove-inclusion`)
    #[arg(long, value_name = "FILE")]
    pub proof_file: Option<PathBuf>,

    /// Leaf index (0-based)
    #[arg(long, value_name = "N")]
    pub index: Option<u64>,

    /// Tree size
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,

    /// Leaf hash (hex)
    #[arg(long, value_name = "HEX", conflicts_with = "leaf")]
    pub leaf_hash: Option<String>,

    /// The leaf's data, hashed as SHA-256(0x00 || data)
    #[arg(long, value_name = "FILE")]
    pub leaf: Option<PathBuf>,

    /// Proof nodes (hex), comma-separated, from the leaf's sibling upward; `--proof ''` for none
    #[arg(long, value_name = "HEX,...", value_delimiter = ',')]
    pub proof: Option<Vec<String>>,

    /// Expected root (hex)
    #[arg(long, value_name = "HEX")]
    pub root: Option<String>,
}

// Inputs of a consistency check: on flags, or in a JSON proof file with the fields
// `size1`, `size2`, `root1`, `root2`, `proof` (a field may not come from both).
#[derive(Debug, Args)]
pub struct ConsistencyArgs {
    /// JSON proof file (as written by `merkle prove-consistency`)
    #[arg(long, value_name = "FILE")]
    pub proof_file: Option<PathBuf>,

    /// Old tree size
    #[arg(long, value_name = "N")]
    pub size1: Option<u64>,

    /// New tree size
    #[arg(long, value_name = "N")]
    pub size2: Option<u64>,

    /// Old root (hex)
    #[arg(long, value_name = "HEX")]
    pub root1: Option<String>,

    /// New root (hex)
    #[arg(long, value_name = "HEX")]
    pub root2: Option<String>,

    /// Proof nodes (hex), comma-separated; `--proof ''` for none
    #[arg(long, value_name = "HEX,...", value_delimiter = ',')]
    pub proof: Option<Vec<String>>,
}

#[cfg(test)]
#[allow(clippy::panic)]
mod help_tests {
    use super::Cli;

    fn walk(cmd: &mut clap::Command, path: &str, seen: &mut usize) {
        let help = cmd.render_long_help().to_string();
        let global = help
            .find("Global options:")
            .unwrap_or_else(|| panic!("{path}: no Global options heading"));
        let json = help.find("--json").unwrap_or(usize::MAX);
        assert!(
            json > global,
            "{path}: --json listed before the Global options heading"
        );
        if let Some(own) = help.find("Options:") {
            assert!(own < global, "{path}: own options after the global ones");
        }
        *seen += 1;
        for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
            let name = format!("{path} {}", sub.get_name());
            walk(sub, &name, seen);
        }
    }

    /// Every (sub)command's help lists its own options first and the global ones under their
    /// own heading.
    #[test]
    fn global_options_have_their_own_heading_after_each_commands_own() {
        let mut cmd = Cli::full_command();
        let mut seen = 0;
        walk(&mut cmd, "prov-verify", &mut seen);
        assert!(seen > 30, "only {seen} commands");
    }
}

/// The exit-status contract, per command: 0 verified (or done), 1 a verdict that the evidence
/// does not verify, 2 no verdict (usage, unreadable or malformed input, internal error). Every
/// leaf command has a golden case (`golden/*.toml`, run by `tests/golden.rs`) for each status
/// it can return; a command that reaches no verdict cannot return 1 and is listed below with
/// the reason, and a status whose case needs a network server is covered by the integration
/// test named here instead of a golden.
#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod exit_status_tests {
    use super::Cli;
    use std::collections::{BTreeMap, BTreeSet};

    /// Commands that produce data, not a verdict: they exit 0 or 2, never 1.
    const NO_VERDICT: &[(&str, &str)] = &[
        ("plugins", "lists the registered plugins"),
        ("completions", "prints a completion script"),
        ("man", "prints or writes man pages"),
        ("merkle prove-inclusion", "computes a proof from leaves"),
        ("merkle prove-consistency", "computes a proof from leaves"),
        ("cache status", "shows what is cached, verifies nothing"),
        ("cache export", "copies a cached repository into an archive"),
        (
            "cache add-crl",
            "stores CRLs; their signatures are checked when used",
        ),
        ("log init", "creates a log"),
        ("log append", "appends entries"),
        ("log checkpoint", "signs a checkpoint"),
        ("log receipt", "writes a receipt"),
        ("log serve", "serves a log"),
    ];

    /// Statuses whose case needs a server on 127.0.0.1 (or runs until stopped): the
    /// integration test that covers each.
    const ELSEWHERE: &[(&str, u8, &str)] = &[
        ("cache warm", 0, "tests/cache_https.rs"),
        ("cache warm", 1, "tests/cache_https.rs"),
        ("log mirror", 0, "tests/log_http.rs"),
        ("log mirror", 1, "tests/log_http.rs"),
        ("log serve", 0, "tests/log_http.rs"),
    ];

    /// Commands that run: those without subcommands, and those with arguments of their own
    /// besides subcommands (`gate --policy ...` beside `gate test`).
    fn leaves(cmd: &clap::Command, path: &str, out: &mut BTreeSet<String>) {
        let subs: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        let own_arguments = cmd
            .get_arguments()
            .any(|a| !a.is_global_set() && !matches!(a.get_id().as_str(), "help" | "version"));
        if subs.is_empty() || own_arguments {
            out.insert(path.trim().to_owned());
        }
        for s in subs {
            leaves(s, &format!("{path} {}", s.get_name()), out);
        }
    }

    /// The leaf command a golden case runs: the arguments that name subcommands, in order.
    fn command_of(root: &clap::Command, args: &[String]) -> String {
        let mut cmd = root;
        let mut path = Vec::new();
        for a in args {
            if let Some(sub) = cmd.find_subcommand(a) {
                path.push(a.clone());
                cmd = sub;
            }
        }
        path.join(" ")
    }

    #[test]
    fn every_command_has_a_golden_case_for_each_exit_status_it_can_return() {
        let root = Cli::full_command();
        let mut all = BTreeSet::new();
        leaves(&root, "", &mut all);
        // A command with subcommands that also runs on its own is counted.
        assert!(all.contains("gate") && all.contains("gate test"), "{all:?}");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../golden");
        let mut seen: BTreeMap<String, BTreeSet<u8>> = BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let args_line = text
                .lines()
                .find_map(|l| l.strip_prefix("args = "))
                .unwrap_or_else(|| panic!("{}: no args", path.display()));
            let args: Vec<String> = serde_json::from_str(args_line).unwrap();
            let code = text
                .lines()
                .find_map(|l| l.strip_prefix("status.code = "))
                .map_or(0, |c| c.trim().parse::<u8>().unwrap());
            seen.entry(command_of(&root, &args))
                .or_default()
                .insert(code);
        }
        let mut missing = Vec::new();
        for cmd in &all {
            let no_verdict = NO_VERDICT.iter().any(|(c, _)| c == cmd);
            for code in [0u8, 1, 2] {
                if code == 1 && no_verdict {
                    continue;
                }
                if ELSEWHERE.iter().any(|(c, k, _)| c == cmd && *k == code) {
                    continue;
                }
                if !seen.get(cmd).is_some_and(|s| s.contains(&code)) {
                    missing.push(format!("{cmd}: exit {code}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no golden case for:\n{}",
            missing.join("\n")
        );
        // The lists name real commands and real tests.
        for (c, _) in NO_VERDICT {
            assert!(all.contains(*c), "NO_VERDICT names {c}, not a command");
            assert!(
                !seen.get(*c).is_some_and(|s| s.contains(&1)),
                "{c} is listed as reaching no verdict but a golden case exits 1"
            );
        }
        for (c, _, test) in ELSEWHERE {
            assert!(all.contains(*c), "ELSEWHERE names {c}, not a command");
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(test);
            let body = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let sub = c.rsplit(' ').next().unwrap_or(c);
            assert!(body.contains(sub), "{test} does not run `{c}`");
        }
    }
}

/// Every `prov-verify` command line in the README, docs/*.md and the man page's EXAMPLES
/// parses with this definition: an example with a flag the tool does not have (or lost) fails
/// here. (Examples on bundled fixtures are also run, output compared: tests/doc_examples.rs.)
#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod doc_command_tests {
    use super::Cli;
    use audit_pack_cli::doc_commands;
    use clap::Parser;

    fn check(source: &str, text: &str, bad: &mut Vec<String>, seen: &mut usize) {
        let root = Cli::full_command();
        for c in doc_commands::find(text, "prov-verify") {
            *seen += 1;
            let at = format!("{source}:{}: {}", c.line, c.args.join(" "));
            if doc_commands::is_synopsis(&c.args) {
                for problem in doc_commands::unknown_flags(&root, &c.args) {
                    bad.push(format!("{at} -> {problem}"));
                }
                continue;
            }
            let mut argv = vec!["prov-verify".to_owned()];
            argv.extend(c.args.iter().filter(|a| *a != "...").cloned());
            if let Err(e) = Cli::try_parse_from(&argv) {
                if !doc_commands::is_placeholder_error(&e) {
                    let msg = e.render().to_string();
                    let first = msg.lines().next().unwrap_or_default();
                    bad.push(format!("{at} -> {first}"));
                }
            }
        }
    }

    #[test]
    fn every_documented_command_line_parses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = vec![root.join("README.md")];
        for e in std::fs::read_dir(root.join("docs")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
        files.sort();
        let mut bad = Vec::new();
        let mut seen = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
            check(&name, &text, &mut bad, &mut seen);
        }
        for (path, text) in crate::manual::SECTIONS.examples {
            let md = format!("```sh\n{}\n```\n", text.replace("$ ", ""));
            check(&format!("man EXAMPLES ({path})"), &md, &mut bad, &mut seen);
        }
        assert!(
            bad.is_empty(),
            "documented commands that do not parse:\n{}",
            bad.join("\n")
        );
        assert!(seen > 80, "only {seen} documented commands found");
    }
}

/// Every flag of every command is exercised somewhere a wrong behaviour would show: a golden
/// case of that command uses it (output and status compared), or a named test does (which
/// must mention the flag). A flag added without either fails here. Flags that cannot apply to
/// the inputs are refused with exit 2 (their golden cases show the refusals).
#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod flag_coverage_tests {
    use super::Cli;
    use std::collections::{BTreeMap, BTreeSet};

    /// Commands whose flags are probed flag by flag (with and without each, two different
    /// expected results) by a test, or that share their flags with another command's
    /// definition (the same clap struct, flattened).
    const PROBED: &[(&str, &str)] = &[
        ("audit-pack verify", "src/commands/audit_pack.rs"),
        ("audit-pack prove", "src/commands/audit_pack.rs"),
        ("audit-pack verify-proof", "src/commands/audit_pack.rs"),
        ("audit-pack report", "src/commands/audit_pack.rs"),
    ];

    /// `verify-blob-attestation` is `verify-blob`'s flags (flattened) plus `--type`.
    const SAME_FLAGS_AS: &[(&str, &str)] =
        &[("cosign verify-blob-attestation", "cosign verify-blob")];

    /// (command, flag, test file that runs it): flags whose cases need a server on 127.0.0.1,
    /// a process that runs until stopped, or that the generic-form test translates from the
    /// dedicated commands' golden cases.
    const ELSEWHERE: &[(&str, &str, &str)] = &[
        ("cache warm", "--at", "tests/cache_https.rs"),
        ("cache warm", "--name", "tests/cache_https.rs"),
        ("cache warm", "--target", "tests/cache_https.rs"),
        ("cache warm", "--targets-url", "tests/cache_https.rs"),
        ("log mirror", "--max-size", "tests/log_http.rs"),
        ("log mirror", "--timeout", "tests/log_http.rs"),
        ("log mirror", "--ca-file", "tests/log_http.rs"),
        // The VSA needs a signing key made for the test, and is verified again there.
        ("gate", "--vsa-out", "tests/gate_corpus.rs"),
        ("gate", "--vsa-key", "tests/gate_corpus.rs"),
        ("gate", "--resource-uri", "tests/gate_corpus.rs"),
        ("gate", "--verifier-id", "tests/gate_corpus.rs"),
        ("gate", "--vsa-subject", "tests/gate_corpus.rs"),
        // Would publish on the network; the golden case shows the refusal without it.
        (
            "log serve",
            "--allow-non-loopback",
            "../golden/tlog-serve-non-loopback.stderr",
        ),
    ];

    /// Flags of the generic `verify` exercised through `tests/generic_form.rs`, which runs
    /// every golden case of the dedicated commands again in the generic form and requires the
    /// same output: (generic flag, dedicated command, what a golden case of it must use — the
    /// flag the generic one is translated from, or an argument prefix).
    const TRANSLATED: &[(&str, &str, &str)] = &[
        (
            "--certificate-identity-regexp",
            "cosign verify-blob",
            "--certificate-identity-regexp",
        ),
        (
            "--certificate-oidc-issuer-regexp",
            "cosign verify-blob",
            "--certificate-oidc-issuer-regexp",
        ),
        (
            "--certificate-github-workflow-trigger",
            "cosign verify-blob",
            "--certificate-github-workflow-trigger",
        ),
        (
            "--certificate-github-workflow-sha",
            "cosign verify-blob",
            "--certificate-github-workflow-sha",
        ),
        (
            "--certificate-github-workflow-name",
            "cosign verify-blob",
            "--certificate-github-workflow-name",
        ),
        (
            "--certificate-github-workflow-repository",
            "cosign verify-blob",
            "--certificate-github-workflow-repository",
        ),
        (
            "--certificate-github-workflow-ref",
            "cosign verify-blob",
            "--certificate-github-workflow-ref",
        ),
        ("--type", "cosign verify-blob-attestation", "--type"),
        (
            "--builder-id",
            "cosign verify-blob-attestation",
            "--builder-id",
        ),
        (
            "--source-uri",
            "cosign verify-blob-attestation",
            "--source-uri",
        ),
        (
            "--source-tag",
            "cosign verify-blob-attestation",
            "--source-tag",
        ),
        (
            "--source-branch",
            "cosign verify-blob-attestation",
            "--source-branch",
        ),
        (
            "--require-inclusion-proof",
            "cosign verify-blob-attestation",
            "--require-inclusion-proof",
        ),
        ("--digest", "cosign verify-blob", "sha256:"),
        ("--crl", "x509 verify", "--crl"),
        ("--require-crl", "x509 verify", "--require-crl"),
        ("--log-receipt", "cosign verify-blob", "--log-receipt"),
        ("--log-key", "cosign verify-blob", "--log-key"),
        (
            "--use-embedded-root",
            "cosign verify-blob",
            "--use-embedded-root",
        ),
        ("--signature-type", "x509 verify", "--format"),
        ("--measurements", "nitro verify", "--measurements"),
        ("--nonce", "nitro verify", "--nonce"),
        ("--max-age", "nitro verify", "--max-age"),
        ("--public-key", "nitro verify", "--public-key"),
        ("--user-data", "nitro verify", "--user-data"),
    ];

    fn in_golden_of(used: &BTreeMap<String, BTreeSet<String>>, cmd: &str, token: &str) -> bool {
        used.get(cmd).is_some_and(|s| s.contains(token))
    }

    fn leaves<'a>(
        cmd: &'a clap::Command,
        path: String,
        out: &mut Vec<(String, &'a clap::Command)>,
    ) {
        let subs: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        if subs.is_empty() {
            out.push((path.trim().to_owned(), cmd));
        }
        for s in subs {
            leaves(s, format!("{path} {}", s.get_name()), out);
        }
    }

    #[test]
    fn every_flag_of_every_command_is_exercised() {
        let root = Cli::full_command();
        let global: BTreeSet<String> = root
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        let mut all = Vec::new();
        leaves(&root, String::new(), &mut all);
        // Flags used by golden cases, per command.
        let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../golden");
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("args = "))
                .unwrap();
            let args: Vec<String> = serde_json::from_str(line).unwrap();
            let mut cmd = &root;
            let mut path = Vec::new();
            for a in &args {
                if let Some(sub) = cmd.find_subcommand(a) {
                    path.push(a.clone());
                    cmd = sub;
                }
            }
            let flags = used.entry(path.join(" ")).or_default();
            for a in &args {
                match a.strip_prefix("--") {
                    Some(f) => flags.insert(format!("--{}", f.split('=').next().unwrap_or(f))),
                    None if a.starts_with("sha256:") => flags.insert("sha256:".to_owned()),
                    None => false,
                };
            }
        }
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut total = 0;
        for (path, cmd) in &all {
            if PROBED.iter().any(|(c, _)| c == path) {
                continue;
            }
            let alias = SAME_FLAGS_AS
                .iter()
                .find(|(c, _)| c == path)
                .map(|(_, other)| (*other).to_owned());
            for arg in cmd.get_arguments() {
                let Some(long) = arg.get_long() else { continue };
                let flag = format!("--{long}");
                if global.contains(&flag) || long == "help" || long == "version" {
                    continue;
                }
                total += 1;
                let in_golden = |c: &str| used.get(c).is_some_and(|s| s.contains(&flag));
                if in_golden(path) || alias.as_deref().is_some_and(in_golden) {
                    continue;
                }
                if path == "verify" {
                    if let Some((_, dedicated, token)) =
                        TRANSLATED.iter().find(|(f, _, _)| *f == flag)
                    {
                        let generic =
                            std::fs::read_to_string(manifest.join("tests/generic_form.rs"))
                                .unwrap();
                        assert!(
                            generic.contains(&format!("\"{flag}\"")),
                            "generic_form.rs never writes {flag}"
                        );
                        if !in_golden_of(&used, dedicated, token) {
                            missing.push(format!(
                                "{path} {flag} (no golden case of {dedicated} uses {token})"
                            ));
                        }
                        continue;
                    }
                }
                let elsewhere = ELSEWHERE.iter().find(|(c, f, _)| c == path && *f == flag);
                match elsewhere {
                    Some((_, _, test)) => {
                        let body = std::fs::read_to_string(manifest.join(test)).unwrap();
                        assert!(body.contains(&flag), "{test} does not use {path} {flag}");
                    }
                    None => missing.push(format!("{path} {flag}")),
                }
            }
        }
        for (c, file) in PROBED {
            let body = std::fs::read_to_string(manifest.join(file)).unwrap();
            assert!(
                body.contains("every_flag_is_used_or_refused"),
                "{file} probes no flags of {c}"
            );
        }
        assert!(total > 150, "only {total} flags");
        assert!(
            missing.is_empty(),
            "flags no golden case or named test exercises:\n{}",
            missing.join("\n")
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::Cli;
    use clap::Parser;
    use std::ffi::OsString;

    fn argv(words: &[&str]) -> Vec<OsString> {
        std::iter::once("prov-verify")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// The first parse either refuses `args` or reads them exactly as the full tree does.
    fn agrees(args: &[OsString]) -> bool {
        let lean = Cli::parse_with_top_level_globals(args);
        let full = Cli::try_parse_from(args);
        match (&lean, &full) {
            (None, _) => false,
            (Some(l), Ok(f)) => {
                assert_eq!(format!("{l:?}"), format!("{f:?}"), "{args:?}");
                true
            }
            (Some(l), Err(e)) => {
                panic!("{args:?}: the first parse accepted {l:?}, the full tree refused: {e}")
            }
        }
    }

    #[test]
    fn global_options_after_the_subcommand_go_to_the_full_tree() {
        let blob = [
            "cosign",
            "verify-blob",
            "a.txt",
            "--bundle",
            "b.json",
            "--key",
            "k.pem",
        ];
        // Before the subcommand: the first parse reads them.
        assert!(agrees(&argv(
            &[&["--json", "-vv", "--offline"], &blob[..]].concat()
        )));
        assert!(agrees(&argv(
            &[&["--quiet", "--log-format", "json"], &blob[..]].concat()
        )));
        // After it, or between two subcommand names: only the full tree accepts them, and it does.
        for late in [
            [&blob[..], &["--json"]].concat(),
            [&blob[..], &["-q"]].concat(),
            [&blob[..], &["--cache-dir", "c"]].concat(),
            [&["cosign", "--offline"], &blob[1..]].concat(),
        ] {
            let args = argv(&late);
            assert!(
                Cli::parse_with_top_level_globals(&args).is_none(),
                "{late:?}"
            );
            Cli::try_parse_from(&args).unwrap();
        }
        // Errors, help and version are the full tree's.
        for refused in [
            &["--json", "--quiet", "plugins"][..],
            &["--help"],
            &["--version"],
            &["cosign", "--help"],
            &["nope"],
        ] {
            assert!(
                Cli::parse_with_top_level_globals(&argv(refused)).is_none(),
                "{refused:?}"
            );
        }
    }

    /// What [`Cli::parse_args`]'s equivalence rests on, for every command of the tree: no
    /// argument reads an unknown option as a value (hyphen values, negative numbers, trailing
    /// or last arguments, external subcommands), so a global option after a subcommand's name
    /// makes the first parse fail rather than mean something else; and no argument of a
    /// subcommand has a global option's id, long name or short letter.
    #[test]
    fn no_argument_could_read_a_global_option_as_something_else() {
        fn walk(
            cmd: &clap::Command,
            globals: &[(String, Option<String>, Option<char>)],
            path: &str,
        ) {
            assert!(!cmd.is_allow_external_subcommands_set(), "{path}");
            assert!(!cmd.is_allow_negative_numbers_set(), "{path}");
            assert!(!cmd.is_trailing_var_arg_set(), "{path}");
            for a in cmd.get_arguments() {
                let what = format!("{path} {}", a.get_id());
                assert!(!a.is_allow_hyphen_values_set(), "{what}");
                assert!(!a.is_allow_negative_numbers_set(), "{what}");
                assert!(!a.is_trailing_var_arg_set(), "{what}");
                assert!(!a.is_last_set(), "{what}");
                if a.is_global_set() {
                    continue;
                }
                for (id, long, short) in globals {
                    assert_ne!(a.get_id().as_str(), id, "{what}");
                    let longs = a.get_all_aliases().unwrap_or_default();
                    assert!(
                        long.as_deref()
                            .map_or(true, |l| a.get_long() != Some(l) && !longs.contains(&l)),
                        "{what}"
                    );
                    let shorts = a.get_all_short_aliases().unwrap_or_default();
                    assert!(
                        short.map_or(true, |c| a.get_short() != Some(c) && !shorts.contains(&c)),
                        "{what}"
                    );
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, globals, &format!("{path} {}", sub.get_name()));
            }
        }
        let cmd = Cli::full_command();
        let globals: Vec<_> = cmd
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| {
                (
                    a.get_id().to_string(),
                    a.get_long().map(str::to_owned),
                    a.get_short(),
                )
            })
            .collect();
        assert_eq!(globals.len(), 6, "{globals:?}");
        for sub in cmd.get_subcommands() {
            walk(sub, &globals, sub.get_name());
        }
    }

    /// Every `prov-verify` golden's arguments: the first parse refuses them or agrees.
    #[test]
    fn the_first_parse_agrees_with_the_full_tree_on_every_golden() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden");
        let (mut read, mut fast) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if !text
                .lines()
                .any(|l| l.trim() == r#"bin.name = "prov-verify""#)
            {
                continue;
            }
            let Some(line) = text.lines().find(|l| l.starts_with("args = [")) else {
                continue;
            };
            // TOML basic strings in an array, as JSON reads them.
            let Ok(words) = serde_json::from_str::<Vec<String>>(&line["args = ".len()..]) else {
                continue;
            };
            read += 1;
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            if agrees(&argv(&words)) {
                fast += 1;
            }
        }
        assert!(read > 300, "only {read} goldens read");
        assert!(
            fast > 150,
            "the first parse took only {fast} of {read} goldens"
        );
    }
}
