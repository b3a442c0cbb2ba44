//! Which entry paths a pack may hold.

/// Longest path accepted for a pack entry, in bytes.
pub const MAX_PATH_LEN: usize = 1024;

/// Why `path` cannot be the path of a pack entry, if it cannot: it must be relative, use `/`
/// separators, have no empty, `.` or `..` component, no backslash, no control character, no
/// `:` in its first component (a Windows drive), and be at most [`MAX_PATH_LEN`] bytes.
pub fn pack_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("empty path");
    }
    if path.len() > MAX_PATH_LEN {
        return Some("longer than 1024 bytes");
    }
    if path.starts_with('/') {
        return Some("absolute path");
    }
    if path.contains('\\') {
        return Some("backslash in path");
    }
    if path.chars().any(char::is_control) {
        return Some("control character in path");
    }
    for (i, component) in path.split('/').enumerate() {
        match component {
            "" => return Some("empty path component (`//` or trailing `/`)"),
            "." => return Some("`.` path component"),
            ".." => return Some("`..` path component"),
            c if i == 0 && c.contains(':') => return Some("`:` in the first component"),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(pack_path_problem("evidence/a/b.json"), None);
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a/./b",
            "a//b",
            "a/",
            "a\\b",
            "C:/x",
            "a\u{0}b",
            "a\nb",
        ] {
            assert!(pack_path_problem(bad).is_some(), "{bad:?}");
        }
    }
}
