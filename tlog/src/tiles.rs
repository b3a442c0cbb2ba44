//! Tile contents (C2SP tlog-tiles): hash tiles are concatenated 32-byte hashes, entry bundles
//! are entries each prefixed with a big-endian 16-bit length.

use crate::entry::MAX_ENTRY_LEN;
use crate::TlogError;
use merkle::tiles::TILE_WIDTH;
use merkle::{empty_root, node_hash, root_from_leaf_hashes, Hash, HASH_LEN};

/// Hashes per full tile.
pub const WIDTH: usize = TILE_WIDTH as usize;
/// The largest hash tile, in bytes.
pub const MAX_HASH_TILE: usize = WIDTH * HASH_LEN;
/// The largest entry bundle, in bytes.
pub const MAX_BUNDLE: usize = WIDTH * (2 + MAX_ENTRY_LEN);

/// Why a hash tile or entry bundle is not what its path says, or why partial tiles do not give
/// a root. Callers name the file or URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// A hash tile's length is not `width` hashes.
    #[error("hash tile is {len} bytes, expected {expected} for width {width}")]
    HashTileLength {
        /// The tile's length.
        len: usize,
        /// `width` hashes, in bytes.
        expected: usize,
        /// The width its path says.
        width: u16,
    },
    /// A hash did not parse.
    #[error(transparent)]
    Hash(#[from] merkle::HashParseError),
    /// An entry bundle is above [`MAX_BUNDLE`].
    #[error("entry bundle is larger than {MAX_BUNDLE} bytes")]
    BundleTooLarge,
    /// An entry bundle ends inside a length prefix.
    #[error("entry bundle ends inside a length prefix")]
    TornLength,
    /// A bundle entry is above [`MAX_ENTRY_LEN`].
    #[error("bundle entry of {0} bytes exceeds {MAX_ENTRY_LEN}")]
    EntryTooLong(usize),
    /// An entry bundle ends inside an entry.
    #[error("entry bundle ends inside an entry")]
    TornEntry,
    /// An entry bundle does not hold exactly `width` entries.
    #[error("entry bundle has {count} or more entries, expected {width}")]
    EntryCount {
        /// The entries read (reading stops after `width + 1`).
        count: usize,
        /// The width its path says.
        width: u16,
    },
    /// More partial levels than a tree has.
    #[error("level out of range")]
    LevelOutOfRange,
    /// A partial tile holds fewer hashes than the tree size needs.
    #[error("level {0} has too few hashes")]
    TooFewHashes(usize),
    /// A partial tile holds more hashes than the tree size needs.
    #[error("level {level} has {count} hashes, expected {expected}")]
    HashCount {
        /// The level.
        level: usize,
        /// The hashes it holds.
        count: usize,
        /// The hashes the tree size needs.
        expected: usize,
    },
}

/// The hashes of a hash tile, which must hold exactly `width` of them.
pub fn parse_hash_tile(bytes: &[u8], width: u16) -> Result<Vec<Hash>, TileError> {
    let want = usize::from(width).saturating_mul(HASH_LEN);
    if bytes.len() != want {
        return Err(TileError::HashTileLength {
            len: bytes.len(),
            expected: want,
            width,
        });
    }
    bytes
        .chunks_exact(HASH_LEN)
        .map(|c| Ok(Hash::from_slice(c)?))
        .collect()
}

/// The bytes of a hash tile.
pub fn encode_hash_tile(hashes: &[Hash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hashes.len() * HASH_LEN);
    for h in hashes {
        out.extend_from_slice(h.as_bytes());
    }
    out
}

/// The bytes of an entry bundle.
pub fn encode_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TlogError> {
    let mut out = Vec::new();
    for e in entries {
        let e = e.as_ref();
        let len = u16::try_from(e.len())
            .map_err(|_| TlogError::Entry("entry longer than 65535 bytes".into()))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// The entries of a bundle, which must hold exactly `width` of them, none above the entry limit.
pub fn parse_bundle(bytes: &[u8], width: u16) -> Result<Vec<&[u8]>, TileError> {
    if bytes.len() > MAX_BUNDLE {
        return Err(TileError::BundleTooLarge);
    }
    let mut out = Vec::with_capacity(usize::from(width));
    let mut rest = bytes;
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<2>().ok_or(TileError::TornLength)?;
        let len = usize::from(u16::from_be_bytes(*len));
        if len > MAX_ENTRY_LEN {
            return Err(TileError::EntryTooLong(len));
        }
        let (entry, tail) = tail.split_at_checked(len).ok_or(TileError::TornEntry)?;
        out.push(entry);
        rest = tail;
        if out.len() > usize::from(width) {
            break;
        }
    }
    if out.len() != usize::from(width) {
        return Err(TileError::EntryCount {
            count: out.len(),
            width,
        });
    }
    Ok(out)
}

/// The root of a tree of `size` leaves from the hashes in the rightmost (partial) tile of every
/// level: `partials[l]` holds the `(size >> 8l) % 256` level-`l` hashes after the last full tile.
pub fn root_from_partials(size: u64, partials: &[Vec<Hash>]) -> Result<Hash, TileError> {
    // The compact range: one perfect subtree per set bit of `size`, largest (leftmost) first.
    let mut range: Vec<Hash> = Vec::new();
    for level in (0..partials.len()).rev() {
        let hashes = partials.get(level).ok_or(TileError::LevelOutOfRange)?;
        let mut offset = 0usize;
        for bit in (0..8u32).rev() {
            let k = 8 * (level as u32) + bit;
            if k >= 64 || size & (1u64 << k) == 0 {
                continue;
            }
            let count = 1usize << bit;
            let group = hashes
                .get(offset..offset + count)
                .ok_or(TileError::TooFewHashes(level))?;
            range.push(root_from_leaf_hashes(group));
            offset += count;
        }
        if offset != hashes.len() {
            return Err(TileError::HashCount {
                level,
                count: hashes.len(),
                expected: offset,
            });
        }
    }
    let mut it = range.into_iter().rev();
    let Some(mut acc) = it.next() else {
        return Ok(empty_root());
    };
    for left in it {
        acc = node_hash(&left, &acc);
    }
    Ok(acc)
}

/// Every hash tile of the tree with these leaf hashes whose level-`l` index is at least
/// `from_size >> 8(l+1)` (the tiles that changed since a tree of `from_size` leaves), with
/// their bytes. Upper levels are computed from the leaf hashes (a reference for the tests).
#[cfg(test)]
pub(crate) fn tiles_from_leaf_hashes(
    leaves: &[Hash],
    from_size: u64,
) -> Result<Vec<(merkle::tiles::TilePath, Vec<u8>)>, TlogError> {
    let mut out = Vec::new();
    let mut level_hashes: Vec<Hash> = leaves.to_vec();
    let mut level: u8 = 0;
    while !level_hashes.is_empty() {
        let first_tile = from_size
            .checked_shr(8 * (u32::from(level) + 1))
            .unwrap_or(0);
        for (i, chunk) in level_hashes.chunks(WIDTH).enumerate() {
            let index = i as u64;
            if index < first_tile {
                continue;
            }
            let width = u16::try_from(chunk.len()).unwrap_or(TILE_WIDTH);
            let path =
                merkle::tiles::TilePath::new(merkle::tiles::TileLevel::Level(level), index, width)
                    .map_err(|e| TlogError::Input(e.to_string()))?;
            out.push((path, encode_hash_tile(chunk)));
        }
        level_hashes = level_hashes
            .chunks_exact(WIDTH)
            .map(root_from_leaf_hashes)
            .collect();
        level = level
            .checked_add(1)
            .ok_or_else(|| TlogError::Input("too many levels".into()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use merkle::leaf_hash;

    #[test]
    fn root_from_partials_matches_reference() {
        for size in [
            0u64, 1, 2, 3, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70001,
        ] {
            let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let mut partials = Vec::new();
            let mut level = leaves.clone();
            while !level.is_empty() {
                let full = level.len() / WIDTH * WIDTH;
                partials.push(level[full..].to_vec());
                level = level
                    .chunks_exact(WIDTH)
                    .map(root_from_leaf_hashes)
                    .collect();
            }
            assert_eq!(
                root_from_partials(size, &partials).unwrap(),
                root_from_leaf_hashes(&leaves),
                "size {size}"
            );
        }
    }

    #[test]
    fn bundle_round_trip_and_budget() {
        let b = encode_bundle(&[b"a".as_slice(), b"bc"]).unwrap();
        assert_eq!(parse_bundle(&b, 2).unwrap(), vec![b"a".as_slice(), b"bc"]);
        assert!(parse_bundle(&b, 1).is_err());
        assert!(parse_bundle(&b, 3).is_err());
        assert!(parse_bundle(&b[..b.len() - 1], 2).is_err());
        assert!(parse_hash_tile(&[0; 33], 1).is_err());
    }
}
