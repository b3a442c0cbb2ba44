//! Test support: a TUF repository generator (ed25519 via ring, canonical JSON, fixed
//! clock) and a tiny HTTP/1.0 server on 127.0.0.1 serving it from memory, in plain HTTP or
//! over TLS with a CA and a server certificate made in the test (rcgen, rustls with ring).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The fixed clock of the tests: 2030-01-01T00:00:00Z.
pub const NOW: u64 = 1_893_456_000;
/// Expiry of live metadata: 2031-01-01T00:00:00Z.
pub const FUTURE: &str = "2031-01-01T00:00:00Z";
/// A time after FUTURE (the cache is then expired): 2031-06-01T00:00:00Z.
pub const LATER: u64 = 1_938_038_400;
/// An expiry before NOW.
pub const PAST: &str = "2029-06-01T00:00:00Z";

pub const TRUSTED_ROOT: &[u8] =
    br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[]}"#;

pub struct Key {
    pair: Ed25519KeyPair,
    pub id: String,
}

impl Key {
    pub fn new(seed: u8) -> Key {
        let pair = Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap();
        let id = hex::encode(Sha256::digest(pair.public_key().as_ref()));
        Key { pair, id }
    }

    pub fn public(&self) -> Value {
        json!({ "keytype": "ed25519", "scheme": "ed25519",
                "keyval": { "public": hex::encode(self.pair.public_key().as_ref()) } })
    }
}

/// OLPC canonical JSON (sorted keys, no whitespace; strings escape only `"` and `\`).
pub fn canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => {
            out.push(b'"');
            for b in s.bytes() {
                if b == b'"' || b == b'\\' {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b'"');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(x, out);
            }
            out.push(b']');
        }
        Value::Object(o) => {
            out.push(b'{');
            let sorted: BTreeMap<&String, &Value> = o.iter().collect();
            for (i, (k, x)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(&Value::String(k.clone()), out);
                out.push(b':');
                canonical(x, out);
            }
            out.push(b'}');
        }
    }
}

pub fn sign(signed: &Value, keys: &[&Key]) -> Vec<u8> {
    let mut msg = Vec::new();
    canonical(signed, &mut msg);
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| json!({ "keyid": k.id, "sig": hex::encode(k.pair.sign(&msg)) }))
        .collect();
    serde_json::to_vec_pretty(&json!({ "signatures": sigs, "signed": signed })).unwrap()
}

fn file_meta(version: u64, data: &[u8]) -> Value {
    json!({ "version": version, "length": data.len(),
            "hashes": { "sha256": hex::encode(Sha256::digest(data)) } })
}

/// A repository's keys and the files it serves (URL path → bytes), Sigstore layout:
/// metadata at the top, targets under `targets/` with hash-prefixed names.
pub struct Repo {
    pub root_key: Key,
    pub timestamp_key: Key,
    pub snapshot_key: Key,
    pub targets_key: Key,
    pub root_version: u64,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Repo {
    /// Root v1 signed by its key; nothing else published yet.
    pub fn new() -> Repo {
        let mut r = Repo {
            root_key: Key::new(1),
            timestamp_key: Key::new(2),
            snapshot_key: Key::new(3),
            targets_key: Key::new(4),
            root_version: 1,
            files: BTreeMap::new(),
        };
        let root = r.root_bytes(1, &[&Key::new(1)]);
        r.files.insert("1.root.json".into(), root);
        r
    }

    pub fn root_signed(&self, version: u64) -> Value {
        let keys: serde_json::Map<String, Value> = [
            &self.root_key,
            &self.timestamp_key,
            &self.snapshot_key,
            &self.targets_key,
        ]
        .iter()
        .map(|k| (k.id.clone(), k.public()))
        .collect();
        let role = |k: &Key| json!({ "keyids": [k.id], "threshold": 1 });
        json!({
            "_type": "root", "spec_version": "1.0.31", "version": version, "expires": FUTURE,
            "consistent_snapshot": true, "keys": keys,
            "roles": { "root": role(&self.root_key), "timestamp": role(&self.timestamp_key),
                       "snapshot": role(&self.snapshot_key), "targets": role(&self.targets_key) },
        })
    }

    pub fn root_bytes(&self, version: u64, signers: &[&Key]) -> Vec<u8> {
        sign(&self.root_signed(version), signers)
    }

    pub fn initial_root(&self) -> Vec<u8> {
        self.files["1.root.json"].clone()
    }

    /// Rotates the root and targets keys: root v(n+1) signed by the old and new root keys.
    pub fn rotate(&mut self, root_seed: u8, targets_seed: u8) {
        let old = std::mem::replace(&mut self.root_key, Key::new(root_seed));
        self.targets_key = Key::new(targets_seed);
        self.root_version += 1;
        let v = self.root_version;
        let bytes = self.root_bytes(v, &[&old, &self.root_key]);
        self.files.insert(format!("{v}.root.json"), bytes);
    }

    pub fn targets_bytes(&self, version: u64, target: &[u8]) -> Vec<u8> {
        let signed = json!({
            "_type": "targets", "spec_version": "1.0.31", "version": version, "expires": FUTURE,
            "targets": { "trusted_root.json": {
                "length": target.len(), "hashes": { "sha256": hex::encode(Sha256::digest(target)) } } },
        });
        sign(&signed, &[&self.targets_key])
    }

    pub fn snapshot_bytes(&self, version: u64, targets_version: u64, targets: &[u8]) -> Vec<u8> {
        let signed = json!({
            "_type": "snapshot", "spec_version": "1.0.31", "version": version, "expires": FUTURE,
            "meta": { "targets.json": file_meta(targets_version, targets) },
        });
        sign(&signed, &[&self.snapshot_key])
    }

    pub fn timestamp_bytes(&self, version: u64, snapshot: &[u8], expires: &str) -> Vec<u8> {
        let signed = json!({
            "_type": "timestamp", "spec_version": "1.0.31", "version": version, "expires": expires,
            "meta": { "snapshot.json": file_meta(version, snapshot) },
        });
        sign(&signed, &[&self.timestamp_key])
    }

    /// Publishes timestamp, snapshot and targets at `version` (and the target file).
    pub fn publish(&mut self, version: u64, target: &[u8]) {
        self.publish_with(version, target, FUTURE);
    }

    pub fn publish_with(&mut self, version: u64, target: &[u8], ts_expires: &str) {
        let targets = self.targets_bytes(version, target);
        let snapshot = self.snapshot_bytes(version, version, &targets);
        let ts = self.timestamp_bytes(version, &snapshot, ts_expires);
        self.files
            .insert(format!("{version}.targets.json"), targets);
        self.files
            .insert(format!("{version}.snapshot.json"), snapshot);
        self.files.insert("timestamp.json".into(), ts);
        let name = format!(
            "targets/{}.trusted_root.json",
            hex::encode(Sha256::digest(target))
        );
        self.files.insert(name, target.to_vec());
    }
}

impl Repo {
    /// Publishes timestamp, snapshot and targets at `version` listing every `(name, data)`
    /// of `targets` (and the target files, hash-prefixed).
    pub fn publish_targets(&mut self, version: u64, targets: &[(&str, &[u8])]) {
        let entries: serde_json::Map<String, Value> = targets
            .iter()
            .map(|(name, data)| {
                (
                    (*name).to_owned(),
                    json!({ "length": data.len(),
                            "hashes": { "sha256": hex::encode(Sha256::digest(data)) } }),
                )
            })
            .collect();
        let signed = json!({
            "_type": "targets", "spec_version": "1.0.31", "version": version, "expires": FUTURE,
            "targets": entries,
        });
        let targets_file = sign(&signed, &[&self.targets_key]);
        let snapshot = self.snapshot_bytes(version, version, &targets_file);
        let ts = self.timestamp_bytes(version, &snapshot, FUTURE);
        self.files
            .insert(format!("{version}.targets.json"), targets_file);
        self.files
            .insert(format!("{version}.snapshot.json"), snapshot);
        self.files.insert("timestamp.json".into(), ts);
        for (name, data) in targets {
            let file = format!("targets/{}.{name}", hex::encode(Sha256::digest(data)));
            self.files.insert(file, data.to_vec());
        }
    }

    /// Publishes root versions `root_version + 1 ..= last`, each signed by the (unchanged)
    /// root key, so each is signed by a threshold of the previous root and of its own.
    pub fn publish_roots_to(&mut self, last: u64) {
        while self.root_version < last {
            self.root_version += 1;
            let v = self.root_version;
            let bytes = self.root_bytes(v, &[&self.root_key]);
            self.files.insert(format!("{v}.root.json"), bytes);
        }
    }
}

/// Rewrites a `cache export` archive: `edit` gets every entry (path, bytes) and returns the
/// entries to write (in the order given).
pub fn rewrite_archive(
    from: &std::path::Path,
    to: &std::path::Path,
    edit: impl FnOnce(Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)>,
) {
    let mut entries = Vec::new();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(from).unwrap());
    let mut tar = tar::Archive::new(gz);
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        entries.push((path, data));
    }
    let file = std::fs::File::create(to).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    for (path, data) in edit(entries) {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, &path, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
}

/// A tiny HTTP/1.0 server on 127.0.0.1 serving a shared map of files.
pub struct Server {
    pub url: String,
    pub files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

/// A test CA (PEM) and a server configuration whose certificate it issued for `names`
/// (DNS names or IP addresses).
pub fn tls_config(names: &[&str]) -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "prov-verify test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let leaf = rcgen::CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    (ca.pem(), Arc::new(config))
}

impl Server {
    pub fn start(files: BTreeMap<String, Vec<u8>>) -> Server {
        Self::start_with(files, None)
    }

    /// An HTTPS server whose certificate names `names`, issued by the returned CA (PEM).
    pub fn start_tls(files: BTreeMap<String, Vec<u8>>, names: &[&str]) -> (Server, String) {
        let (ca_pem, config) = tls_config(names);
        (Self::start_with(files, Some(config)), ca_pem)
    }

    fn start_with(
        files: BTreeMap<String, Vec<u8>>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Server {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let files = Arc::new(Mutex::new(files));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, r, s) = (files.clone(), requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                r.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                match &tls {
                    None => {
                        let _ = serve(stream, &f);
                    }
                    Some(config) => {
                        let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                            continue;
                        };
                        let mut tls_stream = rustls::StreamOwned::new(conn, stream);
                        let _ = serve(&mut tls_stream, &f);
                        tls_stream.conn.send_close_notify();
                        let _ = tls_stream.flush();
                    }
                }
            }
        });
        Server {
            url: format!("{scheme}://127.0.0.1:{port}/"),
            files,
            requests,
            stop,
            port,
            thread: Some(thread),
        }
    }

    pub fn set(&self, files: &BTreeMap<String, Vec<u8>>) {
        *self.files.lock().unwrap() = files.clone();
    }

    pub fn put(&self, path: &str, data: Vec<u8>) {
        self.files.lock().unwrap().insert(path.to_owned(), data);
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve(
    mut stream: impl Read + Write,
    files: &Mutex<BTreeMap<String, Vec<u8>>>,
) -> std::io::Result<()> {
    let line = read_head(&mut stream)?;
    let path = line
        .split(' ')
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_owned();
    let body = files.lock().unwrap().get(&path).cloned();
    let out = &mut stream;
    match body {
        Some(b) => {
            write!(
                out,
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                b.len()
            )?;
            out.write_all(&b)?;
        }
        None => write!(
            out,
            "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    out.flush()
}

/// Reads a request head byte by byte (no read-ahead past it); returns its first line.
fn read_head(stream: &mut impl Read) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    Ok(text.lines().next().unwrap_or("").to_owned())
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("offline-cache-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
