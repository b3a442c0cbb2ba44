//! Request URLs: role names percent-encoded with nothing kept safe (as Python's
//! `urllib.parse.quote(name, safe="")`), version prefixes for consistent snapshots, and
//! hash-prefixed target file names.

/// Percent-encodes everything but ASCII letters, digits and `_.-~`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push_str(&format!("{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a target path for a URL, keeping `/` separators.
pub fn quote_path(s: &str) -> String {
    s.split('/').map(quote).collect::<Vec<_>>().join("/")
}

/// The file name of role metadata: `[VERSION.]ROLE.json`, the role name encoded.
pub fn metadata_file_name(role: &str, version: Option<u64>) -> String {
    match version {
        Some(v) => format!("{v}.{}.json", quote(role)),
        None => format!("{}.json", quote(role)),
    }
}

/// `base` with exactly one trailing `/`.
pub fn with_trailing_slash(base: &str) -> String {
    if base.ends_with('/') {
        base.to_owned()
    } else {
        format!("{base}/")
    }
}

/// The URL of a target: the path's last part prefixed with `hash.` when given.
pub fn target_url(base: &str, target_path: &str, hash_prefix: Option<&str>) -> String {
    let (dir, name) = match target_path.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, target_path),
    };
    let name = match hash_prefix {
        Some(h) => quote(&format!("{h}.{name}")),
        None => quote(name),
    };
    match dir {
        Some(dir) => format!("{}{}/{name}", with_trailing_slash(base), quote_path(dir)),
        None => format!("{}{name}", with_trailing_slash(base)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_python() {
        assert_eq!(quote("?"), "%3F");
        assert_eq!(quote("#"), "%23");
        assert_eq!(quote("/delegatedrole"), "%2Fdelegatedrole");
        assert_eq!(quote("../delegatedrole"), "..%2Fdelegatedrole");
        assert_eq!(quote("registry.npmjs.org"), "registry.npmjs.org");
        assert_eq!(quote("a b%é"), "a%20b%25%C3%A9");
    }

    #[test]
    fn consistent_snapshot_names() {
        assert_eq!(metadata_file_name("snapshot", Some(3)), "3.snapshot.json");
        assert_eq!(metadata_file_name("timestamp", None), "timestamp.json");
        assert_eq!(metadata_file_name("a/b", Some(1)), "1.a%2Fb.json");
        assert_eq!(
            target_url("http://h/t/", "path/to/file.txt", Some("abc")),
            "http://h/t/path/to/abc.file.txt"
        );
        assert_eq!(
            target_url("http://h/t", "file.txt", None),
            "http://h/t/file.txt"
        );
    }
}
