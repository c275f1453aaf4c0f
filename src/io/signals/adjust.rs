//! The points adjustments a policy asks for (`[signals.readmission] earlier_points_share`: Zhejiang
//! halves the earlier stay of a readmission pair, S8), applied in a streamed settlement run: to the
//! close's [`Slip`]s before the pools close, so the point value reflects them, and to each case's
//! [`Priced`] when its statement row is written, so `cases.csv` and the hospital totals show the
//! same points the pool was closed on.
//!
//! Only a case worth points changes: an earlier stay paid at a rate, per diem or fee for service
//! keeps its payment (the readmission signal is still listed). Both places round with the same
//! rule (the policy's `[rounding] points`, [`settlement::engine::Stages::points`]), so they agree
//! to the last unit.

use std::collections::HashMap;

use settlement::money::Rounding;
use settlement::points::Points;
use settlement::price::{Priced, Value};
use settlement::signals::{PointsAdjustment, Signals};
use settlement::slip::{Approved, Key, Kind, Slip};

/// The run's points adjustments, found by a case's [`Key`] (the fingerprint a slip carries).
#[derive(Clone, Debug, Default)]
pub struct Adjustments {
    list: Vec<PointsAdjustment>,
    by_key: HashMap<Key, usize>,
}

impl Adjustments {
    /// The adjustments of a detection ([`Signals::adjustments`]).
    pub fn new(s: &Signals) -> Adjustments {
        let list = s.adjustments.clone();
        let by_key = list
            .iter()
            .enumerate()
            .map(|(i, a)| (Key::of(&a.id), i))
            .collect();
        Adjustments { list, by_key }
    }

    /// How many stays the policy asks to adjust.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is none (then nothing needs applying).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The adjustment of the case with this key.
    pub fn of_key(&self, key: Key) -> Option<&PointsAdjustment> {
        self.by_key.get(&key).map(|&i| &self.list[i])
    }

    /// The adjustment of the case with this id.
    pub fn of_id(&self, id: &str) -> Option<&PointsAdjustment> {
        self.of_key(Key::of(id))
    }

    fn scale(&self, a: &PointsAdjustment, p: Points, rounding: Rounding) -> Result<Points, String> {
        a.apply(p, rounding)
            .map_err(|e| format!("case {}: points adjustment × {}: {e}", a.id, a.share))
    }

    /// Multiplies the points of every slip (and of every approved case's fallback) that has an
    /// adjustment; call it after pass 1 and before [`settlement::close::funds::close_pools`].
    /// Slips worth a standard or fund money are left alone. Returns the slips changed.
    pub fn apply_to_slips(
        &self,
        slips: &mut [Slip],
        approved: &mut [Approved],
        rounding: Rounding,
    ) -> Result<u64, String> {
        if self.is_empty() {
            return Ok(0);
        }
        let mut changed = 0;
        for s in slips.iter_mut().filter(|s| s.kind == Kind::Points) {
            if let Some(a) = self.of_key(s.key) {
                s.value = self.scale(a, Points(s.value), rounding)?.0;
                changed += 1;
            }
        }
        for c in approved.iter_mut() {
            if let (Value::Points(p), Some(a)) = (c.fallback, self.of_id(&c.id)) {
                c.fallback = Value::Points(self.scale(a, p, rounding)?);
            }
        }
        Ok(changed)
    }

    /// Multiplies the points of a case's pricing (the one it is paid by, chosen after the
    /// special-review quota) when it has an adjustment, and adds the step to its formula. Returns
    /// whether it changed. Call it in pass 2 before the case is tallied and written.
    pub fn apply_to_priced(
        &self,
        key: Key,
        priced: &mut Priced,
        rounding: Rounding,
    ) -> Result<bool, String> {
        let (Value::Points(p), Some(a)) = (priced.value, self.of_key(key)) else {
            return Ok(false);
        };
        let new = self.scale(a, p, rounding)?;
        priced.value = Value::Points(new);
        priced.formula.push_str(&format!(
            "; readmission {} within the window: {p} × {} = {new} points",
            a.readmission, a.share
        ));
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use settlement::money::{Fen, Ratio};
    use settlement::price::{Class, Route};

    use super::*;

    fn signals() -> Signals {
        Signals {
            adjustments: vec![PointsAdjustment {
                id: "A".into(),
                hospital: "H1".into(),
                share: Ratio::new(1, 2).unwrap(),
                readmission: "B".into(),
            }],
            ..Signals::default()
        }
    }

    #[test]
    fn slips_with_points_are_scaled_others_kept() {
        let adj = Adjustments::new(&signals());
        assert_eq!(adj.len(), 1);
        let g7: Points = "157.5".parse().unwrap();
        let mut slips = vec![
            Slip::new(Key::of("A"), 0, 0, 0, Value::Points(g7), Fen(0)),
            Slip::new(Key::of("B"), 1, 0, 0, Value::Points(g7), Fen(0)),
            Slip::new(Key::of("A"), 2, 0, 0, Value::Fund(Fen(1001)), Fen(0)),
        ];
        let mut approved = vec![Approved {
            row: 0,
            id: "A".into(),
            hospital: 0,
            fallback: Value::Points(Points(3)),
        }];
        let n = adj
            .apply_to_slips(&mut slips, &mut approved, Rounding::HalfAwayFromZero)
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(slips[0].worth(), Value::Points("78.75".parse().unwrap()));
        assert_eq!(slips[1].worth(), Value::Points(g7));
        assert_eq!(slips[2].worth(), Value::Fund(Fen(1001)));
        // 0.0003 × 0.5 = 0.00015, half away from zero: 0.0002.
        assert_eq!(approved[0].fallback, Value::Points(Points(2)));
    }

    #[test]
    fn priced_points_and_formula() {
        let adj = Adjustments::new(&signals());
        let mut p = Priced {
            route: Route::Drg,
            line: "ES35".into(),
            class: Class::Normal,
            ratio: None,
            value: Value::Points("157.5".parse().unwrap()),
            weight: None,
            formula: "RW 1.575 × 100".into(),
            note: String::new(),
        };
        let r = Rounding::HalfAwayFromZero;
        assert!(!adj.apply_to_priced(Key::of("B"), &mut p, r).unwrap());
        assert!(adj.apply_to_priced(Key::of("A"), &mut p, r).unwrap());
        assert_eq!(p.value, Value::Points("78.75".parse().unwrap()));
        assert_eq!(
            p.formula,
            "RW 1.575 × 100; readmission B within the window: 157.5000 × 0.5 = 78.7500 points"
        );
        assert!(Adjustments::default().is_empty());
    }
}
