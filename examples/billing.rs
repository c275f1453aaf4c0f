//! Embedding the engine in a hospital billing flow: one discharge is grouped and priced the moment it
//! is coded, and the trace says why. Uses only the `grouper` and `settlement` crates (no IO crates):
//! the demo scheme, weights and policy are read from `data/demo/`.
//!
//! `cargo run --release --example billing`
//!
//! A billing system would build the `Record` and `Case` from its own structs; the pricing here is the
//! case's standing before the pool closes (points and the formula, or an amount), which is what a
//! hospital can know at discharge. The fen a point is worth is known when the region closes the month.

use std::collections::HashMap;
use std::path::Path;

use grouper::{Codes, Grouper, Num, Record, Scheme, Status};
use settlement::case::{Bundle, Case, DrgOutcome, DrgResult};
use settlement::engine::{Engine, GroupWeight};
use settlement::money::Fen;
use settlement::policy::Policy;
use settlement::price::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let scheme = Scheme::load(demo.join("scheme.json"))?;
    let policy = Policy::from_toml(
        &std::fs::read_to_string(demo.join("policy.toml"))?,
        "data/demo/policy.toml",
    )?;
    let mut weights = HashMap::new();
    for line in std::fs::read_to_string(demo.join("drg-weights.csv"))?
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split(',').collect();
        weights.insert(
            f[0].to_string(),
            GroupWeight {
                weight: f[3].parse()?,
                mean_cost: Fen::from_yuan(f[2])?,
            },
        );
    }
    let engine = Engine::new(policy, weights)?;

    // A 68-year-old man, acute myocardial infarction treated with a coronary stent, 7 days.
    let record = Record {
        id: "ZY2025-000123",
        gender: "1",
        age: Num::parse("68"),
        age_days: Num::parse(""),
        weight: Num::parse(""),
        dept: "03",
        los: Num::parse("7"),
        leaving_type: "1",
        diagnoses: Codes::Joined("I21.000|I10.x00"),
        procedures: Codes::Joined("36.0700|00.6600"),
        icu_hours: Num::parse("0"),
    };
    let grouper = Grouper::new(&scheme);
    let (g, trace) = grouper.group_traced(&record);
    println!("grouping: {} {} {}", g.status.as_str(), g.drg, g.drg_name);
    println!("why:\n{trace}");

    let case = Case {
        id: record.id.to_string(),
        hospital: "H01".into(),
        hospital_level: Some(3),
        fund_type: "employee".into(),
        locality: "local".into(),
        service_line: "inpatient".into(),
        discharge_date: "2025-03-14".into(),
        los: Some(7),
        dept: "03".into(),
        principal: "I21.000".into(),
        procedures: vec!["36.0700".into(), "00.6600".into()],
        total_cost: Fen::from_yuan("61234.50")?,
        patient_share: Fen::from_yuan("9876.40")?,
        fund_amount: None,
        carve_out: None,
        special_review: false,
        bundle: Bundle::Drg(DrgResult {
            outcome: match g.status {
                Status::Success => DrgOutcome::Grouped,
                Status::Qy => DrgOutcome::Ambiguous,
                _ => DrgOutcome::Ungroupable,
            },
            code: g.drg.to_string(),
            reason: g.reason.as_ref().map(|r| r.to_string()).unwrap_or_default(),
        }),
    };
    match engine.price(&case) {
        Ok((pool, _, pricing)) => {
            let p = pricing.primary;
            println!(
                "pricing: pool {}, route {} (payment method {}), class {}",
                engine.policy.pools[pool].id,
                p.route.as_str(),
                p.route.method_code(),
                p.class.as_str()
            );
            match p.value {
                Value::Points(x) => println!("points: {x} (paid at the month's point value)"),
                Value::Standard(f) => println!(
                    "standard: {f} yuan, fund pays it less {}",
                    case.patient_share
                ),
                Value::Fund(f) => println!("fund pays: {f} yuan"),
            }
            println!("formula: {}", p.formula);
        }
        Err(r) => println!("rejected: {}", r.reason),
    }
    Ok(())
}
