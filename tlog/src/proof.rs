//! Inclusion proofs read from hash tiles: O(log n) tiles per proof, never the whole tree.

use crate::fsio::read_limited;
use crate::tiles::{parse_hash_tile, MAX_HASH_TILE, WIDTH};
use crate::TlogError;
use merkle::tiles::{TileLevel, TilePath, TILE_WIDTH};
use merkle::{node_hash, root_from_leaf_hashes, Hash};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where hash tiles come from.
pub trait TileSource {
    /// The hashes of this tile (exactly `path.width()` of them).
    fn hashes(&mut self, path: TilePath) -> Result<Vec<Hash>, TlogError>;
}

/// Tiles in a log or mirror directory.
#[derive(Debug)]
pub struct DirTiles {
    dir: PathBuf,
}

impl DirTiles {
    /// Tiles under `dir/tile/`.
    pub fn new(dir: &Path) -> Self {
        DirTiles {
            dir: dir.to_path_buf(),
        }
    }
}

impl TileSource for DirTiles {
    fn hashes(&mut self, path: TilePath) -> Result<Vec<Hash>, TlogError> {
        let file = self.dir.join(path.to_string());
        let bytes = read_limited(&file, MAX_HASH_TILE)?
            .ok_or_else(|| TlogError::corrupt(&file, "tile is missing"))?;
        parse_hash_tile(&bytes, path.width()).map_err(|r| TlogError::corrupt(&file, r))
    }
}

/// Reads nodes of the tree of `size` leaves from tiles, caching the tiles it reads.
#[derive(Debug)]
pub struct TileProver<S> {
    size: u64,
    source: S,
    cache: HashMap<TilePath, Vec<Hash>>,
}

impl<S: TileSource> TileProver<S> {
    /// A prover for the tree of `size` leaves.
    pub fn new(size: u64, source: S) -> Self {
        TileProver {
            size,
            source,
            cache: HashMap::new(),
        }
    }

    /// The root of the perfect subtree of `2^height` leaves with index `index` at that height.
    fn perfect(&mut self, height: u32, index: u64) -> Result<Hash, TlogError> {
        let level = height / 8;
        let r = height % 8;
        let count = 1u64 << r;
        let first = index
            .checked_mul(count)
            .ok_or_else(|| TlogError::Input("node index overflows".into()))?;
        let level_hashes = self.size.checked_shr(8 * level).unwrap_or(0);
        if first.saturating_add(count) > level_hashes {
            return Err(TlogError::Input(format!(
                "node {index} at height {height} is outside the tree of size {}",
                self.size
            )));
        }
        let tile_index = first >> 8;
        let width = if tile_index < level_hashes >> 8 {
            TILE_WIDTH
        } else {
            (level_hashes % u64::from(TILE_WIDTH)) as u16
        };
        let lvl = u8::try_from(level).map_err(|_| TlogError::Input("level too high".into()))?;
        let path = TilePath::new(TileLevel::Level(lvl), tile_index, width)
            .map_err(|e| TlogError::Input(e.to_string()))?;
        if !self.cache.contains_key(&path) {
            let hashes = self.source.hashes(path)?;
            self.cache.insert(path, hashes);
        }
        let tile = self
            .cache
            .get(&path)
            .ok_or_else(|| TlogError::Input("tile cache".into()))?;
        let start = (first % WIDTH as u64) as usize;
        let group = tile
            .get(start..start + count as usize)
            .ok_or_else(|| TlogError::Input("tile too short".into()))?;
        Ok(root_from_leaf_hashes(group))
    }

    /// The root of leaves `lo..hi` (an RFC 6962 subtree: `lo` aligned to the split points).
    fn subtree(&mut self, lo: u64, hi: u64) -> Result<Hash, TlogError> {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            return self.perfect(n.trailing_zeros(), lo / n);
        }
        let k = split(n);
        let left = self.subtree(lo, lo + k)?;
        let right = self.subtree(lo + k, hi)?;
        Ok(node_hash(&left, &right))
    }

    /// The leaf hash at `index`.
    pub fn leaf_hash(&mut self, index: u64) -> Result<Hash, TlogError> {
        if index >= self.size {
            return Err(merkle::ProofError::IndexOutOfRange {
                index,
                size: self.size,
            }
            .into());
        }
        self.perfect(0, index)
    }

    /// The RFC 6962 inclusion proof of leaf `index`.
    pub fn inclusion_proof(&mut self, index: u64) -> Result<Vec<Hash>, TlogError> {
        if index >= self.size {
            return Err(merkle::ProofError::IndexOutOfRange {
                index,
                size: self.size,
            }
            .into());
        }
        let mut proof = Vec::new();
        let (mut lo, mut hi) = (0u64, self.size);
        // Walk down from the root, collecting siblings; the proof lists them leaf first.
        while hi - lo > 1 {
            let k = split(hi - lo);
            if index < lo + k {
                proof.push(self.subtree(lo + k, hi)?);
                hi = lo + k;
            } else {
                proof.push(self.subtree(lo, lo + k)?);
                lo += k;
            }
        }
        proof.reverse();
        Ok(proof)
    }

    /// The root of the whole tree.
    pub fn root(&mut self) -> Result<Hash, TlogError> {
        if self.size == 0 {
            return Ok(merkle::empty_root());
        }
        self.subtree(0, self.size)
    }
}

/// The largest power of two below `n` (n >= 2).
fn split(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::tiles::tiles_from_leaf_hashes;
    use merkle::{inclusion_proof, leaf_hash};

    struct MemTiles(HashMap<TilePath, Vec<Hash>>);
    impl TileSource for MemTiles {
        fn hashes(&mut self, path: TilePath) -> Result<Vec<Hash>, TlogError> {
            self.0
                .get(&path)
                .cloned()
                .ok_or_else(|| TlogError::Input(format!("no {path}")))
        }
    }

    #[test]
    fn proofs_from_tiles_match_reference() {
        for size in [1u64, 2, 3, 7, 255, 256, 257, 300, 513, 65536, 65537, 66000] {
            let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let tiles = tiles_from_leaf_hashes(&leaves, 0).unwrap();
            let mem = MemTiles(
                tiles
                    .into_iter()
                    .map(|(p, b)| (p, crate::tiles::parse_hash_tile(&b, p.width()).unwrap()))
                    .collect(),
            );
            let mut prover = TileProver::new(size, mem);
            assert_eq!(prover.root().unwrap(), root_from_leaf_hashes(&leaves));
            for index in [0, size / 3, size / 2, size - 1] {
                let want = inclusion_proof(&leaves, size, index).unwrap();
                assert_eq!(
                    prover.inclusion_proof(index).unwrap(),
                    want,
                    "{size} {index}"
                );
                assert_eq!(prover.leaf_hash(index).unwrap(), leaves[index as usize]);
            }
            assert!(prover.inclusion_proof(size).is_err());
        }
    }
}
