//! The pool of a case by its service line, fund type and locality, resolved once per combination
//! when the engine is built instead of scanning the pools' lists per case.
//!
//! A pool takes a case when its `service_line` is the case's and its `fund_types` and `localities`
//! each hold `"*"` or the case's value; the first such pool in policy order settles it
//! ([`scan`]). Every value a pool names is numbered per dimension, and any other value (which only
//! a `"*"` can match) shares one number, so a table over the numbers holds every answer.

use crate::lookup::{CodeIndex, LineSet};
use crate::policy::Pool;

/// The pools by value numbers.
#[derive(Debug)]
pub(crate) struct PoolIndex {
    dims: [Dimension; 3],
    /// Pool of each combination, service line slowest; `None`: no pool.
    table: Vec<Option<usize>>,
}

/// The values one dimension names, numbered from 0; the number `values.len()` is any other value.
#[derive(Debug, Default)]
struct Dimension {
    index: CodeIndex,
    values: Vec<String>,
}

impl Dimension {
    fn add(&mut self, v: &str) {
        if !self.values.iter().any(|x| x == v) {
            self.index.add(self.values.len(), [v]);
            self.values.push(v.to_string());
        }
    }

    fn id(&self, v: &str) -> usize {
        self.index.get(v).lowest().unwrap_or(self.values.len())
    }

    /// Numbers, the other value's included.
    fn len(&self) -> usize {
        self.values.len() + 1
    }

    /// Whether a list (`"*"` for any) holds the value numbered `id`.
    fn holds(&self, list: &[String], id: usize) -> bool {
        list.iter()
            .any(|x| x == "*" || self.values.get(id).is_some_and(|v| v == x))
    }
}

impl PoolIndex {
    /// Indexes `pools`; `None` when they name more values than a [`LineSet`] numbers or the table
    /// would pass 65,536 combinations (then [`scan`] answers).
    pub(crate) fn new(pools: &[Pool]) -> Option<PoolIndex> {
        let mut dims: [Dimension; 3] = Default::default();
        for p in pools {
            dims[0].add(&p.service_line);
            p.fund_types.iter().for_each(|v| dims[1].add(v));
            p.localities.iter().for_each(|v| dims[2].add(v));
        }
        let combinations: usize = dims.iter().map(Dimension::len).product();
        if dims.iter().any(|d| d.values.len() >= LineSet::CAPACITY) || combinations > 1 << 16 {
            return None;
        }
        let mut table = Vec::with_capacity(combinations);
        for s in 0..dims[0].len() {
            for f in 0..dims[1].len() {
                for l in 0..dims[2].len() {
                    table.push(pools.iter().position(|p| {
                        dims[0].values.get(s) == Some(&p.service_line)
                            && dims[1].holds(&p.fund_types, f)
                            && dims[2].holds(&p.localities, l)
                    }));
                }
            }
        }
        Some(PoolIndex { dims, table })
    }

    /// The pool of a case with these values.
    pub(crate) fn pool(
        &self,
        service_line: &str,
        fund_type: &str,
        locality: &str,
    ) -> Option<usize> {
        let [s, f, l] = &self.dims;
        let at = (s.id(service_line) * f.len() + f.id(fund_type)) * l.len() + l.id(locality);
        self.table[at]
    }
}

/// The first pool taking the case, scanning the lists.
pub(crate) fn scan(
    pools: &[Pool],
    service_line: &str,
    fund_type: &str,
    locality: &str,
) -> Option<usize> {
    let any = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
    pools.iter().position(|p| {
        p.service_line == service_line
            && any(&p.fund_types, fund_type)
            && any(&p.localities, locality)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(service_line: &str, fund_types: &[&str], localities: &[&str]) -> Pool {
        let text = format!(
            "id = \"p\"\nfund_types = {fund_types:?}\nlocalities = {localities:?}\n\
             service_line = {service_line:?}\nbudget_yuan = 1\nreserve_share = 0\n\
             closure = \"rate\"\nbasis = \"fund\"\n"
        );
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn the_table_answers_as_the_scan() {
        let sets: Vec<Vec<Pool>> = vec![
            vec![
                pool("inpatient", &["employee"], &["local", "remote"]),
                pool("inpatient", &["resident"], &["local", "remote"]),
                pool("outpatient", &["resident"], &["local"]),
            ],
            vec![
                pool("inpatient", &["employee"], &["local"]),
                pool("inpatient", &["*"], &["*"]),
                pool("outpatient", &["*", "resident"], &["remote"]),
                pool("*", &["employee"], &["*"]),
                pool("", &[""], &["local", ""]),
            ],
            vec![],
        ];
        let values = [
            "inpatient",
            "outpatient",
            "employee",
            "resident",
            "local",
            "remote",
            "*",
            "",
            "other",
            "inpatien",
        ];
        for pools in &sets {
            let index = PoolIndex::new(pools).unwrap();
            for s in values {
                for f in values {
                    for l in values {
                        assert_eq!(
                            index.pool(s, f, l),
                            scan(pools, s, f, l),
                            "{s:?} {f:?} {l:?}"
                        );
                    }
                }
            }
        }
    }
}
