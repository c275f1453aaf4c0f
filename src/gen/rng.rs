//! A small, fully specified pseudo-random generator, so a seed gives the same records on every
//! machine and with every version of every dependency.
//!
//! [`SplitMix64`] (Steele, Lea and Flood, 2014; the seeding generator of xoshiro) is the whole
//! stream: `state += 0x9E3779B97F4A7C15`, then the state is mixed by two xor-shift-multiply rounds.
//! Everything drawn from it uses only integer arithmetic and the IEEE-754 basic operations (`+ - *
//! /`, which are correctly rounded on every platform): the uniform double takes the top 53 bits, the
//! normal deviate is the Irwin–Hall sum of twelve uniforms minus six, and [`exp`] is a range reduction
//! by powers of two plus a Taylor series, never the platform's `libm`.

/// SplitMix64: 64 bits of state, period 2^64.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform double in `[0, 1)`: the top 53 bits times 2^-53 (exact).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `lo..=hi` (`lo <= hi`), by 128-bit multiply (Lemire's method without
    /// the rejection step; the bias is below 2^-32 for the small ranges used here).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo) as u64 + 1;
        lo + ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }

    /// An index drawn with the given non-negative weights (not all zero).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    /// An approximately standard normal deviate: the sum of twelve uniforms minus six
    /// (Irwin–Hall; mean 0, variance 1, bounded by ±6).
    pub fn normal(&mut self) -> f64 {
        let mut s = 0.0;
        for _ in 0..12 {
            s += self.unit();
        }
        s - 6.0
    }

    /// A lognormal draw with the given median and log-scale spread: `median × exp(sigma × z)`.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }
}

/// `e^x` for `|x| <= 700` with the basic IEEE operations only (identical on every platform):
/// `x = k ln 2 + r`, `|r| <= ln 2 / 2`, `e^r` by its Taylor series to 24 terms, times `2^k` built
/// from the exponent bits. Relative error about 1e-15: plenty for synthetic costs.
pub fn exp(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let x = x.clamp(-700.0, 700.0);
    let k = (x / LN2).round();
    let r = x - k * LN2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..24 {
        term = term * r / f64::from(n);
        sum += term;
    }
    sum * f64::from_bits(((1023 + k as i64) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // First outputs for seed 0 (the published reference sequence).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn exp_is_close_to_libm() {
        for x in [-5.0, -1.0, -0.3, 0.0, 0.5, 1.0, 2.7, 10.0] {
            let (a, b) = (exp(x), x.exp());
            assert!((a - b).abs() <= 1e-13 * b, "{x}: {a} vs {b}");
        }
    }

    #[test]
    fn range_and_weighted_stay_in_bounds() {
        let mut r = SplitMix64::new(7);
        for _ in 0..1000 {
            let v = r.range(3, 5);
            assert!((3..=5).contains(&v));
            assert!(r.weighted(&[0.0, 1.0, 0.0]) == 1);
        }
    }
}
