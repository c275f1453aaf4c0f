//! A sweep's parameter: a dotted path into a policy's TOML ([`ParamPath`]) and the values it takes
//! ([`Bound`], [`steps`]).
//!
//! A path is keys separated by dots. In a table a segment is a key (`drg.points_per_weight`,
//! `levels.1.drg_coefficient`); in an array of tables it is an index from 0 (`pools.0`) or the
//! element's `id`, `code`, `name` or `program` (`pools.resident-inpatient`,
//! `hospitals.H01.drg_coefficient.cmi_incentive.value`). The path must end at a number already in
//! the policy (an integer, a float or a decimal string such as `"0.05"`).
//!
//! A value is absolute (`0.95`, `120000000`) or relative to the policy's value, in percent
//! (`-5%`, `+2.5%`: value × (1 + p/100)). Values are exact decimals, rounded half away from zero to a
//! number of decimals (2 for keys ending in `_yuan`, the policy's money; 4 otherwise, the points'
//! scale) and written back as an integer when whole, else as a decimal string, which the policy
//! reads exactly.

use std::str::FromStr;

use settlement::money::{Ratio, Rounding};
use toml::{Table, Value};

/// A dotted path into a policy's TOML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    segments: Vec<String>,
}

impl FromStr for ParamPath {
    type Err = String;

    fn from_str(text: &str) -> Result<ParamPath, String> {
        let segments: Vec<String> = text.split('.').map(|s| s.trim().to_string()).collect();
        if text.trim().is_empty() || segments.iter().any(String::is_empty) {
            return Err(format!(
                "--param {text:?}: write a dotted path such as pools.0.budget_yuan or drg.points_per_weight"
            ));
        }
        Ok(ParamPath {
            text: text.to_string(),
            segments,
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// The names an element of an array of tables answers to.
const ELEMENT_NAMES: [&str; 4] = ["id", "code", "name", "program"];

fn element_name(v: &Value) -> Option<&str> {
    let t = v.as_table()?;
    ELEMENT_NAMES
        .iter()
        .find_map(|k| t.get(*k).and_then(Value::as_str))
}

impl ParamPath {
    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the key is an amount in yuan (ends in `_yuan`).
    pub fn is_yuan(&self) -> bool {
        self.segments.last().is_some_and(|s| s.ends_with("_yuan"))
    }

    /// The value at the path, or an error naming the segment that does not exist and what does.
    fn locate<'a>(&self, root: &'a mut Table) -> Result<&'a mut Value, String> {
        let mut at: Option<&'a mut Value> = None;
        let mut table: Option<&'a mut Table> = Some(root);
        for (i, seg) in self.segments.iter().enumerate() {
            let here = if i == 0 {
                "the top level of the policy".to_string()
            } else {
                format!("`{}`", self.segments[..i].join("."))
            };
            let err = |m: String| format!("--param {}: {m}", self.text);
            let next: &'a mut Value = match (table.take(), at.take()) {
                (Some(t), _) => {
                    if !t.contains_key(seg) {
                        let keys: Vec<&str> = t.keys().map(String::as_str).collect();
                        return Err(err(format!(
                            "{here} has no key `{seg}` (keys there: {}); the key must be in the policy file to be swept",
                            keys.join(", ")
                        )));
                    }
                    t.get_mut(seg)
                        .ok_or_else(|| err(format!("no key `{seg}`")))?
                }
                (None, Some(Value::Array(items))) => {
                    let n = items.len();
                    let k = match seg.parse::<usize>() {
                        Ok(k) if k < n => k,
                        Ok(k) => {
                            return Err(err(format!(
                                "{here} has {n} element{}: index {k} is not between 0 and {}",
                                if n == 1 { "" } else { "s" },
                                n.saturating_sub(1)
                            )))
                        }
                        Err(_) => {
                            let found: Vec<usize> = (0..n)
                                .filter(|&k| element_name(&items[k]) == Some(seg.as_str()))
                                .collect();
                            match found.as_slice() {
                                [k] => *k,
                                [] => {
                                    let names: Vec<&str> =
                                        items.iter().filter_map(element_name).collect();
                                    return Err(err(format!(
                                        "no element of {here} has id, code, name or program `{seg}` (there: {}; or give an index from 0)",
                                        names.join(", ")
                                    )));
                                }
                                _ => {
                                    return Err(err(format!(
                                        "several elements of {here} are named `{seg}`: give an index from 0"
                                    )))
                                }
                            }
                        }
                    };
                    &mut items[k]
                }
                (None, Some(v)) => {
                    return Err(err(format!(
                        "{here} is {}, not a table or an array: it has no `{seg}`",
                        kind(v)
                    )))
                }
                (None, None) => return Err(err("empty path".into())),
            };
            match next {
                Value::Table(t) => table = Some(t),
                other => at = Some(other),
            }
        }
        match (at, table) {
            (Some(v), _) => Ok(v),
            (None, Some(t)) => Err(format!(
                "--param {}: `{}` is a table (keys: {}), not a number",
                self.text,
                self.text,
                t.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
            )),
            (None, None) => Err(format!("--param {}: empty path", self.text)),
        }
    }

    /// The number at the path in `policy`, exactly.
    pub fn get(&self, policy: &Table) -> Result<Ratio, String> {
        let mut copy = policy.clone();
        let v = self.locate(&mut copy)?;
        let text = match v {
            Value::Integer(i) => i.to_string(),
            Value::Float(f) if f.is_finite() => format!("{f}"),
            Value::String(s) => s.clone(),
            other => {
                let shown = match other {
                    Value::Boolean(b) => format!(" ({b})"),
                    Value::Datetime(d) => format!(" ({d})"),
                    _ => String::new(),
                };
                return Err(format!(
                    "--param {}: the policy's value is {}{shown}, not a number: a sweep steps numbers only",
                    self.text,
                    kind(other)
                ));
            }
        };
        text.parse::<Ratio>().map_err(|_| {
            format!(
                "--param {}: the policy's value {text:?} is not a decimal number: a sweep steps numbers only",
                self.text
            )
        })
    }

    /// Sets the number at the path (which must exist): an integer when whole, else a decimal string.
    pub fn set(&self, policy: &mut Table, value: Ratio) -> Result<(), String> {
        let v = self.locate(policy)?;
        *v = if value.denom() == 1 {
            i64::try_from(value.numer())
                .map(Value::Integer)
                .unwrap_or_else(|_| Value::String(value.to_string()))
        } else {
            Value::String(value.to_string())
        };
        Ok(())
    }
}

/// One end of a range, or one listed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// The value itself.
    Absolute(Ratio),
    /// Percent change from the policy's value (`-5%` is −5).
    Relative(Ratio),
}

impl FromStr for Bound {
    type Err = String;

    fn from_str(text: &str) -> Result<Bound, String> {
        let t = text.trim();
        let bad = || {
            format!("{text:?} is not a value: write a decimal (0.95, 120000000) or a percent change (-5%, +2.5%)")
        };
        match t.strip_suffix('%') {
            Some(p) => p.trim().parse().map(Bound::Relative).map_err(|_| bad()),
            None => t.parse().map(Bound::Absolute).map_err(|_| bad()),
        }
    }
}

impl Bound {
    /// The value for a policy whose value is `base`, rounded to `decimals` places.
    pub fn resolve(self, base: Ratio, decimals: u32) -> Result<Ratio, String> {
        let exact = match self {
            Bound::Absolute(v) => v,
            Bound::Relative(p) => Ratio::int(100)
                .checked_add(p)
                .and_then(|f| base.checked_mul(f))
                .and_then(|v| v.checked_div(Ratio::int(100)))
                .map_err(|e| e.to_string())?,
        };
        let scale = 10i128.pow(decimals.min(12));
        let units = exact
            .checked_mul(Ratio::int(scale))
            .and_then(|x| x.round(Rounding::HalfAwayFromZero))
            .map_err(|e| e.to_string())?;
        Ratio::new(i128::from(units.0), scale).map_err(|e| e.to_string())
    }
}

/// A range `FROM..TO` (`0.9..1.1`, `-5%..+5%`).
pub fn range(text: &str) -> Result<(Bound, Bound), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("--range {text:?}: write FROM..TO, e.g. -5%..+5% or 0.9..1.1"))?;
    Ok((a.parse()?, b.parse()?))
}

/// `n` values evenly from `from` to `to`, both included (both absolute or both relative).
pub fn steps(from: Bound, to: Bound, n: usize) -> Result<Vec<Bound>, String> {
    let (a, b, rel) = match (from, to) {
        (Bound::Absolute(a), Bound::Absolute(b)) => (a, b, false),
        (Bound::Relative(a), Bound::Relative(b)) => (a, b, true),
        _ => {
            return Err(
                "--from and --to must both be values or both be percent changes".to_string(),
            )
        }
    };
    if n < 2 && a != b {
        return Err(format!(
            "--steps {n}: give at least 2 steps (the values from FROM to TO, both included)"
        ));
    }
    let n = n.max(1);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let t = if n == 1 {
            Ratio::ZERO
        } else {
            Ratio::new(k as i128, (n - 1) as i128).map_err(|e| e.to_string())?
        };
        let v = b
            .checked_add(a.mul_int(-1))
            .and_then(|d| d.checked_mul(t))
            .and_then(|d| a.checked_add(d))
            .map_err(|e| e.to_string())?;
        out.push(if rel {
            Bound::Relative(v)
        } else {
            Bound::Absolute(v)
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Table {
        r#"
            [drg]
            points_per_weight = 100
            [[pools]]
            id = "employee"
            fund_types = ["employee"]
            budget_yuan = 120000000
            reserve_share = "0.05"
            [[pools]]
            id = "resident"
            budget_yuan = 1000.5
            [levels.1]
            drg_coefficient = [{ name = "level", value = 0.85 }]
        "#
        .parse()
        .unwrap()
    }

    fn r(s: &str) -> Ratio {
        s.parse().unwrap()
    }

    #[test]
    fn paths_reach_tables_arrays_by_index_and_by_name() {
        let t = policy();
        let get = |p: &str| p.parse::<ParamPath>().unwrap().get(&t);
        assert_eq!(get("drg.points_per_weight"), Ok(r("100")));
        assert_eq!(get("pools.0.budget_yuan"), Ok(r("120000000")));
        assert_eq!(get("pools.resident.budget_yuan"), Ok(r("1000.5")));
        assert_eq!(get("pools.employee.reserve_share"), Ok(r("0.05")));
        assert_eq!(get("levels.1.drg_coefficient.level.value"), Ok(r("0.85")));
        let e = get("pools.nobody.budget_yuan").unwrap_err();
        assert!(e.contains("employee, resident"), "{e}");
        let e = get("drg.point_per_weight").unwrap_err();
        assert!(
            e.contains("no key `point_per_weight`") && e.contains("points_per_weight"),
            "{e}"
        );
        assert!(get("pools.2.budget_yuan")
            .unwrap_err()
            .contains("2 elements"));
        assert!(get("pools.0.id")
            .unwrap_err()
            .contains("not a decimal number"));
        assert!(get("pools.0.fund_types").is_err());
        assert!(get("drg").unwrap_err().contains("is a table"));
        assert!("a..b".parse::<ParamPath>().is_err());
    }

    #[test]
    fn values_are_exact_and_written_back_readably() {
        let mut t = policy();
        let p: ParamPath = "pools.resident.budget_yuan".parse().unwrap();
        p.set(&mut t, r("950.25")).unwrap();
        assert_eq!(p.get(&t), Ok(r("950.25")));
        p.set(&mut t, r("7")).unwrap();
        assert_eq!(t["pools"][1]["budget_yuan"], Value::Integer(7));
        let base = r("120000000");
        assert_eq!(
            "-3%".parse::<Bound>().unwrap().resolve(base, 2),
            Ok(r("116400000"))
        );
        assert_eq!(
            "1/3".parse::<Bound>().map(|_| ()),
            Err("\"1/3\" is not a value: write a decimal (0.95, 120000000) or a percent change (-5%, +2.5%)".into())
        );
        let v = steps(Bound::Absolute(r("0")), Bound::Absolute(r("1")), 4).unwrap();
        let got: Vec<Ratio> = v
            .iter()
            .map(|b| b.resolve(Ratio::ZERO, 4).unwrap())
            .collect();
        assert_eq!(got, vec![r("0"), r("0.3333"), r("0.6667"), r("1")]);
        assert_eq!(
            range("-5%..+5%"),
            Ok((Bound::Relative(r("-5")), Bound::Relative(r("5"))))
        );
        assert!(steps(Bound::Absolute(r("0")), Bound::Relative(r("1")), 3).is_err());
        assert!(steps(Bound::Absolute(r("0")), Bound::Absolute(r("1")), 1).is_err());
    }
}
