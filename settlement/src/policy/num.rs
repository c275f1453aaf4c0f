//! Exact numbers in a policy file. An analyst writes `0.05`, `"0.05"` or `5` as they like; every
//! form is read as the exact decimal written (a TOML float is read through its shortest decimal
//! form, so `0.1` is one tenth, not the nearest binary fraction). Amounts are yuan with at most two
//! decimals.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::money::{Fen, Ratio};
use crate::points::Points;

/// An exact decimal from the policy file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dec(pub Ratio);

/// An amount in yuan (at most two decimals), held in fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Yuan(pub Fen);

/// Points with at most four decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pts(pub Points);

struct DecimalText;

impl Visitor<'_> for DecimalText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number (written 0.05, \"0.05\" or 5)")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("{v} is not a number a policy can use")));
        }
        // Rust prints the shortest decimal that reads back to the same float: the number as written.
        let s = format!("{v}");
        if s.contains('e') {
            return Err(E::custom(format!("write {v} without an exponent")));
        }
        Ok(s)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(DecimalText)
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = text(d)?;
        t.parse::<Ratio>().map(Dec).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = text(d)?;
        Fen::from_yuan(&t).map(Yuan).map_err(|e| {
            de::Error::custom(format!("{e} (amounts are yuan with at most 2 decimals)"))
        })
    }
}

impl<'de> Deserialize<'de> for Pts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = text(d)?;
        t.parse::<Points>().map(Pts).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct T {
        a: Dec,
        b: Dec,
        c: Dec,
        y: Yuan,
    }

    #[test]
    fn floats_ints_and_strings_read_exactly() {
        let t: T = toml::from_str("a = 0.1\nb = \"0.05\"\nc = 3\ny = 12000000.5").unwrap();
        assert_eq!(t.a.0, Ratio::new(1, 10).unwrap());
        assert_eq!(t.b.0, Ratio::new(1, 20).unwrap());
        assert_eq!(t.c.0, Ratio::int(3));
        assert_eq!(t.y.0, Fen(1_200_000_050));
        let bad = toml::from_str::<T>("a = 1\nb = 1\nc = 1\ny = 1.005");
        assert!(bad.unwrap_err().to_string().contains("at most 2 decimals"));
    }

    #[test]
    fn rounding_rules_read_by_name_and_default_to_half_away_from_zero() {
        use crate::money::Rounding;
        use crate::policy::RoundingRules;
        let r: RoundingRules =
            toml::from_str("points = \"half_even\"\nsharing = \"floor\"").unwrap();
        assert_eq!(r.points, Rounding::HalfEven);
        assert_eq!(r.sharing, Rounding::Floor);
        assert_eq!(r.amount, Rounding::HalfAwayFromZero);
        let bad = toml::from_str::<RoundingRules>("points = \"half_up\"").unwrap_err();
        assert!(bad
            .to_string()
            .contains("expected one of `half_away_from_zero`, `half_even`"));
    }
}
