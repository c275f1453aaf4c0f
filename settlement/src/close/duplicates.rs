//! Duplicate case ids among a run's slips: the first row of an id is settled, every later row
//! is flagged [`DUPLICATE`] (and rejected by the caller).
//!
//! Ids are compared by their 128-bit [`crate::slip::Key`]s. Rather than sorting all slips by key
//! (tens of bytes moved per slip, a couple of dozen times over for ten million), the first halves
//! of the keys (uniform hash bits) are dealt into buckets by their top bits, each bucket is sorted
//! on its own, and only the slips whose half repeats are then compared whole.

use rayon::prelude::*;

use crate::slip::{Key, Slip, DUPLICATE};

/// Buckets the key halves are dealt into, by their top bits.
const BUCKET_BITS: u32 = 16;

/// Flags every slip whose key an earlier row (a smaller `row`) already has; returns how many.
/// The slips' order is left as it is.
pub fn mark(slips: &mut [Slip]) -> u64 {
    let repeated = repeated_halves(slips);
    if repeated.is_empty() {
        return 0;
    }
    // The few slips whose half repeats, compared whole: by key, then row.
    let mut suspects: Vec<(Key, u32, usize)> = slips
        .par_iter()
        .enumerate()
        .filter(|(_, s)| repeated.binary_search(&s.key.0[0]).is_ok())
        .map(|(i, s)| (s.key, s.row, i))
        .collect();
    suspects.sort_unstable();
    let mut n = 0;
    for w in 1..suspects.len() {
        if suspects[w].0 == suspects[w - 1].0 {
            slips[suspects[w].2].flags |= DUPLICATE;
            n += 1;
        }
    }
    n
}

/// The first key halves that more than one slip has, sorted.
fn repeated_halves(slips: &[Slip]) -> Vec<u64> {
    let bucket = |h: u64| (h >> (64 - BUCKET_BITS)) as usize;
    let mut starts = vec![0usize; (1 << BUCKET_BITS) + 1];
    for s in slips {
        starts[bucket(s.key.0[0]) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut halves = vec![0u64; slips.len()];
    let mut at = starts.clone();
    for s in slips {
        let b = bucket(s.key.0[0]);
        halves[at[b]] = s.key.0[0];
        at[b] += 1;
    }
    let mut buckets = Vec::with_capacity(1 << BUCKET_BITS);
    let mut rest = halves.as_mut_slice();
    for w in starts.windows(2) {
        let (b, r) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
        buckets.push(b);
        rest = r;
    }
    let mut repeated: Vec<u64> = buckets
        .into_par_iter()
        .flat_map_iter(|b| {
            b.sort_unstable();
            let mut seen = Vec::new();
            for i in 1..b.len() {
                if b[i] == b[i - 1] && seen.last() != Some(&b[i]) {
                    seen.push(b[i]);
                }
            }
            seen
        })
        .collect();
    repeated.sort_unstable();
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Fen;
    use crate::points::Points;
    use crate::price::Value;

    /// The plain way: sort by (key, row), flag every slip after the first of its key.
    fn reference(slips: &[Slip]) -> Vec<bool> {
        let mut order: Vec<usize> = (0..slips.len()).collect();
        order.sort_by_key(|&i| (slips[i].key, slips[i].row));
        let mut flagged = vec![false; slips.len()];
        for w in order.windows(2) {
            if slips[w[0]].key == slips[w[1]].key {
                flagged[w[1]] = true;
            }
        }
        flagged
    }

    fn slip(key: Key, row: u32, hospital: u32) -> Slip {
        Slip::new(key, row, hospital, 0, Value::Points(Points(1)), Fen::ZERO)
    }

    #[test]
    fn the_first_row_of_an_id_stays_and_later_ones_are_flagged() {
        // Ids repeated within a hospital and across hospitals, keys sharing a first half but not
        // the second, and rows out of order (the close has sorted the slips by hospital).
        let mut slips = Vec::new();
        let mut row = 0u32;
        for i in 0..5000u64 {
            let id = format!("C{}", i % 4000);
            row += 1;
            slips.push(slip(Key::of(&id), (row * 7919) % 100_003, (i % 13) as u32));
        }
        for k in 0..20u64 {
            slips.push(slip(Key([k << 59, 1]), 200_000 + k as u32, 1));
            slips.push(slip(Key([k << 59, 2]), 100_000 + k as u32, 2));
            slips.push(slip(Key([k << 59, 1]), 300_000 + k as u32, 3));
        }
        slips.sort_by_key(|s| (s.hospital, s.key, s.row));
        let want = reference(&slips);
        let n = mark(&mut slips);
        let got: Vec<bool> = slips.iter().map(|s| s.flags & DUPLICATE != 0).collect();
        assert_eq!(got, want);
        assert_eq!(n, want.iter().filter(|&&f| f).count() as u64);
        assert_eq!(n, 1000 + 20);
    }

    #[test]
    fn distinct_ids_flag_nothing() {
        let mut slips: Vec<Slip> = (0..3000u32)
            .map(|i| slip(Key::of(&format!("id{i}")), i, i % 5))
            .collect();
        assert_eq!(mark(&mut slips), 0);
        assert!(slips.iter().all(|s| s.flags & DUPLICATE == 0));
        assert_eq!(mark(&mut []), 0);
    }
}
