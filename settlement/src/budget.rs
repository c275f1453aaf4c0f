//! Closing a pool (统筹基金池) under the point method: the distributable amount (budget less the
//! reserve, 调节金) is shared by points, so the point value is `distributable / total points` (an exact
//! ratio) and the payments sum to the distributable amount **to the fen** (largest remainder).

use crate::money::{allocate, Fen, MoneyError, Ratio, Rounding};
use crate::points::Points;

/// The result of closing one pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolClosure {
    /// The pool's budget.
    pub budget: Fen,
    /// The reserve kept back (budget × reserve share, rounded once).
    pub reserve: Fen,
    /// budget − reserve.
    pub distributable: Fen,
    /// Σ points of the payees.
    pub total_points: Points,
    /// Fen per point, exact.
    pub point_value: Ratio,
    /// One payment per payee, in input order; they sum to `distributable` exactly.
    pub payments: Vec<Fen>,
}

/// A pool cannot be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClosureError {
    /// A payee has negative points.
    #[error("payee {index} has negative points ({points})")]
    NegativePoints {
        /// Position of the payee.
        index: usize,
        /// Its points.
        points: Points,
    },
    /// The reserve share is not in [0, 1].
    #[error("reserve share {0} is not between 0 and 1")]
    ReserveShare(Ratio),
    /// Arithmetic failure (overflow, no points to share a non-zero amount over).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Closes a pool: `reserve = round(budget × reserve_share)`, `distributable = budget − reserve`,
/// payments by points with largest-remainder allocation.
pub fn close_pool(
    budget: Fen,
    reserve_share: Ratio,
    rounding: Rounding,
    points: &[Points],
) -> Result<PoolClosure, ClosureError> {
    if reserve_share.numer() < 0 || reserve_share.numer() > reserve_share.denom() {
        return Err(ClosureError::ReserveShare(reserve_share));
    }
    if let Some((index, &p)) = points.iter().enumerate().find(|(_, p)| p.0 < 0) {
        return Err(ClosureError::NegativePoints { index, points: p });
    }
    let reserve = Ratio::int(i128::from(budget.0))
        .checked_mul(reserve_share)?
        .round(rounding)?;
    let distributable = budget - reserve;
    let total_points: Points = points.iter().copied().sum();
    let weights: Vec<u128> = points.iter().map(|p| p.0 as u128).collect();
    let payments = allocate(distributable, &weights)?;
    let point_value = if total_points.0 == 0 {
        Ratio::ZERO
    } else {
        Ratio::int(i128::from(distributable.0)).checked_div(total_points.ratio())?
    };
    Ok(PoolClosure {
        budget,
        reserve,
        distributable,
        total_points,
        point_value,
        payments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_pool() {
        // Budget 1,000,000.00 yuan, reserve 5%: 950,000.00 distributable over 1000, 2000, 3000 points.
        let c = close_pool(
            Fen(100_000_000),
            "0.05".parse().unwrap(),
            Rounding::HalfAwayFromZero,
            &[Points(10_000_000), Points(20_000_000), Points(30_000_000)],
        )
        .unwrap();
        assert_eq!(c.reserve, Fen(5_000_000));
        assert_eq!(c.distributable, Fen(95_000_000));
        // 95,000,000 fen / 6000 points = 15833.33... fen per point.
        assert_eq!(c.point_value, Ratio::new(95_000_000, 6_000).unwrap());
        // Exact shares 15,833,333⅓, 31,666,666⅔ and 47,500,000: floors leave 1 fen, which goes to
        // the largest remainder (⅔).
        assert_eq!(
            c.payments,
            [Fen(15_833_333), Fen(31_666_667), Fen(47_500_000)]
        );
        assert_eq!(c.payments.iter().copied().sum::<Fen>(), c.distributable);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let r = Rounding::HalfAwayFromZero;
        assert!(matches!(
            close_pool(Fen(100), Ratio::ZERO, r, &[Points(1), Points(-1)]),
            Err(ClosureError::NegativePoints { index: 1, .. })
        ));
        assert!(close_pool(Fen(100), "1.5".parse().unwrap(), r, &[Points(1)]).is_err());
        assert!(
            close_pool(Fen(100), Ratio::ZERO, r, &[Points(0)]).is_err(),
            "nothing to share over"
        );
        let empty = close_pool(Fen(0), Ratio::ZERO, r, &[]).unwrap();
        assert_eq!(empty.payments, Vec::<Fen>::new());
    }
}
