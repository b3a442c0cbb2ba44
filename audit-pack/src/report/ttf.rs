//! Just enough TrueType for the PDF report's embedded Unicode font: read the tables, map
//! characters to glyphs (`cmap` formats 4 and 12), advance widths (`hmtx`), and write a
//! subset that keeps the glyph numbering (so a PDF can use `/CIDToGIDMap /Identity`) with
//! the outlines of the glyphs used only (and the components of composite glyphs), every
//! other glyph empty. The output depends only on the font and the set of glyphs.
//!
//! Every read is bounds-checked: a damaged font gives an error, never a panic.

use std::collections::{BTreeMap, BTreeSet};

/// A parsed TrueType font.
#[derive(Debug)]
pub struct Ttf {
    data: &'static [u8],
    /// Table tag → (offset, length).
    tables: BTreeMap<[u8; 4], (usize, usize)>,
    /// Design units per em.
    pub units_per_em: u16,
    num_glyphs: u16,
    long_loca: bool,
    num_hmetrics: u16,
    cmap: BTreeMap<u32, u16>,
    /// Font bounding box (xMin, yMin, xMax, yMax), design units.
    pub bbox: [i16; 4],
    /// Ascender and descender (hhea), design units.
    pub ascent: i16,
    /// Descender (negative), design units.
    pub descent: i16,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    let b = d.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

fn i16_at(d: &[u8], at: usize) -> Option<i16> {
    u16_at(d, at).map(|v| v as i16)
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

/// Tables copied into a subset: the outlines and metrics a PDF viewer needs.
const KEPT: [&[u8; 4]; 9] = [
    b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"prep",
];

impl Ttf {
    /// Reads the font's tables, metrics and character map.
    pub fn parse(data: &'static [u8]) -> Result<Ttf, String> {
        let bad = |what: &str| format!("font: {what}");
        let version = u32_at(data, 0).ok_or_else(|| bad("truncated"))?;
        if version != 0x0001_0000 {
            return Err(bad("not a TrueType font"));
        }
        let count = u16_at(data, 4).ok_or_else(|| bad("truncated"))?;
        let mut tables = BTreeMap::new();
        for i in 0..usize::from(count) {
            let rec = 12 + 16 * i;
            let tag = data
                .get(rec..rec + 4)
                .ok_or_else(|| bad("table directory"))?;
            let offset = u32_at(data, rec + 8).ok_or_else(|| bad("table directory"))? as usize;
            let length = u32_at(data, rec + 12).ok_or_else(|| bad("table directory"))? as usize;
            if offset
                .checked_add(length)
                .map_or(true, |end| end > data.len())
            {
                return Err(bad("a table lies outside the file"));
            }
            let mut t = [0u8; 4];
            t.copy_from_slice(tag);
            tables.insert(t, (offset, length));
        }
        let table = |tag: &[u8; 4]| -> Result<&'static [u8], String> {
            let (o, l) = tables
                .get(tag)
                .ok_or_else(|| bad(&format!("no {} table", String::from_utf8_lossy(tag))))?;
            data.get(*o..o + l).ok_or_else(|| bad("table bounds"))
        };
        let head = table(b"head")?;
        let units_per_em = u16_at(head, 18).ok_or_else(|| bad("head"))?;
        let bbox = [
            i16_at(head, 36).ok_or_else(|| bad("head"))?,
            i16_at(head, 38).ok_or_else(|| bad("head"))?,
            i16_at(head, 40).ok_or_else(|| bad("head"))?,
            i16_at(head, 42).ok_or_else(|| bad("head"))?,
        ];
        let long_loca = i16_at(head, 50).ok_or_else(|| bad("head"))? == 1;
        let num_glyphs = u16_at(table(b"maxp")?, 4).ok_or_else(|| bad("maxp"))?;
        let hhea = table(b"hhea")?;
        let ascent = i16_at(hhea, 4).ok_or_else(|| bad("hhea"))?;
        let descent = i16_at(hhea, 6).ok_or_else(|| bad("hhea"))?;
        let num_hmetrics = u16_at(hhea, 34).ok_or_else(|| bad("hhea"))?;
        if units_per_em == 0 || num_hmetrics == 0 {
            return Err(bad("head or hhea values"));
        }
        let cmap = parse_cmap(table(b"cmap")?).ok_or_else(|| bad("cmap"))?;
        for t in KEPT {
            if !matches!(t, b"cvt " | b"fpgm" | b"prep") {
                table(t)?;
            }
        }
        Ok(Ttf {
            data,
            tables,
            units_per_em,
            num_glyphs,
            long_loca,
            num_hmetrics,
            cmap,
            bbox,
            ascent,
            descent,
        })
    }

    fn table(&self, tag: &[u8; 4]) -> Option<&'static [u8]> {
        let (o, l) = self.tables.get(tag)?;
        self.data.get(*o..o.checked_add(*l)?)
    }

    /// The glyph of `c`, if the font has one.
    pub fn glyph(&self, c: char) -> Option<u16> {
        self.cmap
            .get(&(c as u32))
            .copied()
            .filter(|g| *g != 0 && *g < self.num_glyphs)
    }

    /// The advance width of glyph `gid`, design units.
    pub fn advance(&self, gid: u16) -> u16 {
        let Some(hmtx) = self.table(b"hmtx") else {
            return 0;
        };
        let i = gid.min(self.num_hmetrics.saturating_sub(1));
        u16_at(hmtx, usize::from(i) * 4).unwrap_or(0)
    }

    /// The byte range of glyph `gid` in `glyf`.
    fn glyph_range(&self, gid: u16) -> Option<(usize, usize)> {
        let loca = self.table(b"loca")?;
        let i = usize::from(gid);
        let (start, end) = if self.long_loca {
            (
                u32_at(loca, i * 4)? as usize,
                u32_at(loca, i * 4 + 4)? as usize,
            )
        } else {
            (
                usize::from(u16_at(loca, i * 2)?) * 2,
                usize::from(u16_at(loca, i * 2 + 2)?) * 2,
            )
        };
        let glyf_len = self.table(b"glyf")?.len();
        (start <= end && end <= glyf_len).then_some((start, end))
    }

    /// The glyphs a composite glyph is made of.
    fn components(&self, gid: u16) -> Vec<u16> {
        let mut out = Vec::new();
        let (Some(glyf), Some((start, end))) = (self.table(b"glyf"), self.glyph_range(gid)) else {
            return out;
        };
        let Some(g) = glyf.get(start..end) else {
            return out;
        };
        if g.len() < 10 || i16_at(g, 0).map_or(true, |n| n >= 0) {
            return out;
        }
        let mut at = 10;
        while let (Some(flags), Some(component)) = (u16_at(g, at), u16_at(g, at + 2)) {
            out.push(component);
            at += 4;
            at += if flags & 0x0001 != 0 { 4 } else { 2 };
            if flags & 0x0008 != 0 {
                at += 2;
            } else if flags & 0x0040 != 0 {
                at += 4;
            } else if flags & 0x0080 != 0 {
                at += 8;
            }
            if flags & 0x0020 == 0 || out.len() > 64 {
                break;
            }
        }
        out
    }

    /// A TrueType font with the same glyph numbering in which only the glyphs in `used`
    /// (and glyph 0, and the components of composite glyphs) keep their outlines.
    pub fn subset(&self, used: &BTreeSet<u16>) -> Result<Vec<u8>, String> {
        let bad = |what: &str| format!("font subset: {what}");
        // The closure over composite glyphs.
        let mut keep: BTreeSet<u16> = used
            .iter()
            .copied()
            .filter(|g| *g < self.num_glyphs)
            .collect();
        keep.insert(0);
        let mut todo: Vec<u16> = keep.iter().copied().collect();
        while let Some(g) = todo.pop() {
            for c in self.components(g) {
                if c < self.num_glyphs && keep.insert(c) {
                    todo.push(c);
                }
            }
        }
        let glyf = self.table(b"glyf").ok_or_else(|| bad("glyf"))?;
        let mut new_glyf = Vec::new();
        let mut new_loca = Vec::with_capacity((usize::from(self.num_glyphs) + 1) * 4);
        for gid in 0..self.num_glyphs {
            new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
            if keep.contains(&gid) {
                let (s, e) = self.glyph_range(gid).ok_or_else(|| bad("loca"))?;
                new_glyf.extend_from_slice(glyf.get(s..e).ok_or_else(|| bad("glyf"))?);
                while new_glyf.len() % 4 != 0 {
                    new_glyf.push(0);
                }
            }
        }
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        let mut head = self.table(b"head").ok_or_else(|| bad("head"))?.to_vec();
        // checkSumAdjustment is recomputed below; indexToLocFormat: long offsets.
        head.get_mut(8..12)
            .ok_or_else(|| bad("head"))?
            .copy_from_slice(&[0; 4]);
        head.get_mut(50..52)
            .ok_or_else(|| bad("head"))?
            .copy_from_slice(&[0, 1]);
        let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
        for tag in KEPT {
            let body = match tag {
                b"glyf" => new_glyf.clone(),
                b"loca" => new_loca.clone(),
                b"head" => head.clone(),
                other => match self.table(other) {
                    Some(t) => t.to_vec(),
                    None => continue,
                },
            };
            tables.push((*tag, body));
        }
        Ok(write_sfnt(&tables))
    }
}

/// A table's checksum: the sum of its big-endian 32-bit words (zero-padded).
fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        for (d, s) in w.iter_mut().zip(c) {
            *d = *s;
        }
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

/// An sfnt file of `tables` (sorted by tag), with checksums and the head table's
/// checkSumAdjustment.
fn write_sfnt(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tables.len() as u16;
    let mut pow = 1u16;
    let mut log = 0u16;
    while pow.saturating_mul(2) <= n {
        pow = pow.saturating_mul(2);
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&log.to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow * 16).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, body) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(body).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += body.len().div_ceil(4) * 4;
    }
    for (_, body) in tables {
        out.extend_from_slice(body);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        if let Some(slot) = out.get_mut(at + 8..at + 12) {
            slot.copy_from_slice(&adjust.to_be_bytes());
        }
    }
    out
}

/// The Unicode character map: a (3,10) format 12 subtable if there is one, else (3,1) or
/// (0,*) format 4.
fn parse_cmap(cmap: &[u8]) -> Option<BTreeMap<u32, u16>> {
    let count = u16_at(cmap, 2)?;
    let mut best: Option<(u8, usize)> = None;
    for i in 0..usize::from(count) {
        let platform = u16_at(cmap, 4 + 8 * i)?;
        let encoding = u16_at(cmap, 6 + 8 * i)?;
        let offset = u32_at(cmap, 8 + 8 * i)? as usize;
        let format = u16_at(cmap, offset)?;
        let rank = match (platform, encoding, format) {
            (3, 10, 12) | (0, 4, 12) => 2,
            (3, 1, 4) | (0, _, 4) => 1,
            _ => continue,
        };
        if best.map_or(true, |(r, _)| rank > r) {
            best = Some((rank, offset));
        }
    }
    let (_, at) = best?;
    let sub = cmap.get(at..)?;
    let mut map = BTreeMap::new();
    // A budget on the characters walked (overlapping ranges count each time): no real font
    // maps a quarter of a million.
    let mut budget: u32 = 1 << 18;
    let mut spend = || {
        budget = budget.checked_sub(1)?;
        Some(())
    };
    match u16_at(sub, 0)? {
        12 => {
            let groups = u32_at(sub, 12)? as usize;
            for g in 0..groups.min(1 << 16) {
                let base = 16 + 12 * g;
                let (start, end, gid) = (
                    u32_at(sub, base)?,
                    u32_at(sub, base + 4)?,
                    u32_at(sub, base + 8)?,
                );
                if end < start || end - start > 0x10_FFFF {
                    return None;
                }
                for c in start..=end.min(0x10_FFFF) {
                    spend()?;
                    let g = gid.checked_add(c - start)?;
                    map.insert(c, u16::try_from(g).ok()?);
                }
            }
        }
        _ => {
            let seg_x2 = usize::from(u16_at(sub, 6)?);
            let ends = 14;
            let starts = ends + seg_x2 + 2;
            let deltas = starts + seg_x2;
            let ranges = deltas + seg_x2;
            for s in 0..seg_x2 / 2 {
                let end = u16_at(sub, ends + 2 * s)?;
                let start = u16_at(sub, starts + 2 * s)?;
                let delta = u16_at(sub, deltas + 2 * s)?;
                let range = usize::from(u16_at(sub, ranges + 2 * s)?);
                if start > end {
                    continue;
                }
                for c in start..=end {
                    if c == 0xFFFF {
                        break;
                    }
                    spend()?;
                    let g = if range == 0 {
                        c.wrapping_add(delta)
                    } else {
                        let at = ranges + 2 * s + range + 2 * usize::from(c - start);
                        match u16_at(sub, at)? {
                            0 => 0,
                            g => g.wrapping_add(delta),
                        }
                    };
                    if g != 0 {
                        map.insert(u32::from(c), g);
                    }
                }
            }
        }
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    fn font() -> Ttf {
        Ttf::parse(crate::report::pdf::FONT_FILE).unwrap()
    }

    #[test]
    fn maps_latin_greek_and_cyrillic_and_measures_them() {
        let f = font();
        assert_eq!(f.units_per_em, 2048);
        for c in ['A', 'é', 'ß', 'Ω', 'Ж', '€', '→'] {
            let g = f.glyph(c).unwrap_or_else(|| panic!("no glyph for {c}"));
            assert!(f.advance(g) > 0, "{c}");
        }
        assert!(f.glyph('\u{E000}').is_none());
        // DejaVu Sans 'A' is 1401 units wide.
        assert_eq!(f.advance(f.glyph('A').unwrap()), 1401);
    }

    #[test]
    fn a_subset_keeps_used_outlines_only_and_reads_back() {
        let f = font();
        let used: BTreeSet<u16> = "AéЖ".chars().filter_map(|c| f.glyph(c)).collect();
        let sub = f.subset(&used).unwrap();
        assert!(sub.len() < f.data.len() / 4, "{} bytes", sub.len());
        // The sfnt checksum rule: the whole file sums to 0xB1B0AFBA.
        assert_eq!(checksum(&sub), 0xB1B0_AFBA);
        let leaked: &'static [u8] = Box::leak(sub.clone().into_boxed_slice());
        let tables_only = Ttf {
            data: leaked,
            ..Ttf::parse_tables_for_test(leaked)
        };
        for g in &used {
            let (s, e) = tables_only.glyph_range(*g).unwrap();
            assert!(e > s, "glyph {g} lost its outline");
        }
        let b = f.glyph('B').unwrap();
        let (s, e) = tables_only.glyph_range(b).unwrap();
        assert_eq!(s, e, "an unused glyph kept its outline");
        // Deterministic.
        assert_eq!(f.subset(&used).unwrap(), sub);
    }

    /// Damaged copies of the font (truncated, or with bytes of the table directory and of
    /// the cmap, loca and glyf tables changed) give an error or a font, never a panic; a font
    /// that parses still subsets without one.
    #[test]
    fn damaged_fonts_never_panic() {
        let f = font();
        let mut rng = crate::SplitMix64::new(7);
        let hot: Vec<usize> = [b"cmap", b"loca", b"glyf", b"head", b"hhea"]
            .iter()
            .filter_map(|t| f.tables.get(*t).map(|(o, _)| *o))
            .collect();
        for round in 0..60 {
            let mut copy = FONT_BYTES.to_vec();
            if round < 10 {
                copy.truncate(rng.below(copy.len() as u64) as usize);
            } else {
                for _ in 0..8 {
                    let base = if round % 2 == 0 {
                        0
                    } else {
                        hot[round % hot.len()]
                    };
                    let at = base + rng.below(512) as usize;
                    if let Some(b) = copy.get_mut(at) {
                        *b ^= (rng.next_u64() as u8) | 1;
                    }
                }
            }
            let data: &'static [u8] = Box::leak(copy.into_boxed_slice());
            if let Ok(t) = Ttf::parse(data) {
                let used: BTreeSet<u16> =
                    ['A', 'Ж', 'é'].iter().filter_map(|c| t.glyph(*c)).collect();
                let _ = t.subset(&used);
                let _ = t.advance(5);
            }
        }
    }

    const FONT_BYTES: &[u8] = crate::report::pdf::FONT_FILE;

    impl Ttf {
        /// The tables of a subset (which has no cmap), for the test above.
        fn parse_tables_for_test(data: &'static [u8]) -> Ttf {
            let count = u16_at(data, 4).unwrap();
            let mut tables = BTreeMap::new();
            for i in 0..usize::from(count) {
                let rec = 12 + 16 * i;
                let mut t = [0u8; 4];
                t.copy_from_slice(&data[rec..rec + 4]);
                tables.insert(
                    t,
                    (
                        u32_at(data, rec + 8).unwrap() as usize,
                        u32_at(data, rec + 12).unwrap() as usize,
                    ),
                );
            }
            let head = &data[tables[b"head"].0..];
            Ttf {
                data,
                units_per_em: u16_at(head, 18).unwrap(),
                num_glyphs: u16_at(&data[tables[b"maxp"].0..], 4).unwrap(),
                long_loca: i16_at(head, 50).unwrap() == 1,
                num_hmetrics: 1,
                cmap: BTreeMap::new(),
                bbox: [0; 4],
                ascent: 0,
                descent: 0,
                tables,
            }
        }
    }
}
