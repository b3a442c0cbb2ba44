//! A read-only static HTTP/1.1 server for a log directory, and a small blocking client.
//!
//! The server answers `GET`/`HEAD` for `/checkpoint` and canonical tile paths only (parsed with
//! [`merkle::tiles::parse_tile_path`]), one request per connection, with a bounded number of
//! connection threads. The client speaks `http://host:port[/prefix]` only and enforces a body
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

/// A base URL `http://host:port[/prefix]`.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    host: String,
    addr: SocketAddr,
    prefix: String,
}

impl BaseUrl {
    /// Parses and resolves a base URL (plain `http://` only; the data is verified, not trusted).
    pub fn parse(url: &str) -> Result<Self, TlogError> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            TlogError::Input(format!("URL {url:?} is not http://host:port[/path]"))
        })?;
        let (authority, prefix) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let prefix = prefix.trim_end_matches('/').to_owned();
        if authority.is_empty() || prefix.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(TlogError::Input(format!("URL {url:?} is malformed")));
        }
        let authority_port = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let addr = authority_port
            .to_socket_addrs()
            .map_err(|e| TlogError::Network(format!("{authority}: {e}")))?
            .next()
            .ok_or_else(|| TlogError::Network(format!("{authority}: no address")))?;
        Ok(BaseUrl {
            host: authority.to_owned(),
            addr,
            prefix,
        })
    }

    /// GETs `path` (relative to the base). `Ok(None)` on 404; an error on any other status, a
    /// body larger than `max`, or a malformed response.
    pub fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
        let net = |e: std::io::Error| TlogError::Network(format!("{}/{path}: {e}", self.host));
        let mut s = TcpStream::connect_timeout(&self.addr, TIMEOUT).map_err(net)?;
        s.set_read_timeout(Some(TIMEOUT)).map_err(net)?;
        s.set_write_timeout(Some(TIMEOUT)).map_err(net)?;
        let req = format!(
            "GET {}/{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: prov-verify-tlog\r\n\r\n",
            self.prefix, self.host
        );
        s.write_all(req.as_bytes()).map_err(net)?;
        let mut reader = BufReader::new(s);
        let mut head_len = 0usize;
        let mut line = String::new();
        let mut read_line =
            |reader: &mut BufReader<TcpStream>, line: &mut String| -> Result<(), TlogError> {
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
        reader
            .take(max as u64 + 1)
            .read_to_end(&mut body)
            .map_err(net)?;
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
