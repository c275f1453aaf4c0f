//! The columns for the supervision signals: `patient_id` (the same person on a readmission) and
//! `outpatient_cost` (outpatient spending around the stay), drawn from their own stream so that
//! every other column of every row is exactly what the generator wrote before they existed.
//!
//! The stream is a second [`SplitMix64`] seeded with `seed ^` [`STREAM`], advanced by the same
//! three draws on every row. No row is added: a readmission is an existing row that takes the
//! `patient_id` of an earlier row (earlier in the file) of the same case type, the same gender and
//! an age at most a year apart, discharged 0 to [`READMIT_WITHIN_DAYS`] days before this row's
//! admission. The two rows' other columns were drawn independently (birth dates, hospitals and
//! costs differ), since changing them would change the old columns. Each earlier row is taken at
//! most once and the readmission becomes the patient's latest stay, so a patient's stays never
//! overlap (chains A → B → C happen). Only adults' stays pair (not deliveries or newborns), and
//! deliberately bad rows are left out.

use std::collections::VecDeque;

use super::rng::SplitMix64;

/// Mixed into the seed for the signal columns' stream ("SIGNALS1").
pub const STREAM: u64 = 0x5349_474E_414C_5331;

/// A readmission is admitted at most this many days after the earlier discharge (inclusive).
pub const READMIT_WITHIN_DAYS: i64 = 30;

/// The chance that a row looks for an earlier stay to be the readmission of.
pub const READMIT_TRY_RATE: f64 = 0.15;

/// Earlier rows kept per case type, newest last (bounded memory for any `--cases`).
const RECENT_PER_TYPE: usize = 64;

/// What the pairing needs of a generated row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Drawn {
    /// Index of the case type.
    pub case_type: usize,
    /// `1` or `2` (`""` on a bad row).
    pub gender: &'static str,
    /// Age in years.
    pub age: i64,
    /// Admission and discharge, in days since 1970-01-01.
    pub admit: i64,
    /// See `admit`.
    pub discharge: i64,
    /// Total cost in fen (negative on a bad row).
    pub cost_fen: i64,
    /// A deliberately bad row.
    pub bad: bool,
    /// A case type whose patients can come back with the same kind of stay (adults; not a
    /// delivery or a newborn).
    pub recurs: bool,
}

/// An earlier stay a later row may be the readmission of.
struct Earlier {
    gender: &'static str,
    age: i64,
    discharge: i64,
    patient: String,
}

/// The signal columns' generator.
pub(crate) struct Patients {
    rng: SplitMix64,
    recent: Vec<VecDeque<Earlier>>,
    /// Rows that took an earlier row's patient.
    pub readmissions: u64,
}

impl Patients {
    /// A generator for `types` case types.
    pub fn new(seed: u64, types: usize) -> Patients {
        Patients {
            rng: SplitMix64::new(seed ^ STREAM),
            recent: (0..types).map(|_| VecDeque::new()).collect(),
            readmissions: 0,
        }
    }

    /// The `patient_id` and `outpatient_cost` (fen) of a row whose own id is `id`.
    pub fn next(&mut self, id: &str, d: &Drawn) -> (String, i64) {
        let (try_readmit, share, spend) = (self.rng.unit(), self.rng.unit(), self.rng.unit());
        let mut patient = None;
        let pairs = d.recurs && !d.bad;
        if pairs && try_readmit < READMIT_TRY_RATE {
            if let Some(recent) = self.recent.get_mut(d.case_type) {
                let found = recent.iter().rposition(|e| {
                    let gap = d.admit - e.discharge;
                    e.gender == d.gender
                        && (e.age - d.age).abs() <= 1
                        && (0..=READMIT_WITHIN_DAYS).contains(&gap)
                });
                if let Some(e) = found.and_then(|i| recent.remove(i)) {
                    patient = Some(e.patient);
                    self.readmissions += 1;
                }
            }
        }
        let patient = patient.unwrap_or_else(|| format!("P{id}"));
        if let (true, Some(recent)) = (pairs, self.recent.get_mut(d.case_type)) {
            if recent.len() == RECENT_PER_TYPE {
                recent.pop_front();
            }
            recent.push_back(Earlier {
                gender: d.gender,
                age: d.age,
                discharge: d.discharge,
                patient: patient.clone(),
            });
        }
        (patient, outpatient_fen(share, spend, d.cost_fen))
    }
}

/// Outpatient spending around a stay, in fen, from two uniform draws: none for one stay in five,
/// a few hundred yuan for most (uniform on a log scale from 20 to 2,000 yuan), and for 3% of stays
/// between half and one and a half times the stay's own cost (spending moved out of the stay, the
/// pattern `[signals.cost_transfer]` looks for).
fn outpatient_fen(share: f64, spend: f64, cost_fen: i64) -> i64 {
    if share < 0.03 {
        (cost_fen.unsigned_abs() as f64 * (0.5 + spend)).round() as i64
    } else if share < 0.8 {
        // 2,000 fen × 100^spend: 20 to 2,000 yuan.
        (2_000.0 * super::rng::exp(spend * std::f64::consts::LN_10 * 2.0)).round() as i64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(case_type: usize, age: i64, admit: i64, discharge: i64) -> Drawn {
        Drawn {
            case_type,
            gender: "1",
            age,
            admit,
            discharge,
            cost_fen: 1_000_000,
            bad: false,
            recurs: true,
        }
    }

    #[test]
    fn outpatient_spending_ranges() {
        assert_eq!(outpatient_fen(0.9, 0.5, 1_000_000), 0);
        assert_eq!(outpatient_fen(0.5, 0.0, 1_000_000), 2_000);
        assert_eq!(outpatient_fen(0.5, 0.5, 1_000_000), 20_000);
        assert_eq!(outpatient_fen(0.01, 0.0, 1_000_000), 500_000);
        assert_eq!(outpatient_fen(0.01, 0.5, -1_000_000), 1_000_000);
    }

    #[test]
    fn a_readmission_takes_the_earlier_patient_once() {
        // Each row admitted 10 days after the previous one's discharge: every row that tries
        // pairs with the previous row (the newest candidate), so chains of one patient form.
        let mut p = Patients::new(3, 2);
        let mut prev = p.next("A", &drawn(0, 60, 100, 105)).0;
        assert_eq!(prev, "PA");
        for i in 0..2000 {
            let admit = 115 + i64::from(i) * 20;
            let id = format!("B{i}");
            let (patient, _) = p.next(&id, &drawn(0, 60, admit, admit + 10));
            assert!(patient == prev || patient == format!("P{id}"), "{patient}");
            prev = patient;
        }
        assert!((200..=400).contains(&p.readmissions), "{}", p.readmissions);
        // Another case type, age or a gap over 30 days never pairs.
        let mut p = Patients::new(3, 2);
        p.next("A", &drawn(0, 60, 100, 105));
        for i in 0..500 {
            let id = format!("C{i}");
            assert_eq!(p.next(&id, &drawn(1, 60, 110, 112)).0, format!("P{id}"));
            assert_eq!(p.next(&id, &drawn(0, 62, 110, 112)).0, format!("P{id}"));
            assert_eq!(p.next(&id, &drawn(0, 60, 136, 140)).0, format!("P{id}"));
            let newborn = Drawn {
                recurs: false,
                ..drawn(0, 60, 106, 108)
            };
            assert_eq!(p.next(&id, &newborn).0, format!("P{id}"));
        }
    }
}
