//! Which entry paths a pack may hold, and the bounded bookkeeping that keeps them unique and
//! free of file/directory conflicts.

use std::collections::HashMap;

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

/// What one remembered directory costs against
/// [`Limits::max_dir_bookkeeping`](crate::Limits::max_dir_bookkeeping), besides its length:
/// about what a `String` in a hash set costs (the string, its allocation and its slot).
pub const DIR_ENTRY_OVERHEAD: usize = 64;

/// Why a path could not be added to a [`PathTree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathTreeError {
    /// The same path again.
    Duplicate,
    /// The path is a directory of another file, or one of its directories is a file.
    Conflict { other: String },
    /// Remembering the path's new directories would exceed the budget.
    OverBudget { max: usize },
}

/// The paths of a pack's files and every directory they imply, to refuse duplicates and
/// file/directory conflicts. Memory is bounded: files by the entry and path budgets, and
/// directories by a byte budget (each distinct directory costs its length plus
/// [`DIR_ENTRY_OVERHEAD`]). Time too: adding a path hashes it once, then walks its
/// directories from the deepest up, one lookup each, and stops at the first one already
/// known (whose own ancestors are then known too); each new directory is hashed once more
/// when it is stored, and all new directories together are bounded by the budget.
#[derive(Debug)]
pub(crate) struct PathTree {
    /// Every file (`true`) and every directory of a file (`false`).
    paths: HashMap<String, bool>,
    dir_bytes: usize,
    max_dir_bytes: usize,
}

impl PathTree {
    /// An empty tree whose directories may cost at most `max_dir_bytes`.
    pub(crate) fn new(max_dir_bytes: usize) -> Self {
        PathTree {
            paths: HashMap::new(),
            dir_bytes: 0,
            max_dir_bytes,
        }
    }

    /// Adds the file `path` (already checked by [`pack_path_problem`]). On error nothing is
    /// added.
    pub(crate) fn insert(&mut self, path: &str) -> Result<(), PathTreeError> {
        match self.paths.get(path) {
            Some(true) => return Err(PathTreeError::Duplicate),
            Some(false) => {
                let other = self
                    .paths
                    .iter()
                    .find(|(f, is_file)| {
                        **is_file
                            && f.starts_with(path)
                            && f.as_bytes().get(path.len()) == Some(&b'/')
                    })
                    .map(|(f, _)| f.clone())
                    .unwrap_or_default();
                return Err(PathTreeError::Conflict { other });
            }
            None => {}
        }
        // Invariant: every ancestor of a known directory is a known directory.
        let mut new_dirs: Vec<&str> = Vec::new();
        let mut cost = 0usize;
        let mut rest = path;
        while let Some((dir, _)) = rest.rsplit_once('/') {
            match self.paths.get(dir) {
                Some(false) => break,
                Some(true) => {
                    return Err(PathTreeError::Conflict {
                        other: dir.to_owned(),
                    })
                }
                None => {}
            }
            cost = cost
                .saturating_add(dir.len())
                .saturating_add(DIR_ENTRY_OVERHEAD);
            if self.dir_bytes.saturating_add(cost) > self.max_dir_bytes {
                return Err(PathTreeError::OverBudget {
                    max: self.max_dir_bytes,
                });
            }
            new_dirs.push(dir);
            rest = dir;
        }
        self.dir_bytes = self.dir_bytes.saturating_add(cost);
        for dir in new_dirs {
            self.paths.insert(dir.to_owned(), false);
        }
        self.paths.insert(path.to_owned(), true);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tree_refuses_duplicates_conflicts_and_overspending() {
        let mut t = PathTree::new(1 << 20);
        t.insert("evidence/a/b/c.json").unwrap();
        t.insert("evidence/a/d.json").unwrap();
        assert_eq!(t.insert("evidence/a/d.json"), Err(PathTreeError::Duplicate));
        assert_eq!(
            t.insert("evidence/a/b"),
            Err(PathTreeError::Conflict {
                other: "evidence/a/b/c.json".to_owned()
            })
        );
        assert_eq!(
            t.insert("evidence/a/d.json/x"),
            Err(PathTreeError::Conflict {
                other: "evidence/a/d.json".to_owned()
            })
        );
        // Three directories so far: evidence, evidence/a, evidence/a/b.
        assert_eq!(
            t.dir_bytes,
            "evidence".len() + "evidence/a".len() + "evidence/a/b".len() + 3 * DIR_ENTRY_OVERHEAD
        );
        // A budget that holds exactly one more directory of this length.
        let mut small = PathTree::new("x/y".len() + "x".len() + 2 * DIR_ENTRY_OVERHEAD);
        small.insert("x/y/f").unwrap();
        small.insert("x/y/g").unwrap();
        assert_eq!(
            small.insert("x/z/f"),
            Err(PathTreeError::OverBudget {
                max: small.max_dir_bytes
            })
        );
        // Nothing was added by the refused insert.
        assert!(!small.paths.contains_key("x/z"));
        assert!(!small.paths.contains_key("x/z/f"));
    }

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
