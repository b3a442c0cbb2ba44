//! RFC 8785 (JCS) canonical JSON, for the value types audit packs emit.
//!
//! Supported: `null`, booleans, strings, integers with magnitude at most 2^53 - 1 (written as
//! plain decimal, which is what ECMAScript's number formatting gives for them), arrays and
//! objects. Floating-point numbers are refused rather than formatted: the pack format never
//! needs them, and refusing them removes the hardest part of JCS (ES6 shortest round-trip
//! formatting) from the attack surface.
//!
//! Object members are sorted by the UTF-16 code units of their names; strings are escaped as
//! ECMAScript's `JSON.stringify` escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
//! controls below U+0020 as `\u00xx` in lowercase hex, everything else literally).

use serde_json::Value;

/// The largest integer magnitude JCS can represent exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A value that has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// A number that is not an integer of magnitude at most 2^53 - 1.
    #[error("number {number} at {pointer} is not an integer of magnitude at most 2^53 - 1")]
    UnsupportedNumber { pointer: String, number: String },
    /// A value could not be turned into JSON at all.
    #[error("cannot serialize: {reason}")]
    Serialize { reason: String },
}

/// The canonical (RFC 8785) serialization of `value`.
pub fn to_canonical(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(value, &mut out, &mut String::new())?;
    Ok(out)
}

fn write_value(
    value: &Value,
    out: &mut String,
    pointer: &mut String,
) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            let text = if let Some(u) = n.as_u64().filter(|u| *u <= MAX_SAFE_INTEGER) {
                u.to_string()
            } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER) {
                i.to_string()
            } else {
                return Err(CanonicalError::UnsupportedNumber {
                    pointer: display_pointer(pointer),
                    number: n.to_string(),
                });
            };
            out.push_str(&text);
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                write_value(item, out, pointer)?;
                pointer.truncate(len);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                write_value(item, out, pointer)?;
                pointer.truncate(len);
            }
            out.push('}');
        }
    }
    Ok(())
}

fn display_pointer(pointer: &str) -> String {
    if pointer.is_empty() {
        "the top level".to_owned()
    } else {
        pointer.to_owned()
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_by_utf16_code_units_and_escapes() {
        // U+E000 sorts before U+1F600 in UTF-8 order but after it in UTF-16 (surrogates D83D).
        let v = json!({"\u{1F600}": 1, "\u{E000}": 2, "b": [true, null, "x\n\u{1}\u{7f}\u{2028}"], "a": -5});
        assert_eq!(
            to_canonical(&v).unwrap(),
            "{\"a\":-5,\"b\":[true,null,\"x\\n\\u0001\u{7f}\u{2028}\"],\"\u{1F600}\":1,\"\u{E000}\":2}"
        );
    }

    #[test]
    fn rfc8785_string_example() {
        // From RFC 8785 section 3.2.2.2 (strings only).
        let v = json!({"string": "\u{20ac}$\u{f}\nA'B\"\\\\\"/"});
        assert_eq!(
            to_canonical(&v).unwrap(),
            "{\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    #[test]
    fn refuses_floats_and_unsafe_integers() {
        assert!(to_canonical(&json!({"a": [1.5]})).is_err());
        assert!(to_canonical(&json!(MAX_SAFE_INTEGER + 1)).is_err());
        assert_eq!(
            to_canonical(&json!(MAX_SAFE_INTEGER)).unwrap(),
            "9007199254740991"
        );
        let err = to_canonical(&json!({"a/b": {"c": 0.5}})).unwrap_err();
        assert!(err.to_string().contains("/a~1b/c"), "{err}");
    }
}
