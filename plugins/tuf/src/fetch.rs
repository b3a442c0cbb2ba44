//! Fetching bytes by URL, with a size budget per request.
//!
//! [`Fetcher`] is all the updater needs. [`HttpFetcher`] (feature `http`) is the blocking
//! client for real use (HTTPS; plain HTTP to loopback only, see [`check_url`]);
//! [`DirFetcher`] serves a local directory laid out like a repository, for tests and for
//! mirrors on disk.

use crate::error::FetchError;
use std::io::Read;
use std::path::PathBuf;

/// Fetches the body at a URL, refusing bodies larger than `max_len` bytes.
pub trait Fetcher {
    /// The body at `url`. A missing file (HTTP 403/404, or no such local file) is
    /// [`FetchError::NotFound`].
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError>;
}

impl<F: Fetcher + ?Sized> Fetcher for &mut F {
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        (**self).fetch(url, max_len)
    }
}

/// Serves URLs under `base_url` from files under `dir` (the rest of the URL is the relative
/// path; `.`/`..` segments and empty segments are refused).
#[derive(Debug, Clone)]
pub struct DirFetcher {
    base_url: String,
    dir: PathBuf,
}

impl DirFetcher {
    /// A fetcher for `base_url` (e.g. `http://mirror.invalid/`) backed by `dir`.
    pub fn new(base_url: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        DirFetcher {
            base_url: base_url.into(),
            dir: dir.into(),
        }
    }
}

impl Fetcher for DirFetcher {
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let not_found = || FetchError::NotFound {
            url: url.to_owned(),
            status: 404,
        };
        let rel = url
            .strip_prefix(self.base_url.as_str())
            .ok_or_else(not_found)?;
        let mut path = self.dir.clone();
        for seg in rel.split('/') {
            if seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\') {
                return Err(not_found());
            }
            path.push(seg);
        }
        let file = std::fs::File::open(&path).map_err(|_| not_found())?;
        read_limited(file, max_len, url)
    }
}

/// Reads at most `max_len` bytes, failing if there are more.
fn read_limited(reader: impl Read, max_len: u64, url: &str) -> Result<Vec<u8>, FetchError> {
    plugin_api::bounded::read_to_end(reader, max_len).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { limit } => FetchError::TooLarge {
            url: url.to_owned(),
            limit,
        },
        other => FetchError::Transport {
            url: url.to_owned(),
            reason: other.into_io_error().to_string(),
        },
    })
}

/// Whether `host` (as written in a URL, IPv6 in brackets) is a loopback name or address:
/// `localhost`, `127.0.0.1` or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// The host of an `http://` or `https://` URL (IPv6 in brackets), with the scheme.
fn scheme_and_host(url: &str) -> Option<(&'static str, &str)> {
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        ("http", rest)
    } else {
        return None;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return None; // no user information
    }
    let host = if authority.starts_with('[') {
        let end = authority.find(']')?;
        authority.get(..=end)?
    } else {
        authority.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then_some((scheme, host))
}

/// The transport policy of [`HttpFetcher`], checked before any connection: `https://` to any
/// host; plain `http://` only to a loopback host (`localhost`, `127.0.0.1`, `[::1]`: a local
/// mirror or a test server). TUF metadata is signed, so a network attacker cannot forge it,
/// but plain HTTP would let one withhold or replay it unseen, so it is never a silent
/// downgrade. Anything else (other schemes, user information in the URL) is refused.
pub fn check_url(url: &str) -> Result<(), FetchError> {
    let refused = |reason: &str| FetchError::Refused {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    match scheme_and_host(url) {
        Some(("https", _)) => Ok(()),
        Some((_, host)) if is_loopback_host(host) => Ok(()),
        Some(_) => Err(refused(
            "plain http:// is allowed only to a loopback host (localhost, 127.0.0.1, [::1]); use https://",
        )),
        None => Err(refused("not an http(s)://host/... URL")),
    }
}

#[cfg(feature = "http")]
pub use http::{HttpFetcher, MAX_CA_CERTS, MAX_CA_FILE_LEN};

#[cfg(feature = "http")]
mod http {
    use super::{check_url, read_limited, FetchError, Fetcher};
    use std::sync::Arc;
    use std::time::Duration;
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

    /// Largest CA file accepted by [`HttpFetcher::with_ca_pem`] (bytes).
    pub const MAX_CA_FILE_LEN: usize = 4 << 20;
    /// Most certificates in a CA file.
    pub const MAX_CA_CERTS: usize = 1000;

    /// A blocking HTTPS client: rustls with the *ring* provider; server certificates checked
    /// against the Mozilla root set (webpki-roots) or, with [`HttpFetcher::with_ca_pem`],
    /// against the certificates of a PEM file instead. No proxy, no redirects (a 3xx is an
    /// error), a time limit per request, a size budget per body, and [`check_url`]'s policy
    /// (plain `http://` to loopback hosts only).
    #[derive(Debug)]
    pub struct HttpFetcher {
        agent: ureq::Agent,
    }

    impl HttpFetcher {
        /// A client trusting the Mozilla root set, whose every request must complete within
        /// `timeout`.
        pub fn new(timeout: Duration) -> Self {
            Self::with_roots(timeout, RootCerts::WebPki)
        }

        /// A client trusting exactly the certificates of the PEM text `pem` (a private CA, a
        /// corporate TLS proxy's CA, or a test CA) instead of the Mozilla root set. To trust
        /// both, pass a bundle holding both (e.g. the system's CA bundle plus the extra CA).
        pub fn with_ca_pem(timeout: Duration, pem: &[u8]) -> Result<Self, FetchError> {
            if pem.len() > MAX_CA_FILE_LEN {
                return Err(FetchError::CaFile(format!(
                    "larger than {MAX_CA_FILE_LEN} bytes"
                )));
            }
            let mut certs: Vec<Certificate<'static>> = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => {
                        if certs.len() >= MAX_CA_CERTS {
                            return Err(FetchError::CaFile(format!(
                                "more than {MAX_CA_CERTS} certificates"
                            )));
                        }
                        certs.push(c.to_owned());
                    }
                    Ok(_) => {} // keys and other blocks are not trust anchors
                    Err(e) => return Err(FetchError::CaFile(format!("not PEM: {e}"))),
                }
            }
            if certs.is_empty() {
                return Err(FetchError::CaFile(
                    "no CERTIFICATE block in the PEM file".to_owned(),
                ));
            }
            Ok(Self::with_roots(
                timeout,
                RootCerts::Specific(Arc::new(certs)),
            ))
        }

        fn with_roots(timeout: Duration, roots: RootCerts) -> Self {
            let tls = TlsConfig::builder()
                .provider(TlsProvider::Rustls)
                .root_certs(roots)
                .build();
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .max_redirects(0)
                .timeout_global(Some(timeout))
                .tls_config(tls)
                .build();
            HttpFetcher {
                agent: ureq::Agent::new_with_config(config),
            }
        }
    }

    impl Fetcher for HttpFetcher {
        fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
            check_url(url)?;
            let transport = |e: ureq::Error| {
                let tls = match &e {
                    ureq::Error::Rustls(inner) => Some(tls_reason(inner)),
                    ureq::Error::Io(io) => io
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                        .map(tls_reason),
                    _ => None,
                };
                match tls {
                    Some(reason) => FetchError::Tls {
                        url: url.to_owned(),
                        reason,
                    },
                    None => FetchError::Transport {
                        url: url.to_owned(),
                        reason: e.to_string(),
                    },
                }
            };
            let mut response = self.agent.get(url).call().map_err(transport)?;
            let status = response.status().as_u16();
            match status {
                200 => {}
                403 | 404 => {
                    return Err(FetchError::NotFound {
                        url: url.to_owned(),
                        status,
                    })
                }
                _ => {
                    return Err(FetchError::Status {
                        url: url.to_owned(),
                        status,
                    })
                }
            }
            let reader = response
                .body_mut()
                .with_config()
                .limit(max_len.saturating_add(1))
                .reader();
            read_limited(reader, max_len, url)
        }
    }

    /// rustls's error, with the common certificate failures spelled out.
    fn tls_reason(e: &rustls::Error) -> String {
        use rustls::CertificateError as C;
        match e {
            rustls::Error::InvalidCertificate(C::UnknownIssuer) => format!(
                "the server certificate is not issued by a trusted CA ({e}); \
                 pass --ca-file for a private CA or a TLS proxy's CA"
            ),
            rustls::Error::InvalidCertificate(
                C::NotValidForName | C::NotValidForNameContext { .. },
            ) => format!("the server certificate does not name this host ({e})"),
            rustls::Error::InvalidCertificate(
                C::Expired
                | C::ExpiredContext { .. }
                | C::NotValidYet
                | C::NotValidYetContext { .. },
            ) => format!("the server certificate is outside its validity period ({e})"),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn url_policy_https_anywhere_plain_http_to_loopback_only() {
        for ok in [
            "https://tuf-repo-cdn.sigstore.dev/1.root.json",
            "https://127.0.0.1:8443/x",
            "http://127.0.0.1:8080/timestamp.json",
            "http://localhost/x",
            "http://LOCALHOST:1/x",
            "http://[::1]:8080/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://tuf-repo-cdn.sigstore.dev/1.root.json",
            "http://127.0.0.2/x",
            "http://localhost.example/x",
            "http://127.0.0.1@evil.example/x",
            "https://user@host/x",
            "ftp://127.0.0.1/x",
            "file:///etc/passwd",
            "http:///x",
            "http://[::1/x",
        ] {
            assert!(
                matches!(check_url(bad), Err(FetchError::Refused { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn dir_fetcher_serves_files_within_budget() {
        let dir = TempDir::new("dir-fetcher");
        std::fs::create_dir_all(dir.0.join("metadata")).unwrap();
        std::fs::write(dir.0.join("metadata/1.root.json"), b"0123456789").unwrap();
        let mut f = DirFetcher::new("http://mirror.invalid/", &dir.0);
        let url = "http://mirror.invalid/metadata/1.root.json";
        assert_eq!(f.fetch(url, 10).unwrap(), b"0123456789");
        assert!(matches!(
            f.fetch(url, 9),
            Err(FetchError::TooLarge { limit: 9, .. })
        ));
        for bad in [
            "http://mirror.invalid/metadata/2.root.json",
            "http://mirror.invalid/metadata/../metadata/1.root.json",
            "http://mirror.invalid//metadata/1.root.json",
            "http://other.invalid/metadata/1.root.json",
        ] {
            assert!(
                matches!(f.fetch(bad, 10), Err(FetchError::NotFound { .. })),
                "{bad}"
            );
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_fetcher_follows_no_redirect() {
        use std::io::{Read, Write};
        use std::net::TcpListener;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            // Exactly one connection: a followed redirect would need a second one.
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).unwrap();
            write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
        });
        let mut f = HttpFetcher::new(std::time::Duration::from_secs(10));
        let r = f.fetch(&format!("http://127.0.0.1:{port}/a"), 100);
        assert!(r.is_err(), "{r:?}");
        assert!(!matches!(r, Err(FetchError::NotFound { .. })), "{r:?}");
        server.join().unwrap();
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_fetcher_maps_statuses_and_limits_bodies() {
        use std::io::{BufRead, BufReader, Write};
        use std::net::TcpListener;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            for _ in 0..4 {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
                let (status, body): (&str, &[u8]) = match path.as_str() {
                    "/ok" => ("200 OK", b"hello"),
                    "/forbidden" => ("403 Forbidden", b""),
                    "/error" => ("500 Internal Server Error", b""),
                    _ => ("404 Not Found", b""),
                };
                let mut out = stream;
                write!(
                    out,
                    "HTTP/1.0 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .unwrap();
                out.write_all(body).unwrap();
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let mut f = HttpFetcher::new(std::time::Duration::from_secs(10));
        assert_eq!(f.fetch(&format!("{base}/ok"), 5).unwrap(), b"hello");
        assert!(matches!(
            f.fetch(&format!("{base}/ok"), 4),
            Err(FetchError::TooLarge { .. })
        ));
        assert!(matches!(
            f.fetch(&format!("{base}/forbidden"), 4),
            Err(FetchError::NotFound { status: 403, .. })
        ));
        assert!(matches!(
            f.fetch(&format!("{base}/error"), 4),
            Err(FetchError::Status { status: 500, .. })
        ));
        server.join().unwrap();
    }
}
