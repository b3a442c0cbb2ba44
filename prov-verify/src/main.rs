//! `prov-verify`: parse arguments, run one command, render its outcome, exit 0/1/2.
#![forbid(unsafe_code)]

mod checks;
mod cli;
mod commands;
mod error;
mod input;
mod logging;
mod manual;
mod output;
mod registry;

use cli::{Cli, Command};
use commands::Outcome;
use error::CliError;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap prints usage errors to stderr and exits 2; --help and --version exit 0. With
    // `--log-format json` a usage error is one JSON log line instead.
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && json_logs_requested() => {
            output::json_error_line("usage", &e.kind().to_string(), &usage_message(&e));
            return ExitCode::from(output::EXIT_ERROR);
        }
        Err(e) => e.exit(),
    };
    logging::init(&cli.global);
    tracing::debug!(offline = cli.global.offline, cache_dir = ?cli.global.cache_dir, "starting");
    let result = run(&cli);
    let mut stdout = std::io::stdout().lock();
    let code = match result {
        Ok(outcome) => output::render(&mut stdout, &outcome, &cli.global),
        Err(e) => output::render_error(&mut stdout, &e, &cli.global),
    };
    match stdout.flush() {
        Ok(()) => ExitCode::from(code),
        Err(e) => ExitCode::from(output::write_failed(code, &e)),
    }
}

fn run(cli: &Cli) -> Result<Outcome, CliError> {
    match &cli.command {
        Command::Merkle(cmd) => commands::merkle::run(cmd),
        Command::Cosign(cmd) => commands::cosign::run(cmd, &cli.global),
        Command::X509(cmd) => commands::x509::run(cmd, &cli.global),
        Command::Nitro(cmd) => commands::nitro::run(cmd),
        Command::Npm(cmd) => commands::npm::run(cmd, &cli.global),
        Command::AuditPack(cmd) => commands::audit_pack::run(cmd, &cli.global),
        Command::Cache(cmd) => commands::cache::run(cmd, &cli.global),
        Command::Log(cmd) => commands::log::run(cmd, &cli.global),
        Command::Verify(args) => commands::verify::run(args, &cli.global),
        Command::Plugins => Ok(commands::verify::plugins(cli.global.json)),
        Command::Gate(args) => commands::gate::run(args, &cli.global),
        Command::Completions { shell } => Ok(Outcome::Text(audit_pack_cli::manual::completions(
            *shell,
            &mut Cli::full_command(),
            "prov-verify",
        ))),
        Command::Man { out_dir } => {
            let cmd = Cli::full_command();
            match out_dir {
                Some(dir) => {
                    let written = audit_pack_cli::manual::write_all(
                        &cmd,
                        "prov-verify",
                        &manual::SECTIONS,
                        dir,
                    )
                    .map_err(|e| CliError::io(dir, e))?;
                    Ok(Outcome::Text(
                        written
                            .iter()
                            .map(|p| format!("{}\n", p.display()))
                            .collect(),
                    ))
                }
                None => {
                    let mut cmd = cmd;
                    cmd.build();
                    let page =
                        audit_pack_cli::manual::render(&cmd, "", "prov-verify", &manual::SECTIONS)
                            .map_err(|e| CliError::Internal(e.to_string()))?;
                    Ok(Outcome::Text(String::from_utf8_lossy(&page).into_owned()))
                }
            }
        }
    }
}

/// Whether the raw arguments ask for JSON log lines (`--log-format json` or
/// `--log-format=json`), for errors found before the arguments could be parsed.
fn json_logs_requested() -> bool {
    let args: Vec<OsString> = std::env::args_os().collect();
    args.iter().enumerate().any(|(i, a)| {
        a == "--log-format=json"
            || (a == "--log-format" && args.get(i + 1).is_some_and(|v| v == "json"))
    })
}

/// A usage error as one line, without clap's styling and "try --help" trailer.
fn usage_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("usage error");
    first.strip_prefix("error: ").unwrap_or(first).to_owned()
}
