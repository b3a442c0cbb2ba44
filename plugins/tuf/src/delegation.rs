//! Which delegated roles may sign for a target path: path patterns, hash prefixes and
//! succinct hashed bins.
//!
//! Path patterns follow python-tuf: target path and pattern are split on `/`, must have the
//! same number of parts, and each part must match shell-style: `*` (any run of characters),
//! `?` (one character), anything else literally. Bracket expressions (`[...]`) are refused
//! with an error rather than guessed at, since a pattern that matches differently from the
//! reference could redirect a search through terminating delegations.

use crate::keys::Key;
use crate::metadata::{Delegations, SuccinctRoles};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A role a target search may descend into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) name: String,
    pub(crate) terminating: bool,
}

/// A pattern this client does not evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnsupportedPattern(pub(crate) String);

/// The delegated roles of `delegations` responsible for `target`, in order.
pub(crate) fn roles_for_target(
    delegations: &Delegations,
    target: &str,
) -> Result<Vec<Candidate>, UnsupportedPattern> {
    if let Some(succinct) = &delegations.succinct_roles {
        return Ok(vec![Candidate {
            name: succinct_role_for_target(succinct, target),
            terminating: true,
        }]);
    }
    let mut out = Vec::new();
    for role in delegations.roles.iter().flatten() {
        let matches = if let Some(paths) = &role.paths {
            let mut any = false;
            for pattern in paths {
                if path_matches(pattern, target)? {
                    any = true;
                    break;
                }
            }
            any
        } else if let Some(prefixes) = &role.path_hash_prefixes {
            let digest = hex::encode(Sha256::digest(target.as_bytes()));
            prefixes.iter().any(|p| digest.starts_with(p.as_str()))
        } else {
            false
        };
        if matches {
            out.push(Candidate {
                name: role.name.clone(),
                terminating: role.terminating,
            });
        }
    }
    Ok(out)
}

/// Keys, key ids and threshold that `delegations` gives role `name`, if it delegates to it.
pub(crate) fn role_keys<'a>(
    delegations: &'a Delegations,
    name: &str,
) -> Option<(&'a BTreeMap<String, Key>, &'a [String], u64)> {
    if let Some(succinct) = &delegations.succinct_roles {
        return is_succinct_role(succinct, name).then_some((
            &delegations.keys,
            succinct.keyids.as_slice(),
            succinct.threshold,
        ));
    }
    delegations
        .roles
        .iter()
        .flatten()
        .find(|r| r.name == name)
        .map(|r| (&delegations.keys, r.keyids.as_slice(), r.threshold))
}

fn suffix_len(bit_length: u32) -> usize {
    // Hex digits of the largest bin number, 2^bit_length - 1.
    usize::try_from(bit_length.div_ceil(4)).unwrap_or(8)
}

fn succinct_role_for_target(succinct: &SuccinctRoles, target: &str) -> String {
    let digest = Sha256::digest(target.as_bytes());
    let mut first = [0u8; 4];
    for (dst, src) in first.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    let shift = 32u32.saturating_sub(succinct.bit_length);
    let bin = u32::from_be_bytes(first).checked_shr(shift).unwrap_or(0);
    format!(
        "{}-{:0width$x}",
        succinct.name_prefix,
        bin,
        width = suffix_len(succinct.bit_length)
    )
}

fn is_succinct_role(succinct: &SuccinctRoles, name: &str) -> bool {
    let Some(suffix) = name
        .strip_prefix(succinct.name_prefix.as_str())
        .and_then(|s| s.strip_prefix('-'))
    else {
        return false;
    };
    if suffix.len() != suffix_len(succinct.bit_length)
        || !suffix
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return false;
    }
    let Ok(bin) = u64::from_str_radix(suffix, 16) else {
        return false;
    };
    bin < (1u64 << succinct.bit_length.min(32))
}

/// Whether `target` matches `pattern` (see the module documentation).
pub(crate) fn path_matches(pattern: &str, target: &str) -> Result<bool, UnsupportedPattern> {
    if pattern.contains(['[', ']']) {
        return Err(UnsupportedPattern(pattern.to_owned()));
    }
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    let target_parts: Vec<&str> = target.split('/').collect();
    if pattern_parts.len() != target_parts.len() {
        return Ok(false);
    }
    Ok(pattern_parts
        .iter()
        .zip(target_parts.iter())
        .all(|(p, t)| glob_part(p, t)))
}

/// Shell-style match of one path part: `*` and `?` wildcards, everything else literal.
/// Linear-space greedy matching with single-star backtracking (no exponential cases).
fn glob_part(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn patterns_match_per_part() {
        let m = |p: &str, t: &str| path_matches(p, t).unwrap();
        assert!(m("*", "file"));
        assert!(!m("*", "dir/file"));
        assert!(m("*.md", "README.md"));
        assert!(!m("*.md", "releases/README.md"));
        assert!(!m("*.md", "README.MD"));
        assert!(m("foo-?.tgz", "foo-1.tgz"));
        assert!(!m("foo-?.tgz", "foo-alpha.tgz"));
        assert!(m("releases/*/*", "releases/x/x_v1"));
        assert!(!m("releases/y/*.zip", "releases/z/z_v1.zip"));
        assert!(m("a*b*c", "aXXbYYbc"));
        assert!(!m("a*b*c", "aXXbYYb"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("?é", "xé"));
        assert!(path_matches("[ab]", "a").is_err());
    }

    #[test]
    fn succinct_bins() {
        let s = SuccinctRoles {
            keyids: vec![],
            threshold: 1,
            bit_length: 8,
            name_prefix: "bin".into(),
        };
        let name = succinct_role_for_target(&s, "file");
        let digest = Sha256::digest(b"file");
        assert_eq!(name, format!("bin-{:02x}", digest.first().unwrap()));
        assert!(is_succinct_role(&s, &name));
        assert!(!is_succinct_role(&s, "bin-100"));
        assert!(!is_succinct_role(&s, "bin-0"));
        assert!(!is_succinct_role(&s, "bin-FF"));
        assert!(!is_succinct_role(&s, "other-00"));
        let s5 = SuccinctRoles {
            bit_length: 5,
            ..s.clone()
        };
        assert!(is_succinct_role(&s5, "bin-1f"));
        assert!(!is_succinct_role(&s5, "bin-20"));
    }
}
