//! CRLs in export archives: exported from `CACHE_DIR/crls/`, imported only after the
//! repository verified, and every CRL entry re-checked (name form, content address, one DER
//! CRL, directly under `crls/`); a bad entry refuses the whole archive and writes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use offline_cache::{
    crl_file_name, export, import, warm, CacheDir, Error, HttpFetcher, WarmRequest, CRL_DIR,
};
use plugin_api::VerificationTime;
use std::io::Read;
use std::path::Path;
use std::time::Duration;
use support::{Repo, Server, TempDir, NOW, TRUSTED_ROOT};

fn fixture_crl() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/x509/gen/inter.crl.der"))
        .unwrap()
}

fn now() -> VerificationTime {
    VerificationTime::from_unix_seconds(NOW)
}

/// A warmed cache holding one CRL, and its repository.
fn warmed_with_crl(dir: &Path) -> (CacheDir, Repo) {
    let cache = CacheDir::new(dir);
    let mut repo = Repo::new();
    repo.publish(1, TRUSTED_ROOT);
    let server = Server::start(repo.files.clone());
    let req = WarmRequest {
        name: "sigstore".into(),
        metadata_url: server.url.clone(),
        targets_url: format!("{}targets/", server.url),
        initial_root: Some(repo.initial_root()),
        targets: vec!["trusted_root.json".into()],
        now: now(),
    };
    assert!(
        warm(&cache, &req, HttpFetcher::new(Duration::from_secs(10)))
            .unwrap()
            .committed
    );
    let crl = fixture_crl();
    std::fs::create_dir_all(dir.join(CRL_DIR)).unwrap();
    std::fs::write(dir.join(CRL_DIR).join(crl_file_name(&crl)), &crl).unwrap();
    (cache, repo)
}

/// The entries of a .tgz (path, bytes).
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut a = tar::Archive::new(gz);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (p, data)
        })
        .collect()
}

fn write_tgz(path: &Path, files: &[(String, Vec<u8>)]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    let mut b = tar::Builder::new(gz);
    for (p, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, p, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
}

#[test]
fn crls_are_exported_and_imported_with_the_repository() {
    let a = TempDir::new("crl-a");
    let (cache, repo) = warmed_with_crl(&a.0);
    let archive = a.0.join("out.tgz");
    export(&cache, "sigstore", &archive).unwrap();
    let crl = fixture_crl();
    let name = crl_file_name(&crl);
    let files = entries(&archive);
    assert!(files
        .iter()
        .any(|(p, d)| *p == format!("crls/{name}") && *d == crl));

    let b = TempDir::new("crl-b");
    let cache_b = CacheDir::new(&b.0);
    let out = import(&cache_b, &archive, Some(&repo.initial_root()), now(), &[]).unwrap();
    assert!(out.committed);
    assert_eq!(out.crls_added, vec![name.clone()]);
    assert_eq!(std::fs::read(b.0.join(CRL_DIR).join(&name)).unwrap(), crl);
    assert_eq!(
        out.report.outputs()["crls_added"],
        serde_json::json!([name.clone()])
    );

    // An archive whose repository does not verify writes no CRL either.
    let c = TempDir::new("crl-c");
    let expired = VerificationTime::from_unix_seconds(
        offline_cache::parse_time(support::FUTURE)
            .unwrap()
            .unix_seconds()
            + 1,
    );
    let out = import(
        &CacheDir::new(&c.0),
        &archive,
        Some(&repo.initial_root()),
        expired,
        &[],
    )
    .unwrap();
    assert!(!out.committed && !out.report.ok());
    assert!(!c.0.join(CRL_DIR).exists());
}

#[test]
fn bad_crl_entries_refuse_the_archive() {
    let a = TempDir::new("crl-bad");
    let (cache, repo) = warmed_with_crl(&a.0);
    let archive = a.0.join("out.tgz");
    export(&cache, "sigstore", &archive).unwrap();
    let good: Vec<(String, Vec<u8>)> = entries(&archive)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("crls/"))
        .collect();
    let crl = fixture_crl();
    let garbage = b"not a CRL".to_vec();
    let cases: Vec<(String, Vec<u8>, &str)> = vec![
        (
            format!("crls/{}", crl_file_name(&garbage)),
            garbage.clone(),
            "not one DER CRL",
        ),
        (
            format!("crls/{}", crl_file_name(b"other")),
            crl.clone(),
            "does not hash",
        ),
        (
            "crls/inter.crl".to_owned(),
            crl.clone(),
            "not a CRL file name",
        ),
        (
            format!("crls/sub/{}", crl_file_name(&crl)),
            crl.clone(),
            "directly under crls/",
        ),
        (
            format!("crl/{}", crl_file_name(&crl)),
            crl.clone(),
            "outside tuf/ and crls/",
        ),
    ];
    for (i, (path, data, why)) in cases.into_iter().enumerate() {
        let mut files = good.clone();
        files.push((path, data));
        let evil = a.0.join(format!("evil-{i}.tgz"));
        write_tgz(&evil, &files);
        let fresh = TempDir::new("crl-fresh");
        match import(
            &CacheDir::new(&fresh.0),
            &evil,
            Some(&repo.initial_root()),
            now(),
            &[],
        ) {
            Err(Error::Archive { reason, .. }) => assert!(reason.contains(why), "{i}: {reason}"),
            other => panic!("{i}: {other:?}"),
        }
        assert!(!fresh.0.join(CRL_DIR).exists() && !fresh.0.join("tuf").exists());
    }
    // A damaged cached CRL makes export fail rather than carry it.
    let dir = a.0.join(CRL_DIR);
    let name = crl_file_name(&crl);
    std::fs::write(dir.join(&name), b"damaged").unwrap();
    assert!(export(&cache, "sigstore", &a.0.join("again.tgz")).is_err());
    assert!(!a.0.join("again.tgz").exists());
}
