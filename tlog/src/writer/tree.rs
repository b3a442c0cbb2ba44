//! The rightmost tiles of the tree and the integration of entries into tiles and bundles.

use crate::fsio::read_limited;
use crate::proof::{DirTiles, TileSource};
use crate::tiles::{
    encode_bundle, encode_hash_tile, parse_bundle, root_from_partials, TileError, MAX_BUNDLE, WIDTH,
};
use crate::TlogError;
use merkle::tiles::{tiles_for_size, TileLevel, TilePath, TILE_WIDTH};
use merkle::{root_from_leaf_hashes, Hash};
use std::path::Path;

fn tile(level: TileLevel, index: u64, width: usize) -> Result<TilePath, TlogError> {
    let w = u16::try_from(width).unwrap_or(TILE_WIDTH);
    TilePath::new(level, index, w).map_err(|e| TlogError::Input(e.to_string()))
}

/// The rightmost (partial) tile contents of a tree: what integration needs to go on.
#[derive(Debug, Clone, Default)]
pub(super) struct TreeState {
    pub(super) size: u64,
    /// Hashes after the last full tile, per level.
    levels: Vec<Vec<Hash>>,
    /// Entries after the last full bundle.
    bundle: Vec<Vec<u8>>,
}

impl TreeState {
    /// Reads the partial tiles and bundle of a tree of `size` leaves from `dir`.
    pub(super) fn read(dir: &Path, size: u64) -> Result<Self, TlogError> {
        let mut tiles = DirTiles::new(dir);
        let mut levels = Vec::new();
        for lt in tiles_for_size(size) {
            levels.push(match lt.partial {
                Some(p) => tiles.hashes(p)?,
                None => Vec::new(),
            });
        }
        let in_bundle = (size % WIDTH as u64) as usize;
        let mut bundle = Vec::new();
        if in_bundle > 0 {
            let p = tile(TileLevel::Entries, size >> 8, in_bundle)?;
            let path = dir.join(p.to_string());
            let bytes = read_limited(&path, MAX_BUNDLE)?
                .ok_or_else(|| TlogError::corrupt(&path, "entry bundle is missing"))?;
            bundle = parse_bundle(&bytes, p.width())
                .map_err(|r| TlogError::corrupt(&path, r))?
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
        }
        Ok(TreeState {
            size,
            levels,
            bundle,
        })
    }

    pub(super) fn root(&self) -> Result<Hash, TileError> {
        root_from_partials(self.size, &self.levels)
    }

    /// Adds `records` (entry bytes, leaf hash) and returns the tiles to write: every full tile
    /// completed on the way, then the partial tiles of the new size.
    pub(super) fn integrate<'a>(
        &mut self,
        records: impl Iterator<Item = &'a (Vec<u8>, Hash)>,
    ) -> Result<Vec<(TilePath, Vec<u8>)>, TlogError> {
        let mut out = Vec::new();
        let mut n = self.size;
        for (bytes, hash) in records {
            self.bundle.push(bytes.clone());
            if self.bundle.len() == WIDTH {
                out.push((
                    tile(TileLevel::Entries, n >> 8, WIDTH)?,
                    encode_bundle(&self.bundle)?,
                ));
                self.bundle.clear();
            }
            let mut h = *hash;
            let mut level = 0usize;
            loop {
                if self.levels.len() <= level {
                    self.levels.push(Vec::new());
                }
                let Some(hashes) = self.levels.get_mut(level) else {
                    break;
                };
                hashes.push(h);
                if hashes.len() < WIDTH {
                    break;
                }
                let shift = 8 * (level as u32 + 1);
                let index = (n.saturating_add(1))
                    .checked_shr(shift)
                    .unwrap_or(0)
                    .saturating_sub(1);
                let lvl = u8::try_from(level).map_err(|_| TlogError::Input("level".into()))?;
                out.push((
                    tile(TileLevel::Level(lvl), index, WIDTH)?,
                    encode_hash_tile(hashes),
                ));
                h = root_from_leaf_hashes(hashes);
                hashes.clear();
                level += 1;
            }
            n += 1;
        }
        for (level, hashes) in self.levels.iter().enumerate() {
            if !hashes.is_empty() {
                let lvl = u8::try_from(level).map_err(|_| TlogError::Input("level".into()))?;
                let index = n.checked_shr(8 * (level as u32 + 1)).unwrap_or(0);
                out.push((
                    tile(TileLevel::Level(lvl), index, hashes.len())?,
                    encode_hash_tile(hashes),
                ));
            }
        }
        if !self.bundle.is_empty() {
            out.push((
                tile(TileLevel::Entries, n >> 8, self.bundle.len())?,
                encode_bundle(&self.bundle)?,
            ));
        }
        while self.levels.last().is_some_and(Vec::is_empty)
            && self.levels.len() > tiles_for_size(n).len()
        {
            self.levels.pop();
        }
        self.size = n;
        Ok(out)
    }
}

/// The tiles a tree of `size` leaves needs that were not needed at `base`: the full tiles
/// (hash tiles of every level and entry bundles) completed in `(base, size]` and the partial
/// tiles of `size`.
pub(super) fn tiles_since(base: u64, size: u64) -> Result<Vec<TilePath>, TlogError> {
    let mut out = Vec::new();
    let width = WIDTH as u64;
    for i in (base >> 8)..(size >> 8) {
        out.push(tile(TileLevel::Entries, i, WIDTH)?);
    }
    if !size.is_multiple_of(width) {
        out.push(tile(
            TileLevel::Entries,
            size >> 8,
            (size % width) as usize,
        )?);
    }
    for lt in tiles_for_size(size) {
        let shift = 8 * (u32::from(lt.level) + 1);
        for i in base.checked_shr(shift).unwrap_or(0)..lt.full_tiles {
            out.push(tile(TileLevel::Level(lt.level), i, WIDTH)?);
        }
        out.extend(lt.partial);
    }
    Ok(out)
}
