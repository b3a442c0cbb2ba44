//! C2SP tlog-tiles paths (<https://c2sp.org/tlog-tiles>).
//!
//! A tile at level `L` with index `N` is `tile/<L>/<N encoded>`; an entry bundle is
//! `tile/entries/<N encoded>`. `N` is written in groups of three decimal digits, every group but
//! the last prefixed with `x` (`1234067` → `x001/x234/067`). A partial tile of width `W` (1..=255
//! hashes or entries) has the suffix `.p/<W>`; a full tile (width 256) has none.
//!
//! [`parse_tile_path`] accepts only the canonical form [`TilePath`]'s `Display` writes: no `x000`
//! lead group, no leading zeros in level or width, levels 0..=63, widths 1..=255.

use std::fmt;

/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u16 = 256;
/// The highest tile level.
pub const MAX_TILE_LEVEL: u8 = 63;
/// The longest tile path [`parse_tile_path`] looks at. The longest canonical path,
/// `tile/entries/x018/x446/x744/x073/x709/x551/615.p/255`, is 50 bytes.
pub const MAX_TILE_PATH_LEN: usize = 64;
/// Index groups needed for the largest 64-bit index (20 digits).
const MAX_INDEX_GROUPS: usize = 7;

/// A tile path could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TilePathError {
    /// Building: a level above 63.
    #[error("tile level {0} is above the maximum of {MAX_TILE_LEVEL}")]
    LevelOutOfRange(u8),
    /// Building: a width outside 1..=256.
    #[error("tile width {0} is not in 1..=256")]
    WidthOutOfRange(u16),
    /// Longer than any tile path.
    #[error("path is {len} bytes, longer than any tile path ({MAX_TILE_PATH_LEN})")]
    TooLong { len: usize },
    /// Does not start with `tile/`.
    #[error("path does not start with \"tile/\"")]
    MissingPrefix,
    /// Nothing after the level.
    #[error("path has no tile index after the level")]
    MissingIndex,
    /// The level element is not `entries` or a canonical decimal 0..=63.
    #[error("level {0:?} is neither \"entries\" nor a decimal 0..=63 without leading zeros")]
    InvalidLevel(String),
    /// The partial width is not a canonical decimal 1..=255.
    #[error("partial tile width {0:?} is not a decimal 1..=255 without leading zeros")]
    InvalidWidth(String),
    /// An index element is not `xDDD` (all but the last) or `DDD` (the last).
    #[error("index element {position} {element:?} is not {expected}")]
    InvalidIndexElement {
        position: usize,
        element: String,
        expected: &'static str,
    },
    /// More index elements than a 64-bit index needs.
    #[error("index has {0} elements, more than the {MAX_INDEX_GROUPS} a 64-bit index needs")]
    TooManyIndexElements(usize),
    /// The index does not fit in 64 bits.
    #[error("tile index does not fit in 64 bits")]
    IndexOverflow,
    /// The index has a leading `x000` group.
    #[error("tile index {index} is not canonically encoded (expected {canonical:?})")]
    NonCanonicalIndex { index: u64, canonical: String },
}

/// The level of a tile: a hash tile level 0..=63, or the entry bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileLevel {
    /// Hash tiles; level 0 holds leaf hashes.
    Level(u8),
    /// Entry bundles (`tile/entries/...`).
    Entries,
}

/// A valid tile: level, index and width (1..=256; 256 is a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TilePath {
    level: TileLevel,
    index: u64,
    width: u16,
}

impl TilePath {
    /// A tile, checking the level (0..=63) and width (1..=256).
    pub fn new(level: TileLevel, index: u64, width: u16) -> Result<Self, TilePathError> {
        if let TileLevel::Level(l) = level {
            if l > MAX_TILE_LEVEL {
                return Err(TilePathError::LevelOutOfRange(l));
            }
        }
        if !(1..=TILE_WIDTH).contains(&width) {
            return Err(TilePathError::WidthOutOfRange(width));
        }
        Ok(TilePath {
            level,
            index,
            width,
        })
    }

    /// The tile's level.
    pub fn level(&self) -> TileLevel {
        self.level
    }

    /// The tile's index within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The tile's width: 256 for a full tile, 1..=255 for a partial one.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether this is a partial tile (width below 256).
    pub fn is_partial(&self) -> bool {
        self.width < TILE_WIDTH
    }

    /// The first leaf index the tile covers: `index * 256^(level + 1)` for hash tiles, `index *
    /// 256` for entry bundles. `None` when that does not fit in 128 bits.
    pub fn start_entry(&self) -> Option<u128> {
        if self.index == 0 {
            return Some(0);
        }
        let shift = match self.level {
            TileLevel::Entries => 8,
            TileLevel::Level(l) => 8 * (u32::from(l) + 1),
        };
        let index = u128::from(self.index);
        if shift >= u128::BITS || index.leading_zeros() < shift {
            return None;
        }
        Some(index << shift)
    }
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            TileLevel::Level(l) => write!(f, "tile/{l}/")?,
            TileLevel::Entries => f.write_str("tile/entries/")?,
        }
        f.write_str(&encode_index(self.index))?;
        if self.is_partial() {
            write!(f, ".p/{}", self.width)?;
        }
        Ok(())
    }
}

/// Encodes a tile index: groups of three digits, all but the last prefixed with `x`
/// (`1234067` → `x001/x234/067`, `0` → `000`).
pub fn encode_index(n: u64) -> String {
    let mut groups = Vec::with_capacity(MAX_INDEX_GROUPS);
    let mut rest = n;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(groups.len() * 5);
    for (i, group) in groups.iter().rev().enumerate() {
        if i + 1 < groups.len() {
            out.push_str(&format!("x{group:03}/"));
        } else {
            out.push_str(&format!("{group:03}"));
        }
    }
    out
}

/// The path of a tile (see [`TilePath::new`] for the checks).
pub fn tile_path(level: TileLevel, index: u64, width: u16) -> Result<String, TilePathError> {
    TilePath::new(level, index, width).map(|t| t.to_string())
}

/// A canonical decimal in `lo..=hi` (at most 3 digits, no leading zero unless "0").
fn parse_small_decimal(s: &str, lo: u16, hi: u16) -> Option<u16> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    let v = s.parse::<u16>().ok()?;
    (lo..=hi).contains(&v).then_some(v)
}

/// Exactly three ASCII digits.
fn three_digits(s: &str) -> Option<u64> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u64>().ok()
    } else {
        None
    }
}

/// Parses a canonical tile path, the inverse of [`TilePath`]'s `Display`.
pub fn parse_tile_path(path: &str) -> Result<TilePath, TilePathError> {
    if path.len() > MAX_TILE_PATH_LEN {
        return Err(TilePathError::TooLong { len: path.len() });
    }
    let rest = path
        .strip_prefix("tile/")
        .ok_or(TilePathError::MissingPrefix)?;
    let (rest, width) = match rest.rsplit_once(".p/") {
        Some((rest, w)) => {
            let width = parse_small_decimal(w, 1, TILE_WIDTH - 1)
                .ok_or_else(|| TilePathError::InvalidWidth(w.to_owned()))?;
            (rest, width)
        }
        None => (rest, TILE_WIDTH),
    };
    let (level, index_str) = rest.split_once('/').ok_or(TilePathError::MissingIndex)?;
    let level = if level == "entries" {
        TileLevel::Entries
    } else {
        let l = parse_small_decimal(level, 0, u16::from(MAX_TILE_LEVEL))
            .and_then(|l| u8::try_from(l).ok())
            .ok_or_else(|| TilePathError::InvalidLevel(level.to_owned()))?;
        TileLevel::Level(l)
    };
    let elements: Vec<&str> = index_str.split('/').collect();
    if elements.len() > MAX_INDEX_GROUPS {
        return Err(TilePathError::TooManyIndexElements(elements.len()));
    }
    let mut index = 0u64;
    for (i, element) in elements.iter().enumerate() {
        let last = i + 1 == elements.len();
        let (digits, expected) = if last {
            (Some(*element), "three digits")
        } else {
            (element.strip_prefix('x'), "'x' and three digits")
        };
        let group =
            digits
                .and_then(three_digits)
                .ok_or_else(|| TilePathError::InvalidIndexElement {
                    position: i + 1,
                    element: (*element).to_owned(),
                    expected,
                })?;
        index = index
            .checked_mul(1000)
            .and_then(|v| v.checked_add(group))
            .ok_or(TilePathError::IndexOverflow)?;
    }
    let canonical = encode_index(index);
    if canonical != index_str {
        return Err(TilePathError::NonCanonicalIndex { index, canonical });
    }
    TilePath::new(level, index, width)
}

/// The tiles of one level of a tree: how many full tiles, and the partial tile if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelTiles {
    /// The level (0 = leaf hashes).
    pub level: u8,
    /// Full tiles at this level: indices `0..full_tiles`.
    pub full_tiles: u64,
    /// The partial tile after them (index `full_tiles`), if the level has a remainder.
    pub partial: Option<TilePath>,
}

/// The hash tiles of a tree of `tree_size` leaves, per level, from level 0 up to the last level
/// with at least one hash (`tree_size / 256^level > 0`). Empty for the empty tree.
pub fn tiles_for_size(tree_size: u64) -> Vec<LevelTiles> {
    let mut out = Vec::new();
    let mut level = 0u8;
    loop {
        // Hashes at this level: tree_size / 256^level.
        let hashes = tree_size.checked_shr(8 * u32::from(level)).unwrap_or(0);
        if hashes == 0 {
            break;
        }
        let full_tiles = hashes >> 8;
        let width = (hashes % u64::from(TILE_WIDTH)) as u16;
        out.push(LevelTiles {
            level,
            full_tiles,
            partial: (width != 0).then_some(TilePath {
                level: TileLevel::Level(level),
                index: full_tiles,
                width,
            }),
        });
        match level.checked_add(1) {
            Some(next) if next <= MAX_TILE_LEVEL => level = next,
            _ => break,
        }
    }
    out
}

/// Where a leaf's hash is stored: the level-0 tile index and the position within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafLocation {
    /// The level-0 tile (and entry bundle) index: `leaf_index / 256`.
    pub tile_index: u64,
    /// The position within that tile: `leaf_index % 256`.
    pub offset: u8,
}

impl LeafLocation {
    /// The full level-0 tile holding the leaf.
    pub fn full_tile(&self) -> TilePath {
        TilePath {
            level: TileLevel::Level(0),
            index: self.tile_index,
            width: TILE_WIDTH,
        }
    }
}

/// The level-0 tile and offset of a leaf.
pub fn leaf_location(leaf_index: u64) -> LeafLocation {
    LeafLocation {
        tile_index: leaf_index >> 8,
        offset: (leaf_index & 0xff) as u8,
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builder_checks_level_and_width() {
        assert_eq!(
            tile_path(TileLevel::Level(64), 0, 256),
            Err(TilePathError::LevelOutOfRange(64))
        );
        assert_eq!(
            tile_path(TileLevel::Level(0), 0, 0),
            Err(TilePathError::WidthOutOfRange(0))
        );
        assert_eq!(
            tile_path(TileLevel::Level(0), 0, 257),
            Err(TilePathError::WidthOutOfRange(257))
        );
        assert_eq!(
            tile_path(TileLevel::Entries, u64::MAX, 255).unwrap(),
            "tile/entries/x018/x446/x744/x073/x709/x551/615.p/255"
        );
    }

    #[test]
    fn parser_rejects_oversized_and_overflowing_paths() {
        assert!(matches!(
            parse_tile_path(&format!("tile/0/{}", "x001/".repeat(20) + "000")),
            Err(TilePathError::TooLong { .. })
        ));
        assert_eq!(
            parse_tile_path("tile/0/x018/x446/x744/x073/x709/x551/616"),
            Err(TilePathError::IndexOverflow)
        );
        assert_eq!(
            parse_tile_path("tile/0/x001/x001/x001/x001/x001/x001/x001/001"),
            Err(TilePathError::TooManyIndexElements(8))
        );
        assert!(parse_tile_path("tile/0/x00a/000").is_err());
        assert!(parse_tile_path("tile/0/y001/000").is_err());
        assert!(parse_tile_path("tile/0/000.p/1.p/2").is_err());
        assert!(parse_tile_path("tile/entries/000.p/+5").is_err());
    }

    #[test]
    fn start_entry_saturates_to_none() {
        let t = TilePath::new(TileLevel::Level(15), 1, 256).unwrap();
        assert_eq!(t.start_entry(), None);
        let t = TilePath::new(TileLevel::Level(14), 1, 256).unwrap();
        assert_eq!(t.start_entry(), Some(1u128 << 120));
        let t = TilePath::new(TileLevel::Level(14), 256, 256).unwrap();
        assert_eq!(t.start_entry(), None);
        let t = TilePath::new(TileLevel::Level(63), 0, 1).unwrap();
        assert_eq!(t.start_entry(), Some(0));
    }

    #[test]
    fn leaf_locations_agree_with_tiles_for_size() {
        for size in [1u64, 2, 255, 256, 257, 70000, u64::MAX] {
            let last = leaf_location(size - 1);
            let level0 = tiles_for_size(size)[0];
            match level0.partial {
                Some(p) => {
                    assert_eq!(p.index(), last.tile_index);
                    assert_eq!(p.width(), u16::from(last.offset) + 1);
                }
                None => {
                    assert_eq!(level0.full_tiles, last.tile_index + 1);
                    assert_eq!(last.offset, 255);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn every_tile_path_round_trips(
            level in prop_oneof![(0u8..=63).prop_map(TileLevel::Level), Just(TileLevel::Entries)],
            index in any::<u64>(),
            width in 1u16..=256,
        ) {
            let t = TilePath::new(level, index, width).unwrap();
            let p = t.to_string();
            prop_assert!(p.len() <= MAX_TILE_PATH_LEN);
            prop_assert_eq!(parse_tile_path(&p), Ok(t));
        }

        #[test]
        fn parsed_paths_are_canonical(s in "tile/(entries|[0-9]{1,3})/(x[0-9]{3}/){0,3}[0-9]{3}(\\.p/[0-9]{1,3})?") {
            if let Ok(t) = parse_tile_path(&s) {
                prop_assert_eq!(t.to_string(), s);
            }
        }

        #[test]
        fn index_encoding_is_injective_and_decimal(n in any::<u64>()) {
            let e = encode_index(n);
            let digits: String = e.chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(digits.parse::<u64>().unwrap(), n);
            prop_assert_eq!(digits.len() % 3, 0);
        }

        #[test]
        fn tiles_for_size_counts_every_hash(size in any::<u64>()) {
            let levels = tiles_for_size(size);
            let mut hashes_below = size;
            for (l, lt) in levels.iter().enumerate() {
                prop_assert_eq!(usize::from(lt.level), l);
                let width = lt.partial.map_or(0, |p| u64::from(p.width()));
                prop_assert_eq!(lt.full_tiles * 256 + width, hashes_below);
                hashes_below /= 256;
            }
            prop_assert_eq!(hashes_below, 0);
        }
    }
}
