//! A minimal strict DER reader: single-byte tags, definite minimal lengths, no trailing data,
//! and a writer for the few values callers re-encode ([`encode`]).
//!
//! Public so that every DER reading in the product goes through one reader (the Sigstore
//! plugin reads SCT lists, Fulcio extensions and RFC 3161 `TSTInfo` with it).
//!
//! x509-parser parses the certificate structure; this reader pulls out the raw pieces that
//! must be compared byte for byte (algorithm identifiers, names, key material) and parses the
//! extensions the validator enforces, so that their DER strictness is under our control.

/// BOOLEAN.
pub const BOOLEAN: u8 = 0x01;
/// INTEGER.
pub const INTEGER: u8 = 0x02;
/// BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// SEQUENCE (constructed).
pub const SEQUENCE: u8 = 0x30;
/// SET (constructed).
pub const SET: u8 = 0x31;

/// Why a DER value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerError(pub &'static str);

/// Encodes one TLV with a single-byte `tag` (definite, minimal length).
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.extend_from_slice(&[len as u8]);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let used = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
    out.extend_from_slice(content);
    out
}

impl std::error::Error for DerError {}

impl std::fmt::Display for DerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// One TLV: its tag, its contents and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The (single-byte) tag.
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// Tag, length and content.
    pub raw: &'a [u8],
}

/// A cursor over a run of DER values.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Whether nothing is left.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next value, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads the next value.
    pub fn read(&mut self) -> Result<Tlv<'a>, DerError> {
        let (&tag, rest) = self.data.split_first().ok_or(DerError("truncated"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("multi-byte tag"));
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError("truncated length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 {
                return Err(DerError("indefinite length"));
            }
            if n > 4 {
                return Err(DerError("length too large"));
            }
            let (bytes, r) = split(rest, n)?;
            rest = r;
            let mut len = 0usize;
            for &b in bytes {
                len = (len << 8) | usize::from(b);
            }
            if bytes.first() == Some(&0) || len < 0x80 {
                return Err(DerError("non-minimal length"));
            }
            len
        };
        let (content, after) = split(rest, len)?;
        let header = self.data.len() - rest.len();
        let (raw, _) = split(self.data, header + len)?;
        self.data = after;
        Ok(Tlv { tag, content, raw })
    }

    /// Reads the next value and requires its tag.
    pub fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        let tlv = self.read()?;
        if tlv.tag != tag {
            return Err(DerError("unexpected tag"));
        }
        Ok(tlv)
    }

    /// Reads the next value if it has `tag`.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Requires that nothing is left.
    pub fn finish(&self) -> Result<(), DerError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(DerError("trailing data"))
        }
    }
}

fn split(data: &[u8], n: usize) -> Result<(&[u8], &[u8]), DerError> {
    if n > data.len() {
        return Err(DerError("truncated"));
    }
    Ok(data.split_at(n))
}

/// Parses a whole buffer as exactly one value with `tag`.
pub fn single(data: &[u8], tag: u8) -> Result<Tlv<'_>, DerError> {
    let mut r = Reader::new(data);
    let tlv = r.expect(tag)?;
    r.finish()?;
    Ok(tlv)
}

/// A DER BOOLEAN's value (only 0x00 and 0xff are DER).
pub fn boolean(tlv: &Tlv<'_>) -> Result<bool, DerError> {
    match tlv.content {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(DerError("invalid BOOLEAN")),
    }
}

/// A small non-negative DER INTEGER.
pub fn small_uint(tlv: &Tlv<'_>) -> Result<u64, DerError> {
    let c = tlv.content;
    match c {
        [] => Err(DerError("empty INTEGER")),
        [first, ..] if first & 0x80 != 0 => Err(DerError("negative INTEGER")),
        [0, second, ..] if second & 0x80 == 0 => Err(DerError("non-minimal INTEGER")),
        _ if c.len() > 8 => Err(DerError("INTEGER too large")),
        _ => Ok(c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))),
    }
}

/// A BIT STRING's bytes; `allow_unused` permits unused bits (for named-bit lists).
pub fn bit_string<'a>(tlv: &Tlv<'a>, allow_unused: bool) -> Result<(u8, &'a [u8]), DerError> {
    let (&unused, bytes) = tlv
        .content
        .split_first()
        .ok_or(DerError("empty BIT STRING"))?;
    if unused > 7 || (unused != 0 && bytes.is_empty()) || (!allow_unused && unused != 0) {
        return Err(DerError("invalid BIT STRING"));
    }
    if unused != 0 {
        let last = bytes.last().copied().unwrap_or(0);
        if last & ((1u8 << unused) - 1) != 0 {
            return Err(DerError("non-zero unused bits"));
        }
    }
    Ok((unused, bytes))
}

/// The content of a DER GeneralizedTime (`YYYYMMDDHHMMSS[.fraction]Z`, UTC) as Unix
/// seconds, the fraction truncated. DER (X.690 11.7) forbids every other form: no offsets, no
/// missing seconds, no trailing zeros in the fraction, no empty fraction; they are refused,
/// as are dates that do not exist and leap seconds.
pub fn generalized_time(content: &[u8]) -> Result<i64, DerError> {
    let bad = DerError("invalid GeneralizedTime");
    let body = content.strip_suffix(b"Z").ok_or(bad)?;
    let (main, fraction) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => (body.get(..dot).ok_or(bad)?, body.get(dot + 1..)),
        None => (body, None),
    };
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 9 || f.ends_with(b"0") || !f.iter().all(u8::is_ascii_digit) {
            return Err(bad);
        }
    }
    if main.len() != 14 || !main.iter().all(u8::is_ascii_digit) {
        return Err(bad);
    }
    let n = |from: usize| -> i64 {
        main.get(from..from + 2)
            .map(|d| d.iter().fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0')))
            .unwrap_or(-1)
    };
    let year = n(0) * 100 + n(2);
    let (hour, minute, second) = (n(8), n(10), n(12));
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad);
    }
    let days = plugin_api::time::days_from_civil_checked(year, n(4), n(6)).ok_or(bad)?;
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generalized_time_is_der_only() {
        assert_eq!(generalized_time(b"19700101000000Z"), Ok(0));
        assert_eq!(generalized_time(b"20210112115327Z"), Ok(1_610_452_407));
        assert_eq!(generalized_time(b"20210112115327.123Z"), Ok(1_610_452_407));
        for bad in [
            &b"20210112115327.120Z"[..],
            b"20210112115327.Z",
            b"20210112115327+0100",
            b"2021011211532Z",
            b"202101121153Z",
            b"20210230115327Z",
            b"20210112115360Z",
            b"20210112245327Z",
            b"2021011211532 Z",
            b"",
        ] {
            assert!(generalized_time(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_non_minimal_and_truncated() {
        assert!(Reader::new(&[0x30, 0x81, 0x01, 0x00]).read().is_err());
        assert!(Reader::new(&[0x30, 0x03, 0x00]).read().is_err());
        assert!(Reader::new(&[0x30, 0x80]).read().is_err());
        let t = Reader::new(&[0x02, 0x01, 0x05]).read().unwrap();
        assert_eq!(small_uint(&t).unwrap(), 5);
        assert!(single(&[0x02, 0x01, 0x05, 0x00], INTEGER).is_err());
    }

    #[test]
    fn encode_round_trips() {
        for n in [0usize, 1, 127, 128, 255, 256, 70000] {
            let c = vec![7u8; n];
            let e = encode(0x30, &c);
            let t = single(&e, SEQUENCE).unwrap();
            assert_eq!(t.content, c.as_slice());
            assert_eq!(t.raw, e.as_slice());
        }
    }
}
