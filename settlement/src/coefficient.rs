//! Hospital coefficients (医疗机构系数 / 差异系数) as named components with their provenance, combined by
//! product or by sum ("基本系数 + 加成系数"), so a payment can say which parts made its coefficient.

use crate::money::{MoneyError, Ratio};

/// How the components combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// c1 × c2 × …
    Product,
    /// c1 + c2 + … (a base coefficient plus add-ons).
    Sum,
}

/// One named component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// Name (`level`, `cmi_incentive`, `key_specialty`, …).
    pub name: String,
    /// Value.
    pub value: Ratio,
    /// Where the number comes from (a cited rule, or "illustrative").
    pub provenance: String,
}

/// A hospital coefficient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coefficient {
    /// Components, in the order they are shown.
    pub components: Vec<Component>,
    /// How they combine.
    pub combine: Combine,
}

impl Coefficient {
    /// The combined value (an empty product is 1, an empty sum 0).
    pub fn value(&self) -> Result<Ratio, MoneyError> {
        let mut acc = match self.combine {
            Combine::Product => Ratio::ONE,
            Combine::Sum => Ratio::ZERO,
        };
        for c in &self.components {
            acc = match self.combine {
                Combine::Product => acc.checked_mul(c.value)?,
                Combine::Sum => acc.checked_add(c.value)?,
            };
        }
        Ok(acc)
    }

    /// `level 1.1 × cmi_incentive 1.02 = 1.122` style explanation.
    pub fn explain(&self) -> String {
        let op = match self.combine {
            Combine::Product => " × ",
            Combine::Sum => " + ",
        };
        let parts: Vec<String> = self
            .components
            .iter()
            .map(|c| format!("{} {}", c.name, c.value))
            .collect();
        match self.value() {
            Ok(v) => format!("{} = {v}", parts.join(op)),
            Err(e) => format!("{}: {e}", parts.join(op)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, v: &str) -> Component {
        Component {
            name: name.into(),
            value: v.parse().unwrap(),
            provenance: "illustrative".into(),
        }
    }

    #[test]
    fn product_and_sum() {
        let p = Coefficient {
            components: vec![c("level", "1.1"), c("cmi_incentive", "1.02")],
            combine: Combine::Product,
        };
        assert_eq!(p.value().unwrap(), "1.122".parse().unwrap());
        assert_eq!(p.explain(), "level 1.1 × cmi_incentive 1.02 = 1.122");
        let s = Coefficient {
            components: vec![
                c("base", "1.0"),
                c("teaching", "0.05"),
                c("key_specialty", "0.03"),
            ],
            combine: Combine::Sum,
        };
        assert_eq!(s.value().unwrap(), "1.08".parse().unwrap());
        let none = Coefficient {
            components: vec![],
            combine: Combine::Product,
        };
        assert_eq!(none.value().unwrap(), Ratio::ONE);
    }
}
