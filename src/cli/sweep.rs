//! `drgdip sweep`: one policy settled again and again with one number changed, over a range: the
//! point value, a budget, a coefficient, an outlier bound. The policy file is parsed once; each step
//! edits the parsed TOML at `--param` (a dotted path, [`crate::scenario::param`]) and validates it
//! again as a whole, so a step the policy rules reject is reported with the key, never skipped
//! silently. The cases are read and grouped once for every step.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;
use settlement::engine::Engine;
use settlement::money::Ratio;
use settlement::policy::Policy;

use super::compare::{write_json, write_table, SideInputs};
use super::settle::{inputs, load_grouping, Source};
use crate::scenario::cases;
use crate::scenario::delta::{self, delta_pct};
use crate::scenario::outcome::{self, Identity, Outcome};
use crate::scenario::param::{self, Bound, ParamPath};
use crate::scenario::sweep::{self, Status, Step};

/// Arguments of `drgdip sweep`.
#[derive(Args, Debug, Clone)]
pub struct SweepArgs {
    /// Cases (CSV or Parquet) with the columns `settle` reads
    #[arg(long)]
    pub cases: PathBuf,
    /// The policy (drgdip-policy/1 TOML); settled as written (step `base`) and at every value
    #[arg(long)]
    pub policy: PathBuf,
    /// A dotted path to a number in the policy: pools.0.budget_yuan, pools.resident-inpatient.budget_yuan,
    /// drg.points_per_weight, levels.1.drg_coefficient.level.value, dip.high.ratio, …
    #[arg(long)]
    pub param: String,
    /// First value: a number (0.95) or a change in percent of the policy's value (-5%)
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Last value, as --from
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// FROM..TO in one argument (-5%..+5%, 0.9..1.1), instead of --from and --to
    #[arg(long, allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Number of values from FROM to TO, both included (at least 2)
    #[arg(long)]
    pub steps: Option<usize>,
    /// Explicit values instead of a range, comma-separated (0.9,0.95,1 or -5%,0%,5%)
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub values: Vec<String>,
    /// Decimals each value is rounded to (half away from zero); default 2 for *_yuan keys, else 4
    #[arg(long)]
    pub decimals: Option<u32>,
    /// Output directory (created)
    #[arg(long)]
    pub out: PathBuf,
    /// Inputs beside the cases, as for `settle`.
    #[command(flatten)]
    pub side: SideInputs,
}

/// The values of the sweep, as asked (before resolving against the policy's value).
fn bounds(args: &SweepArgs) -> Result<Vec<Bound>, String> {
    let ranged = args.from.is_some() || args.to.is_some() || args.range.is_some();
    if !args.values.is_empty() {
        if ranged || args.steps.is_some() {
            return Err(
                "give either --values or a range (--from/--to or --range with --steps)".into(),
            );
        }
        return args.values.iter().map(|v| v.parse()).collect();
    }
    let (from, to) = match (&args.range, &args.from, &args.to) {
        (Some(r), None, None) => param::range(r)?,
        (None, Some(a), Some(b)) => (a.parse()?, b.parse()?),
        (None, None, None) => return Err(
            "give the values: --from X --to Y --steps N, --range X..Y --steps N, or --values a,b,c"
                .into(),
        ),
        (Some(_), _, _) => return Err("give --range or --from/--to, not both".into()),
        _ => return Err("give both --from and --to".into()),
    };
    let n = args
        .steps
        .ok_or("--steps N: how many values from FROM to TO (both included)")?;
    param::steps(from, to, n)
}

/// Runs `drgdip sweep`; returns the steps (the base first).
pub fn run(args: &SweepArgs) -> Result<Vec<Step>, String> {
    let started = Instant::now();
    let path: ParamPath = args.param.parse()?;
    let text = std::fs::read_to_string(&args.policy)
        .map_err(|e| format!("cannot read policy {}: {e}", args.policy.display()))?;
    let origin = args.policy.display().to_string();
    let table: toml::Table = text.parse().map_err(|e| format!("{origin}: {e}"))?;
    let base_src = Source::load(Some(&args.policy))?;
    crate::scenario::unsupported(&base_src.policy, &origin)?;
    let base_value = path.get(&table)?;
    let decimals = args.decimals.unwrap_or(if path.is_yuan() { 2 } else { 4 });
    let values: Vec<Ratio> = bounds(args)?
        .into_iter()
        .map(|b| b.resolve(base_value, decimals))
        .collect::<Result<_, _>>()?;

    let mut policies: Vec<(String, Ratio, Result<Policy, String>)> =
        vec![("base".into(), base_value, Ok(base_src.policy.clone()))];
    for (k, v) in values.iter().enumerate() {
        let mut t = table.clone();
        path.set(&mut t, *v)?;
        let p = Policy::from_toml_table(t, &format!("{origin} with {} = {v}", path.as_str()))
            .map_err(|e| e.to_string());
        policies.push(((k + 1).to_string(), *v, p));
    }

    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let sa = args.side.settle_args(&args.policy, &args.cases, &args.out);
    let (grouping, weights, tables) = load_grouping(&base_src, &sa)?;
    let (inputs, approved) = inputs(&sa)?;
    let cases = cases::read(
        &args.cases,
        &[&grouping],
        &approved,
        !args.side.no_map_codes,
    )?;
    drop(grouping);
    let rows = &cases.by_grouping[0];
    eprintln!(
        "drgdip sweep: {} rows read from {}, grouped once; {} = {base_value} in the policy, {} values",
        cases.rows_in,
        args.cases.display(),
        path.as_str(),
        values.len()
    );

    let mut steps = Vec::with_capacity(policies.len());
    for (label, value, policy) in policies {
        let status =
            match policy.and_then(|p| Engine::new(p, weights.clone()).map_err(|e| e.to_string())) {
                Err(m) => Status::Invalid(m),
                Ok(engine) => match outcome::settle(&engine, rows, &inputs) {
                    Err(m) => Status::Failed(m),
                    Ok((s, _)) => {
                        let id = Identity {
                            label: &label,
                            origin: &origin,
                            tables: &tables,
                            grouping: 0,
                        };
                        Status::Settled(Box::new(Outcome::new(&id, &engine, &s, Vec::new())))
                    }
                },
            };
        match &status {
            Status::Settled(o) => eprintln!(
                "drgdip sweep: step {label} ({} = {value}): {} rows in, {} settled, {} rejected",
                path.as_str(),
                o.rows_in,
                o.settled,
                o.rejected.len()
            ),
            Status::Invalid(m) => {
                eprintln!(
                    "drgdip sweep: step {label} ({} = {value}): INVALID: {m}",
                    path.as_str()
                )
            }
            Status::Failed(m) => {
                eprintln!(
                    "drgdip sweep: step {label} ({} = {value}): FAILED: {m}",
                    path.as_str()
                )
            }
        }
        steps.push(Step {
            label,
            value,
            status,
        });
    }
    if let Status::Invalid(m) | Status::Failed(m) = &steps[0].status {
        return Err(format!(
            "the policy as written cannot settle these cases: {m}"
        ));
    }

    let out = &args.out;
    write_table(out, "sweep.csv", &sweep::steps(&steps))?;
    write_table(out, "sweep-hospitals.csv", &sweep::hospitals(&steps))?;
    write_table(out, "pools.csv", &sweep::with_step(&steps, delta::pools))?;
    write_table(out, "kpis.csv", &sweep::with_step(&steps, delta::kpis))?;
    write_table(
        out,
        "rejected.csv",
        &sweep::with_step(&steps, delta::rejected),
    )?;
    write_json(
        out,
        "summary.json",
        &summary(args, &path, base_value, decimals, &steps),
    )?;
    print!("{}", crate::report::text::sweep(path.as_str(), &steps));
    let bad = steps.iter().filter(|s| s.outcome().is_none()).count();
    eprintln!(
        "drgdip sweep: {} steps settled, {bad} invalid or failed, in {:.2}s -> {}",
        steps.len() - bad,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(steps)
}

/// `summary.json` of a sweep: the parameter, every step's status and totals, the hospitals whose
/// payment moves most from the first to the last settled value, and the KPI definitions.
fn summary(
    args: &SweepArgs,
    path: &ParamPath,
    base: Ratio,
    decimals: u32,
    steps: &[Step],
) -> serde_json::Value {
    let rows: Vec<_> = steps
        .iter()
        .map(|s| {
            let (status, message) = match &s.status {
                Status::Settled(_) => ("ok", String::new()),
                Status::Invalid(m) => ("invalid", m.clone()),
                Status::Failed(m) => ("failed", m.clone()),
            };
            let o = s.outcome();
            json!({
                "step": s.label,
                "value": s.value.to_string(),
                "status": status,
                "message": message,
                "cases_settled": o.map(|o| o.settled),
                "cases_rejected": o.map(|o| o.rejected.len()),
                "payment_fen": o.map(|o| o.payment().0),
                "balance_fen": o.map(|o| o.balance().0),
                "pools": o.map(|o| o.pools.iter().map(|p| json!({
                    "id": p.id,
                    "point_value": p.point_value.map(crate::io::statement::yuan_per_point),
                    "paid_fen": p.paid.0,
                    "balance_fen": p.balance.0,
                })).collect::<Vec<_>>()),
            })
        })
        .collect();
    let sensitive: Vec<_> = sweep::most_sensitive(steps, 10)
        .into_iter()
        .map(|(c, a, b)| {
            json!({
                "hospital": c, "first_fen": a.0, "last_fen": b.0,
                "change_fen": (b - a).0, "change_pct": delta_pct(b - a, a),
            })
        })
        .collect();
    let mut definitions = serde_json::Map::new();
    if let Some(o) = steps[0].outcome() {
        for k in &o.kpis {
            definitions.insert(
                k.key.clone(),
                json!({"name": k.name, "definition": k.definition}),
            );
        }
    }
    json!({
        "cases": args.cases.display().to_string(),
        "policy": args.policy.display().to_string(),
        "param": path.as_str(),
        "policy_value": base.to_string(),
        "decimals": decimals,
        "steps": rows,
        "most_sensitive_hospitals": sensitive,
        "kpi_definitions": definitions,
    })
}
