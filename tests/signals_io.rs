//! Supervision signals in the CLI's formats: `drgdip gen` keeps every old column byte for byte and
//! adds `patient_id` and `outpatient_cost` (with readmissions within 30 days); stays filled from
//! generated rows through the real grouping and pricing (DRG and DIP); `signals.csv` and
//! `signal_findings.csv` columns; the group mean LOS of a run computed exactly; the scenario policy
//! `data/scenarios/demo-signals.toml` and its tables.

use drgdip::gen::{self, Accepted, GenOptions};
use settlement::slip::Key;

/// The columns `drgdip gen` wrote before the signal columns, in order.
const OLD_COLUMNS: [&str; 22] = [
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
];

/// Generated rows, in process: (header, rows).
fn generate(cases: u64, seed: u64, months: u32, years: Option<(i32, i32)>) -> Vec<csv::ByteRecord> {
    let accepted = Accepted::from_scheme_json(gen::DEMO_SCHEME, "demo").unwrap();
    let opts = GenOptions {
        hospitals: 20,
        cases,
        months,
        seed,
        years,
    };
    let mut out = Vec::new();
    gen::generate(&opts, &accepted, &mut out).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    r.byte_records().map(Result::unwrap).collect()
}

fn position(header: &csv::ByteRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name.as_bytes())
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The old columns of every row (header included) as CSV text, and its XXH3-128 fingerprint.
fn old_columns(rows: &[csv::ByteRecord], extra: &[&str]) -> (String, Key) {
    let idx: Vec<usize> = OLD_COLUMNS
        .iter()
        .chain(extra)
        .map(|c| position(&rows[0], c))
        .collect();
    let mut text = Vec::new();
    for r in rows {
        drgdip::io::csv::write_row(
            &mut text,
            idx.iter().map(|&i| std::str::from_utf8(&r[i]).unwrap()),
        );
    }
    let text = String::from_utf8(text).unwrap();
    let key = Key::of(&text);
    (text, key)
}

/// The fingerprints of the old columns, taken from `drgdip gen` before the signal columns were
/// added (commit 664c4cc): 20,000 rows with seed 1 (the demo month), and 5,000 rows with seed 7
/// over 2022-2024, 3 months a year (with the `year` column).
const OLD_DEMO_MONTH: Key = Key([17801900911924103691, 9758222534910511483]);
const OLD_YEARS: Key = Key([3354192551097514855, 14113057905225321067]);

#[test]
fn gen_keeps_every_old_column_of_every_row() {
    let rows = generate(20_000, 1, 1, None);
    assert_eq!(rows.len(), 20_001);
    let (text, key) = old_columns(&rows, &[]);
    assert_eq!(
        text.lines().nth(1).unwrap(),
        "2025000000001,H08,2,employee,local,employee,2,30,,,05,5,9,O64.100|Z37.000,74.1x00,0,\
         1995-05-13,2025-01-14,2025-01-19,6189.10,777.89,H08",
        "the first row"
    );
    assert_eq!(key, OLD_DEMO_MONTH, "gen --cases 20000 --seed 1: old columns changed");

    let rows = generate(5_000, 7, 3, Some((2022, 2024)));
    let (_, key) = old_columns(&rows, &["year"]);
    assert_eq!(key, OLD_YEARS, "gen --years 2022-2024 --months 3 --seed 7: old columns changed");
}
