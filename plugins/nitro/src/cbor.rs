//! A strict, bounded CBOR (RFC 8949) reader for the few shapes an attestation document uses.
//!
//! It reads one data item head at a time and never allocates: strings are borrowed from the
//! input. Strict where the document leaves no choice: integers and lengths in their shortest
//! form (RFC 8949 §4.2.1; a longer form is another byte string for the same value, so a
//! signed document could not be re-read identically), no indefinite-length (chunked) strings,
//! no reserved additional-information values, text valid UTF-8. Whether an indefinite-length
//! map or array, a tag, or a simple value is allowed is the caller's decision: the reader
//! reports them as they are.

use std::fmt;

/// The head of one data item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Head<'a> {
    /// Major type 0.
    Uint(u64),
    /// Major type 1: the value is `-1 - n`.
    Nint(u64),
    /// Major type 2, definite length (the bytes are consumed).
    Bytes(&'a [u8]),
    /// Major type 3, definite length (the text is consumed).
    Text(&'a str),
    /// Major type 4: `None` for indefinite length.
    Array(Option<u64>),
    /// Major type 5: `None` for indefinite length.
    Map(Option<u64>),
    /// Major type 6.
    Tag(u64),
    /// `false`, `true`, `null`, `undefined` (simple values 20–23).
    Simple(u8),
    /// A floating-point number (half, single or double); never valid in a document.
    Float,
    /// The "break" stop code ending an indefinite-length item.
    Break,
}

impl Head<'_> {
    /// What kind of item this is, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Head::Uint(_) => "an unsigned integer",
            Head::Nint(_) => "a negative integer",
            Head::Bytes(_) => "a byte string",
            Head::Text(_) => "a text string",
            Head::Array(_) => "an array",
            Head::Map(_) => "a map",
            Head::Tag(_) => "a tag",
            Head::Simple(22) => "null",
            Head::Simple(_) => "a simple value",
            Head::Float => "a floating-point number",
            Head::Break => "a break stop code",
        }
    }
}

/// The simple value `null`.
pub(crate) const NULL: u8 = 22;

/// Why the bytes are not the CBOR expected, and where (byte offset in the item being read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CborError {
    /// Byte offset of the offending head.
    pub(crate) offset: usize,
    /// What is wrong.
    pub(crate) kind: CborErrorKind,
}

/// What is wrong with the CBOR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CborErrorKind {
    /// The input ends inside an item.
    Truncated,
    /// An integer or length not in its shortest form.
    NonMinimal,
    /// An indefinite-length byte or text string.
    Chunked,
    /// Additional information 28–30, or an indefinite length where none can be.
    Reserved,
    /// Text that is not UTF-8.
    BadUtf8,
    /// A simple value other than false, true, null and undefined.
    BadSimple,
}

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            CborErrorKind::Truncated => "the input ends inside a data item",
            CborErrorKind::NonMinimal => "an integer or length not in its shortest encoding",
            CborErrorKind::Chunked => "an indefinite-length (chunked) string",
            CborErrorKind::Reserved => "a reserved or invalid additional-information value",
            CborErrorKind::BadUtf8 => "a text string that is not UTF-8",
            CborErrorKind::BadSimple => "an unassigned simple value",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

/// A cursor over CBOR bytes.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// The offset of the next byte.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Whether every byte has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn err(&self, offset: usize, kind: CborErrorKind) -> CborError {
        CborError { offset, kind }
    }

    fn take(&mut self, n: usize, at: usize) -> Result<&'a [u8], CborError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| self.err(at, CborErrorKind::Truncated))?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.err(at, CborErrorKind::Truncated))?;
        self.pos = end;
        Ok(s)
    }

    /// Reads the argument for additional information `ai` (0–27), in its shortest form.
    fn argument(&mut self, ai: u8, at: usize) -> Result<u64, CborError> {
        let (len, min) = match ai {
            0..=23 => return Ok(u64::from(ai)),
            24 => (1, 24u64),
            25 => (2, 0x100),
            26 => (4, 0x1_0000),
            27 => (8, 0x1_0000_0000),
            _ => return Err(self.err(at, CborErrorKind::Reserved)),
        };
        let bytes = self.take(len, at)?;
        let v = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if v < min {
            return Err(self.err(at, CborErrorKind::NonMinimal));
        }
        Ok(v)
    }

    /// Reads the next head. A definite-length string's content is consumed with it.
    pub(crate) fn head(&mut self) -> Result<Head<'a>, CborError> {
        let at = self.pos;
        let first = *self
            .take(1, at)?
            .first()
            .ok_or_else(|| self.err(at, CborErrorKind::Truncated))?;
        let major = first >> 5;
        let ai = first & 0x1f;
        if ai == 31 {
            return match major {
                2 | 3 => Err(self.err(at, CborErrorKind::Chunked)),
                4 => Ok(Head::Array(None)),
                5 => Ok(Head::Map(None)),
                7 => Ok(Head::Break),
                _ => Err(self.err(at, CborErrorKind::Reserved)),
            };
        }
        if major == 7 {
            return match ai {
                20..=23 => Ok(Head::Simple(ai)),
                25..=27 => {
                    let n = 1usize << (ai - 24);
                    self.take(n, at)?;
                    Ok(Head::Float)
                }
                24 => Err(self.err(at, CborErrorKind::BadSimple)),
                28..=30 => Err(self.err(at, CborErrorKind::Reserved)),
                _ => Err(self.err(at, CborErrorKind::BadSimple)),
            };
        }
        let arg = self.argument(ai, at)?;
        match major {
            0 => Ok(Head::Uint(arg)),
            1 => Ok(Head::Nint(arg)),
            2 | 3 => {
                let n = usize::try_from(arg).map_err(|_| self.err(at, CborErrorKind::Truncated))?;
                let bytes = self.take(n, at)?;
                if major == 2 {
                    Ok(Head::Bytes(bytes))
                } else {
                    std::str::from_utf8(bytes)
                        .map(Head::Text)
                        .map_err(|_| self.err(at, CborErrorKind::BadUtf8))
                }
            }
            4 => Ok(Head::Array(Some(arg))),
            5 => Ok(Head::Map(Some(arg))),
            _ => Ok(Head::Tag(arg)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn heads(bytes: &[u8]) -> Result<Vec<Head<'_>>, CborError> {
        let mut r = Reader::new(bytes);
        let mut v = Vec::new();
        while !r.at_end() {
            v.push(r.head()?);
        }
        Ok(v)
    }

    #[test]
    fn reads_shortest_forms() {
        assert_eq!(heads(&[0x17]).unwrap(), [Head::Uint(23)]);
        assert_eq!(heads(&[0x18, 0x18]).unwrap(), [Head::Uint(24)]);
        assert_eq!(heads(&[0x38, 0x22]).unwrap(), [Head::Nint(34)]);
        assert_eq!(heads(&[0x42, 1, 2]).unwrap(), [Head::Bytes(&[1, 2])]);
        assert_eq!(heads(&[0x61, b'a']).unwrap(), [Head::Text("a")]);
        assert_eq!(
            heads(&[0xbf, 0xff]).unwrap(),
            [Head::Map(None), Head::Break]
        );
        assert_eq!(heads(&[0xd2]).unwrap(), [Head::Tag(18)]);
        assert_eq!(heads(&[0xf6]).unwrap(), [Head::Simple(NULL)]);
    }

    #[test]
    fn refuses_longer_forms_chunks_and_reserved_values() {
        let kind = |b: &[u8]| heads(b).unwrap_err().kind;
        assert_eq!(kind(&[0x18, 0x17]), CborErrorKind::NonMinimal);
        assert_eq!(kind(&[0x19, 0x00, 0xff]), CborErrorKind::NonMinimal);
        assert_eq!(kind(&[0x5a, 0, 0, 0, 1, 0]), CborErrorKind::NonMinimal);
        assert_eq!(kind(&[0x5f, 0x41, 0, 0xff]), CborErrorKind::Chunked);
        assert_eq!(kind(&[0x7f, 0xff]), CborErrorKind::Chunked);
        assert_eq!(kind(&[0x1c]), CborErrorKind::Reserved);
        assert_eq!(kind(&[0x1f]), CborErrorKind::Reserved);
        assert_eq!(kind(&[0xf8, 0x20]), CborErrorKind::BadSimple);
        assert_eq!(kind(&[0x62, 0xff, 0xfe]), CborErrorKind::BadUtf8);
        assert_eq!(kind(&[0x43, 1, 2]), CborErrorKind::Truncated);
        assert_eq!(kind(&[0x1b, 0, 0, 0]), CborErrorKind::Truncated);
        // A length beyond the address space is truncation, not an overflow.
        assert_eq!(
            kind(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            CborErrorKind::Truncated
        );
    }
}
