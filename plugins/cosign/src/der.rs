//! A minimal DER reader/writer: enough to walk a TBSCertificate and rebuild it without the
//! SCT extension (RFC 6962 §3.2).

/// One TLV: tag, its whole encoding, its content.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The (single-byte) tag.
    pub tag: u8,
    /// Tag, length and content.
    pub raw: &'a [u8],
    /// Content only.
    pub content: &'a [u8],
}

/// Reads one TLV from the front of `input`; returns it and the rest. Definite lengths only,
/// minimal long form, at most 4 length bytes; single-byte tags.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = rest.get(..n)?;
        if bytes.first() == Some(&0) {
            return None;
        }
        let len = bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b));
        if len < 0x80 {
            return None;
        }
        (len, rest.get(n..)?)
    };
    let content = rest.get(..len)?;
    let after = rest.get(len..)?;
    let header = input.len() - rest.len();
    let raw = input.get(..header + len)?;
    Some((Tlv { tag, raw, content }, after))
}

/// All TLVs of `content`, or `None` if it is not a clean sequence of TLVs.
pub fn children(mut content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (t, rest) = read(content)?;
        out.push(t);
        content = rest;
        if out.len() > 4096 {
            return None;
        }
    }
    Some(out)
}

/// Encodes a TLV.
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips() {
        for n in [0usize, 1, 127, 128, 255, 256, 70000] {
            let c = vec![7u8; n];
            let e = encode(0x30, &c);
            let (t, rest) = read(&e).unwrap();
            assert!(rest.is_empty());
            assert_eq!(t.content, c.as_slice());
            assert_eq!(t.raw, e.as_slice());
        }
        assert!(read(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_none());
    }
}
