//! A read-only static HTTP/1.1 server for a log directory, and a small blocking client.
//!
//! The server answers `GET`/`HEAD` for `/checkpoint` and canonical tile paths only (parsed with
//! [`merkle::tiles::parse_tile_path`]), one request per connection, with a bounded number of
//! connection threads and a deadline per connection (plain HTTP: meant for loopback). The
//! client speaks `https://host[:port][/prefix]` (rustls with the *ring* provider; server
//! certificates checked against the Mozilla root set of webpki-roots, or against the CAs of a
//! PEM file given with [`BaseUrl::with_ca_pem`]) and plain `http://` to a loopback host only,
//! follows no redirects, and enforces a head and body budget and a whole-request deadline on
//! every request ([`BaseUrl::with_request_timeout`]), plus an optional overall deadline
//! ([`BaseUrl::with_overall_timeout`]).

use crate::fsio::read_limited;
use crate::tiles::MAX_BUNDLE;
use crate::writer::CHECKPOINT_FILE;
use crate::TlogError;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Largest CA file accepted by [`BaseUrl::with_ca_pem`] (bytes).
pub const MAX_CA_FILE_LEN: usize = 4 << 20;
/// Most certificates in a CA file.
pub const MAX_CA_CERTS: usize = 1000;

/// The longest request or response head, in bytes.
pub const MAX_HEAD: usize = 8 * 1024;
/// Connections served at once; more are answered 503.
pub const MAX_CONNECTIONS: usize = 64;
/// The server's deadline for a whole connection: reading the request, writing the response.
pub const SERVER_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// The client's default deadline for a whole request: name resolution, connection, TLS
/// handshake, request, response head and body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest time limit the client accepts (longer ones are cut to this).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// A TCP stream whose every read and write must end before `deadline`: each call waits at most
/// the time left, so a peer sending one byte at a time cannot stretch the whole exchange.
#[derive(Debug)]
struct Timed {
    stream: TcpStream,
    deadline: Instant,
}

impl Timed {
    fn left(&self) -> std::io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(ErrorKind::TimedOut, "deadline passed"));
        }
        Ok(left)
    }
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.stream.set_write_timeout(Some(left))?;
        self.stream.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// Whether an I/O error is a deadline that ran out (ours, or a socket timeout set from it).
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
}

/// The file a request path maps to, if it is one the server publishes.
pub fn published_file(dir: &Path, request_path: &str) -> Option<PathBuf> {
    let p = request_path.strip_prefix('/')?;
    if p == CHECKPOINT_FILE {
        return Some(dir.join(CHECKPOINT_FILE));
    }
    let t = merkle::tiles::parse_tile_path(p).ok()?;
    Some(dir.join(t.to_string()))
}

fn respond(stream: &mut impl Write, status: &str, body: &[u8], head_only: bool) {
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

fn handle(stream: TcpStream, dir: &Path, timeout: Duration) {
    // One deadline for the whole connection: a client trickling its request or draining the
    // response one byte at a time holds a connection slot for at most this long.
    let Some(deadline) = Instant::now().checked_add(timeout) else {
        return;
    };
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut stream = Timed { stream, deadline };
    let mut reader = BufReader::new(
        Timed {
            stream: clone,
            deadline,
        }
        .take(MAX_HEAD as u64),
    );
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

/// Serves `dir` on `listener` until the process ends, with a deadline of
/// [`SERVER_CONNECTION_TIMEOUT`] per connection.
pub fn serve(listener: TcpListener, dir: &Path) -> Result<(), TlogError> {
    serve_with_timeout(listener, dir, SERVER_CONNECTION_TIMEOUT)
}

/// [`serve`] with another deadline per connection (reading the request and writing the
/// response): a client that trickles its request or drains the response slowly is cut off.
pub fn serve_with_timeout(
    listener: TcpListener,
    dir: &Path,
    timeout: Duration,
) -> Result<(), TlogError> {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, say: do not spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let mut stream = Timed {
                stream,
                deadline: Instant::now() + Duration::from_secs(1),
            };
            respond(&mut stream, "503 Service Unavailable", b"", false);
            continue;
        }
        let dir = dir.to_path_buf();
        let active2 = Arc::clone(&active);
        let spawned = std::thread::Builder::new().spawn(move || {
            handle(stream, &dir, timeout);
            active2.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// A base URL `https://host[:port][/prefix]`, or `http://` to a loopback host, with the
/// client's time limits.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    /// `scheme://authority[/prefix]`, for messages.
    base: String,
    /// The authority as given (the `Host` header).
    host: String,
    /// `host:port` with the scheme's default port filled in (what is resolved).
    host_port: String,
    /// The resolved address (resolved once, under the first request's deadline).
    addr: OnceLock<SocketAddr>,
    prefix: String,
    /// The TLS client configuration and the name the server certificate must hold
    /// (`None`: plain HTTP to loopback).
    tls: Option<(
        Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    )>,
    /// The whole-request time limit.
    request_timeout: Duration,
    /// No request may run past this instant; the duration it was set from, for messages.
    deadline: Option<(Instant, Duration)>,
}

/// Which time limit bounds a request.
#[derive(Debug, Clone, Copy)]
enum Limit {
    Request(Duration),
    Overall(Duration),
}

impl Limit {
    fn describe(self) -> String {
        match self {
            Limit::Request(d) => {
                format!("no complete response within the request time limit of {d:?}")
            }
            Limit::Overall(d) => format!("the overall time limit of {d:?} ran out"),
        }
    }
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
    Plain(Timed),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, Timed>>),
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
        let host_port = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:{}", if https { 443 } else { 80 })
        };
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
            base: format!(
                "{}://{authority}{prefix}",
                if https { "https" } else { "http" }
            ),
            host: authority.to_owned(),
            host_port,
            addr: OnceLock::new(),
            prefix,
            tls,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            deadline: None,
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

    /// This URL with a whole-request time limit of `limit` (name resolution, connection, TLS
    /// handshake, request, response head and body; at most [`MAX_TIMEOUT`]) instead of
    /// [`DEFAULT_REQUEST_TIMEOUT`].
    pub fn with_request_timeout(mut self, limit: Duration) -> Self {
        self.request_timeout = limit.min(MAX_TIMEOUT);
        self
    }

    /// This URL with an overall time limit of `limit` (at most [`MAX_TIMEOUT`]) from now: no
    /// request runs past it, whatever the request time limit.
    pub fn with_overall_timeout(mut self, limit: Duration) -> Self {
        let limit = limit.min(MAX_TIMEOUT);
        self.deadline = Instant::now().checked_add(limit).map(|at| (at, limit));
        self
    }

    /// The URL of `path` (for messages).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    /// The deadline of a request starting now, and the limit that sets it.
    fn request_deadline(&self) -> Result<(Instant, Limit), Limit> {
        let now = Instant::now();
        let own = now
            .checked_add(self.request_timeout)
            .map(|at| (at, Limit::Request(self.request_timeout)));
        match (own, self.deadline) {
            (_, Some((at, total))) if at <= now => Err(Limit::Overall(total)),
            (Some((own, limit)), Some((at, total))) => Ok(if at < own {
                (at, Limit::Overall(total))
            } else {
                (own, limit)
            }),
            (Some(own), None) => Ok(own),
            (None, Some((at, total))) => Ok((at, Limit::Overall(total))),
            (None, None) => Err(Limit::Request(self.request_timeout)),
        }
    }

    /// The server's address, resolved once; name resolution waits at most until `deadline`.
    fn resolve(&self, deadline: Instant) -> Result<SocketAddr, std::io::Error> {
        if let Some(addr) = self.addr.get() {
            return Ok(*addr);
        }
        let addr = match self.host_port.parse::<SocketAddr>() {
            Ok(addr) => addr,
            Err(_) => {
                // The system resolver has no deadline of its own: ask it on a thread, and stop
                // waiting at the deadline (the thread ends when the resolver gives up).
                let (tx, rx) = std::sync::mpsc::channel();
                let host_port = self.host_port.clone();
                std::thread::Builder::new()
                    .name("tlog-resolve".into())
                    .spawn(move || {
                        let _ = tx.send(host_port.to_socket_addrs().map(|mut a| a.next()));
                    })?;
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(Ok(Some(addr))) => addr,
                    Ok(Ok(None)) => {
                        return Err(std::io::Error::new(ErrorKind::NotFound, "no address"))
                    }
                    Ok(Err(e)) => return Err(e),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        return Err(std::io::Error::new(
                            ErrorKind::TimedOut,
                            "name resolution timed out",
                        ))
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(std::io::Error::other("name resolution failed"))
                    }
                }
            }
        };
        let _ = self.addr.set(addr);
        Ok(addr)
    }

    fn connect(&self, deadline: Instant) -> Result<Conn, std::io::Error> {
        let addr = self.resolve(deadline)?;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(ErrorKind::TimedOut, "deadline passed"));
        }
        let stream = Timed {
            stream: TcpStream::connect_timeout(&addr, left)?,
            deadline,
        };
        match &self.tls {
            None => Ok(Conn::Plain(stream)),
            Some((config, name)) => {
                let conn = rustls::ClientConnection::new(Arc::clone(config), name.clone())
                    .map_err(std::io::Error::other)?;
                Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(conn, stream))))
            }
        }
    }

    /// GETs `path` (relative to the base). `Ok(None)` on 404; an error on any other status
    /// (redirects are not followed), a body larger than `max`, a malformed response, or a
    /// request that does not finish before its deadline ([`TlogError::Timeout`], naming the
    /// URL).
    pub fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
        let url = self.url(path);
        let (deadline, limit) = self
            .request_deadline()
            .map_err(|l| TlogError::Timeout(format!("GET {url}: {}", l.describe())))?;
        let net = |e: std::io::Error| {
            if is_timeout(&e) {
                TlogError::Timeout(format!("GET {url}: {}", limit.describe()))
            } else {
                TlogError::Network(format!("GET {url}: {}", io_reason(&e)))
            }
        };
        let mut s = self.connect(deadline).map_err(net)?;
        let req = format!(
            "GET {}/{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: prov-verify-tlog\r\n\r\n",
            self.prefix, self.host
        );
        s.write_all(req.as_bytes()).map_err(net)?;
        s.flush().map_err(net)?;
        let mut reader = BufReader::new(s);
        // The head: lines up to the empty one, at most MAX_HEAD bytes in all.
        let mut head = Vec::new();
        loop {
            let budget = (MAX_HEAD - head.len().min(MAX_HEAD)) as u64;
            let start = head.len();
            let n = reader
                .by_ref()
                .take(budget)
                .read_until(b'\n', &mut head)
                .map_err(net)?;
            if n == 0 || !head.ends_with(b"\n") {
                return Err(TlogError::Remote(format!(
                    "{url}: response head is truncated or longer than {MAX_HEAD} bytes"
                )));
            }
            let line = head.get(start..).unwrap_or_default();
            if line == b"\r\n" || line == b"\n" {
                head.truncate(start);
                break;
            }
        }
        let h = parse_response_head(&head).map_err(|r| TlogError::Remote(format!("{url}: {r}")))?;
        match h.status {
            200 => {}
            404 => return Ok(None),
            s @ 300..=399 => {
                return Err(TlogError::Remote(format!(
                    "{url}: HTTP status {s} (redirects are not followed)"
                )))
            }
            s => return Err(TlogError::Remote(format!("{url}: HTTP status {s}"))),
        }
        let max64 = u64::try_from(max).unwrap_or(u64::MAX);
        if let Some(n) = h.content_length {
            if n > max64 {
                return Err(TlogError::Remote(format!(
                    "{url}: {n} bytes, more than the limit of {max}"
                )));
            }
        }
        // With a length, read exactly that much (a TLS peer need not close cleanly after it);
        // without, up to the budget plus one byte, to tell an over-budget body.
        let want = h.content_length.unwrap_or(max64.saturating_add(1));
        let mut body = Vec::with_capacity(usize::try_from(want).unwrap_or(max).min(max));
        reader.take(want).read_to_end(&mut body).map_err(net)?;
        if body.len() > max {
            return Err(TlogError::Remote(format!(
                "{url}: body larger than the limit of {max} bytes"
            )));
        }
        if let Some(n) = h.content_length {
            if body.len() as u64 != n {
                return Err(TlogError::Remote(format!(
                    "{url}: body is {} bytes, Content-Length said {n}",
                    body.len()
                )));
            }
        }
        Ok(Some(body))
    }
}

/// What a response head says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code.
    pub status: u16,
    /// The body length, if given.
    pub content_length: Option<u64>,
}

/// Why a response head was refused ([`parse_response_head`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseHeadError {
    /// The status line does not start with `HTTP/1.0` or `HTTP/1.1`.
    #[error("malformed status line (not HTTP/1.0 or HTTP/1.1)")]
    StatusLine,
    /// The status code is not three digits from 100 to 599.
    #[error("malformed status code (not 100 to 599)")]
    StatusCode,
    /// The reason phrase holds a control character.
    #[error("control character in the reason phrase")]
    ReasonPhrase,
    /// A header line starts with whitespace (obsolete line folding).
    #[error("folded header line")]
    FoldedLine,
    /// A header line has no colon.
    #[error("header line without a colon")]
    NoColon,
    /// A header name is empty or not a token.
    #[error("malformed header name")]
    HeaderName,
    /// A header value holds a control character.
    #[error("control character in a header value")]
    HeaderValue,
    /// The response has a `Transfer-Encoding` header.
    #[error("Transfer-Encoding is not supported")]
    TransferEncoding,
    /// The response has more than one `Content-Length` header.
    #[error("more than one Content-Length")]
    DuplicateContentLength,
    /// A `Content-Length` value is not a decimal number that fits in 64 bits.
    #[error("bad Content-Length")]
    ContentLength,
}

/// Parses a response head: the status line and the header lines, each ending in `\n` or
/// `\r\n`, without the empty line that ends the head. Strict where the body's framing is at
/// stake: an `HTTP/1.0` or `HTTP/1.1` status line with a three-digit code from 100 to 599 and a
/// reason phrase of visible characters, spaces and tabs (RFC 9110 §15, RFC 9112 §4); every
/// header line `name: value` with a token name and a value without control characters (no whitespace before the colon, no obsolete line folding);
/// at most one `Content-Length`, all digits; no `Transfer-Encoding`.
pub fn parse_response_head(head: &[u8]) -> Result<ResponseHead, ResponseHeadError> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, |&b| b == b' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if version != b"HTTP/1.1" && version != b"HTTP/1.0" {
        return Err(ResponseHeadError::StatusLine);
    }
    let status = match code {
        [a @ b'1'..=b'5', b, c] if b.is_ascii_digit() && c.is_ascii_digit() => {
            u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
        }
        _ => return Err(ResponseHeadError::StatusCode),
    };
    // reason-phrase = *( HTAB / SP / VCHAR / obs-text ); field values the same.
    let text = |b: &u8| *b == b'\t' || *b == b' ' || (0x21..=0x7e).contains(b) || *b >= 0x80;
    if !parts.next().unwrap_or_default().iter().all(text) {
        return Err(ResponseHeadError::ReasonPhrase);
    }
    let mut content_length = None;
    for line in lines {
        if line.is_empty() {
            // Only the final split piece (after the last `\n`) may be empty.
            continue;
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err(ResponseHeadError::FoldedLine);
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(ResponseHeadError::NoColon)?;
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        let is_tchar = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
        if name.is_empty() || !name.iter().all(is_tchar) {
            return Err(ResponseHeadError::HeaderName);
        }
        if !value.iter().all(text) {
            return Err(ResponseHeadError::HeaderValue);
        }
        if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Err(ResponseHeadError::TransferEncoding);
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            let v = value.trim_ascii();
            if content_length.is_some() {
                return Err(ResponseHeadError::DuplicateContentLength);
            }
            if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
                return Err(ResponseHeadError::ContentLength);
            }
            let n = std::str::from_utf8(v)
                .ok()
                .and_then(|t| t.parse::<u64>().ok())
                .ok_or(ResponseHeadError::ContentLength)?;
            content_length = Some(n);
        }
    }
    Ok(ResponseHead {
        status,
        content_length,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn response_heads_are_parsed_strictly() {
        let parse = |h: &str| parse_response_head(h.as_bytes());
        assert_eq!(
            parse("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-Y: z\r\n").unwrap(),
            ResponseHead {
                status: 200,
                content_length: Some(12)
            }
        );
        assert_eq!(
            parse("HTTP/1.0 404\ncontent-length:\t0 \n").unwrap(),
            ResponseHead {
                status: 404,
                content_length: Some(0)
            }
        );
        for bad in [
            "",
            "HTTP/2 200 OK\r\n",
            "ICY 200 OK\r\n",
            "HTTP/1.1 20 OK\r\n",
            "HTTP/1.1 2000 OK\r\n",
            "HTTP/1.1 +20 OK\r\n",
            "HTTP/1.1  200 OK\r\n",
            // Found by the http_response_head fuzz target: a code outside 100..=599 and
            // control bytes in the reason phrase.
            "HTTP/1.1 020 \u{4}K\r\n",
            "HTTP/1.1 020 OK\r\n",
            "HTTP/1.1 600 OK\r\n",
            "HTTP/1.1 200 O\u{0}K\r\n",
            "HTTP/1.1 200 OK\r\nX: a\u{1}b\r\n",
            "HTTP/1.1 200 OK\r\nX: a\rb\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 6\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length:\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n",
            "HTTP/1.1 200 OK\r\nX: y\r\n folded: z\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n",
            "HTTP/1.1 200 OK\r\ntransfer-encoding: identity\r\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
