//! The `console` examples of the README and docs/*.md are run, from the repository root, and
//! their output compared: a `$ ` line (with `\` continuation lines) is a command of
//! `prov-verify` or `audit-pack`; the lines up to the next `$ ` or the end of the block are its
//! standard output, exactly; `$ echo $?` followed by a number checks the previous command's
//! exit status (without it, the status must be 0). `"$(cat FILE)"` is replaced by the file's
//! contents, trimmed. Every other block is only parsed (`doc_command_tests` in each binary).
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

/// One command of a console block, its expected stdout and expected status.
struct Example {
    file: String,
    line: usize,
    command: String,
    stdout: String,
    status: i32,
}

fn examples(file: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file
        .strip_prefix(repo())
        .unwrap_or(file)
        .display()
        .to_string();
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        if line.trim_start().starts_with("```") {
            in_console = !in_console && line.trim_start().trim_start_matches('`') == "console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            if cmd.trim() == "echo $?" {
                let (_, status) = lines.next().expect("a status after echo $?");
                let last = out.last_mut().expect("echo $? after a command");
                last.status = status.trim().parse().unwrap();
                continue;
            }
            let mut command = cmd.trim_end().to_owned();
            while command.ends_with('\\') {
                command.pop();
                let (_, next) = lines.next().expect("a continuation line");
                command.push(' ');
                command.push_str(next.trim());
            }
            out.push(Example {
                file: name.clone(),
                line: i + 1,
                command,
                stdout: String::new(),
                status: 0,
            });
        } else if let Some(last) = out.last_mut() {
            last.stdout.push_str(line);
            last.stdout.push('\n');
        }
    }
    out
}

/// Words of a command line as a shell splits them (the one splitter the doc-command tests
/// use), with `"$(cat FILE)"` substituted.
fn words(command: &str) -> Vec<String> {
    audit_pack_cli::doc_commands::split(command)
        .into_iter()
        .map(
            |w| match w.strip_prefix("$(cat ").and_then(|r| r.strip_suffix(')')) {
                Some(f) => std::fs::read_to_string(repo().join(f))
                    .unwrap()
                    .trim()
                    .to_owned(),
                None => w,
            },
        )
        .collect()
}

#[test]
fn console_examples_in_the_docs_give_the_output_shown() {
    let mut files = vec![repo().join("README.md")];
    for e in std::fs::read_dir(repo().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    files.sort();
    let audit_pack = Path::new(env!("CARGO_BIN_EXE_prov-verify")).with_file_name("audit-pack");
    let mut ran = 0;
    let mut bad = Vec::new();
    for f in &files {
        for ex in examples(f) {
            let mut w = words(&ex.command);
            let bin = match w.first().map(String::as_str) {
                Some("prov-verify") => PathBuf::from(env!("CARGO_BIN_EXE_prov-verify")),
                Some("audit-pack") => {
                    assert!(
                        audit_pack.exists(),
                        "{}: build audit-pack first (cargo build -p audit-pack-cli)",
                        audit_pack.display()
                    );
                    audit_pack.clone()
                }
                other => panic!(
                    "{}:{}: not a command of the tools: {other:?}",
                    ex.file, ex.line
                ),
            };
            w.remove(0);
            let o = Command::new(bin)
                .current_dir(repo())
                .env(
                    "XDG_CACHE_HOME",
                    repo().join("target/doc-examples-no-cache"),
                )
                .env_remove("PROV_VERIFY_CACHE_DIR")
                .args(&w)
                .output()
                .unwrap();
            ran += 1;
            let stdout = String::from_utf8_lossy(&o.stdout);
            // A blank line after the output separates it from the next command.
            let mut shown = ex.stdout.clone();
            while shown.ends_with("\n\n") {
                shown.pop();
            }
            let ex = Example {
                stdout: shown,
                ..ex
            };
            let status = o.status.code().unwrap_or(-1);
            if stdout != ex.stdout || status != ex.status {
                bad.push(format!(
                    "{}:{}: $ {}\n  status {status} (shown: {})\n  stdout:\n{stdout}  shown:\n{}",
                    ex.file, ex.line, ex.command, ex.status, ex.stdout
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "examples whose output drifted:\n{}",
        bad.join("\n")
    );
    assert!(ran >= 3, "only {ran} console examples ran");
}
