//! CRLs travel with `cache export` / `cache import`: added with `cache add-crl` in cache A,
//! exported with the TUF repository, imported into an empty cache B (re-checked and stored as
//! `add-crl` stores them), then used by `x509 verify --require-crl` in B, offline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Inside the validity of the TUF fixtures and of the X.509 fixtures' CRLs.
const AT: &str = "2026-06-01T00:00:00Z";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn gen(name: &str) -> PathBuf {
    repo().join("fixtures/x509/gen").join(name)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prov-verify-cache-crl-export-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .current_dir(repo())
        .env_remove("PROV_VERIFY_CACHE_DIR")
        .arg("--cache-dir")
        .arg(cache)
        .args(args)
        .output()
        .expect("run prov-verify")
}

fn ok(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn verify_leaf(cache: &Path, leaf: &str) -> Output {
    let p = |s: &str| gen(s).display().to_string();
    run(
        cache,
        &[
            "--offline",
            "x509",
            "verify",
            "--at",
            AT,
            "--manifest",
            &p("manifest.json"),
            "--signature",
            &p(&format!("manifest.{leaf}.sig")),
            "--cert",
            &p(&format!("{leaf}.pem")),
            "--chain",
            &p("inter.pem"),
            "--root",
            &p("root.pem"),
            "--require-crl",
            "-v",
        ],
    )
}

#[test]
fn crls_added_in_one_cache_are_used_after_export_and_import() {
    let a = TempDir::new("a");
    copy_dir(&repo().join("fixtures/tuf/cache"), &a.0);
    let crls = [gen("inter.crl.pem"), gen("root.crl.pem")];
    let mut args = vec!["cache".to_owned(), "add-crl".to_owned()];
    args.extend(crls.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&run(&a.0, &refs));

    let out = TempDir::new("archive");
    let archive = out.0.join("cache.tgz");
    let archive_s = archive.display().to_string();
    ok(&run(&a.0, &["cache", "export", &archive_s]));

    // B starts empty: without the CRLs, --require-crl fails.
    let b = TempDir::new("b");
    assert_eq!(verify_leaf(&b.0, "leaf").status.code(), Some(1));

    let root = repo().join("fixtures/tuf/initial-root.json");
    let root_s = root.display().to_string();
    let o = run(
        &b.0,
        &[
            "--json",
            "--offline",
            "cache",
            "import",
            &archive_s,
            "--root",
            &root_s,
            "--at",
            "2030-01-01T00:00:00Z",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["outputs"]["crls_added"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["outputs"]["crls_already_cached"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Stored byte for byte as in A.
    for name in report["outputs"]["crls_added"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        assert_eq!(
            std::fs::read(b.0.join("crls").join(name)).unwrap(),
            std::fs::read(a.0.join("crls").join(name)).unwrap()
        );
    }

    // B now verifies with --require-crl, offline; the revoked leaf fails on revocation.
    let good = ok(&verify_leaf(&b.0, "leaf"));
    assert!(good.contains("2 of 2 covered"), "{good}");
    assert!(good.contains("crls: 2 from the offline cache"), "{good}");
    let revoked = verify_leaf(&b.0, "leaf-revoked");
    assert_eq!(revoked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("x509.revocation:"));

    // Importing the same archive again: the CRLs are already cached.
    let o = run(
        &b.0,
        &[
            "--json",
            "--offline",
            "cache",
            "import",
            &archive_s,
            "--at",
            "2030-01-01T00:00:00Z",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(report["outputs"]["crls_added"].as_array().unwrap().len(), 0);
    assert_eq!(
        report["outputs"]["crls_already_cached"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn import_with_the_embedded_sigstore_root_refuses_an_archive_of_another_repository() {
    // The fixture archive chains to the fixtures' own root, not to Sigstore's: anchored at the
    // embedded Sigstore root (`--sigstore`), its metadata does not verify, and nothing is
    // committed (the archive's own anchor is never trusted).
    let c = TempDir::new("sigstore-anchor");
    let archive = repo().join("fixtures/tuf/sigstore-cache.tgz");
    let o = run(
        &c.0,
        &[
            "--json",
            "--offline",
            "cache",
            "import",
            &archive.display().to_string(),
            "--sigstore",
            "--at",
            "2030-01-01T00:00:00Z",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["tuf.timestamp.signatures"]);
    assert!(!c.0.join("tuf/sigstore/current").exists());
    // --sigstore and --root are exclusive.
    let o = run(
        &c.0,
        &[
            "cache",
            "import",
            &archive.display().to_string(),
            "--sigstore",
            "--root",
            "fixtures/tuf/initial-root.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}
