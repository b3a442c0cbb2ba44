//! Every entry of ../shared/vectors/merkle/tile_paths.json, through the public API of
//! `merkle::tiles`. No case is skipped: the test counts what it checked and asserts that the
//! count equals the number of entries in the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use merkle::tiles::{
    encode_index, leaf_location, parse_tile_path, tile_path, tiles_for_size, TileLevel, TilePath,
};
use serde::Deserialize;
use serde_json::Value;

const FILE: &str = "tile_paths.json";
const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/merkle/tile_paths.json"
);
const SECTIONS: [&str; 5] = [
    "index_encoding",
    "paths",
    "invalid_paths",
    "tree_sizes",
    "leaf_locations",
];

// Typed, so that `start_entry` values above 2^64 decode exactly (as u128) instead of as floats.
#[derive(Deserialize)]
struct Doc {
    index_encoding: Vec<IndexCase>,
    paths: Vec<PathCase>,
    invalid_paths: Vec<InvalidCase>,
    tree_sizes: Vec<SizeCase>,
    leaf_locations: Vec<LeafCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexCase {
    index: u64,
    encoded: String,
}

#[derive(Deserialize)]
struct PathCase {
    level: Value,
    index: u64,
    width: u16,
    path: String,
    start_entry: Option<u128>,
}

#[derive(Deserialize)]
struct InvalidCase {
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeCase {
    tree_size: u64,
    tiles: Vec<LevelCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelCase {
    level: u8,
    full_tiles: u64,
    partial: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeafCase {
    leaf_index: u64,
    tile_index: u64,
    offset: u8,
    full_tile_path: String,
}

fn level_of(v: &Value) -> TileLevel {
    match v {
        Value::String(s) if s == "entries" => TileLevel::Entries,
        Value::Number(n) => TileLevel::Level(u8::try_from(n.as_u64().unwrap()).unwrap()),
        other => panic!("unknown level {other}"),
    }
}

fn check_index_encoding(doc: &Doc, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in &doc.index_encoding {
        let got = encode_index(c.index);
        if got != c.encoded {
            errors.push(format!("index {}: {got} != {}", c.index, c.encoded));
        }
        // The encoding is also the index part of a level-0 path, which parses back.
        match parse_tile_path(&format!("tile/0/{}", c.encoded)) {
            Ok(t) if t.index() == c.index => {}
            other => errors.push(format!("index {}: path parses as {other:?}", c.index)),
        }
        n += 1;
    }
    n
}

fn check_paths(doc: &Doc, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in &doc.paths {
        let level = level_of(&c.level);
        // (level, index, width) -> path
        match tile_path(level, c.index, c.width) {
            Ok(p) if p == c.path => {}
            other => errors.push(format!("path {}: built as {other:?}", c.path)),
        }
        // path -> (level, index, width)
        match parse_tile_path(&c.path) {
            Ok(t) => {
                if (t.level(), t.index(), t.width()) != (level, c.index, c.width) {
                    errors.push(format!("path {}: parsed as {t:?}", c.path));
                }
                if t.is_partial() != (c.width != 256) || t.to_string() != c.path {
                    errors.push(format!("path {}: {t:?} does not round-trip", c.path));
                }
                if t != TilePath::new(level, c.index, c.width).unwrap() {
                    errors.push(format!(
                        "path {}: parsed tile differs from built one",
                        c.path
                    ));
                }
                if let Some(start) = c.start_entry {
                    if t.start_entry() != Some(start) {
                        errors.push(format!(
                            "path {}: start_entry {:?} != {start}",
                            c.path,
                            t.start_entry()
                        ));
                    }
                }
            }
            Err(e) => errors.push(format!("path {}: rejected: {e}", c.path)),
        }
        n += 1;
    }
    n
}

fn check_invalid_paths(doc: &Doc, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in &doc.invalid_paths {
        if let Ok(t) = parse_tile_path(&c.path) {
            errors.push(format!("invalid path {}: accepted as {t:?}", c.path));
        }
        n += 1;
    }
    n
}

fn check_tree_sizes(doc: &Doc, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in &doc.tree_sizes {
        let got: Vec<(u8, u64, Option<String>)> = tiles_for_size(c.tree_size)
            .iter()
            .map(|l| (l.level, l.full_tiles, l.partial.map(|p| p.to_string())))
            .collect();
        let want: Vec<(u8, u64, Option<String>)> = c
            .tiles
            .iter()
            .map(|l| (l.level, l.full_tiles, l.partial.clone()))
            .collect();
        if got != want {
            errors.push(format!("tree size {}: {got:?} != {want:?}", c.tree_size));
        }
        // Every partial tile path is itself a valid path naming the same tile.
        for l in tiles_for_size(c.tree_size) {
            if let Some(p) = l.partial {
                if parse_tile_path(&p.to_string()) != Ok(p) {
                    errors.push(format!(
                        "tree size {}: {p} does not parse back",
                        c.tree_size
                    ));
                }
            }
        }
        n += 1;
    }
    n
}

fn check_leaf_locations(doc: &Doc, errors: &mut Vec<String>) -> usize {
    let mut n = 0;
    for c in &doc.leaf_locations {
        let loc = leaf_location(c.leaf_index);
        if loc.tile_index != c.tile_index || loc.offset != c.offset {
            errors.push(format!(
                "leaf {}: ({}, {}) != ({}, {})",
                c.leaf_index, loc.tile_index, loc.offset, c.tile_index, c.offset
            ));
        }
        if loc.full_tile().to_string() != c.full_tile_path
            || tile_path(TileLevel::Level(0), loc.tile_index, 256).unwrap() != c.full_tile_path
        {
            errors.push(format!(
                "leaf {}: tile {} != {}",
                c.leaf_index,
                loc.full_tile(),
                c.full_tile_path
            ));
        }
        n += 1;
    }
    n
}

#[test]
fn every_tile_path_vector() {
    let text = std::fs::read_to_string(PATH).unwrap_or_else(|e| panic!("cannot read {PATH}: {e}"));
    // Every list in the file is a section this test knows.
    let raw: Value = serde_json::from_str(&text).unwrap();
    for (key, value) in raw.as_object().unwrap() {
        assert!(
            !value.is_array() || SECTIONS.contains(&key.as_str()),
            "{FILE}: section {key} is not checked by this test"
        );
    }
    let expected: usize = SECTIONS
        .iter()
        .map(|s| raw[*s].as_array().unwrap().len())
        .sum();
    let doc: Doc = serde_json::from_str(&text).unwrap();

    let mut errors = Vec::new();
    let counts = [
        ("index_encoding", check_index_encoding(&doc, &mut errors)),
        ("paths", check_paths(&doc, &mut errors)),
        ("invalid_paths", check_invalid_paths(&doc, &mut errors)),
        ("tree_sizes", check_tree_sizes(&doc, &mut errors)),
        ("leaf_locations", check_leaf_locations(&doc, &mut errors)),
    ];
    for (section, count) in counts {
        assert_eq!(
            count,
            raw[section].as_array().unwrap().len(),
            "{FILE}: {section} not fully checked"
        );
    }
    // Every path case that states a start entry was compared above.
    let with_start = raw["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("start_entry").is_some())
        .count();
    assert_eq!(
        with_start,
        doc.paths.iter().filter(|c| c.start_entry.is_some()).count()
    );
    assert!(
        errors.is_empty(),
        "{FILE}: {} failure(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
    let checked: usize = counts.iter().map(|(_, c)| c).sum();
    assert_eq!(checked, expected, "{FILE}: not every case was checked");
    let breakdown: Vec<String> = counts.iter().map(|(s, c)| format!("{s} {c}")).collect();
    println!("{FILE}: {checked} cases checked ({})", breakdown.join(", "));
}
