//! Procedure expressions of core and basic groups: `a/b/c` = any of, `a+b` = all of,
//! `a/b+c` = (a or b) and c. `+` binds weaker than `/`; there are no parentheses.

use ahash::AHashSet;

/// A parsed expression: a conjunction of parts, each a set of alternatives.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcExpr {
    parts: Vec<Vec<String>>,
    all: AHashSet<String>,
}

impl ProcExpr {
    /// Parses an expression; an empty alternative (`a//b`, `a+`) is an error.
    pub fn parse(s: &str) -> Result<ProcExpr, String> {
        let mut parts = Vec::new();
        let mut all = AHashSet::new();
        for part in s.split('+') {
            let alts: Vec<String> = part.split('/').map(|a| a.trim().to_string()).collect();
            if alts.iter().any(String::is_empty) {
                return Err(format!(
                    "procedure expression {s:?} has an empty alternative"
                ));
            }
            all.extend(alts.iter().cloned());
            parts.push(alts);
        }
        Ok(ProcExpr { parts, all })
    }

    /// Number of `+` operators (parts − 1).
    pub fn plus_terms(&self) -> usize {
        self.parts.len() - 1
    }

    /// Whether every part is satisfied by some procedure; if so, the positions of the case's
    /// procedures that appear anywhere in the expression (case order, duplicates kept).
    pub fn matches(&self, procs: &[&str]) -> Option<Vec<usize>> {
        let satisfied = self
            .parts
            .iter()
            .all(|alts| procs.iter().any(|p| alts.iter().any(|a| a == p)));
        if !satisfied {
            return None;
        }
        Some(
            procs
                .iter()
                .enumerate()
                .filter(|(_, p)| self.all.contains(**p))
                .map(|(i, _)| i)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_and_conjunctions() {
        let e = ProcExpr::parse("a/b+c").unwrap();
        assert_eq!(e.plus_terms(), 1);
        assert_eq!(e.matches(&["c", "x", "b", "b"]), Some(vec![0, 2, 3]));
        assert_eq!(e.matches(&["a", "b"]), None, "c is required");
        let single = ProcExpr::parse("a/b").unwrap();
        assert_eq!(single.matches(&["x", "b"]), Some(vec![1]));
        assert_eq!(single.matches(&["x"]), None);
        assert!(ProcExpr::parse("a//b").is_err());
        assert!(ProcExpr::parse("a+").is_err());
    }
}
