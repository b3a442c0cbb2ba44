//! The forms a document is stored in: raw CBOR, base64 (what the AWS SDKs and KMS return) or
//! hex.

use crate::document::DocumentError;
use crate::limits::Limits;
use base64::Engine as _;
use std::borrow::Cow;

/// How a document is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// Raw CBOR if the first byte opens a COSE_Sign1 (0x84, or tag 18: 0xd2) or any byte is
    /// not printable ASCII or whitespace; otherwise hex if the text is only hex digits, else
    /// base64. Unambiguous for documents: the base64 of either opening byte starts with a
    /// letter that is not a hex digit.
    #[default]
    Auto,
    /// Raw CBOR.
    Cbor,
    /// Base64 (standard alphabet, padding optional, whitespace ignored).
    Base64,
    /// Hexadecimal (either case, whitespace ignored).
    Hex,
}

impl Format {
    /// The format called `name` (`auto`, `cbor`, `base64`, `hex`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "auto" => Some(Format::Auto),
            "cbor" => Some(Format::Cbor),
            "base64" => Some(Format::Base64),
            "hex" => Some(Format::Hex),
            _ => None,
        }
    }
}

/// The CBOR bytes of a document given in `format`, within the document budget.
pub fn decode<'a>(
    input: &'a [u8],
    format: Format,
    limits: &Limits,
) -> Result<Cow<'a, [u8]>, DocumentError> {
    let auto = format == Format::Auto;
    let format = match format {
        Format::Auto => match input.first() {
            Some(0x84 | 0xd2) => Format::Cbor,
            _ if input
                .iter()
                .any(|b| !(b.is_ascii_graphic() || b.is_ascii_whitespace())) =>
            {
                Format::Cbor
            }
            _ if text_of(input).all(|b| b.is_ascii_hexdigit()) => Format::Hex,
            _ => Format::Base64,
        },
        f => f,
    };
    if format == Format::Cbor {
        return Ok(Cow::Borrowed(input));
    }
    let text_budget = limits.document_bytes.saturating_mul(2).saturating_add(1024);
    if input.len() > text_budget {
        return Err(DocumentError::TooLarge {
            size: input.len(),
            limit: text_budget,
            budget: "document_bytes (twice, for text forms)",
        });
    }
    let text: Vec<u8> = text_of(input).collect();
    let bytes = if format == Format::Hex {
        hex::decode(&text).map_err(|e| DocumentError::Encoding(format!("not hex: {e}")))?
    } else {
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        engine.decode(&text).map_err(|e| {
            DocumentError::Encoding(if auto {
                format!("neither a COSE_Sign1 in CBOR (which starts with 0x84 or 0xd2), hex nor base64 ({e})")
            } else {
                format!("not base64: {e}")
            })
        })?
    };
    if bytes.is_empty() {
        return Err(DocumentError::Encoding("empty".into()));
    }
    Ok(Cow::Owned(bytes))
}

/// The input without ASCII whitespace.
fn text_of(input: &[u8]) -> impl Iterator<Item = u8> + '_ {
    input.iter().copied().filter(|b| !b.is_ascii_whitespace())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn auto_tells_the_forms_apart() {
        let l = Limits::DEFAULT;
        let raw = [0x84u8, 0x44, 0xa1, 0x01, 0x38, 0x22];
        assert_eq!(decode(&raw, Format::Auto, &l).unwrap().as_ref(), raw);
        assert_eq!(
            decode(b"8444a1013822\n", Format::Auto, &l)
                .unwrap()
                .as_ref(),
            raw
        );
        assert_eq!(decode(b"hEShATgi", Format::Auto, &l).unwrap().as_ref(), raw);
        assert_eq!(
            decode(b"hESh\nATgi", Format::Base64, &l).unwrap().as_ref(),
            raw
        );
        let tagged = [0xd2u8, 0x84, 0x44];
        assert_eq!(decode(b"0oRE", Format::Auto, &l).unwrap().as_ref(), tagged);
        assert!(decode(b"!!", Format::Auto, &l).is_err());
        assert!(decode(b"", Format::Auto, &l).is_err());
        assert!(decode(b"abc", Format::Hex, &l).is_err());
        let big = vec![b'A'; 40_000];
        assert!(matches!(
            decode(&big, Format::Auto, &l),
            Err(DocumentError::TooLarge { .. })
        ));
    }
}
