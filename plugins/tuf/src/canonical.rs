//! Strict JSON parsing and OLPC canonical JSON, the form TUF signatures cover.
//!
//! Metadata is parsed once into [`Json`]: duplicate object keys and non-integer numbers are
//! refused (a second parser could read them differently), and the canonical bytes of the
//! `signed` object are produced from that same tree, unknown fields included (TUF spec §4:
//! undefined attributes are part of what is signed).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// A JSON value as TUF metadata may hold it: integers only, object keys unique and sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Int(i128),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

/// An integer that has no `serde_json::Value` form (beyond 64 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("integer {0} out of range")]
pub(crate) struct OutOfRange(pub(crate) i128);

impl Json {
    /// Parses `bytes` strictly (see the module documentation).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Json, serde_json::Error> {
        plugin_api::json::from_slice::<Json>(bytes)
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(map) => map.get(key),
            _ => None,
        }
    }

    /// Appends the canonical form of `self` to `out`: no whitespace, keys sorted by code
    /// point, strings escaping only `"` and `\`, integers in decimal.
    pub(crate) fn write_canonical(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Json::Str(s) => write_canonical_str(s, out),
            Json::Arr(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_canonical(out);
                }
                out.push(b']');
            }
            Json::Obj(map) => {
                out.push(b'{');
                for (i, (key, value)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_canonical_str(key, out);
                    out.push(b':');
                    value.write_canonical(out);
                }
                out.push(b'}');
            }
        }
    }

    /// The canonical form of `self`.
    pub(crate) fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_canonical(&mut out);
        out
    }

    /// The same value as a `serde_json::Value`, for typed deserialization.
    pub(crate) fn to_value(&self) -> Result<serde_json::Value, OutOfRange> {
        Ok(match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Int(n) => {
                if let Ok(u) = u64::try_from(*n) {
                    serde_json::Value::from(u)
                } else if let Ok(i) = i64::try_from(*n) {
                    serde_json::Value::from(i)
                } else {
                    return Err(OutOfRange(*n));
                }
            }
            Json::Str(s) => serde_json::Value::String(s.clone()),
            Json::Arr(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(Json::to_value)
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Json::Obj(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(k.clone(), v.to_value()?);
                }
                serde_json::Value::Object(out)
            }
        })
    }
}

fn write_canonical_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value with integer numbers and unique object keys")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Int(i128::from(v)))
    }

    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Json, E> {
        Err(E::custom(
            "non-integer number (canonical JSON has integers only)",
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate object key {key:?}")));
            }
            let value = map.next_value::<Json>()?;
            out.insert(key, value);
        }
        Ok(Json::Obj(out))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn canonical_sorts_and_escapes() {
        let v = Json::parse(br#"{ "b": [1, -2, true, null], "a": "q\"\\\n\u00e9" }"#).unwrap();
        assert_eq!(
            String::from_utf8(v.canonical()).unwrap(),
            "{\"a\":\"q\\\"\\\\\n\u{e9}\",\"b\":[1,-2,true,null]}"
        );
    }

    #[test]
    fn refuses_duplicates_and_floats() {
        assert!(Json::parse(br#"{"a": 1, "a": 2}"#).is_err());
        assert!(Json::parse(br#"{"a": 1.5}"#).is_err());
        assert!(Json::parse(br#"{"a": 1e3}"#).is_err());
        assert!(Json::parse(br#"{"a": 1} x"#).is_err());
    }
}
