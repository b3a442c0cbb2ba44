//! A reader that closes the pipe early (`| head`, `| true`) must not make the binary panic
//! (exit 101), and must never turn a failed verification into success.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::Command;

/// Runs `prov-verify ARGS` with stdout and stderr both on a pipe whose reader has already
/// exited, and returns its exit status.
fn exit_code_into_closed_pipe(name: &str, args: &[&str]) -> i32 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-closed-pipe");
    std::fs::create_dir_all(&dir).unwrap();
    let code_file = dir.join(format!("{name}.code"));
    let _ = std::fs::remove_file(&code_file);
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    // `true` exits at once; the verifier writes half a second later, into a closed pipe.
    let script = format!(
        "{{ sleep 0.5; '{bin}' {args}; echo $? > '{code}'; }} 2>&1 | true",
        bin = env!("CARGO_BIN_EXE_prov-verify"),
        args = quoted.join(" "),
        code = code_file.display(),
    );
    let status = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(&code_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_closed_pipe_keeps_the_verdict_and_never_panics() {
    for json in [false, true] {
        let mut ok = vec![];
        let mut bad = vec![];
        if json {
            ok.push("--json");
            bad.push("--json");
        }
        ok.extend([
            "merkle",
            "verify-inclusion",
            "--proof-file",
            "fixtures/merkle/inclusion-3-of-8.json",
        ]);
        bad.extend([
            "merkle",
            "verify-inclusion",
            "--proof-file",
            "fixtures/merkle/tampered-inclusion.json",
        ]);
        assert_eq!(exit_code_into_closed_pipe("ok", &ok), 0, "json={json}");
        assert_eq!(exit_code_into_closed_pipe("bad", &bad), 1, "json={json}");
    }
    // An input error stays an input error, even with stderr closed.
    let missing = [
        "merkle",
        "verify-inclusion",
        "--proof-file",
        "no/such/file.json",
    ];
    assert_eq!(exit_code_into_closed_pipe("missing", &missing), 2);
}
