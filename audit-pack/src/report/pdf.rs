//! A small PDF 1.4 writer: pages of text in the standard Helvetica, Helvetica-Bold and
//! Courier fonts (WinAnsiEncoding), lines and filled rectangles; uncompressed content streams; a
//! cross-reference table with exact byte offsets. No clock, no random file identifier: the
//! same pages give the same bytes.
//!
//! Text is encoded to WinAnsi: ASCII as is, Latin-1 and the WinAnsi punctuation (curly
//! quotes, dashes, €, …) to their single bytes, every other character to `?`, control
//! characters to a space. In string literals `(`, `)` and `\` are escaped and every byte
//! outside printable ASCII is written as a three-digit octal escape, so a content stream is
//! pure ASCII.

use super::ttf::Ttf;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The embedded Unicode font (DejaVu Sans 2.37; licence in `audit-pack/fonts/LICENSE`):
/// regular and bold text is set in it, subset to the glyphs a report uses.
pub const FONT_FILE: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// The parsed font, once; `None` only if the embedded file were damaged (a build defect the
/// tests catch), in which case text falls back to Helvetica and WinAnsi.
fn unicode_font() -> Option<&'static Ttf> {
    static FONT: OnceLock<Option<Ttf>> = OnceLock::new();
    FONT.get_or_init(|| Ttf::parse(FONT_FILE).ok()).as_ref()
}

/// A4 width in points.
pub const PAGE_WIDTH: f32 = 595.0;
/// A4 height in points.
pub const PAGE_HEIGHT: f32 = 842.0;

/// The fonts used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
    /// Courier (monospace: digests and other values read character by character).
    Mono,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Mono => "F3",
        }
    }
}

/// Helvetica advance widths (1/1000 em) of the printable ASCII characters 32..=126, from
/// Adobe's Helvetica AFM.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

/// The width of `text` in points at `size`: from the embedded font's advance widths (bold is
/// drawn by stroking the outlines, taken as 3% wider); Courier's fixed width for
/// [`Font::Mono`]; Adobe's Helvetica metrics in the fallback (bold 10% wider).
pub fn text_width(text: &str, size: f32, font: Font) -> f32 {
    if font != Font::Mono {
        if let Some(f) = unicode_font() {
            let units: u32 = text
                .chars()
                .map(|c| u32::from(f.advance(glyph_of(f, c))))
                .sum();
            let factor = if font == Font::Bold { 1.03 } else { 1.0 };
            return units as f32 * size / f32::from(f.units_per_em) * factor;
        }
    }
    if font == Font::Mono {
        // Courier: every character 600/1000 em.
        return text.chars().count() as f32 * 600.0 * size / 1000.0;
    }
    let units: u32 = text
        .chars()
        .map(|c| {
            let code = c as u32;
            code.checked_sub(32)
                .and_then(|i| HELVETICA_WIDTHS.get(i as usize))
                .map_or(556, |&w| u32::from(w))
        })
        .sum();
    let factor = match font {
        Font::Regular | Font::Mono => 1.0,
        Font::Bold => 1.1,
    };
    units as f32 * size / 1000.0 * factor
}

/// WinAnsi code of a character outside ASCII, if it has one.
fn win_ansi_high(c: char) -> Option<u8> {
    let code = c as u32;
    if (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// `text` as WinAnsi bytes: control characters become spaces, characters WinAnsi lacks `?`.
pub fn to_win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| {
            if c.is_control() {
                b' '
            } else if c.is_ascii() {
                c as u8
            } else {
                win_ansi_high(c).unwrap_or(b'?')
            }
        })
        .collect()
}

/// A PDF literal string `( … )` holding `bytes`: `(`, `)` and `\` escaped, every byte outside
/// printable ASCII as `\ooo`.
pub fn literal(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                s.push('\\');
                s.push(char::from(b));
            }
            0x20..=0x7E => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s.push(')');
    s
}

/// One page being drawn: a content stream of text, lines and rectangles.
#[derive(Debug, Clone, Default)]
pub struct Page {
    ops: String,
    /// Glyphs of the embedded font used on this page, with the character each shows.
    glyphs: BTreeMap<u16, char>,
}

/// The character drawn for `c`: itself, a space for a control character, `?` for a
/// character the font has no glyph for.
fn shown(f: &Ttf, c: char) -> char {
    if c.is_control() {
        ' '
    } else if f.glyph(c).is_some() {
        c
    } else {
        '?'
    }
}

/// The glyph drawn for `c` (see [`shown`]).
fn glyph_of(f: &Ttf, c: char) -> u16 {
    f.glyph(shown(f, c)).unwrap_or(0)
}

/// Whether every character of `text` has a WinAnsi code (what Courier can show).
fn win_ansi_only(text: &str) -> bool {
    text.chars()
        .all(|c| (' '..='~').contains(&c) || win_ansi_high(c).is_some())
}

fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

impl Page {
    /// An empty page.
    pub fn new() -> Self {
        Page::default()
    }

    /// Draws `text` with its baseline starting at (`x`, `y`), in points from the bottom left.
    pub fn text(&mut self, x: f32, y: f32, size: f32, font: Font, text: &str) {
        let unicode = unicode_font().filter(|_| font != Font::Mono || !win_ansi_only(text));
        if let Some(f) = unicode {
            // Two bytes per glyph (Identity-H), glyph numbers of the embedded font.
            let mut hex = String::with_capacity(text.len() * 4);
            for c in text.chars() {
                let g = glyph_of(f, c);
                self.glyphs.entry(g).or_insert_with(|| shown(f, c));
                let _ = write!(hex, "{g:04X}");
            }
            // Bold: the outlines filled and stroked (render mode 2).
            let (open, close) = if font == Font::Bold {
                (format!("q {} w 2 Tr ", num(size * 0.035)), " Q")
            } else {
                (String::new(), "")
            };
            let _ = writeln!(
                self.ops,
                "{open}BT /F1 {} Tf 1 0 0 1 {} {} Tm <{hex}> Tj ET{close}",
                num(size),
                num(x),
                num(y),
            );
            return;
        }
        let _ = writeln!(
            self.ops,
            "BT /{} {} Tf 1 0 0 1 {} {} Tm {} Tj ET",
            font.resource(),
            num(size),
            num(x),
            num(y),
            literal(&to_win_ansi(text))
        );
    }

    /// A line from (`x1`, `y1`) to (`x2`, `y2`), 0.5 pt wide, in grey `gray` (0 black, 1 white).
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, gray: f32) {
        let _ = writeln!(
            self.ops,
            "q {} G 0.5 w {} {} m {} {} l S Q",
            num(gray),
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// A rectangle filled with the colour (`r`, `g`, `b`), each 0 to 1, its lower left corner
    /// at (`x`, `y`).
    pub fn fill_rect_rgb(&mut self, x: f32, y: f32, w: f32, h: f32, (r, g, b): (f32, f32, f32)) {
        let _ = writeln!(
            self.ops,
            "q {} {} {} rg {} {} {} {} re f Q",
            num(r),
            num(g),
            num(b),
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    /// A filled rectangle with its lower left corner at (`x`, `y`).
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, gray: f32) {
        let _ = writeln!(
            self.ops,
            "q {} g {} {} {} {} re f Q",
            num(gray),
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }
}

/// `ABCDEF+DejaVuSans`: the subset tag (six capital letters) is taken from a digest of the
/// glyphs used, so it depends only on them.
fn subset_name(used: &BTreeMap<u16, char>) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for g in used.keys() {
        h.update(g.to_be_bytes());
    }
    let tag: String = h
        .finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    format!("{tag}+DejaVuSans")
}

/// A stream object holding `data`, deflated (deterministic: miniz_oxide at a fixed level).
fn flate_stream(dict: &str, data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    let compressed = z.write_all(data).and_then(|()| z.finish());
    let (filter, body) = match compressed {
        Ok(c) => (" /Filter /FlateDecode", c),
        Err(_) => ("", data.to_vec()),
    };
    let mut out = format!("<< {dict}{filter} /Length {} >>\nstream\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\nendstream");
    out
}

/// The CIDFontType2, its descriptor, the subset font file and the ToUnicode CMap, numbered
/// `base` to `base + 3`.
fn font_objects(f: &Ttf, used: &BTreeMap<u16, char>, base: usize) -> Vec<Vec<u8>> {
    let scale = |v: i32| (v * 1000) / i32::from(f.units_per_em);
    let mut widths = String::new();
    for g in used.keys() {
        let _ = write!(widths, "{g} [{}] ", scale(i32::from(f.advance(*g))));
    }
    let cid_font = format!(
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {} 0 R /DW 1000 /W [{}] /CIDToGIDMap /Identity >>",
        subset_name(used),
        base + 1,
        widths.trim_end()
    );
    let [x0, y0, x1, y1] = f.bbox.map(i32::from);
    let descriptor = format!(
        "<< /Type /FontDescriptor /FontName /{} /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {} 0 R >>",
        subset_name(used),
        scale(x0),
        scale(y0),
        scale(x1),
        scale(y1),
        scale(i32::from(f.ascent)),
        scale(i32::from(f.descent)),
        scale(i32::from(f.ascent)),
        base + 2
    );
    let glyphs: BTreeSet<u16> = used.keys().copied().collect();
    let file = f.subset(&glyphs).unwrap_or_default();
    let font_file = flate_stream(&format!("/Length1 {}", file.len()), &file);
    // ToUnicode: each glyph to the character it was drawn for (UTF-16BE).
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &char)> = used.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(cmap, "<{g:04X}> <{hex}>");
        }
        let _ = writeln!(cmap, "endbfchar");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend");
    vec![
        cid_font.into_bytes(),
        descriptor.into_bytes(),
        font_file,
        flate_stream("", cmap.as_bytes()),
    ]
}

/// Writes a PDF 1.4 document of `pages` with `title` in its document information.
pub fn write_pdf(pages: &[Page], title: &str) -> Vec<u8> {
    // Objects: 1 catalog, 2 page tree, 3 and 4 the regular and bold fonts (the embedded
    // font, or Helvetica and Helvetica-Bold), 5 info, 6 Courier, then for page i (from 0)
    // object 7 + 2i (page) and 8 + 2i (its content stream), then the embedded font's four.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 7 + 2 * i))
        .collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    let font = |base: &str| {
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>")
            .into_bytes()
    };
    // The embedded font's objects follow the pages: CIDFont, descriptor, font file, ToUnicode.
    let unicode = unicode_font().map(|f| {
        let used: BTreeMap<u16, char> = pages
            .iter()
            .flat_map(|p| p.glyphs.iter().map(|(g, c)| (*g, *c)))
            .collect();
        let base = 7 + 2 * pages.len();
        (f, used, base)
    });
    match &unicode {
        Some((_, used, base)) => {
            let type0 = format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{} /Encoding /Identity-H /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
                subset_name(used),
                base,
                base + 3
            )
            .into_bytes();
            objects.push(type0.clone());
            objects.push(type0);
        }
        None => {
            objects.push(font("Helvetica"));
            objects.push(font("Helvetica-Bold"));
        }
    }
    objects.push(
        format!(
            "<< /Title {} /Producer (audit-pack) >>",
            literal(&to_win_ansi(title))
        )
        .into_bytes(),
    );
    objects.push(font("Courier"));
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 6 0 R >> >> /Contents {} 0 R >>",
                num(PAGE_WIDTH),
                num(PAGE_HEIGHT),
                8 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", page.ops.len()).into_bytes();
        stream.extend_from_slice(page.ops.as_bytes());
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    if let Some((f, used, base)) = &unicode {
        objects.extend(font_objects(f, used, *base));
    }

    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(xref, "{off:010} 00000 n ");
    }
    let _ = write!(
        xref,
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(xref.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(literal(b"a(b)c\\d"), "(a\\(b\\)c\\\\d)");
        assert_eq!(literal(&to_win_ansi("é€→\n")), "(\\351\\200? )");
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let mut p = Page::new();
        p.text(10.0, 20.0, 9.0, Font::Regular, "hello (world)");
        let pdf = write_pdf(&[p.clone(), p], "t");
        let text = String::from_utf8_lossy(&pdf).into_owned();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // 6 fixed objects, 2 per page, 4 for the embedded font.
        assert!(pdf[start..].starts_with(b"xref\n0 15\n"));
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        for (i, line) in table.lines().skip(3).take(14).enumerate() {
            assert_eq!(
                line.len(),
                19,
                "entry {line:?} is 20 bytes with its newline"
            );
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj\n", i + 1).as_bytes()));
        }
    }

    /// Reads a literal string back (the subset `literal` writes).
    fn unescape(lit: &str) -> Vec<u8> {
        let inner = lit
            .strip_prefix('(')
            .unwrap()
            .strip_suffix(')')
            .unwrap()
            .as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < inner.len() {
            if inner[i] == b'\\' {
                let next = inner[i + 1];
                if next.is_ascii_digit() {
                    let code = std::str::from_utf8(&inner[i + 1..i + 4]).unwrap();
                    out.push(u8::from_str_radix(code, 8).unwrap());
                    i += 4;
                } else {
                    out.push(next);
                    i += 2;
                }
            } else {
                out.push(inner[i]);
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn literal_round_trips_and_is_ascii(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let lit = literal(&bytes);
            proptest::prop_assert!(lit.bytes().all(|b| (0x20..0x7f).contains(&b)));
            proptest::prop_assert_eq!(unescape(&lit), bytes);
        }

        #[test]
        fn any_text_gives_one_win_ansi_byte_per_char(text in ".{0,100}") {
            proptest::prop_assert_eq!(to_win_ansi(&text).len(), text.chars().count());
        }
    }

    #[test]
    fn widths() {
        // DejaVu Sans '0': 1303 of 2048 units; Courier: 600 of 1000.
        assert!((text_width("0", 10.0, Font::Regular) - 1303.0 * 10.0 / 2048.0).abs() < 1e-4);
        assert!((text_width("00", 10.0, Font::Mono) - 12.0).abs() < 1e-4);
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
    }
}
