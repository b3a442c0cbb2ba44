// The one addition to regex-syntax 0.8.12 in this stand-in (see README.md).
//
// The generated tables in this directory are slices of names and of slices. In a
// position-independent executable every one of those pointers is rewritten by the dynamic
// loader when the process starts, so each page holding them is copied and written in every
// process that links this crate, whether it compiles a regex or not: about 6 000 pointers and
// 29 pages in a program that links every table. This module copies each table, by const
// evaluation of the generated table itself, into arrays of bytes, characters and offsets,
// which hold no pointer and stay in read-only data the loader never touches. The generated
// files are not edited. Every copy is compared with its source entry by entry at compile time
// (`same_as`), so a copy that differed from the table it was made from would not build.

#![allow(dead_code)]

type Range = &'static [(char, char)];

/// The `&'static str` at `bytes[start..end]`. The byte arrays are copies of whole `&str`s
/// placed end to end and entries never split one, so this is `None` only for bounds that no
/// entry holds.
fn str_at(bytes: &'static [u8], start: u32, end: u32) -> Option<&'static str> {
    let b = bytes.get(start as usize..end as usize)?;
    core::str::from_utf8(b).ok()
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `bytes[start..end]`, empty when out of bounds; const, so the copies' checks and the
/// readers' searches use the same span.
const fn sub(bytes: &[u8], start: u32, end: u32) -> &[u8] {
    let (start, end) = (start as usize, end as usize);
    if start > end || end > bytes.len() {
        return &[];
    }
    let (head, _) = bytes.split_at(end);
    let (_, mid) = head.split_at(start);
    mid
}

/// Copies `src` into `dst` at `at`; returns the position after it.
const fn put(dst: &mut [u8], at: usize, src: &[u8]) -> usize {
    let mut i = 0;
    while i < src.len() {
        dst[at + i] = src[i];
        i += 1;
    }
    at + src.len()
}

// ---------------------------------------------------------------------------------------------
// `&[(&str, &[(char, char)])]`: the `BY_NAME` tables (and the age list).

/// Total bytes of the names of a name → ranges table.
pub(crate) const fn named_ranges_bytes(t: &[(&str, Range)]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < t.len() {
        n += t[i].0.len();
        i += 1;
    }
    n
}

/// Total ranges of a name → ranges table.
pub(crate) const fn named_ranges_count(t: &[(&str, Range)]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < t.len() {
        n += t[i].1.len();
        i += 1;
    }
    n
}

/// A name → ranges table with no pointer: the names end to end, the ranges end to end, and
/// per entry `[name start, name end, first range, end of ranges]`.
pub(crate) struct NamedRanges<const N: usize, const B: usize, const R: usize> {
    names: [u8; B],
    entries: [[u32; 4]; N],
    ranges: [(char, char); R],
}

impl<const N: usize, const B: usize, const R: usize> NamedRanges<N, B, R> {
    pub(crate) const fn new(t: &[(&str, Range)]) -> Self {
        assert!(t.len() == N);
        let mut names = [0u8; B];
        let mut entries = [[0u32; 4]; N];
        let mut ranges = [('\0', '\0'); R];
        let (mut nb, mut nr) = (0, 0);
        let mut i = 0;
        while i < N {
            let (name, set) = t[i];
            let name_start = nb;
            nb = put(&mut names, nb, name.as_bytes());
            let range_start = nr;
            let mut k = 0;
            while k < set.len() {
                ranges[nr] = set[k];
                nr += 1;
                k += 1;
            }
            entries[i] =
                [name_start as u32, nb as u32, range_start as u32, nr as u32];
            i += 1;
        }
        assert!(nb == B && nr == R);
        NamedRanges { names, entries, ranges }
    }

    /// Whether every entry reads back as the entry of `t` at the same position.
    pub(crate) const fn same_as(&self, t: &[(&str, Range)]) -> bool {
        if t.len() != N {
            return false;
        }
        let mut i = 0;
        while i < N {
            let [ns, ne, rs, re] = self.entries[i];
            if !bytes_eq(sub(&self.names, ns, ne), t[i].0.as_bytes()) {
                return false;
            }
            let set = t[i].1;
            if (re - rs) as usize != set.len() || re as usize > R {
                return false;
            }
            let mut k = 0;
            while k < set.len() {
                let (a, b) = self.ranges[rs as usize + k];
                if a != set[k].0 || b != set[k].1 {
                    return false;
                }
                k += 1;
            }
            i += 1;
        }
        true
    }

    pub(crate) fn table(&'static self) -> NamedRangesRef {
        NamedRangesRef {
            names: &self.names,
            entries: &self.entries,
            ranges: &self.ranges,
        }
    }
}

/// A [`NamedRanges`] without its sizes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NamedRangesRef {
    names: &'static [u8],
    entries: &'static [[u32; 4]],
    ranges: &'static [(char, char)],
}

impl NamedRangesRef {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Entry `i`: its name and its ranges.
    pub(crate) fn get(&self, i: usize) -> Option<(&'static str, Range)> {
        let e = self.entries.get(i)?;
        Some((str_at(self.names, e[0], e[1])?, self.ranges_of(e)?))
    }

    fn name_bytes(&self, e: &[u32; 4]) -> &'static [u8] {
        sub(self.names, e[0], e[1])
    }

    fn ranges_of(&self, e: &[u32; 4]) -> Option<Range> {
        self.ranges.get(e[2] as usize..e[3] as usize)
    }

    /// The ranges of `name` in a table sorted by name.
    pub(crate) fn find(&self, name: &str) -> Option<Range> {
        let i = self
            .entries
            .binary_search_by(|e| self.name_bytes(e).cmp(name.as_bytes()))
            .ok()?;
        self.ranges_of(self.entries.get(i)?)
    }

    /// The position of `name`, looked for in order (for a table not sorted by name).
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| self.name_bytes(e) == name.as_bytes())
    }
}

/// `static $flat`, a [`NamedRanges`] copied from the name → ranges table `$table` and compared
/// with it at compile time.
#[allow(unused_macros)]
macro_rules! flat_named_ranges {
    ($flat:ident, $table:expr) => {
        pub(crate) static $flat: $crate::unicode_tables::flat::NamedRanges<
            { $table.len() },
            { $crate::unicode_tables::flat::named_ranges_bytes($table) },
            { $crate::unicode_tables::flat::named_ranges_count($table) },
        > = {
            let copy = $crate::unicode_tables::flat::NamedRanges::new($table);
            assert!(
                copy.same_as($table),
                "flattened table differs from its source"
            );
            copy
        };
    };
}
#[allow(unused_imports)]
pub(crate) use flat_named_ranges;

// ---------------------------------------------------------------------------------------------
// `&[(&str, &str)]` and `&[(&str, &[(&str, &str)])]`: property names and property values.

/// Total bytes of the strings of a pair table.
pub(crate) const fn pairs_bytes(t: &[(&str, &str)]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < t.len() {
        n += t[i].0.len() + t[i].1.len();
        i += 1;
    }
    n
}

/// Total bytes of the strings of a property → values table.
pub(crate) const fn values_bytes(t: &[(&str, &[(&str, &str)])]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < t.len() {
        n += t[i].0.len() + pairs_bytes(t[i].1);
        i += 1;
    }
    n
}

/// Total pairs of a property → values table.
pub(crate) const fn values_pairs(t: &[(&str, &[(&str, &str)])]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < t.len() {
        n += t[i].1.len();
        i += 1;
    }
    n
}

/// A property → (alias, canonical value) table with no pointer; with `N == 1` and an empty
/// property name, a plain pair table. `outer` holds `[name start, name end, first pair, end of
/// pairs]`, `pairs` holds `[key start, key end, value start, value end]`, all into `bytes`.
pub(crate) struct PairTable<const N: usize, const P: usize, const B: usize> {
    bytes: [u8; B],
    outer: [[u32; 4]; N],
    pairs: [[u32; 4]; P],
}

impl<const N: usize, const P: usize, const B: usize> PairTable<N, P, B> {
    pub(crate) const fn new(t: &[(&str, &[(&str, &str)])]) -> Self {
        assert!(t.len() == N);
        let mut bytes = [0u8; B];
        let mut outer = [[0u32; 4]; N];
        let mut pairs = [[0u32; 4]; P];
        let (mut nb, mut np) = (0, 0);
        let mut i = 0;
        while i < N {
            let (name, list) = t[i];
            let name_start = nb;
            nb = put(&mut bytes, nb, name.as_bytes());
            let first = np;
            let mut k = 0;
            while k < list.len() {
                let ks = nb;
                nb = put(&mut bytes, nb, list[k].0.as_bytes());
                let vs = nb;
                nb = put(&mut bytes, nb, list[k].1.as_bytes());
                pairs[np] = [ks as u32, vs as u32, vs as u32, nb as u32];
                np += 1;
                k += 1;
            }
            outer[i] = [
                name_start as u32,
                (name_start + name.len()) as u32,
                first as u32,
                np as u32,
            ];
            i += 1;
        }
        assert!(nb == B && np == P);
        PairTable { bytes, outer, pairs }
    }

    /// Whether every property and every pair reads back as in `t`.
    pub(crate) const fn same_as(&self, t: &[(&str, &[(&str, &str)])]) -> bool {
        if t.len() != N {
            return false;
        }
        let mut i = 0;
        while i < N {
            let [ns, ne, ps, pe] = self.outer[i];
            if !bytes_eq(sub(&self.bytes, ns, ne), t[i].0.as_bytes()) {
                return false;
            }
            let list = t[i].1;
            if (pe - ps) as usize != list.len() || pe as usize > P {
                return false;
            }
            let mut k = 0;
            while k < list.len() {
                let [ks, ke, vs, ve] = self.pairs[ps as usize + k];
                if !bytes_eq(sub(&self.bytes, ks, ke), list[k].0.as_bytes())
                    || !bytes_eq(
                        sub(&self.bytes, vs, ve),
                        list[k].1.as_bytes(),
                    )
                {
                    return false;
                }
                k += 1;
            }
            i += 1;
        }
        true
    }

    /// The pairs of the property named `name`, in a table sorted by property name.
    pub(crate) fn find(&'static self, name: &str) -> Option<PairsRef> {
        let bytes: &'static [u8] = &self.bytes;
        let i = self
            .outer
            .binary_search_by(|e| sub(bytes, e[0], e[1]).cmp(name.as_bytes()))
            .ok()?;
        let [_, _, ps, pe] = *self.outer.get(i)?;
        Some(PairsRef {
            bytes,
            pairs: self.pairs.get(ps as usize..pe as usize)?,
        })
    }

    /// All pairs (of every property).
    pub(crate) fn all(&'static self) -> PairsRef {
        PairsRef { bytes: &self.bytes, pairs: &self.pairs }
    }
}

/// One list of (key, value) pairs of a [`PairTable`], sorted by key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PairsRef {
    bytes: &'static [u8],
    pairs: &'static [[u32; 4]],
}

impl PairsRef {
    pub(crate) fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Pair `i`.
    pub(crate) fn get(
        &self,
        i: usize,
    ) -> Option<(&'static str, &'static str)> {
        let [ks, ke, vs, ve] = *self.pairs.get(i)?;
        Some((str_at(self.bytes, ks, ke)?, str_at(self.bytes, vs, ve)?))
    }

    /// The value whose key is `key`.
    pub(crate) fn find(&self, key: &str) -> Option<&'static str> {
        let bytes = self.bytes;
        let i = self
            .pairs
            .binary_search_by(|e| sub(bytes, e[0], e[1]).cmp(key.as_bytes()))
            .ok()?;
        self.get(i).map(|(_, v)| v)
    }
}

/// `static $flat`, a [`PairTable`] copied from the property → values table `$table` and compared
/// with it at compile time.
#[allow(unused_macros)]
macro_rules! flat_property_values {
    ($flat:ident, $table:expr) => {
        pub(crate) static $flat: $crate::unicode_tables::flat::PairTable<
            { $table.len() },
            { $crate::unicode_tables::flat::values_pairs($table) },
            { $crate::unicode_tables::flat::values_bytes($table) },
        > = {
            let copy = $crate::unicode_tables::flat::PairTable::new($table);
            assert!(
                copy.same_as($table),
                "flattened table differs from its source"
            );
            copy
        };
    };
}

// ---------------------------------------------------------------------------------------------
// `&[(char, &[char])]`: simple case folding.

/// The most code points a character folds to in the simple case folding table (checked when
/// the copy is made).
pub(crate) const FOLD_MAX: usize = 3;

/// One case folding entry: the character, the characters it folds to (the first `len` of
/// `to`), `len`.
pub(crate) type FoldEntry = (char, [char; FOLD_MAX], u8);

pub(crate) struct FoldTable<const N: usize> {
    entries: [FoldEntry; N],
}

impl<const N: usize> FoldTable<N> {
    pub(crate) const fn new(t: &[(char, &[char])]) -> Self {
        assert!(t.len() == N);
        let mut entries = [('\0', ['\0'; FOLD_MAX], 0u8); N];
        let mut i = 0;
        while i < N {
            let (c, to) = t[i];
            assert!(
                to.len() <= FOLD_MAX,
                "a character folds to more than FOLD_MAX"
            );
            let mut folded = ['\0'; FOLD_MAX];
            let mut k = 0;
            while k < to.len() {
                folded[k] = to[k];
                k += 1;
            }
            entries[i] = (c, folded, to.len() as u8);
            i += 1;
        }
        FoldTable { entries }
    }

    pub(crate) const fn same_as(&self, t: &[(char, &[char])]) -> bool {
        if t.len() != N {
            return false;
        }
        let mut i = 0;
        while i < N {
            let (c, folded, len) = self.entries[i];
            let (tc, to) = t[i];
            if c != tc || len as usize != to.len() || to.len() > FOLD_MAX {
                return false;
            }
            let mut k = 0;
            while k < to.len() {
                if folded[k] != to[k] {
                    return false;
                }
                k += 1;
            }
            i += 1;
        }
        true
    }

    pub(crate) fn table(&'static self) -> &'static [FoldEntry] {
        &self.entries
    }
}

/// The characters entry `e` folds to.
pub(crate) fn fold_targets(e: &'static FoldEntry) -> &'static [char] {
    e.1.get(..usize::from(e.2)).unwrap_or(&[])
}

// ---------------------------------------------------------------------------------------------
// The copies.

#[cfg(feature = "unicode-case")]
pub(crate) static CASE_FOLDING_SIMPLE: FoldTable<
    { super::case_folding_simple::CASE_FOLDING_SIMPLE.len() },
> = {
    let copy = FoldTable::new(super::case_folding_simple::CASE_FOLDING_SIMPLE);
    assert!(
        copy.same_as(super::case_folding_simple::CASE_FOLDING_SIMPLE),
        "flattened table differs from its source"
    );
    copy
};

#[cfg(any(
    feature = "unicode-age",
    feature = "unicode-bool",
    feature = "unicode-gencat",
    feature = "unicode-perl",
    feature = "unicode-script",
    feature = "unicode-segment",
))]
flat_property_values!(
    PROPERTY_NAMES,
    &[("", super::property_names::PROPERTY_NAMES)]
);

#[cfg(any(
    feature = "unicode-age",
    feature = "unicode-bool",
    feature = "unicode-gencat",
    feature = "unicode-perl",
    feature = "unicode-script",
    feature = "unicode-segment",
))]
flat_property_values!(
    PROPERTY_VALUES,
    super::property_values::PROPERTY_VALUES
);

#[cfg(feature = "unicode-gencat")]
flat_named_ranges!(GENERAL_CATEGORY_BY_NAME, super::general_category::BY_NAME);
#[cfg(feature = "unicode-segment")]
flat_named_ranges!(
    GRAPHEME_CLUSTER_BREAK_BY_NAME,
    super::grapheme_cluster_break::BY_NAME
);
#[cfg(feature = "unicode-bool")]
flat_named_ranges!(PROPERTY_BOOL_BY_NAME, super::property_bool::BY_NAME);
#[cfg(feature = "unicode-script")]
flat_named_ranges!(SCRIPT_BY_NAME, super::script::BY_NAME);
#[cfg(feature = "unicode-script")]
flat_named_ranges!(SCRIPT_EXTENSION_BY_NAME, super::script_extension::BY_NAME);
#[cfg(feature = "unicode-segment")]
flat_named_ranges!(SENTENCE_BREAK_BY_NAME, super::sentence_break::BY_NAME);
#[cfg(feature = "unicode-segment")]
flat_named_ranges!(WORD_BREAK_BY_NAME, super::word_break::BY_NAME);

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use core::cmp::Ordering;

    #[allow(unused_imports)]
    use super::*;

    #[allow(dead_code)]
    fn ordering_of(a: &str, b: &str) -> Ordering {
        a.as_bytes().cmp(b.as_bytes())
    }

    #[cfg(any(
        feature = "unicode-bool",
        feature = "unicode-gencat",
        feature = "unicode-script",
        feature = "unicode-segment",
    ))]
    #[test]
    fn named_ranges_read_back() {
        let tables: &[(NamedRangesRef, &[(&str, Range)])] = &[
            #[cfg(feature = "unicode-gencat")]
            (
                GENERAL_CATEGORY_BY_NAME.table(),
                super::super::general_category::BY_NAME,
            ),
            #[cfg(feature = "unicode-script")]
            (SCRIPT_BY_NAME.table(), super::super::script::BY_NAME),
            #[cfg(feature = "unicode-script")]
            (
                SCRIPT_EXTENSION_BY_NAME.table(),
                super::super::script_extension::BY_NAME,
            ),
            #[cfg(feature = "unicode-bool")]
            (
                PROPERTY_BOOL_BY_NAME.table(),
                super::super::property_bool::BY_NAME,
            ),
            #[cfg(feature = "unicode-segment")]
            (
                GRAPHEME_CLUSTER_BREAK_BY_NAME.table(),
                super::super::grapheme_cluster_break::BY_NAME,
            ),
            #[cfg(feature = "unicode-segment")]
            (WORD_BREAK_BY_NAME.table(), super::super::word_break::BY_NAME),
            #[cfg(feature = "unicode-segment")]
            (
                SENTENCE_BREAK_BY_NAME.table(),
                super::super::sentence_break::BY_NAME,
            ),
        ];
        for (flat, source) in tables {
            assert_eq!(flat.len(), source.len());
            for (i, &(name, set)) in source.iter().enumerate() {
                assert_eq!(flat.get(i), Some((name, set)));
                assert_eq!(flat.find(name), Some(set), "{name}");
                assert_eq!(flat.position(name), Some(i));
            }
            assert_eq!(flat.find("no such name"), None);
            assert_eq!(flat.get(source.len()), None);
            for w in source.windows(2) {
                assert_eq!(ordering_of(w[0].0, w[1].0), Ordering::Less);
            }
        }
    }

    #[cfg(any(
        feature = "unicode-age",
        feature = "unicode-bool",
        feature = "unicode-gencat",
        feature = "unicode-perl",
        feature = "unicode-script",
        feature = "unicode-segment",
    ))]
    #[test]
    fn pairs_read_back() {
        let names = PROPERTY_NAMES.all();
        let source = super::super::property_names::PROPERTY_NAMES;
        assert_eq!(names.len(), source.len());
        for (i, &(k, v)) in source.iter().enumerate() {
            assert_eq!(names.get(i), Some((k, v)));
            assert_eq!(names.find(k), Some(v));
        }
        assert_eq!(
            PROPERTY_NAMES.find("").map(|n| n.len()),
            Some(names.len())
        );
        for &(prop, list) in super::super::property_values::PROPERTY_VALUES {
            let flat = PROPERTY_VALUES.find(prop).expect("property");
            assert_eq!(flat.len(), list.len());
            for (i, &(k, v)) in list.iter().enumerate() {
                assert_eq!(flat.get(i), Some((k, v)));
                assert_eq!(flat.find(k), Some(v));
            }
            assert_eq!(flat.find("no such value"), None);
        }
        assert!(PROPERTY_VALUES.find("No_Such_Property").is_none());
    }

    #[cfg(feature = "unicode-case")]
    #[test]
    fn folds_read_back() {
        let source = super::super::case_folding_simple::CASE_FOLDING_SIMPLE;
        let flat = CASE_FOLDING_SIMPLE.table();
        assert_eq!(flat.len(), source.len());
        for (e, &(c, to)) in flat.iter().zip(source) {
            assert_eq!(e.0, c);
            assert_eq!(fold_targets(e), to);
        }
    }
}
