//! The 32-byte hash type and RFC 6962 §2.1 domain-separated hashing.

use sha2::{Digest, Sha256};
use std::fmt;

/// Length of a SHA-256 digest in bytes.
pub const HASH_LEN: usize = 32;

/// A SHA-256 tree hash: a leaf hash, an interior node or a root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_LEN]);

/// A hash given as text or bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashParseError {
    /// Not hexadecimal.
    #[error("not hexadecimal: {0}")]
    NotHex(String),
    /// Not exactly 32 bytes.
    #[error("hash has {0} bytes, expected 32")]
    WrongLength(usize),
}

impl Hash {
    /// Decodes 64 hex digits (either case). Any other length is an error.
    pub fn from_hex(s: &str) -> Result<Self, HashParseError> {
        let bytes = hex::decode(s).map_err(|e| HashParseError::NotHex(e.to_string()))?;
        Self::from_slice(&bytes)
    }

    /// Takes exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashParseError> {
        <[u8; HASH_LEN]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| HashParseError::WrongLength(bytes.len()))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Hash::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Longest leaf input that fits, with its 0x00 prefix and SHA-256 padding, in one block.
const ONE_BLOCK_LEAF_MAX: usize = 64 - 1 - 1 - 8;

/// SHA-256 compression over whole 64-byte blocks, from the initial state, as a digest.
///
/// Tree hashing feeds SHA-256 inputs of two fixed shapes (a short leaf, a 65-byte node), so
/// padding them here and calling the compression function directly skips the general
/// streaming hasher's buffering: that overhead is what separates a tree from the raw hash rate.
pub fn sha256_blocks(blocks: &[[u8; 64]]) -> Hash {
    let mut state = H0;
    for block in blocks {
        sha2::compress256(&mut state, &[(*block).into()]);
    }
    let mut out = [0u8; HASH_LEN];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    Hash(out)
}

/// Leaf hash: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    if data.len() <= ONE_BLOCK_LEAF_MAX {
        // 0x00 ‖ data ‖ 0x80 ‖ zeros ‖ bit length (big-endian u64) in one block.
        let mut block = [0u8; 64];
        let (prefix_and_data, rest) = block.split_at_mut(1 + data.len());
        if let Some((_, body)) = prefix_and_data.split_first_mut() {
            body.copy_from_slice(data);
        }
        if let Some(first) = rest.first_mut() {
            *first = 0x80;
        }
        let bits = ((1 + data.len()) as u64) * 8;
        block[56..].copy_from_slice(&bits.to_be_bytes());
        return sha256_blocks(&[block]);
    }
    // Longer leaves (a log entry's body, a file) go to ring's SHA-256, which has assembly
    // for CPUs without the SHA extensions (AVX, SSSE3): about twice the rate of `sha2`'s
    // portable code there, the same with them.
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    h.update(&[0x00]);
    h.update(data);
    ring_hash(h)
}

/// The digest of a finished ring SHA-256 context.
fn ring_hash(h: ring::digest::Context) -> Hash {
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(h.finish().as_ref());
    Hash(out)
}

/// Leaf hash of data read to its end, in constant memory: SHA-256(0x00 ‖ data).
pub fn leaf_hash_reader<R: std::io::Read>(mut reader: R) -> std::io::Result<Hash> {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    h.update(&[0x00]);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(ring_hash(h))
}

/// Interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    // 65 bytes of input: block 1 = 0x01 ‖ left ‖ right[..31]; block 2 = right[31] ‖ 0x80 ‖
    // zeros ‖ 520 as a big-endian u64.
    let mut b1 = [0u8; 64];
    let mut b2 = [0u8; 64];
    b1[0] = 0x01;
    b1[1..33].copy_from_slice(&left.0);
    b1[33..].copy_from_slice(&right.0[..31]);
    b2[0] = right.0[31];
    b2[1] = 0x80;
    b2[56..].copy_from_slice(&(65u64 * 8).to_be_bytes());
    sha256_blocks(&[b1, b2])
}

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    /// The block-level fast paths agree with the streaming hasher for every length and shape.
    #[test]
    fn fast_paths_match_the_streaming_hasher() {
        for len in 0..200usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            let mut h = Sha256::new();
            h.update([0x00]);
            h.update(&data);
            assert_eq!(
                leaf_hash(&data).0,
                <[u8; 32]>::from(h.finalize()),
                "len {len}"
            );
        }
        let (l, r) = (leaf_hash(b"left"), leaf_hash(b"right"));
        let mut h = Sha256::new();
        h.update([0x01]);
        h.update(l.0);
        h.update(r.0);
        assert_eq!(node_hash(&l, &r).0, <[u8; 32]>::from(h.finalize()));
    }

    #[test]
    fn reader_matches_slice() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        assert_eq!(leaf_hash_reader(&data[..]).unwrap(), leaf_hash(&data));
        assert_eq!(leaf_hash_reader(&b""[..]).unwrap(), leaf_hash(b""));
    }

    #[test]
    fn hex_round_trip_and_length_checks() {
        let h = leaf_hash(b"");
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(Hash::from_hex("00"), Err(HashParseError::WrongLength(1)));
        assert!(matches!(
            Hash::from_hex("zz"),
            Err(HashParseError::NotHex(_))
        ));
    }
}
