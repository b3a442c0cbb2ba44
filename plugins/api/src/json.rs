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
//! For a typed `T`, the check is one extra streaming pass that allocates only the member names
//! of the objects currently open; the typed parse that follows is `serde_json`'s own,
//! unchanged. A [`serde_json::Value`] (how most documents are read first) is built in the same
//! single pass that checks it: the map being built answers whether a name repeats, and every
//! value is made as `serde_json`'s own `Value` visitor makes it (tests compare the two readers).

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Parses `bytes` as `T` after checking that no object in it repeats a member name.
///
/// Errors are `serde_json` errors (with line and column), so callers keep their messages.
pub fn from_slice<T: DeserializeOwned + 'static>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    if TypeId::of::<T>() == TypeId::of::<Value>() {
        let value: Box<dyn Any> = Box::new(value_from_slice(bytes)?);
        if let Ok(value) = value.downcast::<T>() {
            return Ok(*value);
        }
    }
    check_slice(bytes)?;
    serde_json::from_slice(bytes)
}

/// [`from_slice`] for text.
pub fn from_str<T: DeserializeOwned + 'static>(text: &str) -> Result<T, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// [`from_slice`] into a [`Value`]: built and checked in one pass.
fn value_from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
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
        // The names seen so far, borrowed from the input where they have no escapes: in a
        // list while there are few (most objects), in a hash set past that (so a hostile
        // object of many members costs the same per member).
        let mut few: Vec<Cow<'de, str>> = Vec::new();
        let mut many: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key_seed(Name)? {
            let repeated = match &many {
                Some(set) => set.contains(&key),
                None => few.contains(&key),
            };
            if repeated {
                return Err(duplicate(&key));
            }
            map.next_value_seed(Strict)?;
            match &mut many {
                Some(set) => {
                    set.insert(key);
                }
                None if few.len() < FEW_NAMES => few.push(key),
                None => {
                    let mut set: HashSet<Cow<'de, str>> = few.drain(..).collect();
                    set.insert(key);
                    many = Some(set);
                }
            }
        }
        Ok(())
    }
}

/// Objects with up to this many members have their names compared in a list.
const FEW_NAMES: usize = 16;

/// A member name, borrowed from the input when it has no escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Builds a [`Value`] as `serde_json`'s own visitor does (same numbers, strings, arrays and
/// objects), refusing an object that repeats a member name.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(duplicate(&key));
            }
            let value = map.next_value_seed(StrictValue)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// The error for an object that repeats the member `name`.
fn duplicate<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("duplicate member `{}`", Printable(name)))
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
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use serde::Deserialize;

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
    fn a_repeated_name_is_found_in_small_and_large_objects_and_after_escapes() {
        for n in [1usize, 2, FEW_NAMES - 1, FEW_NAMES, FEW_NAMES + 1, 200] {
            let members: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
            let unique = format!("{{{}}}", members.join(","));
            check_slice(unique.as_bytes()).unwrap();
            for dup in [0, n / 2, n - 1] {
                let text = format!("{{{},\"k{dup}\":0}}", members.join(","));
                let e = check_slice(text.as_bytes()).unwrap_err().to_string();
                assert!(
                    e.contains(&format!("duplicate member `k{dup}`")),
                    "{n} {dup}: {e}"
                );
                let e = from_slice::<Value>(text.as_bytes())
                    .unwrap_err()
                    .to_string();
                assert!(
                    e.contains(&format!("duplicate member `k{dup}`")),
                    "{n} {dup}: {e}"
                );
            }
            // The same name written with an escape (not borrowed from the input).
            let text = format!("{{{},\"\\u006b0\":0}}", members.join(","));
            assert!(check_slice(text.as_bytes()).is_err(), "{n}");
        }
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

    /// The one-pass `Value` reader gives what the check followed by `serde_json`'s own `Value`
    /// parse gives: the same value, or an error where either refuses (with the same message).
    #[test]
    fn the_one_pass_value_reader_agrees_with_check_then_parse() {
        let deep_ok = format!("{}{}", "[".repeat(120), "]".repeat(120));
        let deep_bad = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let mut docs: Vec<String> = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-0.0",
            "1e308",
            "1e400",
            "2.2250738585072014e-308",
            "0.1e-400",
            "\"\"",
            r#""a\u0000b\ud83d\ude00""#,
            r#""\ud800""#,
            "[]",
            "{}",
            "[1,[2,[3]]]",
            r#"{"a":1,"b":{"c":[true,null,"x"]}}"#,
            r#"{"a":1,"a":1}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"[{"a":1},{"a":2}]"#,
            r#"{"x":{"y":1,"y":2}}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            "[1,]",
            r#"{"a" 1}"#,
            "",
            " ",
            "\u{feff}{}",
            "01",
            "1.",
            "+1",
            "NaN",
            r#"{"k":1,"k":2,"k":3}"#,
            "[1e1000000]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        docs.push(deep_ok);
        docs.push(deep_bad);
        docs.push(String::from_utf8_lossy(b"\"\xff\"").into_owned());
        for doc in &docs {
            let one = value_from_slice(doc.as_bytes());
            let two = check_slice(doc.as_bytes())
                .and_then(|()| serde_json::from_slice::<Value>(doc.as_bytes()));
            match (one, two) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{doc}"),
                (a, b) => panic!("{doc}: one pass {a:?}, check then parse {b:?}"),
            }
        }
        let invalid_utf8 = b"{\"a\":\"\xff\"}";
        assert!(value_from_slice(invalid_utf8).is_err());
        assert!(check_slice(invalid_utf8).is_err());
        // from_slice takes the one-pass reader for a Value, and the check then the typed
        // parse for anything else.
        let v: Value = from_slice(br#"{"a":7}"#).unwrap();
        assert_eq!(v["a"], 7);
        let d: Doc = from_slice(br#"{"a":7}"#).unwrap();
        assert_eq!(d.a, 7);
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
