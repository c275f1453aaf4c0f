//! The demo-region record generator behind `drgdip gen`: realistic discharge records, the same bytes
//! for the same seed on every machine, written as they are generated (bounded memory for any count).
//!
//! - [`rng`]: the documented PRNG (SplitMix64) and platform-independent draws.
//! - [`casemix`]: hospitals by level and the kinds of stay with their codes, stays and costs.
//! - [`patients`]: `patient_id` (readmissions) and `outpatient_cost`, the columns of the supervision
//!   signals, from a second stream so that the other columns are what they were before them.
//! - dates come from [`grouper::date`] (integer arithmetic, no platform calls).
//!
//! Codes come from the demo scheme (`data/demo/scheme.json`, embedded as [`DEMO_SCHEME`]); with
//! another scheme, every code the scheme does not accept is left out of the pools (a case type whose
//! principal diagnosis or required procedure is left with no code is dropped), so the records group
//! under that scheme too. About 0.5% of the rows are deliberately bad (missing gender, an unknown
//! diagnosis code, a negative cost) so that rejection paths downstream are exercised.

pub mod casemix;
pub mod patients;
pub mod rng;

use std::collections::HashSet;
use std::io::Write;

use casemix::{CaseType, Level, Patient};
use patients::{Drawn, Patients};
use rng::SplitMix64;

/// The demo scheme (`data/demo/scheme.json`), embedded.
pub const DEMO_SCHEME: &str = include_str!("../../data/demo/scheme.json");

/// The columns written, in order (`hos_code` repeats `hospital` for `drgdip dip group`; `year` is
/// added when [`GenOptions::years`] is given). `patient_id` and `outpatient_cost` (yuan, the
/// patient's outpatient spending around the stay) feed the supervision signals ([`patients`]); the
/// columns before them are the same for a seed as before they were added.
pub const COLUMNS: [&str; 24] = [
    "id",
    "hospital",
    "hospital_level",
    "fund_type",
    "locality",
    "insurance_type",
    "gender",
    "age",
    "age_days",
    "weight",
    "dept",
    "los",
    "leaving_type",
    "diagnoses",
    "procedures",
    "icu_hours",
    "birth_date",
    "admit_date",
    "discharge_date",
    "total_cost",
    "patient_share",
    "hos_code",
    "patient_id",
    "outpatient_cost",
];

/// The share of deliberately bad rows.
pub const BAD_ROW_RATE: f64 = 0.005;

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Number of hospitals (`H01`, `H02`, …): 3 tertiary, 7 secondary, the rest primary.
    pub hospitals: usize,
    /// Number of records.
    pub cases: u64,
    /// Discharges fall in the first `months` months (1-12) of each year.
    pub months: u32,
    /// The seed: the same options and seed give the same bytes.
    pub seed: u64,
    /// Years `(first, last)`; `None` = 2025 only, without a `year` column.
    pub years: Option<(i32, i32)>,
}

/// What was generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Records written.
    pub cases: u64,
    /// Of which deliberately bad.
    pub bad_rows: u64,
    /// Rows that share the `patient_id` of an earlier row: readmissions within 30 days.
    pub readmissions: u64,
    /// Case types in use (after filtering by the scheme).
    pub case_types: usize,
}

/// The codes a scheme accepts as input: the keys of its code maps, or when it has none, the codes
/// of its lists.
#[derive(Clone, Debug, Default)]
pub struct Accepted {
    dx: HashSet<String>,
    proc: HashSet<String>,
    /// Diagnoses of the lists an ADRG rule tests (a principal outside them would enter an MDC
    /// and find no ADRG, unless a procedure decides).
    rule_dx: HashSet<String>,
    /// Diagnoses of any list.
    listed_dx: HashSet<String>,
}

impl Accepted {
    /// Reads the accepted codes of an `opendrg-scheme/1` document.
    pub fn from_scheme_json(json: &str, name: &str) -> Result<Accepted, String> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("scheme {name} is not JSON: {e}"))?;
        let keys = |map: &str| -> HashSet<String> {
            v["codes"][map]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let listed = |kind: &str| -> HashSet<String> {
            let mut s = HashSet::new();
            for l in v["lists"].as_object().into_iter().flat_map(|m| m.values()) {
                if l["kind"] == kind {
                    for c in l["codes"].as_array().into_iter().flatten() {
                        if let Some(c) = c.as_str() {
                            s.insert(c.to_string());
                        }
                    }
                }
            }
            s
        };
        let mut rule_lists = HashSet::new();
        for mdc in v["mdcs"].as_array().into_iter().flatten() {
            for step in mdc["steps"].as_array().into_iter().flatten() {
                collect_lists(&step["when"], &mut rule_lists);
            }
        }
        let mut rule_dx = HashSet::new();
        for id in &rule_lists {
            for c in v["lists"][id.as_str()]["codes"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(c) = c.as_str() {
                    rule_dx.insert(c.to_string());
                }
            }
        }
        let listed_dx = listed("dx");
        let (mut dx, mut proc) = (keys("dx_map"), keys("proc_map"));
        if dx.is_empty() {
            dx.clone_from(&listed_dx);
        }
        if proc.is_empty() {
            proc = listed("proc");
        }
        Ok(Accepted {
            dx,
            proc,
            rule_dx,
            listed_dx,
        })
    }

    /// Principal diagnoses a case type can use: accepted, and tested by an ADRG rule (or, when the
    /// case always has a procedure, in some list: the procedure decides the ADRG).
    fn keep_principal(&self, codes: &[&'static str], with_procedure: bool) -> Vec<&'static str> {
        codes
            .iter()
            .copied()
            .filter(|c| {
                self.dx.contains(*c)
                    && (self.rule_dx.contains(*c) || with_procedure && self.listed_dx.contains(*c))
            })
            .collect()
    }

    fn keep_dx(&self, codes: &[&'static str]) -> Vec<&'static str> {
        codes
            .iter()
            .copied()
            .filter(|c| self.dx.contains(*c))
            .collect()
    }

    fn keep_proc(&self, codes: &[&'static str]) -> Vec<&'static str> {
        codes
            .iter()
            .copied()
            .filter(|c| self.proc.contains(*c))
            .collect()
    }
}

/// Adds the ids of the diagnosis lists a condition tests.
fn collect_lists(cond: &serde_json::Value, out: &mut HashSet<String>) {
    if let Some(kind) = cond["kind"].as_str() {
        if kind.ends_with("_dx_in") {
            if let Some(l) = cond["list"].as_str() {
                out.insert(l.to_string());
            }
        }
    }
    for key in ["all", "any"] {
        for c in cond[key].as_array().into_iter().flatten() {
            collect_lists(c, out);
        }
    }
    if cond["not"].is_object() {
        collect_lists(&cond["not"], out);
    }
}

/// Code pools and case types restricted to what a scheme accepts.
struct Mix {
    types: Vec<CaseType>,
    comorbid: Vec<&'static str>,
    cc: Vec<&'static str>,
    mcc: Vec<&'static str>,
    newborn_cc: Vec<&'static str>,
    newborn_mcc: Vec<&'static str>,
}

impl Mix {
    fn new(acc: &Accepted) -> Mix {
        let mut types = Vec::new();
        for mut t in casemix::case_types() {
            let required = !t.procedure.is_empty() && t.procedure_rate >= 1.0;
            t.principal = acc.keep_principal(&t.principal, required);
            t.also = t
                .also
                .iter()
                .map(|a| acc.keep_dx(a))
                .filter(|a| !a.is_empty())
                .collect();
            t.procedure = acc.keep_proc(&t.procedure);
            t.extra_procedures = acc.keep_proc(&t.extra_procedures);
            if t.principal.is_empty() || (required && t.procedure.is_empty()) {
                continue;
            }
            types.push(t);
        }
        Mix {
            types,
            comorbid: acc.keep_dx(&casemix::COMORBID),
            cc: acc.keep_dx(&casemix::CC),
            mcc: acc.keep_dx(&casemix::MCC),
            newborn_cc: acc.keep_dx(&casemix::NEWBORN_CC),
            newborn_mcc: acc.keep_dx(&casemix::NEWBORN_MCC),
        }
    }
}

/// Formats fen as yuan with two decimals (`-1234` -> `-12.34`), in integer arithmetic.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Adds a secondary diagnosis from `pool` unless the pool is empty or the code is already there.
fn add_from(rng: &mut SplitMix64, pool: &[&'static str], dx: &mut Vec<&'static str>) -> bool {
    if pool.is_empty() {
        return false;
    }
    let c = *rng.pick(pool);
    if dx.contains(&c) {
        return false;
    }
    dx.push(c);
    true
}

/// Generates the records and writes them as CSV (header first) to `out` as they are made.
pub fn generate(
    opts: &GenOptions,
    accepted: &Accepted,
    out: &mut dyn Write,
) -> Result<GenSummary, String> {
    if opts.hospitals == 0 {
        return Err("--hospitals must be at least 1".into());
    }
    if !(1..=12).contains(&opts.months) {
        return Err(format!("--months must be 1 to 12, not {}", opts.months));
    }
    let mix = Mix::new(accepted);
    if mix.types.is_empty() {
        return Err("the scheme accepts none of the demo case mix's principal diagnoses (see data/demo/README.md): nothing to generate".into());
    }
    let levels: Vec<Level> = (0..opts.hospitals).map(Level::of_index).collect();
    let volumes: Vec<f64> = levels.iter().map(|l| l.volume()).collect();
    let by_level = |l: Level| -> Vec<f64> { mix.types.iter().map(|t| t.weight(l)).collect() };
    let type_weights = [
        by_level(Level::Tertiary),
        by_level(Level::Secondary),
        by_level(Level::Primary),
    ];
    let (first_year, last_year) = opts.years.unwrap_or((2025, 2025));
    let io = |e: std::io::Error| format!("cannot write the generated records: {e}");
    let mut header = COLUMNS.join(",");
    if opts.years.is_some() {
        header.push_str(",year");
    }
    header.push('\n');
    out.write_all(header.as_bytes()).map_err(io)?;

    let mut rng = SplitMix64::new(opts.seed);
    let mut patients = Patients::new(opts.seed, mix.types.len());
    let mut summary = GenSummary {
        case_types: mix.types.len(),
        ..GenSummary::default()
    };
    let mut line = String::with_capacity(256);
    for seq in 1..=opts.cases {
        let h = rng.weighted(&volumes);
        let level = levels[h];
        let weights = &type_weights[3 - level.number() as usize];
        // A level none of the kept case types occurs at takes any case type.
        let ti = if weights.iter().any(|w| *w > 0.0) {
            rng.weighted(weights)
        } else {
            rng.range(0, mix.types.len() as i64 - 1) as usize
        };
        let t = &mix.types[ti];
        let year = rng.range(i64::from(first_year), i64::from(last_year));
        let mut drawn = row(
            &mut line,
            &mut rng,
            &mix,
            t,
            opts,
            level,
            h,
            year,
            seq,
            &mut summary,
        );
        drawn.case_type = ti;
        drawn.recurs = matches!(t.patient, Patient::Adult(..));
        let (patient, outpatient) = patients.next(&format!("{year}{seq:09}"), &drawn);
        {
            use std::fmt::Write as _;
            let _ = write!(line, ",{patient},{}", yuan(outpatient));
            if opts.years.is_some() {
                let _ = write!(line, ",{year}");
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(io)?;
        summary.cases += 1;
    }
    out.flush().map_err(io)?;
    summary.readmissions = patients.readmissions;
    Ok(summary)
}

/// Draws one record and formats its columns up to `hos_code` into `line` (no line end); returns
/// what [`Patients`] needs of it (the case type and whether it recurs left for the caller).
#[allow(clippy::too_many_arguments)]
fn row(
    line: &mut String,
    rng: &mut SplitMix64,
    mix: &Mix,
    t: &CaseType,
    opts: &GenOptions,
    level: Level,
    h: usize,
    year: i64,
    seq: u64,
    summary: &mut GenSummary,
) -> Drawn {
    use std::fmt::Write as _;
    // Patient.
    let (mut gender, age, age_days, weight, newborn) = match t.patient {
        Patient::Adult(lo, hi) => {
            let g = if rng.chance(0.5) { "1" } else { "2" };
            (g, rng.range(lo.into(), hi.into()), None, None, false)
        }
        Patient::Mother(lo, hi) => ("2", rng.range(lo.into(), hi.into()), None, None, false),
        Patient::Preterm | Patient::Term => {
            let g = if rng.chance(0.5) { "1" } else { "2" };
            let days = if t.patient == Patient::Term && rng.chance(0.1) {
                rng.range(29, 300)
            } else {
                rng.range(0, 28)
            };
            let w = if t.patient == Patient::Preterm {
                rng.range(900, 2490)
            } else {
                rng.range(2500, 4200)
            };
            (g, 0, Some(days), Some(w), true)
        }
    };
    let los = rng.range(t.los.0, t.los.1);
    // Diagnoses.
    let mut dx: Vec<&'static str> = vec![*rng.pick(&t.principal)];
    for a in &t.also {
        let c = *rng.pick(a);
        if !dx.contains(&c) {
            dx.push(c);
        }
    }
    let mut severity = 1.0;
    if newborn {
        if rng.chance(0.08) && add_from(rng, &mix.newborn_mcc, &mut dx) {
            severity = 1.7;
        } else if rng.chance(0.15) && add_from(rng, &mix.newborn_cc, &mut dx) {
            severity = 1.25;
        }
    } else {
        for _ in 0..3 {
            if rng.chance(0.15 + age as f64 / 250.0) {
                add_from(rng, &mix.comorbid, &mut dx);
            }
        }
        if rng.chance(0.06) && add_from(rng, &mix.mcc, &mut dx) {
            severity = 1.7;
        } else if rng.chance(0.12) && add_from(rng, &mix.cc, &mut dx) {
            severity = 1.25;
        }
    }
    // Procedures.
    let mut procs: Vec<&'static str> = Vec::new();
    if !t.procedure.is_empty() && rng.chance(t.procedure_rate) {
        procs.push(*rng.pick(&t.procedure));
        for p in &t.extra_procedures {
            if rng.chance(0.3) && !procs.contains(p) {
                procs.push(p);
            }
        }
    }
    // Cost and payer.
    let base = if t.per_diem {
        t.median_cost * los as f64
    } else {
        t.median_cost
    };
    let cost = rng.lognormal(base, t.sigma) * level.cost_factor() * severity;
    let mut cost_fen = ((cost * 100.0).round() as i64).max(10_000);
    let employee = !newborn && rng.chance(if (18..=65).contains(&age) { 0.6 } else { 0.2 });
    let remote = rng.chance(0.06);
    let mut frac = if employee {
        0.12 + 0.13 * rng.unit()
    } else {
        0.25 + 0.2 * rng.unit()
    };
    if remote {
        frac += 0.1;
    }
    let mut share_fen = (cost_fen as f64 * frac).round() as i64;
    let leaving = ["1", "2", "4", "5", "9"][rng.weighted(&[0.955, 0.02, 0.01, 0.01, 0.005])];
    let icu = if t.name == "ventilation" {
        rng.range(96, 480)
    } else if severity > 1.5 && rng.chance(0.3) {
        rng.range(12, 120)
    } else {
        0
    };
    // Dates.
    let month = rng.range(1, opts.months.into());
    let month_days = grouper::date::days_from_civil(year, month + 1, 1)
        - grouper::date::days_from_civil(year, month, 1);
    let discharge = grouper::date::days_from_civil(year, month, rng.range(1, month_days));
    let admit = discharge - los;
    let birth = match age_days {
        Some(d) => admit - d,
        None => {
            let (ay, bm, bd) = (
                grouper::date::civil_from_days(admit).0,
                rng.range(1, 12),
                rng.range(1, 28),
            );
            let b = grouper::date::days_from_civil(ay - age, bm, bd);
            if b > admit {
                grouper::date::days_from_civil(ay - age - 1, bm, bd)
            } else {
                b
            }
        }
    };
    // A deliberately bad row now and then.
    let bad = rng.chance(BAD_ROW_RATE);
    if bad {
        summary.bad_rows += 1;
        match rng.range(0, 2) {
            0 => gender = "",
            1 => dx.push("X99.999"),
            _ => {
                cost_fen = -cost_fen;
                share_fen = 0;
            }
        }
    }
    let fund = if employee { "employee" } else { "resident" };
    let hospital = format!("H{:02}", h + 1);
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    line.clear();
    let _ = write!(
        line,
        "{year}{seq:09},{hospital},{},{fund},{},{fund},{gender},{age},{},{},{},{los},{leaving},{},{},{icu},{},{},{},{},{},{hospital}",
        level.number(),
        if remote { "remote" } else { "local" },
        opt(age_days),
        opt(weight),
        t.dept,
        dx.join("|"),
        procs.join("|"),
        grouper::date::format(birth),
        grouper::date::format(admit),
        grouper::date::format(discharge),
        yuan(cost_fen),
        yuan(share_fen),
    );
    Drawn {
        case_type: 0,
        gender,
        age,
        admit,
        discharge,
        cost_fen,
        bad,
        recurs: false,
    }
}
