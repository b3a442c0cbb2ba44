//! A read-only static HTTP/1.1 server for a log directory, and a small blocking client.
//!
//! The server answers `GET`/`HEAD` for `/checkpoint` and canonical tile paths only (parsed with
//! [`merkle::tiles::parse_tile_path`]), one request per connection, with a bounded number of
//! connection threads (plain HTTP: meant for loopback). The client speaks
//! `https://host[:port][/prefix]` (rustls with the *ring* provider; server certificates checked
//! against the Mozilla root set of webpki-roots, or against the CAs of a PEM file given with
//! [`BaseUrl::with_ca_pem`]) and plain `http://` to a loopback host only, and enforces a body
//! budget per request.

use crate::fsio::read_limited;
use crate::tiles::MAX_BUNDLE;
use crate::writer::CHECKPOINT_FILE;
use crate::TlogError;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Largest CA file accepted by [`BaseUrl::with_ca_pem`] (bytes).
pub const MAX_CA_FILE_LEN: usize = 4 << 20;
/// Most certificates in a CA file.
pub const MAX_CA_CERTS: usize = 1000;

/// The longest request or response head, in bytes.
pub const MAX_HEAD: usize = 8 * 1024;
/// Connections served at once; more are answered 503.
pub const MAX_CONNECTIONS: usize = 64;
const TIMEOUT: Duration = Duration::from_secs(10);

/// The file a request path maps to, if it is one the server publishes.
pub fn published_file(dir: &Path, request_path: &str) -> Option<PathBuf> {
    let p = request_path.strip_prefix('/')?;
    if p == CHECKPOINT_FILE {
        return Some(dir.join(CHECKPOINT_FILE));
    }
    let t = merkle::tiles::parse_tile_path(p).ok()?;
    Some(dir.join(t.to_string()))
}

fn respond(stream: &mut TcpStream, status: &str, body: &[u8], head_only: bool) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(body);
    }
    let _ = stream.flush();
}

fn handle(mut stream: TcpStream, dir: &Path) {
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let _ = stream.set_write_timeout(Some(TIMEOUT));
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone.take(MAX_HEAD as u64));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Drain the headers (bounded by `take`).
    let mut h = String::new();
    loop {
        h.clear();
        match reader.read_line(&mut h) {
            Ok(0) | Err(_) => return,
            Ok(_) if h == "\r\n" || h == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next())
    else {
        respond(&mut stream, "400 Bad Request", b"", false);
        return;
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        respond(&mut stream, "405 Method Not Allowed", b"", false);
        return;
    }
    let Some(file) = published_file(dir, target) else {
        respond(&mut stream, "404 Not Found", b"", head_only);
        return;
    };
    match read_limited(&file, MAX_BUNDLE) {
        Ok(Some(body)) => respond(&mut stream, "200 OK", &body, head_only),
        _ => respond(&mut stream, "404 Not Found", b"", head_only),
    }
}

/// Whether an address may be listened on without an explicit opt-in.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Serves `dir` on `listener` until the process ends (or accept fails).
pub fn serve(listener: TcpListener, dir: &Path) -> Result<(), TlogError> {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            continue;
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            respond(&mut stream, "503 Service Unavailable", b"", false);
            continue;
        }
        let dir = dir.to_path_buf();
        let active2 = Arc::clone(&active);
        let spawned = std::thread::Builder::new().spawn(move || {
            handle(stream, &dir);
            active2.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// A base URL `https://host[:port][/prefix]`, or `http://` to a loopback host.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    host: String,
    addr: SocketAddr,
    prefix: String,
    /// The TLS client configuration and the name the server certificate must hold
    /// (`None`: plain HTTP to loopback).
    tls: Option<(
        Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    )>,
}

/// A TLS client configuration (ring provider, TLS 1.2 and 1.3) trusting `roots`.
fn tls_config(roots: rustls::RootCertStore) -> Result<Arc<rustls::ClientConfig>, TlogError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlogError::Input(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Whether a URL host (IPv6 in brackets) is `localhost`, `127.0.0.1` or `[::1]`.
fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// A plain TCP stream or a TLS stream over one.
enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// An I/O error, with a TLS certificate failure spelled out.
fn io_reason(e: &std::io::Error) -> String {
    use rustls::CertificateError as C;
    let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return e.to_string();
    };
    match tls {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => format!(
            "TLS: the server certificate is not issued by a trusted CA ({tls}); \
             a private CA or a TLS proxy's CA must be given as a CA file"
        ),
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => {
            format!("TLS: the server certificate does not name this host ({tls})")
        }
        other => format!("TLS: {other}"),
    }
}

impl BaseUrl {
    /// Parses and resolves a base URL: `https://host[:port][/path]` (server certificates
    /// checked against the Mozilla root set), or plain `http://host:port[/path]` to a loopback
    /// host only (the log's data is verified, but a remote plain-HTTP source is refused rather
    /// than silently downgraded).
    pub fn parse(url: &str) -> Result<Self, TlogError> {
        let (rest, https) = if let Some(rest) = url.strip_prefix("https://") {
            (rest, true)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (rest, false)
        } else {
            return Err(TlogError::Input(format!(
                "URL {url:?} is not https://host[:port][/path] (or http:// to a loopback host)"
            )));
        };
        let (authority, prefix) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let prefix = prefix.trim_end_matches('/').to_owned();
        if authority.is_empty()
            || authority.contains('@')
            || prefix.contains(|c: char| c.is_whitespace() || c.is_control())
        {
            return Err(TlogError::Input(format!("URL {url:?} is malformed")));
        }
        let (host, has_port) = match authority.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() && (!h.contains(':') || h.ends_with(']')) => {
                (h, true)
            }
            _ => (authority, false),
        };
        if !https && !is_loopback_host(host) {
            return Err(TlogError::Input(format!(
                "URL {url:?}: plain http:// is allowed only to a loopback host (localhost, 127.0.0.1, [::1]); use https://"
            )));
        }
        let authority_port = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:{}", if https { 443 } else { 80 })
        };
        let addr = authority_port
            .to_socket_addrs()
            .map_err(|e| TlogError::Network(format!("{authority}: {e}")))?
            .next()
            .ok_or_else(|| TlogError::Network(format!("{authority}: no address")))?;
        let tls = if https {
            let name = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let server_name = rustls::pki_types::ServerName::try_from(name)
                .map_err(|e| TlogError::Input(format!("URL {url:?}: host: {e}")))?;
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            Some((tls_config(roots)?, server_name))
        } else {
            None
        };
        Ok(BaseUrl {
            host: authority.to_owned(),
            addr,
            prefix,
            tls,
        })
    }

    /// This URL, trusting exactly the CA certificates of the PEM text `pem` (a private CA, a
    /// TLS proxy's CA, a test CA) instead of the Mozilla root set. Only for `https://`.
    pub fn with_ca_pem(mut self, pem: &[u8]) -> Result<Self, TlogError> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;
        let bad = |m: String| TlogError::Input(format!("CA file: {m}"));
        let Some((_, server_name)) = self.tls.take() else {
            return Err(bad("a CA file applies to https:// URLs only".to_owned()));
        };
        if pem.len() > MAX_CA_FILE_LEN {
            return Err(bad(format!("larger than {MAX_CA_FILE_LEN} bytes")));
        }
        let mut roots = rustls::RootCertStore::empty();
        let mut count = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| bad(format!("not PEM: {e}")))?;
            count += 1;
            if count > MAX_CA_CERTS {
                return Err(bad(format!("more than {MAX_CA_CERTS} certificates")));
            }
            roots
                .add(cert)
                .map_err(|e| bad(format!("certificate {count}: {e}")))?;
        }
        if roots.is_empty() {
            return Err(bad("no CERTIFICATE block in the PEM file".to_owned()));
        }
        self.tls = Some((tls_config(roots)?, server_name));
        Ok(self)
    }

    fn connect(&self) -> Result<Conn, std::io::Error> {
        let s = TcpStream::connect_timeout(&self.addr, TIMEOUT)?;
        s.set_read_timeout(Some(TIMEOUT))?;
        s.set_write_timeout(Some(TIMEOUT))?;
        match &self.tls {
            None => Ok(Conn::Plain(s)),
            Some((config, name)) => {
                let conn = rustls::ClientConnection::new(Arc::clone(config), name.clone())
                    .map_err(std::io::Error::other)?;
                Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(conn, s))))
            }
        }
    }

    /// GETs `path` (relative to the base). `Ok(None)` on 404; an error on any other status, a
    /// body larger than `max`, or a malformed response.
    pub fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
        let net = |e: std::io::Error| {
            TlogError::Network(format!("{}/{path}: {}", self.host, io_reason(&e)))
        };
        let mut s = self.connect().map_err(net)?;
        let req = format!(
            "GET {}/{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: prov-verify-tlog\r\n\r\n",
            self.prefix, self.host
        );
        s.write_all(req.as_bytes()).map_err(net)?;
        s.flush().map_err(net)?;
        let mut reader = BufReader::new(s);
        let mut head_len = 0usize;
        let mut line = String::new();
        let mut read_line =
            |reader: &mut BufReader<Conn>, line: &mut String| -> Result<(), TlogError> {
                line.clear();
                let n = reader
                    .by_ref()
                    .take((MAX_HEAD - head_len.min(MAX_HEAD)) as u64)
                    .read_line(line)
                    .map_err(net)?;
                head_len += n;
                if n == 0 || !line.ends_with('\n') {
                    return Err(TlogError::Remote(format!(
                        "{path}: response head is truncated or longer than {MAX_HEAD} bytes"
                    )));
                }
                Ok(())
            };
        read_line(&mut reader, &mut line)?;
        let status = line
            .split_whitespace()
            .nth(1)
            .ok_or_else(|| TlogError::Remote(format!("{path}: malformed status line")))?
            .to_owned();
        let mut content_length: Option<usize> = None;
        loop {
            read_line(&mut reader, &mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                if k == "content-length" {
                    content_length =
                        Some(v.trim().parse().map_err(|_| {
                            TlogError::Remote(format!("{path}: bad Content-Length"))
                        })?);
                } else if k == "transfer-encoding" {
                    return Err(TlogError::Remote(format!(
                        "{path}: Transfer-Encoding is not supported"
                    )));
                }
            }
        }
        match status.as_str() {
            "200" => {}
            "404" => return Ok(None),
            other => {
                return Err(TlogError::Remote(format!("{path}: HTTP status {other}")));
            }
        }
        if let Some(n) = content_length {
            if n > max {
                return Err(TlogError::Remote(format!(
                    "{path}: {n} bytes, more than the limit of {max}"
                )));
            }
        }
        let mut body = Vec::new();
        // With a length, read exactly that much (a TLS peer need not close cleanly after it).
        let want = content_length.map_or(max as u64 + 1, |n| n as u64);
        reader.take(want).read_to_end(&mut body).map_err(net)?;
        if body.len() > max {
            return Err(TlogError::Remote(format!(
                "{path}: body larger than the limit of {max} bytes"
            )));
        }
        if let Some(n) = content_length {
            if body.len() != n {
                return Err(TlogError::Remote(format!(
                    "{path}: body is {} bytes, Content-Length said {n}",
                    body.len()
                )));
            }
        }
        Ok(Some(body))
    }
}
