//! Property tests of the settlement money primitives: allocation conserves every fen, is monotone in
//! the weights, and rounding agrees with exact arithmetic.

use drgdip::settlement::money::{allocate, round_div, Fen, Ratio, Rounding};
use proptest::prelude::*;

proptest! {
    #[test]
    fn allocation_conserves_the_total(total in -1_000_000_000_000i64..1_000_000_000_000,
                                      weights in prop::collection::vec(0u128..10_000_000, 1..40)) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let parts = allocate(Fen(total), &weights).unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(parts.iter().copied().sum::<Fen>(), Fen(total));
        let sum: u128 = weights.iter().sum();
        for (p, &w) in parts.iter().zip(&weights) {
            // Each part is within one fen of its exact share.
            let exact = total as f64 * w as f64 / sum as f64;
            prop_assert!((p.0 as f64 - exact).abs() <= 1.0 + exact.abs() * 1e-12, "{} vs {}", p.0, exact);
            if w == 0 {
                prop_assert_eq!(*p, Fen(0));
            }
        }
    }

    #[test]
    fn more_weight_never_gets_less(total in 0i64..1_000_000_000, a in 0u128..1_000_000, b in 0u128..1_000_000,
                                   rest in prop::collection::vec(1u128..1_000_000, 1..10)) {
        let (lo, hi) = (a.min(b), a.max(b));
        let mut w = vec![lo, hi];
        w.extend(rest);
        let parts = allocate(Fen(total), &w).unwrap();
        prop_assert!(parts[0] <= parts[1]);
    }

    #[test]
    fn rounding_is_within_half_a_unit(num in -1_000_000_000_000i128..1_000_000_000_000, den in 1i128..1_000_000) {
        for m in [Rounding::HalfAwayFromZero, Rounding::HalfEven] {
            let q = round_div(num, den, m).unwrap();
            // |num/den - q| <= 1/2  <=>  |num - q*den| * 2 <= den
            prop_assert!((num - q * den).abs() * 2 <= den);
        }
        let f = round_div(num, den, Rounding::Floor).unwrap();
        prop_assert!(f * den <= num && num < (f + 1) * den);
        let c = round_div(num, den, Rounding::Ceiling).unwrap();
        prop_assert!(c == f || c == f + 1);
    }

    #[test]
    fn decimal_text_round_trips(units in -10_000_000_000i64..10_000_000_000) {
        let text = Fen(units).to_string();
        prop_assert_eq!(Fen::from_yuan(&text).unwrap(), Fen(units));
        let r: Ratio = text.parse().unwrap();
        prop_assert_eq!(r.mul_int(100).round(Rounding::HalfEven).unwrap(), Fen(units));
    }
}

use drgdip::settlement::budget::close_pool;
use drgdip::settlement::points::Points;

proptest! {
    #[test]
    fn closed_pools_pay_out_exactly_the_distributable_amount(
        budget in 0i64..100_000_000_000,
        reserve_pct in 0i128..=10,
        points in prop::collection::vec(0i64..50_000_000, 1..30),
    ) {
        prop_assume!(points.iter().any(|&p| p > 0));
        let pts: Vec<Points> = points.iter().map(|&p| Points(p)).collect();
        let c = close_pool(Fen(budget), Ratio::new(reserve_pct, 100).unwrap(), Rounding::HalfAwayFromZero, &pts).unwrap();
        prop_assert_eq!(c.payments.iter().copied().sum::<Fen>(), c.distributable);
        prop_assert_eq!(c.distributable + c.reserve, Fen(budget));
        // More points never pays less.
        for i in 0..pts.len() {
            for j in 0..pts.len() {
                if pts[i] > pts[j] {
                    prop_assert!(c.payments[i] >= c.payments[j]);
                }
            }
        }
    }

    #[test]
    fn settling_in_batches_gives_identical_fen(
        budget in 0i64..10_000_000_000,
        cases in prop::collection::vec((0usize..5, 1i64..2_000_000), 1..200),
        cut in 0usize..200,
    ) {
        // Hospitals' points summed over all cases at once, or over two batches of cases then added.
        let mut once = vec![Points::ZERO; 5];
        for &(h, p) in &cases {
            once[h] += Points(p);
        }
        let (a, b) = cases.split_at(cut.min(cases.len()));
        let mut twice = vec![Points::ZERO; 5];
        for part in [a, b] {
            let mut sub = vec![Points::ZERO; 5];
            for &(h, p) in part {
                sub[h] += Points(p);
            }
            for (t, s) in twice.iter_mut().zip(sub) {
                *t += s;
            }
        }
        let r = Rounding::HalfAwayFromZero;
        let x = close_pool(Fen(budget), Ratio::ZERO, r, &once).unwrap();
        let y = close_pool(Fen(budget), Ratio::ZERO, r, &twice).unwrap();
        prop_assert_eq!(x.payments, y.payments);
    }
}
