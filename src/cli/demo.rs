//! `drgdip demo`: one month of the demo region end to end, in seconds. Generates the discharges
//! (`drgdip gen --cases 20000 --seed 1`, in process), writes a small capitation enrolment, groups
//! and settles them with the embedded demo scheme and policy (the `settle` command itself), prints
//! the hospitals, pools and indicators, and writes the statement files and `report.html`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser};
use settlement::policy::Policy;
use settlement::settle::Settlement;

use super::settle::{self, SettleArgs, Source};
use crate::gen::{self, Accepted, GenOptions};

/// Discharges generated: the demo policy's budgets are sized for exactly this month.
pub const CASES: u64 = 20_000;
/// Generator seed.
pub const SEED: u64 = 1;
/// Hospitals H01-H20 (3 tertiary, 7 secondary, 10 primary).
pub const HOSPITALS: usize = 20;
/// The capitation programme enrolled at the level-1 hospitals.
pub const PROGRAM: &str = "diabetes";
/// Enrolment of the level-1 hospitals H11-H20: person-months this month, and actual spending as
/// a percentage of the accrual (for a year-end reconciliation; a month run only records it).
/// Illustrative, fixed so the demo is deterministic.
pub const ENROLMENT: [(&str, u64, u64); 10] = [
    ("H11", 240, 92),
    ("H12", 180, 105),
    ("H13", 210, 98),
    ("H14", 150, 110),
    ("H15", 300, 88),
    ("H16", 120, 101),
    ("H17", 270, 95),
    ("H18", 160, 115),
    ("H19", 200, 90),
    ("H20", 230, 103),
];

/// Arguments of `drgdip demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output directory (created): discharges.csv, enrolment.csv, the settle files and report.html
    #[arg(long, default_value = "demo-out")]
    pub out: PathBuf,
}

/// The `settle` arguments parsed as on the command line, so the demo runs exactly `drgdip settle`.
#[derive(Parser)]
struct AsSettle {
    #[command(flatten)]
    args: SettleArgs,
}

/// The enrolment CSV (`hospital,program,person_months,spending`) for the demo policy's rate.
pub fn enrolment_csv(policy: &Policy) -> Result<String, String> {
    let prog = policy
        .capitation
        .iter()
        .find(|c| c.program == PROGRAM)
        .ok_or_else(|| format!("the demo policy has no [[capitation]] program {PROGRAM:?}"))?;
    let rate = i128::from(prog.rate_yuan_per_year.0 .0);
    let mut out = String::from("hospital,program,person_months,spending\n");
    for (code, months, pct) in ENROLMENT {
        // Integer fen: rate × person-months / 12 × pct / 100, rounded half up.
        let num = rate * i128::from(months) * i128::from(pct);
        let spending = (2 * num + 1200) / 2400;
        let _ = writeln!(
            out,
            "{code},{PROGRAM},{months},{}",
            gen::yuan(spending as i64)
        );
    }
    Ok(out)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `drgdip demo`; returns the settlement.
pub fn run(args: &DemoArgs) -> Result<Settlement, String> {
    let started = Instant::now();
    let dir = &args.out;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let discharges = dir.join("discharges.csv");
    let accepted =
        Accepted::from_scheme_json(gen::DEMO_SCHEME, "data/demo/scheme.json (embedded)")?;
    let opts = GenOptions {
        hospitals: HOSPITALS,
        cases: CASES,
        months: 1,
        seed: SEED,
        years: None,
    };
    let file = crate::io::create_output(&discharges)
        .map_err(|e| format!("cannot write {}: {e}", discharges.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let generated = gen::generate(&opts, &accepted, &mut w)?;
    w.flush()
        .map_err(|e| format!("cannot write {}: {e}", discharges.display()))?;

    let source = Source::load(None)?;
    let enrolment = dir.join("enrolment.csv");
    write_file(&enrolment, enrolment_csv(&source.policy)?.as_bytes())?;

    let report = dir.join("report.html");
    let argv: Vec<OsString> = vec![
        "settle".into(),
        "--cases".into(),
        discharges.clone().into(),
        "--out".into(),
        dir.clone().into(),
        "--enrolment".into(),
        enrolment.into(),
        "--report".into(),
        report.clone().into(),
    ];
    let settle_args = AsSettle::try_parse_from(argv)
        .map_err(|e| format!("demo: settle arguments: {e}"))?
        .args;
    let outcome = settle::run(&settle_args)?;
    let s = outcome.settlement;

    let h = &source.policy.policy;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "drgdip demo: {} discharges at {HOSPITALS} hospitals (seed {SEED}, {} deliberately bad) \
         settled under {} {} ({}, {})",
        crate::report::thousands(generated.cases),
        generated.bad_rows,
        h.name,
        h.version,
        match h.bundle {
            settlement::policy::BundleMethod::Drg => "DRG",
            settlement::policy::BundleMethod::Dip => "DIP",
        },
        match h.period {
            settlement::policy::Period::Month => "monthly",
            settlement::policy::Period::Year => "annual",
        },
    );
    let _ = writeln!(
        o,
        "{} settled, {} rejected\n",
        crate::report::thousands(s.settled()),
        crate::report::thousands(s.rejected_count())
    );
    let _ = writeln!(
        o,
        "Hospitals: route mix as shares of cases (bundle = DRG/DIP; FFS includes exclusions and \
         special review); CMI over bundle cases; money in yuan"
    );
    o.push_str(&crate::report::text::hospital_table(&s));
    let _ = writeln!(o, "\nPools");
    o.push_str(&crate::report::text::pool_table(&s));
    let _ = writeln!(o, "\nIndicators (definitions in report.html)");
    o.push_str(&crate::report::text::kpi_lines(&s, &outcome.figures));
    let _ = writeln!(
        o,
        "\nWritten to {}: discharges.csv enrolment.csv cases.csv hospitals.csv summary.json \
         rejected.csv report.html\nOpen {} in a browser (scripts/screenshot-report.sh {} renders \
         it to PNG).",
        dir.display(),
        report.display(),
        dir.display()
    );
    std::io::stdout()
        .write_all(o.as_bytes())
        .map_err(|e| format!("cannot write to standard output: {e}"))?;
    eprintln!(
        "drgdip demo: done in {:.2}s",
        started.elapsed().as_secs_f64()
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_is_fixed_and_priced_from_the_policy() {
        let src = Source::load(None).unwrap();
        let csv = enrolment_csv(&src.policy).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 11);
        // 6597.70 yuan a year × 240 months / 12 × 92% = 121,397.68 yuan.
        assert_eq!(lines[1], "H11,diabetes,240,121397.68");
        assert!(lines.iter().skip(1).all(|l| l.contains(",diabetes,")));
    }
}
