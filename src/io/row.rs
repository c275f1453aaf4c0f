//! [`Row`]: one input row as fields of bytes, the unit every reader hands out (CSV and Parquet
//! alike) and every column reader takes.
//!
//! A row keeps its bytes in one buffer and each field as a range of it. A CSV line without quotes
//! is copied in once and its fields are the spans between its commas ([`Row::set_split`]), where a
//! `csv::ByteRecord` would copy field by field; fields added one by one ([`Row::push_field`]) are
//! laid end to end.

use std::ops::Range;

/// The low seven bits of every byte of a word.
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// The high bit of every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// One row of fields (bytes, not yet checked as text).
#[derive(Clone, Debug, Default)]
pub struct Row {
    bytes: Vec<u8>,
    bounds: Vec<(usize, usize)>,
    /// The input line the reader was at when it began the row (0: not known).
    line: u64,
}

impl Row {
    /// An empty row.
    pub fn new() -> Row {
        Row::default()
    }

    /// An empty row with room for `bytes` bytes in `fields` fields.
    pub fn with_capacity(bytes: usize, fields: usize) -> Row {
        Row {
            bytes: Vec::with_capacity(bytes),
            bounds: Vec::with_capacity(fields),
            line: 0,
        }
    }

    /// Removes every field, keeping the allocations.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.bounds.clear();
        self.line = 0;
    }

    /// The line of a CSV input the reader was at when it began the row (as the `csv` crate counts
    /// it: the line after the previous row's end, blank lines before the row included); `None`
    /// for rows that do not come from lines.
    pub fn line(&self) -> Option<u64> {
        (self.line > 0).then_some(self.line)
    }

    /// Sets [`Row::line`].
    pub fn set_line(&mut self, line: u64) {
        self.line = line;
    }

    /// Appends a field.
    pub fn push_field(&mut self, field: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(field);
        self.bounds.push((start, self.bytes.len()));
    }

    /// Replaces the fields with `line` split at every `sep` byte (no quoting: a line holding
    /// none).
    pub fn set_split(&mut self, line: &[u8], sep: u8) {
        self.bytes.clear();
        self.bounds.clear();
        self.bytes.extend_from_slice(line);
        // Eight bytes at a time: the separators of a word found with exact byte arithmetic, then
        // taken lowest first (fields are short, so a search call per field would cost more).
        let ones = u64::from_ne_bytes([sep; 8]);
        let mut start = 0;
        let words = line.chunks_exact(8);
        let tail = words.remainder();
        for (w, word) in words.enumerate() {
            let v = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ ones;
            // A byte of `v` is zero exactly where the line has `sep`: its high bit in `hit`.
            let low = (v & LOW7).wrapping_add(LOW7);
            let mut hit = !(low | v) & HIGH;
            while hit != 0 {
                let i = w * 8 + (hit.trailing_zeros() / 8) as usize;
                self.bounds.push((start, i));
                start = i + 1;
                hit &= hit - 1;
            }
        }
        let base = line.len() - tail.len();
        for (k, &b) in tail.iter().enumerate() {
            if b == sep {
                self.bounds.push((start, base + k));
                start = base + k + 1;
            }
        }
        self.bounds.push((start, line.len()));
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether the row has no field.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.bounds.get(i).map(|&(s, e)| &self.bytes[s..e])
    }

    /// Where field `i` lies in [`Row::as_slice`].
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        self.bounds.get(i).map(|&(s, e)| s..e)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.bounds.iter().map(|&(s, e)| &self.bytes[s..e])
    }

    /// The buffer every field is a range of (with separators, for a split line): checking it as
    /// UTF-8 once checks every field, unless a boundary splits a character.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }
}

impl std::ops::Index<usize> for Row {
    type Output = [u8];

    /// Field `i`; panics when there is none (use [`Row::get`] on input).
    fn index(&self, i: usize) -> &[u8] {
        self.get(i).expect("field index within the row")
    }
}

impl<T: AsRef<[u8]>> From<Vec<T>> for Row {
    fn from(fields: Vec<T>) -> Row {
        let mut r = Row::new();
        for f in &fields {
            r.push_field(f.as_ref());
        }
        r
    }
}

impl<T: AsRef<[u8]>> FromIterator<T> for Row {
    fn from_iter<I: IntoIterator<Item = T>>(fields: I) -> Row {
        let mut r = Row::new();
        for f in fields {
            r.push_field(f.as_ref());
        }
        r
    }
}

impl From<&csv::ByteRecord> for Row {
    fn from(record: &csv::ByteRecord) -> Row {
        let mut r = Row::with_capacity(record.as_slice().len(), record.len());
        for f in record {
            r.push_field(f);
        }
        r
    }
}

impl PartialEq for Row {
    /// Rows are equal when their fields are (however the bytes are laid out).
    fn eq(&self, other: &Row) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Row {}

#[cfg(test)]
mod tests {
    use super::Row;

    #[test]
    fn a_split_line_and_pushed_fields_are_the_same_row() {
        for line in ["", ",", "a", "a,b", ",a,,b,", "病例1,心内科,,12.5"] {
            let mut split = Row::new();
            split.set_split(line.as_bytes(), b',');
            let pushed = Row::from(line.split(',').collect::<Vec<_>>());
            assert_eq!(split, pushed, "{line:?}");
            assert_eq!(split.len(), line.split(',').count());
            for (i, f) in line.split(',').enumerate() {
                assert_eq!(split.get(i), Some(f.as_bytes()));
                assert_eq!(&split.as_slice()[split.range(i).unwrap()], f.as_bytes());
            }
            assert_eq!(split.get(split.len()), None);
        }
    }

    proptest::proptest! {
        #[test]
        fn a_split_finds_every_separator(
            line in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b','),
                    proptest::strategy::Just(b'a'),
                    proptest::strategy::Just(0xacu8),
                    proptest::strategy::Just(0x2du8),
                    proptest::strategy::Just(0u8),
                    proptest::strategy::Just(0xffu8),
                ],
                0..80,
            ),
        ) {
            let mut split = Row::new();
            split.set_split(&line, b',');
            let want = Row::from(line.split(|&b| b == b',').collect::<Vec<_>>());
            proptest::prop_assert_eq!(split, want);
        }
    }

    #[test]
    fn a_cleared_row_is_reused() {
        let mut r = Row::from(vec!["a", "bc"]);
        r.clear();
        assert!(r.is_empty());
        r.push_field(b"x");
        assert_eq!(r, Row::from(vec!["x"]));
    }
}
