//! One spill record per case, and the blocks they are packed in.
//!
//! Numbers are LEB128 varints (signed ones zigzagged), so a record holds few bytes for LZ4 to
//! read: the row (as the step from the block's previous row), level `u8`, variants `u8` (2 for an
//! approved special-review case: the review pricing, then the one without), total cost, patient
//! share, pool, hospital and id (length + bytes), then per variant: route, class, value kind
//! `u8`, value, weight (0: none, else 1 + the points), ratio bin `u8` (255: none), facts flags
//! `u8`, the line, the ratio's text, the formula's head (see [`Formula`]) and tail, and the note
//! (each length + bytes). A head is 0 followed by its text, or 1 + the index of a head met
//! earlier in the same block: most formulas of a block share one of a few heads.

use settlement::money::Fen;
use settlement::points::Points;
use settlement::price::{Class, Route, Value};
use settlement::slip::Key;

use crate::report::kpi::Facts;

/// A formula in two parts: its head, up to and including its last `"; "` (the group and the
/// hospital's factors, shared by many cases), and its tail (the case's own numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formula<'a> {
    /// Up to and including the last `"; "` (empty when there is none).
    pub head: &'a [u8],
    /// The rest.
    pub tail: &'a [u8],
}

impl<'a> Formula<'a> {
    /// Splits a formula after its last `"; "`.
    pub fn split(text: &'a str) -> Formula<'a> {
        let b = text.as_bytes();
        let at = memchr::memrchr_iter(b';', b)
            .find(|&i| b.get(i + 1) == Some(&b' '))
            .map_or(0, |i| i + 2);
        let (head, tail) = b.split_at(at);
        Formula { head, tail }
    }

    /// The whole text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&[self.head, self.tail].concat()).into_owned()
    }
}

/// One priced way of paying a case.
#[derive(Clone, Debug)]
pub struct Variant<'a> {
    /// Facts for the figures and the tally (`fund` is filled at the close).
    pub facts: Facts,
    /// What it is worth before the close.
    pub value: Value,
    /// The route's line (the `group` column).
    pub line: &'a [u8],
    /// The cost ratio's text (the `ratio` column).
    pub ratio: &'a [u8],
    /// Formula.
    pub formula: Formula<'a>,
    /// Note.
    pub note: &'a [u8],
}

/// One case read back.
#[derive(Clone, Debug)]
pub struct Record<'a> {
    /// Row in the input (0-based).
    pub row: u32,
    /// Hospital level.
    pub level: u8,
    /// Fingerprint of the id.
    pub key: Key,
    /// Total cost.
    pub total_cost: Fen,
    /// Patient share.
    pub patient_share: Fen,
    /// Pool.
    pub pool: usize,
    /// Hospital code.
    pub hospital: &'a str,
    /// Case id (as written; read back as bytes).
    pub id: &'a [u8],
    /// The pricing, and for an approved special-review case the one without review.
    pub variants: [Option<Variant<'a>>; 2],
}

const FLAG_UNGROUPABLE: u8 = 1;
const FLAG_AMBIGUOUS: u8 = 2;
const FLAG_EXTREME: u8 = 4;
/// Most formula heads a block numbers (later new ones are written in full each time).
const HEADS: usize = 1 << 16;

/// Appends `v` as a LEB128 varint.
#[inline]
fn put_var(out: &mut Vec<u8>, mut v: u64) {
    if v < 0x80 {
        out.push(v as u8);
        return;
    }
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a signed number, zigzagged (small magnitudes take few bytes).
#[inline]
fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_var(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn route_code(r: Route) -> u8 {
    r.index() as u8
}

fn route_of(b: u8) -> Route {
    Route::ALL[usize::from(b).min(7)]
}

const CLASSES: [Class; 9] = [
    Class::Normal,
    Class::Low,
    Class::Uplifted,
    Class::High,
    Class::Extreme,
    Class::Blank,
    Class::CostShare,
    Class::Actual,
    Class::Standard,
];

fn class_code(c: Class) -> u8 {
    CLASSES.iter().position(|&x| x == c).unwrap_or(0) as u8
}

/// One case as [`Block::push`] takes it.
pub struct Case<'a> {
    /// Row in the input (0-based).
    pub row: u32,
    /// Hospital level.
    pub level: u8,
    /// Total cost.
    pub total_cost: Fen,
    /// Patient share.
    pub patient_share: Fen,
    /// Pool.
    pub pool: usize,
    /// Hospital code.
    pub hospital: &'a str,
    /// Case id.
    pub id: &'a str,
}

/// A block being filled: its rows, and the formula heads it holds so far.
#[derive(Default)]
pub struct Block {
    rows: Vec<u8>,
    heads: ahash::AHashMap<Box<[u8]>, u32>,
    /// The row of the previous record.
    last_row: u32,
}

impl Block {
    /// A block writing into `rows` (a buffer from the pool).
    pub fn new(rows: Vec<u8>) -> Block {
        Block {
            rows,
            heads: ahash::AHashMap::default(),
            last_row: 0,
        }
    }

    /// The rows written.
    pub fn into_rows(self) -> Vec<u8> {
        self.rows
    }

    #[inline]
    fn text(&mut self, b: &[u8]) {
        put_var(&mut self.rows, b.len() as u64);
        self.rows.extend_from_slice(b);
    }

    fn head(&mut self, head: &[u8]) {
        if let Some(&i) = self.heads.get(head) {
            put_var(&mut self.rows, u64::from(i) + 1);
            return;
        }
        if self.heads.len() < HEADS {
            self.heads.insert(head.into(), self.heads.len() as u32);
        }
        self.rows.push(0);
        self.text(head);
    }

    /// Appends one case.
    pub fn push(&mut self, c: &Case<'_>, variants: &[Variant<'_>]) {
        let r = &mut self.rows;
        // Rows only grow within a block (a task's rows are in input order).
        put_var(r, u64::from(c.row.wrapping_sub(self.last_row)));
        self.last_row = c.row;
        r.push(c.level);
        r.push(variants.len() as u8);
        put_signed(r, c.total_cost.0);
        put_signed(r, c.patient_share.0);
        put_var(r, c.pool as u64);
        self.text(c.hospital.as_bytes());
        self.text(c.id.as_bytes());
        for v in variants {
            let (kind, value) = settlement::slip::split(v.value);
            let f = &v.facts;
            let r = &mut self.rows;
            r.push(route_code(f.route));
            r.push(class_code(f.class));
            r.push(kind as u8);
            put_signed(r, value);
            // 0 for none; the points otherwise, moved up by one (zigzagged, so never 0).
            put_var(
                r,
                f.weight
                    .map_or(0, |w| (((w.0 << 1) ^ (w.0 >> 63)) as u64).wrapping_add(1)),
            );
            r.push(f.ratio_bin.unwrap_or(u8::MAX));
            r.push(
                (u8::from(f.ungroupable) * FLAG_UNGROUPABLE)
                    | (u8::from(f.ambiguous) * FLAG_AMBIGUOUS)
                    | (u8::from(f.extreme_ffs) * FLAG_EXTREME),
            );
            self.text(v.line);
            self.text(v.ratio);
            self.head(v.formula.head);
            self.text(v.formula.tail);
            self.text(v.note);
        }
    }
}

/// Reads records back from a block.
pub struct Reader<'a> {
    b: &'a [u8],
    heads: Vec<&'a [u8]>,
    last_row: u32,
}

impl<'a> Reader<'a> {
    /// Records of a decompressed block.
    pub fn new(b: &'a [u8]) -> Reader<'a> {
        Reader {
            b,
            heads: Vec::new(),
            last_row: 0,
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.b.len() < n {
            return None;
        }
        let (x, rest) = self.b.split_at(n);
        self.b = rest;
        Some(x)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|x| x[0])
    }

    #[inline]
    fn var(&mut self) -> Option<u64> {
        let (&first, rest) = self.b.split_first()?;
        if first < 0x80 {
            // Lengths, steps, pools, head indexes: one byte.
            self.b = rest;
            return Some(u64::from(first));
        }
        let mut v = u64::from(first & 0x7f);
        for (k, &b) in rest.iter().enumerate().take(9) {
            v |= u64::from(b & 0x7f) << (7 * (k + 1));
            if b < 0x80 {
                self.b = &rest[k + 1..];
                return Some(v);
            }
        }
        None
    }

    #[inline]
    fn signed(&mut self) -> Option<i64> {
        let z = self.var()?;
        Some((z >> 1) as i64 ^ -((z & 1) as i64))
    }

    #[inline]
    fn text(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.var()?).ok()?;
        self.take(n)
    }

    fn head(&mut self) -> Option<&'a [u8]> {
        match self.var()? {
            0 => {
                let h = self.text()?;
                if self.heads.len() < HEADS {
                    self.heads.push(h);
                }
                Some(h)
            }
            i => self.heads.get(usize::try_from(i - 1).ok()?).copied(),
        }
    }

    /// The next record; `None` at the end, or `Some(Err)` when the block is damaged.
    pub fn next_record(&mut self) -> Option<Result<Record<'a>, String>> {
        if self.b.is_empty() {
            return None;
        }
        Some(
            self.record()
                .ok_or_else(|| "the settle spill file is damaged".to_string()),
        )
    }

    fn record(&mut self) -> Option<Record<'a>> {
        let row = self.last_row.wrapping_add(u32::try_from(self.var()?).ok()?);
        self.last_row = row;
        let level = self.u8()?;
        let n = self.u8()?;
        let total_cost = Fen(self.signed()?);
        let patient_share = Fen(self.signed()?);
        let pool = usize::try_from(self.var()?).ok()?;
        let hospital = std::str::from_utf8(self.text()?).ok()?;
        let id = self.text()?;
        let mut variants = [None, None];
        for v in variants.iter_mut().take(usize::from(n)) {
            let route = route_of(self.u8()?);
            let class = CLASSES[usize::from(self.u8()?).min(CLASSES.len() - 1)];
            let kind = self.u8()?;
            let value = self.signed()?;
            let weight = match self.var()? {
                0 => None,
                z => Some(Points(((z - 1) >> 1) as i64 ^ -(((z - 1) & 1) as i64))),
            };
            let bin = self.u8()?;
            let flags = self.u8()?;
            let line = self.text()?;
            let ratio = self.text()?;
            let head = self.head()?;
            let tail = self.text()?;
            let note = self.text()?;
            let kind = match kind {
                0 => settlement::slip::Kind::Points,
                1 => settlement::slip::Kind::Standard,
                _ => settlement::slip::Kind::Fund,
            };
            *v = Some(Variant {
                facts: Facts {
                    route,
                    class,
                    weight,
                    ratio_bin: (bin != u8::MAX).then_some(bin),
                    ungroupable: flags & FLAG_UNGROUPABLE != 0,
                    ambiguous: flags & FLAG_AMBIGUOUS != 0,
                    extreme_ffs: flags & FLAG_EXTREME != 0,
                    total_cost,
                    fund: Fen::ZERO,
                },
                value: settlement::slip::join(kind, value),
                line,
                ratio,
                formula: Formula { head, tail },
                note,
            });
        }
        Some(Record {
            row,
            level,
            key: Key::of_bytes(id),
            total_cost,
            patient_share,
            pool,
            hospital,
            id,
            variants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant<'a>(formula: &'a str, note: &'a str, value: Value) -> Variant<'a> {
        Variant {
            facts: Facts {
                route: Route::Drg,
                class: Class::Uplifted,
                weight: Some(Points(5176)),
                ratio_bin: Some(6),
                ungroupable: false,
                ambiguous: true,
                extreme_ffs: false,
                total_cost: Fen(618_910),
                fund: Fen::ZERO,
            },
            value,
            line: b"OB19",
            ratio: b"0.6557",
            formula: Formula::split(formula),
            note: note.as_bytes(),
        }
    }

    #[test]
    fn a_formula_splits_after_its_last_separator() {
        let f = Formula::split("DRG A weight 1 → base 2 pts; coefficient 1; normal: 2 × 1");
        assert_eq!(
            f.head,
            "DRG A weight 1 → base 2 pts; coefficient 1; ".as_bytes()
        );
        assert_eq!(f.tail, b"normal: 2 \xc3\x97 1");
        assert_eq!(Formula::split("fixed rate x: 3").head, b"");
        assert_eq!(Formula::split("a;b").tail, b"a;b");
        assert_eq!(
            Formula::split("a; b; ").text(),
            "a; b; ",
            "a separator at the very end leaves an empty tail"
        );
    }

    #[test]
    fn records_read_back_as_written_with_shared_heads() {
        let formulas = [
            "DRG OB19 weight 0.5176 → base 51.7600 pts; coefficient 1; uplift: 51.76 × (r 0.6557 + 0.2)",
            "DRG OB19 weight 0.5176 → base 51.7600 pts; coefficient 1; normal: 51.76 × 1",
            "fixed rate \"delivery\", level 2: 2400",
            "DRG OB19 weight 0.5176 → base 51.7600 pts; coefficient 1; low: 51.76 × r 0.3",
        ];
        let mut block = Block::new(Vec::new());
        let ids = ["a", "b,c", "", "d"];
        for (k, f) in formulas.iter().enumerate() {
            let two = k == 3;
            let mut vs = vec![variant(
                f,
                "a note; with \"quotes\"",
                Value::Points(Points(k as i64)),
            )];
            if two {
                vs.push(variant("DIP x; ffs: 12", "", Value::Fund(Fen(-7))));
            }
            block.push(
                &Case {
                    row: k as u32 * 10,
                    level: 3,
                    total_cost: Fen(100 + k as i64),
                    patient_share: Fen(-1),
                    pool: k,
                    hospital: "H01",
                    id: ids[k],
                },
                &vs,
            );
        }
        let rows = block.into_rows();
        let mut r = Reader::new(&rows);
        for (k, f) in formulas.iter().enumerate() {
            let rec = r.next_record().expect("a record").expect("undamaged");
            assert_eq!(rec.row, k as u32 * 10);
            assert_eq!((rec.level, rec.pool, rec.hospital), (3, k, "H01"));
            assert_eq!(rec.id, ids[k].as_bytes());
            assert_eq!(rec.key, Key::of(ids[k]));
            assert_eq!(
                (rec.total_cost, rec.patient_share),
                (Fen(100 + k as i64), Fen(-1))
            );
            let v = rec.variants[0].as_ref().expect("primary");
            assert_eq!(v.formula.text(), *f);
            assert_eq!(v.note, "a note; with \"quotes\"".as_bytes());
            assert_eq!(
                (v.line, v.ratio),
                (b"OB19".as_slice(), b"0.6557".as_slice())
            );
            assert_eq!(v.value, Value::Points(Points(k as i64)));
            assert_eq!(v.facts.weight, Some(Points(5176)));
            assert!(v.facts.ambiguous && !v.facts.ungroupable);
            match &rec.variants[1] {
                Some(w) => {
                    assert_eq!(k, 3);
                    assert_eq!(w.formula.text(), "DIP x; ffs: 12");
                    assert_eq!(w.value, Value::Fund(Fen(-7)));
                }
                None => assert_ne!(k, 3),
            }
        }
        assert!(r.next_record().is_none());
        // The second and fourth formulas name the first one's head instead of repeating it.
        let head = Formula::split(formulas[0]).head;
        let times = rows.windows(head.len()).filter(|w| *w == head).count();
        assert_eq!(times, 1);
    }

    #[test]
    fn a_cut_block_is_damaged_not_misread() {
        let mut block = Block::new(Vec::new());
        block.push(
            &Case {
                row: 1,
                level: 1,
                total_cost: Fen(1),
                patient_share: Fen(0),
                pool: 0,
                hospital: "H",
                id: "x",
            },
            &[variant("a; b", "", Value::Points(Points(1)))],
        );
        let rows = block.into_rows();
        for cut in 1..rows.len() {
            let mut r = Reader::new(&rows[..cut]);
            assert!(matches!(r.next_record(), Some(Err(_))), "cut at {cut}");
        }
    }

    proptest::proptest! {
        /// Every number comes back as written, extremes included (the varints and zigzags).
        #[test]
        fn numbers_read_back_as_written(
            cases in proptest::collection::vec(
                (0u32..1000, proptest::prelude::any::<i64>(), proptest::prelude::any::<i64>(),
                 proptest::prelude::any::<i64>(), proptest::option::of(-(1i64 << 62)..(1i64 << 62)),
                 0usize..70_000),
                1..20,
            ),
        ) {
            let mut block = Block::new(Vec::new());
            let mut row = 0u32;
            let mut rows = Vec::new();
            for &(step, cost, share, value, weight, pool) in &cases {
                row = row.saturating_add(step);
                rows.push(row);
                let mut v = variant("h; t", "", Value::Fund(Fen(value)));
                v.facts.weight = weight.map(Points);
                block.push(
                    &Case {
                        row,
                        level: 2,
                        total_cost: Fen(cost),
                        patient_share: Fen(share),
                        pool,
                        hospital: "H",
                        id: "x",
                    },
                    &[v],
                );
            }
            let bytes = block.into_rows();
            let mut r = Reader::new(&bytes);
            for (k, &(_, cost, share, value, weight, pool)) in cases.iter().enumerate() {
                let rec = r.next_record().expect("a record").expect("undamaged");
                proptest::prop_assert_eq!(rec.row, rows[k]);
                proptest::prop_assert_eq!((rec.total_cost, rec.patient_share), (Fen(cost), Fen(share)));
                proptest::prop_assert_eq!(rec.pool, pool);
                let v = rec.variants[0].as_ref().expect("primary");
                proptest::prop_assert_eq!(v.value, Value::Fund(Fen(value)));
                proptest::prop_assert_eq!(v.facts.weight, weight.map(Points));
            }
            proptest::prop_assert!(r.next_record().is_none());
        }
    }
}
