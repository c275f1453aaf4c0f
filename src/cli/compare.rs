//! `drgdip compare`: the same cases settled under several policies, side by side against the first
//! (the baseline): per hospital, per group, per pool, the KPIs, winners and losers.
//!
//! The cases are read once and grouped once per distinct grouping (policies that resolve to the
//! same scheme or catalog and switches share it); each policy then prices them (in parallel) and
//! closes its own ledger. Every input row is accounted for in every scenario: settled, or rejected
//! with its reason.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use settlement::engine::Engine;

pub use super::settle::SideInputs;
use super::settle::{inputs, load_grouping, SettleArgs, Source};
use crate::scenario::cases::{self, GroupingKey};
use crate::scenario::delta::{self, Table};
use crate::scenario::outcome::{self, Identity, Outcome};
use crate::scenario::summary;

/// Arguments of `drgdip compare`.
#[derive(Args, Debug, Clone)]
pub struct CompareArgs {
    /// Cases (CSV or Parquet) with the columns `settle` reads (both the DRG and the DIP grouping
    /// columns when DRG and DIP policies are compared)
    #[arg(long)]
    pub cases: PathBuf,
    /// A policy (drgdip-policy/1 TOML); give two or more, the first is the baseline
    #[arg(long = "policy", required = true)]
    pub policies: Vec<PathBuf>,
    /// A scenario's label in the tables, in the order of the policies (default: the file's stem)
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Output directory (created)
    #[arg(long)]
    pub out: PathBuf,
    /// Inputs beside the cases, as for `settle`.
    #[command(flatten)]
    pub side: SideInputs,
    /// Also write each scenario's `settle` statement files to OUT/LABEL/
    #[arg(long)]
    pub statements: bool,
    /// Hospitals listed as gaining and losing most, per scenario
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Also write a self-contained HTML report of the comparison to this file
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Labels for the policies: the given ones, or the files' stems made unique (`-2`, `-3`, …).
pub fn labels(policies: &[PathBuf], given: &[String]) -> Result<Vec<String>, String> {
    let ok = |l: &str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+'))
    };
    if !given.is_empty() {
        if given.len() != policies.len() {
            return Err(format!(
                "{} --label for {} --policy: give one label per policy, or none",
                given.len(),
                policies.len()
            ));
        }
        for (i, l) in given.iter().enumerate() {
            if !ok(l) {
                return Err(format!(
                    "--label {l:?}: use letters, digits, '-', '_' or '+'"
                ));
            }
            if given[..i].contains(l) {
                return Err(format!("--label {l:?} is given twice"));
            }
        }
        return Ok(given.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    for p in policies {
        let stem: String = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| if ok(&c.to_string()) { c } else { '_' })
            .collect();
        let stem = if stem.is_empty() {
            "policy".into()
        } else {
            stem
        };
        let mut label = stem.clone();
        let mut n = 2;
        while out.contains(&label) {
            label = format!("{stem}-{n}");
            n += 1;
        }
        out.push(label);
    }
    Ok(out)
}

/// A policy compiled for a scenario, with the index of its grouping.
pub struct Prepared {
    /// Label.
    pub label: String,
    /// Policy origin.
    pub origin: String,
    /// The compiled policy.
    pub engine: Engine,
    /// Index of its grouping.
    pub grouping: usize,
}

/// Distinct groupings: the key, the loaded grouping, and its tables' name.
pub(crate) type Groupings = Vec<(GroupingKey, super::settle::Grouping, String)>;

/// Loads a policy's grouping and weights, compiles it, and files its grouping with an equal one
/// already loaded, or as a new one.
pub(crate) fn prepare(
    label: &str,
    src: Source,
    args: &SettleArgs,
    groupings: &mut Groupings,
) -> Result<Prepared, String> {
    let (grouping, weights, tables) =
        load_grouping(&src, args).map_err(|e| format!("scenario {label}: {e}"))?;
    let key = GroupingKey::of(&src, args, &grouping)?;
    let index = match groupings.iter().position(|(k, _, _)| *k == key) {
        Some(i) => i,
        None => {
            groupings.push((key, grouping, tables));
            groupings.len() - 1
        }
    };
    crate::scenario::unsupported(&src.policy, &src.origin)
        .map_err(|e| format!("scenario {label}: {e}"))?;
    let engine = Engine::new(src.policy, weights)
        .map_err(|e| format!("scenario {label} ({}): {e}", src.origin))?;
    Ok(Prepared {
        label: label.to_string(),
        origin: src.origin,
        engine,
        grouping: index,
    })
}

/// Writes a table as CSV to `dir/name`.
pub fn write_table(dir: &Path, name: &str, t: &Table) -> Result<(), String> {
    let p = dir.join(name);
    std::fs::write(&p, t.csv()).map_err(|e| format!("cannot write {}: {e}", p.display()))
}

/// Writes a JSON document to `dir/name`.
pub fn write_json(dir: &Path, name: &str, v: &serde_json::Value) -> Result<(), String> {
    let p = dir.join(name);
    let text = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    std::fs::write(&p, text + "\n").map_err(|e| format!("cannot write {}: {e}", p.display()))
}

/// Runs `drgdip compare`; returns the scenarios' outcomes.
pub fn run(args: &CompareArgs) -> Result<Vec<Outcome>, String> {
    let started = Instant::now();
    if args.policies.len() < 2 {
        return Err("compare needs at least two --policy files (the first is the baseline)".into());
    }
    let labels = labels(&args.policies, &args.labels)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut groupings: Groupings = Vec::new();
    let mut prepared = Vec::new();
    let mut side = None;
    for (path, label) in args.policies.iter().zip(&labels) {
        let sa = args
            .side
            .settle_args(path, &args.cases, &args.out.join(label));
        let src = Source::load(Some(path)).map_err(|e| format!("scenario {label}: {e}"))?;
        prepared.push(prepare(label, src, &sa, &mut groupings)?);
        side.get_or_insert(sa);
    }
    let (inputs, approved) = inputs(side.as_ref().ok_or("no policy")?)?;
    let refs: Vec<_> = groupings.iter().map(|(_, g, _)| g).collect();
    let cases = cases::read(&args.cases, &refs, &approved, !args.side.no_map_codes)?;
    let names: Vec<String> = groupings.iter().map(|(_, _, n)| n.clone()).collect();
    eprintln!(
        "drgdip compare: {} rows read from {}, grouped {} way(s) for {} scenarios",
        cases.rows_in,
        args.cases.display(),
        groupings.len(),
        prepared.len()
    );
    drop(refs);
    drop(groupings);
    let mut outs = Vec::with_capacity(prepared.len());
    for p in &prepared {
        let rows = &cases.by_grouping[p.grouping];
        let (s, paid) = outcome::settle(&p.engine, rows, &inputs)
            .map_err(|e| format!("scenario {} ({}): {e}", p.label, p.origin))?;
        let rejected = s.rejected.len() as u64;
        if s.settled() + rejected != cases.rows_in {
            return Err(format!(
                "scenario {}: {} settled + {rejected} rejected is not the {} rows read",
                p.label,
                s.settled(),
                cases.rows_in
            ));
        }
        let tables = &names[p.grouping];
        if args.statements {
            crate::io::statement::write_all(
                &args.out.join(&p.label),
                &p.engine,
                &s,
                &p.origin,
                tables,
            )?;
        }
        eprintln!(
            "drgdip compare: {}: {} rows in, {} settled, {rejected} rejected",
            p.label,
            cases.rows_in,
            s.settled()
        );
        let id = Identity {
            label: &p.label,
            origin: &p.origin,
            tables,
            grouping: p.grouping,
        };
        outs.push(Outcome::new(&id, &p.engine, &s, paid));
    }
    let out = &args.out;
    write_table(out, "hospitals.csv", &delta::hospitals(&outs))?;
    let groups = delta::groups(&outs, &cases.by_grouping);
    write_table(out, "groups.csv", &groups)?;
    write_table(
        out,
        "crosswalk.csv",
        &delta::crosswalk(&outs, &cases.by_grouping),
    )?;
    write_table(out, "pools.csv", &delta::pools(&outs))?;
    write_table(out, "kpis.csv", &delta::kpis(&outs))?;
    write_table(out, "rejected.csv", &delta::rejected(&outs))?;
    let cases_name = args.cases.display().to_string();
    write_json(
        out,
        "summary.json",
        &summary::compare(&cases_name, &outs, &names, args.top),
    )?;
    if let Some(path) = &args.report {
        let page = crate::report::compare::Comparison {
            cases: &cases_name,
            outs: &outs,
            groupings: &names,
            groups: &groups,
            top: args.top,
        };
        crate::report::compare::write(path, &page)?;
    }
    print!("{}", crate::report::text::comparison(&outs, args.top));
    eprintln!(
        "drgdip compare: {} scenarios in {:.2}s -> {}",
        outs.len(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(outs)
}
