//! A settlement run's stays before [`detect`]: the same id settled once (the first row), each
//! group's mean length of stay computed over the run, then the detection.

use std::collections::HashMap;

use settlement::money::Ratio;
use settlement::signals::{detect, SignalError, SignalRules, Signals, Stay};

/// Keeps the first stay of each id, in the order given, and drops the later ones (a run settles a
/// duplicate id once, from its first row, and rejects the others; [`detect`] refuses duplicates).
/// Returns how many were dropped. The stays keep their order; the work space is an index per
/// stay, not a copy of the stays.
pub fn keep_first_of_each_id(stays: &mut Vec<Stay>) -> u64 {
    let mut order: Vec<usize> = (0..stays.len()).collect();
    order.sort_unstable_by(|&a, &b| stays[a].id.cmp(&stays[b].id).then(a.cmp(&b)));
    let mut later = vec![false; stays.len()];
    let mut dropped = 0;
    for w in order.windows(2) {
        if stays[w[0]].id == stays[w[1]].id {
            later[w[1]] = true;
            dropped += 1;
        }
    }
    if dropped > 0 {
        let mut i = 0;
        stays.retain(|_| {
            i += 1;
            !later[i - 1]
        });
    }
    dropped
}

/// Fills [`Stay::group_mean_los`] where it is `None`: the mean LOS of the stay's group over the
/// given stays, as an exact fraction (`sum of LOS / stays with a LOS`, e.g. `73/10` for 7.3 days).
/// Every stay of the group with a LOS counts, the stay itself included; stays without a LOS are
/// left out of the mean but still get it. A stay with an empty group (not grouped), or in a group
/// where no stay has a LOS, keeps `None` (the `los.above_mean_times` rule then checks it against
/// `above_days` only). Returns the number of groups with a mean.
///
/// This is how the `above_mean_times` rule of `[signals.los]` works without a table of group
/// means: the run is its own reference. A run of one hospital or one month is a small reference;
/// an embedding system with a regional table fills the field itself, and this leaves it alone.
pub fn fill_group_mean_los(stays: &mut [Stay]) -> usize {
    let mut sums: HashMap<&str, (u64, u64)> = HashMap::new();
    for s in stays.iter() {
        if let (false, Some(los)) = (s.group.is_empty(), s.los) {
            let e = sums.entry(s.group.as_str()).or_default();
            e.0 += u64::from(los);
            e.1 += 1;
        }
    }
    let means: HashMap<String, Ratio> = sums
        .into_iter()
        .filter_map(|(g, (sum, n))| {
            let mean = Ratio::new(i128::from(sum), i128::from(n)).ok()?;
            Some((g.to_string(), mean))
        })
        .collect();
    for s in stays.iter_mut() {
        if s.group_mean_los.is_none() {
            s.group_mean_los = means.get(&s.group).copied();
        }
    }
    means.len()
}

/// What [`detect_run`] did beside the detection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Stays given.
    pub stays_in: u64,
    /// Stays with an optional column that could not be read (left `None`, see
    /// [`super::stay_lenient`]); counted by [`RunStays`], 0 from [`detect_run`].
    pub unreadable: u64,
    /// The first such problem, for a message.
    pub first_problem: Option<String>,
    /// Later stays with an id already seen, left out ([`keep_first_of_each_id`]).
    pub duplicates: u64,
    /// Groups given a mean LOS ([`fill_group_mean_los`]).
    pub groups_with_mean_los: u64,
}

/// The detection over a run's stays: [`keep_first_of_each_id`], [`fill_group_mean_los`], then
/// [`detect`]. Takes the stays by value and frees them before returning (the signals own their
/// strings), so a run's stays live no longer than needed.
pub fn detect_run(
    rules: &SignalRules,
    mut stays: Vec<Stay>,
) -> Result<(Signals, RunCounts), SignalError> {
    let stays_in = stays.len() as u64;
    let duplicates = keep_first_of_each_id(&mut stays);
    let groups = fill_group_mean_los(&mut stays) as u64;
    let signals = detect(rules, &stays)?;
    drop(stays);
    Ok((
        signals,
        RunCounts {
            stays_in,
            duplicates,
            groups_with_mean_los: groups,
            ..RunCounts::default()
        },
    ))
}

/// A settlement run's stays, collected in input order (pass 1), with a count of the stays whose
/// optional columns could not all be read.
#[derive(Clone, Debug, Default)]
pub struct RunStays {
    stays: Vec<Stay>,
    unreadable: u64,
    first_problem: Option<String>,
}

impl RunStays {
    /// Adds a stay as [`super::stay_lenient`] returns it.
    pub fn push(&mut self, (stay, problem): (Stay, Option<String>)) {
        if let Some(p) = problem {
            self.unreadable += 1;
            self.first_problem
                .get_or_insert_with(|| format!("case {}: {p}", stay.id));
        }
        self.stays.push(stay);
    }

    /// Stays collected.
    pub fn len(&self) -> usize {
        self.stays.len()
    }

    /// Whether none was collected.
    pub fn is_empty(&self) -> bool {
        self.stays.is_empty()
    }

    /// [`detect_run`] over the stays (consumed and freed), with the unreadable count.
    pub fn detect(self, rules: &SignalRules) -> Result<(Signals, RunCounts), SignalError> {
        let (signals, mut counts) = detect_run(rules, self.stays)?;
        counts.unreadable = self.unreadable;
        counts.first_problem = self.first_problem;
        Ok((signals, counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stay(id: &str, group: &str, los: Option<u32>) -> Stay {
        Stay {
            id: id.into(),
            hospital: "H1".into(),
            group: group.into(),
            los,
            ..Stay::default()
        }
    }

    #[test]
    fn group_mean_los_is_exact_per_group() {
        let mut s = vec![
            stay("a", "ES35", Some(7)),
            stay("b", "ES35", Some(8)),
            stay("c", "ES35", Some(7)),
            stay("d", "ES35", None),
            stay("e", "GB19", Some(3)),
            stay("f", "", Some(40)),
            stay("g", "FM19", None),
        ];
        s[4].group_mean_los = Some(Ratio::int(9));
        assert_eq!(fill_group_mean_los(&mut s), 2);
        let third = Ratio::new(22, 3).unwrap();
        for x in &s[..4] {
            assert_eq!(x.group_mean_los, Some(third), "{}", x.id);
        }
        assert_eq!(
            s[4].group_mean_los,
            Some(Ratio::int(9)),
            "a given mean is kept"
        );
        assert_eq!((s[5].group_mean_los, s[6].group_mean_los), (None, None));
    }

    #[test]
    fn run_stays_count_the_unreadable() {
        let mut run = RunStays::default();
        run.push((stay("a", "G", Some(2)), None));
        run.push((
            stay("b", "G", Some(3)),
            Some("admit_date \"x\": bad".into()),
        ));
        run.push((stay("c", "G", Some(4)), Some("outpatient_cost".into())));
        assert_eq!(run.len(), 3);
        let rules =
            SignalRules::from_toml("[signals.los]\nbelow_days = 3\nsource = \"t\"\n", "t").unwrap();
        let (found, counts) = run.detect(&rules).unwrap();
        assert_eq!((counts.stays_in, counts.unreadable), (3, 2));
        assert_eq!(
            counts.first_problem.as_deref(),
            Some("case b: admit_date \"x\": bad")
        );
        assert_eq!(found.cases.len(), 1);
    }

    #[test]
    fn a_stay_is_as_large_as_the_module_docs_say() {
        // The memory note of `crate::io::signals` counts 288 bytes inline per stay.
        assert!(std::mem::size_of::<Stay>() <= 288, "update the memory note");
    }

    #[test]
    fn the_first_of_an_id_is_kept() {
        let mut s = vec![
            stay("b", "X", Some(1)),
            stay("a", "X", Some(2)),
            stay("b", "X", Some(3)),
            stay("b", "X", Some(4)),
        ];
        assert_eq!(keep_first_of_each_id(&mut s), 2);
        let got: Vec<_> = s.iter().map(|x| (x.id.as_str(), x.los)).collect();
        assert_eq!(got, [("b", Some(1)), ("a", Some(2))]);
    }

    #[test]
    fn detect_run_counts_and_uses_the_run_mean() {
        let rules = SignalRules::from_toml(
            "[signals.los]\nabove_mean_times = 2\nsource = \"test\"\n",
            "test",
        )
        .unwrap();
        // Mean LOS (2 + 2 + 2 + 10) / 4 = 4: 10 > 2 × 4 fires, 2 does not.
        let stays = vec![
            stay("a", "G", Some(2)),
            stay("b", "G", Some(2)),
            stay("c", "G", Some(2)),
            stay("d", "G", Some(10)),
            stay("d", "G", Some(99)),
        ];
        let (found, counts) = detect_run(&rules, stays).unwrap();
        assert_eq!(
            counts,
            RunCounts {
                stays_in: 5,
                duplicates: 1,
                groups_with_mean_los: 1,
                ..RunCounts::default()
            }
        );
        assert_eq!(found.cases.len(), 1);
        assert_eq!(found.cases[0].id, "d");
        assert!(
            found.cases[0]
                .evidence
                .contains("LOS 10 > 2 × group G mean LOS 4.00"),
            "{}",
            found.cases[0].evidence
        );
    }
}
