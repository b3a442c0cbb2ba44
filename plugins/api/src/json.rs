//! The one JSON reader policy for attacker-supplied documents.
//!
//! `serde_json` on its own resolves a duplicated object member silently (a typed struct
//! keeps the last value, a `Value` map too), so two readers of the same bytes can see two
//! different documents: a parser differential. Every document that reaches a trust decision
//! (Sigstore bundles and trusted roots, in-toto statements, Rekor entry bodies, audit-pack
//! indexes, proofs and evidence, log receipts, batch lines, reports) is read through
//! [`from_slice`] / [`from_str`], which refuse:
//!
//! - an object with two members of the same name (compared after unescaping, so `"a"` and
//!   `"\u0061"` are the same name), at any depth;
//! - anything `serde_json` refuses (trailing characters, invalid UTF-8, nesting deeper than
//!   its recursion limit of 128, lone surrogates in strings).
//!
//! The check is one extra streaming pass that allocates only the member names of the objects
//! currently open; the typed parse that follows is `serde_json`'s own, unchanged.

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Parses `bytes` as `T` after checking that no object in it repeats a member name.
///
/// Errors are `serde_json` errors (with line and column), so callers keep their messages.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    check_slice(bytes)?;
    serde_json::from_slice(bytes)
}

/// [`from_slice`] for text.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// Checks that `bytes` are one JSON value, with nothing after it, in which no object repeats
/// a member name.
pub fn check_slice(bytes: &[u8]) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Strict.deserialize(&mut de)?;
    de.end()
}

/// Walks any value; objects remember their member names.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Strict)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate member `{}`",
                    Printable(&key)
                )));
            }
            map.next_value_seed(Strict)?;
            seen.insert(key);
        }
        Ok(())
    }
}

/// A member name in an error message: at most 64 characters, control characters escaped.
struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i == 64 {
                return f.write_str("...");
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Debug, Deserialize)]
    struct Doc {
        a: u32,
    }

    #[test]
    fn duplicate_member_is_refused_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"x":{"a":1,"b":2,"a":1}}"#,
            r#"[{"a":1},{"b":[{"c":1,"c":1}]}]"#,
            r#"{"a":1,"\u0061":2}"#,
        ] {
            let e = from_slice::<Value>(text.as_bytes()).unwrap_err();
            assert!(e.to_string().contains("duplicate member"), "{text}: {e}");
        }
        let e = from_str::<Doc>(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate member `a`"), "{e}");
        // serde_json alone keeps the last value in a map (a typed struct refuses, but most
        // documents are read as `Value` first): the differential this module closes.
        let lax: Value = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(lax["a"], 2);
    }

    #[test]
    fn same_names_in_sibling_objects_are_fine() {
        let v: Value = from_str(r#"[{"a":1},{"a":2},{"b":{"a":3}}]"#).unwrap();
        assert_eq!(v[1]["a"], 2);
        let d: Doc = from_str(r#"{"a":7}"#).unwrap();
        assert_eq!(d.a, 7);
    }

    #[test]
    fn trailing_bytes_and_deep_nesting_are_refused() {
        assert!(from_str::<Value>(r#"{"a":1} x"#).is_err());
        assert!(from_str::<Value>(r#"{"a":1}{"a":1}"#).is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(from_str::<Value>(&deep).is_err());
        let deep_obj = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
        assert!(from_str::<Value>(&deep_obj).is_err());
    }

    #[test]
    fn error_names_member_and_position() {
        let e = from_str::<Value>("{\n\"k\":1,\n\"k\":2}").unwrap_err();
        assert_eq!(e.line(), 3, "{e}");
        let long = "x".repeat(500);
        let text = format!(r#"{{"{long}":1,"{long}":2}}"#);
        let e = from_str::<Value>(&text).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
        let e = from_str::<Value>("{\"\\n\":1,\"\\n\":2}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`\\n`"), "{e}");
    }
}
