//! Lookups that replace the linear scans of a policy's lists: which lines of a list (carve-outs,
//! fixed rates, per-diem lines) name a code exactly, or a prefix of it. Built once when the engine is
//! compiled. A code whose first byte begins none of the listed codes (most codes a case carries) is
//! answered by one bit test; otherwise a few listed codes are compared one by one, and many are
//! hashed (once per distinct prefix length) instead of compared.
//!
//! A list's lines are numbered in policy order and a set of them is a [`LineSet`] (one bit per line),
//! so the first line that meets every criterion is the lowest bit of an intersection, as the scan in
//! policy order found it. A list of more than [`LineSet::CAPACITY`] lines is not compiled: the
//! callers keep the scan for it.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

/// A set of line numbers below [`LineSet::CAPACITY`], in policy order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineSet(u64);

impl LineSet {
    /// The most lines a set holds.
    pub(crate) const CAPACITY: usize = 64;
    /// No line.
    pub(crate) const EMPTY: LineSet = LineSet(0);

    /// One line (`i` < [`LineSet::CAPACITY`]).
    pub(crate) fn one(i: usize) -> LineSet {
        debug_assert!(i < Self::CAPACITY);
        LineSet(1 << i)
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Lines in both sets.
    pub(crate) fn and(self, o: LineSet) -> LineSet {
        LineSet(self.0 & o.0)
    }

    /// Lines in either set.
    pub(crate) fn or(self, o: LineSet) -> LineSet {
        LineSet(self.0 | o.0)
    }

    /// Lines of `self` not in `o`.
    pub(crate) fn without(self, o: LineSet) -> LineSet {
        LineSet(self.0 & !o.0)
    }

    /// The lowest line number, if any.
    pub(crate) fn lowest(self) -> Option<usize> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as usize)
    }

    /// The line numbers in ascending (policy) order.
    pub(crate) fn iter(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            let i = (bits != 0).then(|| bits.trailing_zeros() as usize)?;
            bits &= bits - 1;
            Some(i)
        })
    }
}

/// Up to this many distinct codes an index compares them one by one; beyond, it hashes.
const FEW: usize = 8;

/// A set of byte values: the first bytes of an index's codes. Most codes a case carries begin with
/// none of them, and are answered without a comparison or a hash.
#[derive(Clone, Copy, Debug, Default)]
struct FirstBytes([u64; 4]);

impl FirstBytes {
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// Byte equality, without a library call for up to 16 bytes (codes are short): the two ends of
/// the slices compared as words, overlapping in the middle.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w4 = |s: &[u8], at: usize| s[at..at + 4].try_into().map_or(0, u32::from_le_bytes);
    let w8 = |s: &[u8], at: usize| s[at..at + 8].try_into().map_or(0, u64::from_le_bytes);
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

/// Whether `p` is a prefix of `code`, as [`bytes_eq`] compares.
#[inline]
fn has_prefix(code: &[u8], p: &[u8]) -> bool {
    code.get(..p.len()).is_some_and(|head| bytes_eq(head, p))
}

/// A code of at most 16 bytes as two words and its length: two codes are equal exactly when their
/// `ShortCode`s are (the words hold every byte: the code's two ends, overlapping in the middle, as
/// [`bytes_eq`] reads them). A lookup then compares words, and hashes two of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShortCode {
    head: u64,
    tail: u64,
    len: u8,
}

impl ShortCode {
    /// Stands for a code longer than 16 bytes in a list of keys: no `ShortCode` of a code equals it.
    const LONG: ShortCode = ShortCode {
        head: 0,
        tail: 0,
        len: u8::MAX,
    };

    /// The code's words, when it has at most 16 bytes.
    #[inline]
    pub(crate) fn of(code: &[u8]) -> Option<ShortCode> {
        let n = code.len();
        let w4 = |at: usize| code[at..at + 4].try_into().map_or(0, u32::from_le_bytes);
        let w8 = |at: usize| code[at..at + 8].try_into().map_or(0, u64::from_le_bytes);
        let (head, tail) = match n {
            0 => (0, 0),
            1..=3 => (
                u64::from(code[0]) | u64::from(code[n / 2]) << 8 | u64::from(code[n - 1]) << 16,
                0,
            ),
            4..=7 => (u64::from(w4(0)) | u64::from(w4(n - 4)) << 32, 0),
            8..=16 => (w8(0), w8(n - 8)),
            _ => return None,
        };
        Some(ShortCode {
            head,
            tail,
            len: n as u8,
        })
    }

    /// The key a list of keys holds for `code`: its `ShortCode`, or [`ShortCode::LONG`].
    pub(crate) fn key(code: &[u8]) -> ShortCode {
        ShortCode::of(code).unwrap_or(ShortCode::LONG)
    }
}

impl Hash for ShortCode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.head ^ u64::from(self.len).rotate_right(8));
        state.write_u64(self.tail);
    }
}

/// The hasher of [`ShortCode`]s: each word folded in with one wide multiplication (the codes are a
/// policy's, not an adversary's; a weak hash only costs more comparisons).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ShortHash;

impl BuildHasher for ShortHash {
    type Hasher = ShortHasher;

    fn build_hasher(&self) -> ShortHasher {
        ShortHasher(0)
    }
}

/// See [`ShortHash`].
pub(crate) struct ShortHasher(u64);

impl Hasher for ShortHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        // The folded multiply of aHash's fallback: the high and low halves of the product mixed.
        const K: u64 = 0x5851_f42d_4c95_7f2d;
        let m = u128::from(self.0 ^ v) * u128::from(K);
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
}

/// Values by exact code (bytes). A code whose first byte begins no key is answered by a bit test;
/// up to [`FEW`] keys are compared one by one, more are hashed.
#[derive(Clone, Debug)]
pub(crate) struct CodeMap<V> {
    first: FirstBytes,
    /// The keys and values, in the order added.
    entries: Vec<(Box<[u8]>, V)>,
    /// The keys of `entries` as [`ShortCode`]s, in the same order.
    short: Vec<ShortCode>,
    /// Where each key of at most 16 bytes is in `entries`, once there are more than [`FEW`].
    many: HashMap<ShortCode, usize, ShortHash>,
    /// The same for longer keys.
    many_long: HashMap<Box<[u8]>, usize, ahash::RandomState>,
}

impl<V> Default for CodeMap<V> {
    fn default() -> Self {
        CodeMap {
            first: FirstBytes::default(),
            entries: Vec::new(),
            short: Vec::new(),
            many: HashMap::default(),
            many_long: HashMap::default(),
        }
    }
}

impl<V> CodeMap<V> {
    /// The value of `code`, added with `new` if it has none.
    pub(crate) fn entry(&mut self, code: &[u8], new: impl FnOnce() -> V) -> &mut V {
        let at = match self.find(code) {
            Some(at) => at,
            None => {
                self.insert(code, new());
                self.entries.len() - 1
            }
        };
        &mut self.entries[at].1
    }

    /// Sets the value of `code` (replacing any).
    pub(crate) fn insert(&mut self, code: &[u8], v: V) {
        match self.find(code) {
            Some(at) => self.entries[at].1 = v,
            None => {
                let at = self.entries.len();
                self.entries.push((code.into(), v));
                self.short.push(ShortCode::key(code));
                match ShortCode::of(code) {
                    Some(k) => self.many.insert(k, at),
                    None => self.many_long.insert(code.into(), at),
                };
                if let Some(&b) = code.first() {
                    self.first.insert(b);
                }
            }
        }
    }

    #[inline]
    fn find(&self, code: &[u8]) -> Option<usize> {
        if let Some(&b) = code.first() {
            if !self.first.contains(b) {
                return None;
            }
        }
        let few = self.entries.len() <= FEW;
        match ShortCode::of(code) {
            // The keys are distinct: the first equal one is the only one.
            Some(k) if few => self.short.iter().position(|s| *s == k),
            None if few => self.entries.iter().position(|(k, _)| bytes_eq(k, code)),
            _ => self.find_hashed(code),
        }
    }

    /// Where `code` is in `entries`, by the hashed keys (kept for every key).
    fn find_hashed(&self, code: &[u8]) -> Option<usize> {
        match ShortCode::of(code) {
            Some(k) => self.many.get(&k).copied(),
            None => self.many_long.get(code).copied(),
        }
    }

    /// The value of `code`.
    #[inline]
    pub(crate) fn get(&self, code: &[u8]) -> Option<&V> {
        if self.entries.is_empty() {
            return None;
        }
        self.find(code).map(|at| &self.entries[at].1)
    }

    /// The values, in the order added.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Whether some key may begin `code` (not empty): its first byte begins one.
    fn may_begin(&self, code: &[u8]) -> bool {
        code.first().is_some_and(|&b| self.first.contains(b))
    }
}

/// Lines by the exact codes they list (departments, group codes, carve-out names).
#[derive(Clone, Debug, Default)]
pub(crate) struct CodeIndex {
    codes: CodeMap<LineSet>,
}

impl CodeIndex {
    /// Adds line `i` under each of `codes`.
    pub(crate) fn add<'a>(&mut self, i: usize, codes: impl IntoIterator<Item = &'a str>) {
        for c in codes {
            let e = self.codes.entry(c.as_bytes(), LineSet::default);
            *e = e.or(LineSet::one(i));
        }
    }

    /// The lines that list `code`.
    #[inline]
    pub(crate) fn get(&self, code: &str) -> LineSet {
        self.codes.get(code.as_bytes()).copied().unwrap_or_default()
    }
}

/// Lines by the code prefixes they list (principal diagnoses, procedures): line `i` is found for a
/// code when one of its prefixes is a prefix of the code (`code.starts_with(prefix)`, bytewise; an
/// empty prefix finds every code).
#[derive(Clone, Debug, Default)]
pub(crate) struct PrefixIndex {
    /// Lines listing the empty prefix.
    every: LineSet,
    prefixes: CodeMap<LineSet>,
    /// The distinct prefix lengths, ascending: hashed prefixes are looked up once per length.
    lengths: Vec<usize>,
}

impl PrefixIndex {
    /// Adds line `i` under each of `prefixes`.
    pub(crate) fn add<'a>(&mut self, i: usize, prefixes: impl IntoIterator<Item = &'a str>) {
        for p in prefixes {
            if p.is_empty() {
                self.every = self.every.or(LineSet::one(i));
                continue;
            }
            let e = self.prefixes.entry(p.as_bytes(), LineSet::default);
            *e = e.or(LineSet::one(i));
            if let Err(at) = self.lengths.binary_search(&p.len()) {
                self.lengths.insert(at, p.len());
            }
        }
    }

    /// The lines with a prefix of `code`.
    pub(crate) fn matching(&self, code: &str) -> LineSet {
        let (code, map) = (code.as_bytes(), &self.prefixes);
        let mut found = self.every;
        if !map.may_begin(code) {
            return found;
        }
        if map.entries.len() <= FEW {
            for (p, lines) in &map.entries {
                if has_prefix(code, p) {
                    found = found.or(*lines);
                }
            }
        } else {
            for &n in &self.lengths {
                let Some(head) = code.get(..n) else { break };
                if let Some(at) = map.find_hashed(head) {
                    found = found.or(map.entries[at].1);
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_sets_list_lines_in_order() {
        let s = LineSet::one(5).or(LineSet::one(0)).or(LineSet::one(63));
        assert_eq!(s.iter().collect::<Vec<_>>(), [0, 5, 63]);
        assert_eq!(s.lowest(), Some(0));
        assert_eq!(s.without(LineSet::one(0)).lowest(), Some(5));
        assert_eq!(s.and(LineSet::one(0).or(LineSet::one(1))), LineSet::one(0));
        assert!(s.and(LineSet::one(1)).is_empty());
        assert_eq!(LineSet::EMPTY.lowest(), None);
        assert_eq!(LineSet::EMPTY.iter().count(), 0);
    }

    /// The scans the indexes replace, for every code against every line, with few codes (compared
    /// one by one) and many (hashed).
    #[test]
    fn indexes_agree_with_the_scans_they_replace() {
        let all: Vec<Vec<&str>> = vec![
            vec!["F20", "F31", "F32"],
            vec!["U07.1"],
            vec![],
            vec!["F2", "Z50", "K64.8"],
            vec![""],
            vec!["é", "F20.0"],
            vec!["F20"],
            vec![
                "A",
                "B1",
                "C22",
                "D333",
                "E4444",
                "15",
                "LONG.PREFIX.0123456",
            ],
        ];
        let codes = [
            "",
            "F",
            "F2",
            "F20",
            "F20.000",
            "F31.1",
            "F32",
            "U07",
            "U07.1",
            "U07.100",
            "Z50",
            "K64.8",
            "K64.9",
            "é",
            "éa",
            "\u{e9}F",
            "X",
            "F20.0",
            "A",
            "B",
            "B1",
            "C2",
            "C222",
            "D333",
            "E4444",
            "15",
            "1",
            "150",
            "LONG.PREFIX.0123456",
            "LONG.PREFIX.01234567",
            "LONG.PREFIX.012345",
        ];
        for n in [1, 2, 3, 4, 5, 6, 7, 8] {
            let lists = &all[..n];
            let mut prefixes = PrefixIndex::default();
            let mut exact = CodeIndex::default();
            for (i, l) in lists.iter().enumerate() {
                prefixes.add(i, l.iter().copied());
                exact.add(i, l.iter().copied());
            }
            let distinct = lists
                .iter()
                .flatten()
                .filter(|c| !c.is_empty())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            assert_eq!(prefixes.prefixes.entries.len(), distinct);
            for code in codes {
                let by_scan = |hit: &dyn Fn(&str) -> bool| {
                    lists
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| l.iter().any(|p| hit(p)))
                        .fold(LineSet::EMPTY, |s, (i, _)| s.or(LineSet::one(i)))
                };
                let what = format!("{code:?} against {n} lists ({distinct} codes)");
                assert_eq!(
                    prefixes.matching(code),
                    by_scan(&|p| code.starts_with(p)),
                    "{what}"
                );
                assert_eq!(exact.get(code), by_scan(&|p| p == code), "{what}");
            }
        }
        assert_eq!(PrefixIndex::default().matching("F20"), LineSet::EMPTY);
        assert_eq!(CodeIndex::default().get("F20"), LineSet::EMPTY);
        assert_eq!(CodeIndex::default().get(""), LineSet::EMPTY);
    }

    #[test]
    fn short_comparisons_are_byte_equality() {
        let words: Vec<Vec<u8>> = (0..=20)
            .flat_map(|n| {
                let base: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
                let mut out = vec![base.clone()];
                for at in 0..n {
                    let mut w = base.clone();
                    w[at] = b'Z';
                    out.push(w);
                }
                out
            })
            .collect();
        for a in &words {
            for b in &words {
                assert_eq!(bytes_eq(a, b), a == b, "{a:?} {b:?}");
                let (sa, sb) = (ShortCode::of(a), ShortCode::of(b));
                assert_eq!(sa.is_some(), a.len() <= 16, "{a:?}");
                assert_eq!(
                    sa.is_some() && sa == sb,
                    a == b && a.len() <= 16,
                    "{a:?} {b:?}"
                );
                assert_eq!(has_prefix(a, b), a.starts_with(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn code_maps_find_what_a_hash_map_finds() {
        for n in [0, 1, 3, 8, 9, 40] {
            let mut map = CodeMap::default();
            let mut reference = HashMap::new();
            for i in 0..n {
                // Short codes, and codes past the 16 bytes of a ShortCode.
                let code = match i % 3 {
                    2 => format!("hospital-code-long-{:02}", i % 30),
                    _ => format!("H{:02}", i % 30),
                };
                map.insert(code.as_bytes(), i);
                reference.insert(code, i);
            }
            *map.entry(b"X1", || 100) += 1;
            *reference.entry("X1".to_string()).or_insert(100) += 1;
            for probe in [
                "H00",
                "H01",
                "H29",
                "H30",
                "H1",
                "",
                "X1",
                "X",
                "h01",
                "H011",
                "hospital-code-long-02",
                "hospital-code-long-03",
                "hospital-code-long-0",
                "hospital-code-long-020",
            ] {
                assert_eq!(
                    map.get(probe.as_bytes()),
                    reference.get(probe),
                    "{probe} in {n}"
                );
            }
        }
    }
}
