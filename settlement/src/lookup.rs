//! Lookups that replace the linear scans of a policy's lists: which lines of a list (carve-outs,
//! fixed rates, per-diem lines) name a code exactly, or a prefix of it. Built once when the engine is
//! compiled; a case then costs a hash lookup per distinct prefix length instead of a string
//! comparison per listed code.
//!
//! A list's lines are numbered in policy order and a set of them is a [`LineSet`] (one bit per line),
//! so the first line that meets every criterion is the lowest bit of an intersection, as the scan in
//! policy order found it. A list of more than [`LineSet::CAPACITY`] lines is not compiled: the
//! callers keep the scan for it.

use std::collections::HashMap;

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

/// Lines by the exact codes they list (departments, group codes, carve-out names).
#[derive(Clone, Debug, Default)]
pub(crate) struct CodeIndex {
    lines: HashMap<Box<str>, LineSet, ahash::RandomState>,
}

impl CodeIndex {
    /// Adds line `i` under each of `codes`.
    pub(crate) fn add<'a>(&mut self, i: usize, codes: impl IntoIterator<Item = &'a str>) {
        for c in codes {
            let e = self.lines.entry(c.into()).or_default();
            *e = e.or(LineSet::one(i));
        }
    }

    /// The lines that list `code`.
    pub(crate) fn get(&self, code: &str) -> LineSet {
        if self.lines.is_empty() {
            return LineSet::EMPTY;
        }
        self.lines.get(code).copied().unwrap_or_default()
    }
}

/// Lines by the code prefixes they list (principal diagnoses, procedures): line `i` is found for a
/// code when one of its prefixes is a prefix of the code (`code.starts_with(prefix)`, bytewise; an
/// empty prefix finds every code).
#[derive(Clone, Debug, Default)]
pub(crate) struct PrefixIndex {
    /// The distinct prefix lengths, ascending: a code is looked up once per length it reaches.
    lengths: Vec<usize>,
    lines: HashMap<Box<[u8]>, LineSet, ahash::RandomState>,
}

impl PrefixIndex {
    /// Adds line `i` under each of `prefixes`.
    pub(crate) fn add<'a>(&mut self, i: usize, prefixes: impl IntoIterator<Item = &'a str>) {
        for p in prefixes {
            let e = self.lines.entry(p.as_bytes().into()).or_default();
            *e = e.or(LineSet::one(i));
            if let Err(at) = self.lengths.binary_search(&p.len()) {
                self.lengths.insert(at, p.len());
            }
        }
    }

    /// The lines with a prefix of `code`.
    pub(crate) fn matching(&self, code: &str) -> LineSet {
        let code = code.as_bytes();
        let mut found = LineSet::EMPTY;
        for &n in &self.lengths {
            let Some(head) = code.get(..n) else { break };
            if let Some(&s) = self.lines.get(head) {
                found = found.or(s);
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

    /// The scans the indexes replace, for every code against every line.
    #[test]
    fn indexes_agree_with_the_scans_they_replace() {
        let lists: Vec<Vec<&str>> = vec![
            vec!["F20", "F31", "F32"],
            vec!["U07.1"],
            vec![],
            vec!["F2", "Z50", "K64.8"],
            vec![""],
            vec!["é", "F20.0"],
            vec!["F20"],
        ];
        let mut prefixes = PrefixIndex::default();
        let mut exact = CodeIndex::default();
        for (i, l) in lists.iter().enumerate() {
            prefixes.add(i, l.iter().copied());
            exact.add(i, l.iter().copied());
        }
        let codes = [
            "", "F", "F2", "F20", "F20.000", "F31.1", "F32", "U07", "U07.1", "U07.100", "Z50",
            "K64.8", "K64.9", "é", "éa", "\u{e9}F", "X", "F20.0",
        ];
        for code in codes {
            let by_scan = |hit: &dyn Fn(&str) -> bool| {
                lists
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.iter().any(|p| hit(p)))
                    .fold(LineSet::EMPTY, |s, (i, _)| s.or(LineSet::one(i)))
            };
            assert_eq!(
                prefixes.matching(code),
                by_scan(&|p| code.starts_with(p)),
                "{code:?}"
            );
            assert_eq!(exact.get(code), by_scan(&|p| p == code), "{code:?}");
        }
        assert_eq!(PrefixIndex::default().matching("F20"), LineSet::EMPTY);
        assert_eq!(CodeIndex::default().get("F20"), LineSet::EMPTY);
    }
}
