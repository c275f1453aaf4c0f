//! Surplus retention and overspend sharing (结余留用、合理超支分担) for one payee:
//!
//! ```text
//! surplus = paid − item-based fund cost
//! surplus >= 0: considered = min(surplus, cap × cost); kept = considered × keep (× score / 100)
//!               adjustment = −(surplus − kept)                 (the rest returns to the fund)
//! surplus <  0: loss = −surplus; the fund bears Σ_b fund_share_b × |[0, loss] ∩ band_b|,
//!               band_b = [up_to_{b−1} × cost, up_to_b × cost]   adjustment = + that
//! ```
//!
//! Wenshan's 合理超支自担 is one band with `fund_share = 0`. Each amount is rounded once with the
//! sharing rule.

use crate::money::{Fen, MoneyError, Ratio, Rounding};
use crate::policy::Sharing;

/// The sharing outcome for one payee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// paid − cost.
    pub surplus: Fen,
    /// The payment adjustment (negative: returned to the fund; positive: the fund's share of a loss).
    pub adjustment: Fen,
    /// The rule with its numbers.
    pub formula: String,
}

/// Applies `rule` to a payee that was paid `paid` for cases whose item-based fund cost is `cost`;
/// `score` is the assessment score (0-100) when the rule scales by it.
pub fn share(
    rule: &Sharing,
    paid: Fen,
    cost: Fen,
    score: Option<Ratio>,
    rounding: Rounding,
) -> Result<Shared, MoneyError> {
    let surplus = paid - cost;
    let c = Ratio::int(i128::from(cost.0.max(0)));
    if surplus.0 >= 0 {
        let mut considered = surplus;
        let mut text = format!("surplus {surplus}");
        if let Some(cap) = rule.surplus_cap_share {
            let cap_fen = c.checked_mul(cap.0)?.round(rounding)?;
            if considered > cap_fen {
                considered = cap_fen;
                text.push_str(&format!(", capped at {} × {cost} = {cap_fen}", cap.0));
            }
        }
        let mut keep = rule.surplus_keep.0;
        if rule.assessment_scaled {
            let s = score.unwrap_or(Ratio::ZERO);
            keep = keep.checked_mul(s)?.checked_div(Ratio::int(100))?;
            text.push_str(&format!(", keep {} × score {s}/100", rule.surplus_keep.0));
        } else {
            text.push_str(&format!(", keep {keep}"));
        }
        let kept = Ratio::int(i128::from(considered.0))
            .checked_mul(keep)?
            .round(rounding)?;
        let adjustment = -(surplus - kept);
        Ok(Shared {
            surplus,
            adjustment,
            formula: format!("{text}: kept {kept}, returned {}", -adjustment),
        })
    } else {
        let loss = Ratio::int(i128::from(-surplus.0));
        let mut lo = Ratio::ZERO;
        let mut fund = Ratio::ZERO;
        let mut parts = Vec::new();
        for b in &rule.overspend {
            let hi = match b.up_to {
                Some(u) => c.checked_mul(u.0)?,
                None => loss,
            };
            let top = if cmp(hi, loss).is_lt() { hi } else { loss };
            if cmp(top, lo).is_gt() {
                let overlap = top.checked_add(lo.mul_int(-1))?;
                fund = fund.checked_add(overlap.checked_mul(b.fund_share.0)?)?;
                let shown = overlap
                    .round(rounding)
                    .map_or_else(|_| overlap.to_string(), |f| f.to_string());
                parts.push(format!("{shown} × {}", b.fund_share.0));
            }
            lo = hi;
            if !cmp(lo, loss).is_lt() {
                break;
            }
        }
        let adjustment = fund.round(rounding)?;
        Ok(Shared {
            surplus,
            adjustment,
            formula: format!(
                "overspend {}: fund bears {} = {adjustment}",
                -surplus,
                if parts.is_empty() {
                    "0".to_string()
                } else {
                    parts.join(" + ")
                }
            ),
        })
    }
}

fn cmp(a: Ratio, b: Ratio) -> std::cmp::Ordering {
    (a.numer() * b.denom()).cmp(&(b.numer() * a.denom()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Dec, OverspendBand};

    fn q(s: &str) -> Dec {
        Dec(s.parse().unwrap())
    }

    fn rule() -> Sharing {
        Sharing {
            surplus_keep: q("0.6"),
            surplus_cap_share: Some(q("0.1")),
            assessment_scaled: false,
            overspend: vec![
                OverspendBand {
                    up_to: Some(q("0.1")),
                    fund_share: q("0.7"),
                },
                OverspendBand {
                    up_to: Some(q("0.2")),
                    fund_share: q("0.5"),
                },
                OverspendBand {
                    up_to: None,
                    fund_share: q("0"),
                },
            ],
            source: "test".into(),
        }
    }

    #[test]
    fn surplus_and_overspend_by_hand() {
        let r = Rounding::HalfAwayFromZero;
        // cost 1,000,000 fen; paid 1,050,000: surplus 50,000 (under the 100,000 cap), keep 60%:
        // kept 30,000, returned 20,000.
        let s = share(&rule(), Fen(1_050_000), Fen(1_000_000), None, r).unwrap();
        assert_eq!((s.surplus, s.adjustment), (Fen(50_000), Fen(-20_000)));
        // paid 1,300,000: surplus 300,000, capped at 100,000, kept 60,000, returned 240,000.
        let s = share(&rule(), Fen(1_300_000), Fen(1_000_000), None, r).unwrap();
        assert_eq!(s.adjustment, Fen(-240_000));
        // paid 750,000: loss 250,000 = 100,000 × 0.7 + 100,000 × 0.5 + 50,000 × 0 = 120,000.
        let s = share(&rule(), Fen(750_000), Fen(1_000_000), None, r).unwrap();
        assert_eq!(s.adjustment, Fen(120_000));
        // Exactly at a band edge: loss 100,000 -> 70,000.
        let s = share(&rule(), Fen(900_000), Fen(1_000_000), None, r).unwrap();
        assert_eq!(s.adjustment, Fen(70_000));
        // Wenshan: the consortium bears all of it.
        let mut w = rule();
        w.overspend = vec![OverspendBand {
            up_to: None,
            fund_share: q("0"),
        }];
        assert_eq!(
            share(&w, Fen(750_000), Fen(1_000_000), None, r)
                .unwrap()
                .adjustment,
            Fen(0)
        );
        // Scaled by an assessment score of 90: keep 0.6 × 0.9 = 0.54 of 50,000 = 27,000.
        let mut a = rule();
        a.assessment_scaled = true;
        let s = share(&a, Fen(1_050_000), Fen(1_000_000), Some(Ratio::int(90)), r).unwrap();
        assert_eq!(s.adjustment, Fen(-23_000));
    }
}
