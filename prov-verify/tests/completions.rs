//! Shell completion of `prov-verify` in bash, zsh and fish, below the first word too (the
//! shells run the generated scripts: `scripts/test-completions.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn bash_zsh_and_fish_complete_subcommands_and_their_flags() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = Command::new("bash")
        .arg(repo.join("scripts/test-completions.sh"))
        .arg(env!("CARGO_BIN_EXE_prov-verify"))
        .arg("prov-verify")
        .args([
            "prov-verify |cosign x509 nitro audit-pack cache log verify merkle",
            "prov-verify cosign |verify-blob verify-blob-attestation !verify-receipt !build",
            "prov-verify cosign verify-blob --certificate-i|--certificate-identity --certificate-identity-regexp",
            "prov-verify --json cosign verify-blob --insecure-ignore-|--insecure-ignore-tlog --insecure-ignore-sct",
            "prov-verify audit-pack |verify prove verify-proof report",
            "prov-verify log ve|verify-receipt verify-inclusion !verify-blob",
            "prov-verify cache |warm status verify export import add-crl",
            "prov-verify nitro verify --p|--pcr --public-key",
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
