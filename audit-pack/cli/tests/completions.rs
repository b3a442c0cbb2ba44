//! Shell completion of `audit-pack` in bash, zsh and fish, below the first word too (the
//! shells run the generated scripts: `scripts/test-completions.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn bash_zsh_and_fish_complete_subcommands_and_their_flags() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let o = Command::new("bash")
        .arg(repo.join("scripts/test-completions.sh"))
        .arg(env!("CARGO_BIN_EXE_audit-pack"))
        .arg("audit-pack")
        .args([
            "audit-pack |build keygen verify prove verify-proof report completions man",
            "audit-pack build --manifest-id|--manifest-identity --manifest-identity-regexp",
            "audit-pack verify --spot|--spot-check",
            "audit-pack verify-p|verify-proof !verify-blob",
            "audit-pack |build !cosign !merkle",
        ])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
