//! CRLs in the offline cache: `cache add-crl` stores them (validated, content-addressed,
//! atomically), `x509 verify` without `--crl` uses them, with `--crl` only the given ones.
//! Runs the built binary with a fresh cache directory per test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "prov-verify-x509-cache-crl-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn crls(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(self.0.join("crls")) {
            Ok(rd) => {
                let mut v: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
                v.sort();
                v
            }
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
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

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn add_crl(cache: &Path, files: &[PathBuf]) -> Output {
    let mut args = vec![
        "--json".to_owned(),
        "cache".to_owned(),
        "add-crl".to_owned(),
    ];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(cache, &refs)
}

/// `x509 verify` of `leaf` (raw signature `manifest.<leaf>.sig`) under the intermediate.
fn verify(cache: &Path, leaf: &str, extra: &[&str]) -> Output {
    let sig = gen(&format!("manifest.{leaf}.sig"));
    let cert = gen(&format!("{leaf}.pem"));
    let manifest = gen("manifest.json");
    let chain = gen("inter.pem");
    let root = gen("root.pem");
    let mut args = vec![
        "x509".to_owned(),
        "verify".to_owned(),
        "--at".to_owned(),
        AT.to_owned(),
        "--manifest".to_owned(),
        manifest.display().to_string(),
        "--signature".to_owned(),
        sig.display().to_string(),
        "--cert".to_owned(),
        cert.display().to_string(),
        "--chain".to_owned(),
        chain.display().to_string(),
        "--root".to_owned(),
        root.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(cache, &refs)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn check_status(report: &serde_json::Value, id: &str) -> Option<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap().to_owned())
}

#[test]
fn add_crl_stores_der_under_its_sha256() {
    let cache = TempDir::new("store");
    let o = add_crl(cache.path(), &[gen("inter.crl.pem")]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let files = cache.crls();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    let stored = std::fs::read(&files[0]).unwrap();
    // The PEM was stored as its DER, which is the fixture's DER copy of the same CRL.
    assert_eq!(stored, std::fs::read(gen("inter.crl.der")).unwrap());
    let hex = name
        .strip_prefix("sha256-")
        .and_then(|r| r.strip_suffix(".crl"))
        .unwrap();
    assert_eq!(hex.len(), 64);
    let v = json(&o);
    assert_eq!(v["added"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["added"][0]["issuer"],
        "O=prov-verify fixtures, CN=Fixture Intermediate CA"
    );

    // The same CRL again (as DER): nothing new.
    let o = add_crl(cache.path(), &[gen("inter.crl.der")]);
    assert_eq!(code(&o), 0);
    let v = json(&o);
    assert_eq!(v["added"].as_array().unwrap().len(), 0);
    assert_eq!(v["already_cached"].as_array().unwrap().len(), 1);
    assert_eq!(cache.crls().len(), 1);

    // `cache status` lists it.
    let o = run(cache.path(), &["--json", "cache", "status", "--at", AT]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    let crls = v["crls"].as_array().unwrap();
    assert_eq!(crls.len(), 1);
    assert_eq!(crls[0]["file"], format!("crls/{name}"));
    assert_eq!(crls[0]["revoked"], 1);
    assert_eq!(crls[0]["next_update"], "2026-07-01T00:00:00Z");
}

#[test]
fn cached_crl_revokes_without_crl_flag() {
    let cache = TempDir::new("revoked");
    assert_eq!(code(&add_crl(cache.path(), &[gen("inter.crl.pem")])), 0);

    let o = verify(cache.path(), "leaf-revoked", &[]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("x509.revocation:"), "{out}");
    assert!(out.contains("revoked on 2025-06-01T00:00:00Z"), "{out}");

    let o = verify(cache.path(), "leaf-revoked", &["--json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(check_status(&v, "x509.revocation").as_deref(), Some("fail"));
    assert!(v["outputs"]["crls"]
        .as_str()
        .unwrap()
        .starts_with("1 from the offline cache"));

    // Offline changes nothing: the cache is local files.
    let o = verify(cache.path(), "leaf-revoked", &["--offline"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
}

#[test]
fn cached_crl_good_leaf_passes_and_is_recorded() {
    let cache = TempDir::new("good");
    assert_eq!(code(&add_crl(cache.path(), &[gen("inter.crl.pem")])), 0);
    let o = verify(cache.path(), "leaf", &["--json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(v["ok"], true);
    assert_eq!(check_status(&v, "x509.revocation").as_deref(), Some("pass"));
    assert!(v["outputs"]["crls"]
        .as_str()
        .unwrap()
        .starts_with("1 from the offline cache"));
    // The intermediate is not covered (no root CRL cached): a warning, and --require-crl fails.
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    let o = verify(cache.path(), "leaf", &["--require-crl"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("x509.revocation:"));

    // With the root's CRL cached too, --require-crl passes.
    assert_eq!(code(&add_crl(cache.path(), &[gen("root.crl.pem")])), 0);
    let o = verify(cache.path(), "leaf", &["--require-crl", "-v"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("2 of 2 covered"), "{out}");
    assert!(out.contains("crls: 2 from the offline cache"), "{out}");
}

#[test]
fn crl_flag_replaces_the_cache() {
    let cache = TempDir::new("flag");
    assert_eq!(code(&add_crl(cache.path(), &[gen("inter.crl.pem")])), 0);
    // Only the root's CRL is used: the revoking intermediate CRL in the cache is not.
    let root_crl = gen("root.crl.pem");
    let o = verify(
        cache.path(),
        "leaf-revoked",
        &["--crl", root_crl.to_str().unwrap(), "--json"],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    assert!(v["outputs"].get("crls").is_none(), "{v}");
}

#[test]
fn require_crl_with_empty_cache_fails() {
    let cache = TempDir::new("empty");
    let o = verify(cache.path(), "leaf", &["--require-crl", "--json"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(check_status(&v, "x509.revocation").as_deref(), Some("fail"));
    assert!(v["outputs"]["crls"]
        .as_str()
        .unwrap()
        .starts_with("none in the offline cache"));
    // Without --require-crl and without CRLs: verified, with a warning, no revocation check.
    let o = verify(cache.path(), "leaf", &["--json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(check_status(&v, "x509.revocation"), None);
    assert!(v["outputs"].get("crls").is_none());
}

#[test]
fn add_crl_refuses_garbage_and_writes_nothing() {
    let cache = TempDir::new("garbage");
    let o = add_crl(cache.path(), &[gen("manifest.json")]);
    assert_eq!(code(&o), 2);
    assert!(cache.crls().is_empty());
    assert!(!cache.path().join("crls").exists());

    // A certificate is not a CRL.
    let o = add_crl(cache.path(), &[gen("inter.pem")]);
    assert_eq!(code(&o), 2);
    // A good CRL followed by garbage: all or nothing.
    let o = add_crl(cache.path(), &[gen("inter.crl.pem"), gen("leaf.der")]);
    assert_eq!(code(&o), 2);
    assert!(cache.crls().is_empty());

    // Over the 1 MiB budget.
    let big = cache.path().join("big.crl");
    std::fs::write(&big, vec![b'A'; 1024 * 1024 + 1]).unwrap();
    let o = add_crl(cache.path(), &[big]);
    assert_eq!(code(&o), 2);
    assert!(cache.crls().is_empty());
}

#[test]
fn forged_cached_crl_never_makes_a_pass() {
    // A CRL whose signature does not verify is accepted into the cache (no trust at add
    // time) but fails the path when used: fail closed.
    let cache = TempDir::new("forged");
    let mut der = std::fs::read(gen("inter.crl.der")).unwrap();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let forged = cache.path().join("forged.crl.der");
    std::fs::write(&forged, &der).unwrap();
    let o = add_crl(cache.path(), &[forged]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    for leaf in ["leaf", "leaf-revoked"] {
        let o = verify(cache.path(), leaf, &[]);
        assert_eq!(code(&o), 1, "{leaf}: {}", stdout(&o));
        assert!(stdout(&o).contains("x509.revocation:"), "{}", stdout(&o));
    }
}

#[test]
fn damaged_cache_entry_is_an_error() {
    let cache = TempDir::new("damaged");
    assert_eq!(code(&add_crl(cache.path(), &[gen("inter.crl.pem")])), 0);
    let files = cache.crls();
    // Replace the content with another CRL (PEM, not the DER its name addresses).
    std::fs::write(
        &files[0],
        std::fs::read(gen("inter-revoked.crl.pem")).unwrap(),
    )
    .unwrap();
    let o = verify(cache.path(), "leaf", &[]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    // Garbage content.
    std::fs::write(&files[0], b"garbage").unwrap();
    let o = verify(cache.path(), "leaf-revoked", &[]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    // A writer's temporary file in crls/ is ignored.
    std::fs::remove_file(&files[0]).unwrap();
    std::fs::write(cache.path().join("crls/.tmp-1-0-x"), b"partial").unwrap();
    let o = verify(cache.path(), "leaf", &[]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    // A revoking CRL kept under any other name is an error, not silently unused (which would
    // let the revoked leaf pass).
    assert_eq!(code(&add_crl(cache.path(), &[gen("inter.crl.pem")])), 0);
    let revoking = cache
        .crls()
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("sha256-")
        })
        .unwrap();
    assert_eq!(code(&verify(cache.path(), "leaf-revoked", &[])), 1);
    let upper = revoking
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_uppercase();
    for misnamed in [upper.as_str(), "inter.crl"] {
        let to = cache.path().join("crls").join(misnamed);
        std::fs::copy(&revoking, &to).unwrap();
        std::fs::remove_file(&revoking).unwrap();
        let o = verify(cache.path(), "leaf-revoked", &[]);
        assert_eq!(code(&o), 2, "{misnamed}: {}", stdout(&o));
        assert!(stderr(&o).contains(misnamed), "{}", stderr(&o));
        std::fs::copy(&to, &revoking).unwrap();
        std::fs::remove_file(&to).unwrap();
    }
}

/// The generic form (`verify --plugin x509`, a set item with `cacheDir`) takes the cached CRLs
/// exactly as `x509 verify` does: a revoked leaf fails both ways. (Found by review: before,
/// the generic form ignored the cache and accepted the revoked signer.)
#[test]
fn the_generic_form_and_sets_use_the_cached_crls_too() {
    let cache = TempDir::new("generic");
    assert_eq!(
        code(&add_crl(
            cache.path(),
            &[gen("inter.crl.pem"), gen("root.crl.pem")]
        )),
        0
    );
    let dedicated = verify(cache.path(), "leaf-revoked", &["--json"]);
    assert_eq!(code(&dedicated), 1, "{}", stdout(&dedicated));
    let g = |n: &str| gen(n).display().to_string();
    let generic = run(
        cache.path(),
        &[
            "--json",
            "verify",
            "--plugin",
            "x509",
            "--at",
            AT,
            "--manifest",
            &g("manifest.json"),
            "--signature",
            &g("manifest.leaf-revoked.sig"),
            "--cert",
            &g("leaf-revoked.pem"),
            "--cert",
            &g("inter.pem"),
            "--root",
            &g("root.pem"),
        ],
    );
    assert_eq!(code(&generic), 1, "{}", stdout(&generic));
    assert_eq!(stdout(&generic), stdout(&dedicated));
    assert_eq!(
        check_status(&json(&generic), "x509.revocation").as_deref(),
        Some("fail")
    );

    // The same as a set item naming the cache directory, run with another (empty) cache.
    let set_dir = TempDir::new("set");
    let set = serde_json::json!({
        "version": 1,
        "items": [{
            "name": "revoked",
            "plugin": "x509",
            "subject": g("manifest.json"),
            "signature": g("manifest.leaf-revoked.sig"),
            "certs": [g("leaf-revoked.pem"), g("inter.pem")],
            "roots": [{"kind": "x509-certificate", "path": g("root.pem")}],
            "at": AT,
            "cacheDir": cache.path().display().to_string(),
        }]
    });
    let set_file = set_dir.path().join("set.json");
    std::fs::write(&set_file, set.to_string()).unwrap();
    let empty = TempDir::new("empty");
    let o = run(
        empty.path(),
        &["verify", "--set", &set_file.display().to_string()],
    );
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("x509.revocation"), "{}", stdout(&o));
}
