//! Fetching bytes by URL, with a size budget per request.
//!
//! [`Fetcher`] is all the updater needs. [`HttpFetcher`] (feature `http`) is the blocking
//! client for real use; [`DirFetcher`] serves a local directory laid out like a repository,
//! for tests and for mirrors on disk.

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
    let mut out = Vec::new();
    reader
        .take(max_len.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Transport {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    if u64::try_from(out.len()).unwrap_or(u64::MAX) > max_len {
        return Err(FetchError::TooLarge {
            url: url.to_owned(),
            limit: max_len,
        });
    }
    Ok(out)
}

#[cfg(feature = "http")]
pub use http::HttpFetcher;

#[cfg(feature = "http")]
mod http {
    use super::{read_limited, FetchError, Fetcher};
    use std::time::Duration;

    /// A blocking HTTP client (plain `http://` only; no proxy, no redirects).
    #[derive(Debug)]
    pub struct HttpFetcher {
        agent: ureq::Agent,
    }

    impl HttpFetcher {
        /// A client whose every request must complete within `timeout`.
        pub fn new(timeout: Duration) -> Self {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .max_redirects(0)
                .timeout_global(Some(timeout))
                .build();
            HttpFetcher {
                agent: ureq::Agent::new_with_config(config),
            }
        }
    }

    impl Fetcher for HttpFetcher {
        fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
            let transport = |e: ureq::Error| FetchError::Transport {
                url: url.to_owned(),
                reason: e.to_string(),
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
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::testutil::TempDir;

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
