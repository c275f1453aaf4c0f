//! The close's view of a priced case: a [`Slip`] of 48 bytes with no strings, so a run of tens of
//! millions of cases closes in memory (10 million cases: 480 MB).
//!
//! A slip carries what the pools need: the case's [`Key`] (a fingerprint of its id), its hospital
//! (an index into the run's [`Hospitals`]), its pool, what it is worth (points, a standard or fund
//! money) and the patient's share. Everything a statement shows beyond that (route, class, the
//! formula) is recomputed from the case when the statement is written, since pricing is pure.

use std::collections::HashMap;

use crate::money::Fen;
use crate::price::Value;

/// A fingerprint of a case id: XXH3-128 with seed 0, the same on every machine.
///
/// It orders the cases of a hospital wherever a rule needs an order that does not depend on the
/// input (which case gets a leftover fen among equal remainders), and detects duplicate ids in a
/// streamed run. Two different ids share a key with odds below 10⁻²⁰ for a billion cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(pub [u64; 2]);

impl Key {
    /// The key of a case id.
    pub fn of(id: &str) -> Key {
        Key::of_bytes(id.as_bytes())
    }

    /// [`Key::of`] an id's bytes.
    pub fn of_bytes(id: &[u8]) -> Key {
        let h = xxhash_rust::xxh3::xxh3_128(id);
        Key([(h >> 64) as u64, h as u64])
    }
}

/// What a slip is worth before the close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Points (4 decimals), priced by the pool's point value.
    Points = 0,
    /// A total-cost standard in fen: the fund pays it less the patient's share.
    Standard = 1,
    /// Fund money in fen, paid as is.
    Fund = 2,
}

/// Flag: an approved special-review case (it has a fallback pricing if the quota is used up).
pub const APPROVED: u8 = 1;
/// Flag: an approved special-review case the quota did not honour (priced by its fallback).
pub const NOT_HONOURED: u8 = 2;
/// Flag: a later row with an id already settled in the run; it is rejected, not paid.
pub const DUPLICATE: u8 = 4;

/// One priced case as the close sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slip {
    /// Fingerprint of the case id.
    pub key: Key,
    /// Points units, or fen (see `kind`); after the close, the fund payment in fen.
    pub value: i64,
    /// The patient's item-based share, in fen.
    pub patient_share: i64,
    /// Position of the case in the run (input order), to map results back.
    pub row: u32,
    /// Index into the run's [`Hospitals`].
    pub hospital: u32,
    /// Pool index.
    pub pool: u16,
    /// What `value` holds before the close.
    pub kind: Kind,
    /// [`APPROVED`], [`NOT_HONOURED`], [`DUPLICATE`].
    pub flags: u8,
}

impl Slip {
    /// A slip for a case worth `value`, `row`-th in the run.
    pub fn new(
        key: Key,
        row: u32,
        hospital: u32,
        pool: usize,
        value: Value,
        patient_share: Fen,
    ) -> Slip {
        let (kind, v) = split(value);
        Slip {
            key,
            value: v,
            patient_share: patient_share.0,
            row,
            hospital,
            pool: pool as u16,
            kind,
            flags: 0,
        }
    }

    /// The value as a pricing value.
    pub fn worth(&self) -> Value {
        join(self.kind, self.value)
    }
}

/// A value as (kind, number).
pub fn split(v: Value) -> (Kind, i64) {
    match v {
        Value::Points(p) => (Kind::Points, p.0),
        Value::Standard(f) => (Kind::Standard, f.0),
        Value::Fund(f) => (Kind::Fund, f.0),
    }
}

/// (kind, number) as a value.
pub fn join(kind: Kind, v: i64) -> Value {
    match kind {
        Kind::Points => Value::Points(crate::points::Points(v)),
        Kind::Standard => Value::Standard(Fen(v)),
        Kind::Fund => Value::Fund(Fen(v)),
    }
}

/// An approved special-review case, kept apart (they are few) with what the quota decides on: the
/// case id (the quota honours cases in id order) and its pricing without review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approved {
    /// The case's row in the run.
    pub row: u32,
    /// Case id.
    pub id: String,
    /// Hospital index.
    pub hospital: u32,
    /// The value without review.
    pub fallback: Value,
}

/// The hospitals of a run, numbered as they are first seen.
#[derive(Clone, Debug, Default)]
pub struct Hospitals {
    codes: Vec<String>,
    index: HashMap<String, u32, ahash::RandomState>,
}

impl Hospitals {
    /// An empty table.
    pub fn new() -> Hospitals {
        Hospitals::default()
    }

    /// The index of a hospital code, adding it when new.
    pub fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(code.to_string());
        self.index.insert(code.to_string(), i);
        i
    }

    /// The index of a known code.
    pub fn get(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }

    /// The code of an index.
    pub fn code(&self, i: u32) -> &str {
        &self.codes[i as usize]
    }

    /// Number of hospitals.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Renumbers the hospitals in code order (the order every rule that ranks hospitals uses) and
    /// returns the map old index → new index.
    pub fn sort(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.codes.len() as u32).collect();
        order.sort_by(|&a, &b| self.codes[a as usize].cmp(&self.codes[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let codes = order
            .iter()
            .map(|&o| std::mem::take(&mut self.codes[o as usize]))
            .collect::<Vec<_>>();
        self.codes = codes;
        for (i, c) in self.codes.iter().enumerate() {
            self.index.insert(c.clone(), i as u32);
        }
        remap
    }

    /// Codes in index order.
    pub fn codes(&self) -> &[String] {
        &self.codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_48_bytes() {
        assert_eq!(std::mem::size_of::<Slip>(), 48);
    }

    #[test]
    fn keys_are_fixed_across_machines() {
        // XXH3-128 of the empty string with seed 0 (the reference value of the algorithm).
        assert_eq!(Key::of(""), Key([0x99aa06d3014798d8, 0x6001c324468d497f]));
        assert_ne!(Key::of("C1"), Key::of("C2"));
    }

    #[test]
    fn hospitals_renumber_in_code_order() {
        let mut h = Hospitals::new();
        assert_eq!(h.intern("H2"), 0);
        assert_eq!(h.intern("H1"), 1);
        assert_eq!(h.intern("H2"), 0);
        let remap = h.sort();
        assert_eq!(remap, vec![1, 0]);
        assert_eq!(h.codes(), ["H1", "H2"]);
        assert_eq!(h.get("H2"), Some(1));
    }
}
