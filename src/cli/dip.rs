//! `drgdip dip …`: DIP grouping and scoring of discharge records with a catalog and a policy.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use grouper::dip::{CompiledCatalog, DipCatalog, DipGrouper, DipGrouping, DipPolicy, DipStatus};

use super::pipeline::{self, ColumnsRead, Counts};
use crate::io::csv::{write_field, DipColumns};

/// `drgdip dip` subcommands.
#[derive(Subcommand, Debug)]
pub enum DipCommand {
    /// Group and score records with a DIP catalog and policy; one output row per input row.
    Group(DipGroupArgs),
    /// Convert a catalog (dip-catalog/1 or this project's format) to this project's format.
    Import(DipImportArgs),
    /// Build a catalog (core and comprehensive groups with scores) from historical cases.
    BuildCatalog(super::calibrate::BuildCatalogArgs),
}

/// Arguments of `drgdip dip group`.
#[derive(Args, Debug)]
pub struct DipGroupArgs {
    /// DIP catalog: this project's format (drgdip-dip/1) or the interchange format dip-catalog/1
    #[arg(long)]
    pub catalog: PathBuf,
    /// A preset (national, nodedip-base, nodedip-xiaogan) or a policy file (.toml or .json)
    #[arg(long, default_value = "national")]
    pub policy: String,
    /// Input CSV, or Parquet when the name ends in `.parquet` (columns of ../shared/dip/FORMAT.md
    /// section 2.1); `-` reads standard input (CSV)
    #[arg(long)]
    pub input: PathBuf,
    /// Output CSV, or Parquet when the name ends in `.parquet`; `-` writes standard output (CSV)
    #[arg(long)]
    pub output: PathBuf,
    /// Add a `trace` column listing every candidate and the rule that removed it
    #[arg(long)]
    pub trace: bool,
}

/// Arguments of `drgdip dip import`.
#[derive(Args, Debug)]
pub struct DipImportArgs {
    /// Catalog to read
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the catalog in this project's format
    #[arg(long)]
    pub output: PathBuf,
}

/// Status names in output order.
const STATUSES: [&str; 5] = [
    "OK",
    "PARAM_ERROR",
    "UNGROUPED",
    "NO_SETTLE_CONFIG",
    "UNREADABLE",
];

fn status_index(s: DipStatus) -> usize {
    match s {
        DipStatus::Ok => 0,
        DipStatus::ParamError => 1,
        DipStatus::Ungrouped => 2,
        DipStatus::NoSettleConfig => 3,
        DipStatus::Unreadable => 4,
    }
}

/// The output columns of `dip group`.
pub const OUTPUT_COLUMNS: [&str; 16] = [
    "id",
    "status",
    "dip_code",
    "dip_type",
    "treatment_type",
    "dip_score",
    "supplement_type",
    "supplement_name",
    "supplement_factor",
    "avg_amount",
    "deviation",
    "deviation_factor",
    "settle_score",
    "settle_amount",
    "standard_amount",
    "reason",
];

/// Loads a policy: a preset name, or a TOML / JSON file of switches (missing fields: national).
pub fn load_policy(spec: &str) -> Result<DipPolicy, String> {
    if let Some(p) = DipPolicy::preset(spec) {
        return Ok(p);
    }
    let path = Path::new(spec);
    if !path.exists() {
        return Err(format!(
            "policy {spec:?} is neither a preset ({}) nor a file",
            DipPolicy::PRESETS.join(", ")
        ));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read policy {spec}: {e}"))?;
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| format!("policy {spec}: {e}"))
    } else {
        toml::from_str(&text).map_err(|e| format!("policy {spec}: {e}"))
    }
}

/// Loads and compiles a catalog.
pub fn load_catalog(path: &Path) -> Result<CompiledCatalog, String> {
    let file = path.display().to_string();
    DipCatalog::load(path)
        .and_then(|c| c.compile(&file))
        .map_err(|e| e.to_string())
}

fn num(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(v.to_string().as_bytes());
}

/// One candidate list as a trace cell.
fn trace_cell(g: &DipGrouping<'_>) -> String {
    g.candidates
        .iter()
        .map(|c| {
            let sup = c
                .supplement
                .as_ref()
                .map_or(String::new(), |(k, b, f)| format!(", {k} {b} x{f}"));
            format!(
                "{} ({} {}, matched {}, plus {}, standard {}{sup}): {}",
                c.code,
                c.kind.as_str(),
                c.treatment_type.as_str(),
                c.matched.len(),
                c.plus_terms,
                c.standard_cost,
                c.removed_by.as_deref().unwrap_or("chosen")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn format_row(out: &mut Vec<u8>, id: &str, g: &DipGrouping<'_>, trace: bool) {
    write_field(out, id);
    out.push(b',');
    out.extend_from_slice(g.status.as_str().as_bytes());
    out.push(b',');
    if let (DipStatus::Ok, Some(group)) = (g.status, g.group) {
        write_field(out, &group.code);
        out.push(b',');
        out.extend_from_slice(g.kind.map_or("", |k| k.as_str()).as_bytes());
        out.push(b',');
        out.extend_from_slice(g.treatment_type.map_or("", |t| t.as_str()).as_bytes());
        out.push(b',');
        num(out, group.score);
        out.push(b',');
        if let Some(s) = g.supplement {
            out.extend_from_slice(s.kind.as_str().as_bytes());
            out.push(b',');
            write_field(out, &s.band);
            out.push(b',');
            num(out, s.factor);
        } else {
            out.extend_from_slice(b",,");
        }
        out.push(b',');
        num(out, g.standard_cost);
        out.push(b',');
        out.extend_from_slice(g.deviation.map_or("", |d| d.as_str()).as_bytes());
        for v in [
            g.deviation_factor,
            g.settle_score,
            g.settle_amount,
            g.standard_amount,
        ] {
            out.push(b',');
            num(out, v);
        }
        out.push(b',');
    } else {
        out.extend_from_slice(b",,,,,,,,,,,,,");
        write_field(out, g.reason.as_deref().unwrap_or(""));
    }
    if trace {
        out.push(b',');
        write_field(out, &trace_cell(g));
    }
    out.push(b'\n');
}

impl ColumnsRead for DipColumns {
    fn columns_read(&self) -> Vec<usize> {
        self.located()
    }
}

/// Runs `drgdip dip group`.
pub fn group(args: &DipGroupArgs) -> Result<Counts, String> {
    let catalog = load_catalog(&args.catalog)?;
    let policy = load_policy(&args.policy)?;
    let grouper = DipGrouper::new(&catalog, &policy);
    let mut header = OUTPUT_COLUMNS.to_vec();
    if args.trace {
        header.push("trace");
    }
    pipeline::run(
        "dip group",
        &args.input,
        &args.output,
        &header,
        &STATUSES,
        |h| DipColumns::from_header(h).map_err(|e| e.to_string()),
        |cols, rows, first, out, counts| {
            for (i, row) in rows.iter().enumerate() {
                match cols.record(row) {
                    Ok(rec) => {
                        let g = if args.trace {
                            grouper.group_traced(&rec)
                        } else {
                            grouper.group(&rec)
                        };
                        counts.counts[status_index(g.status)] += 1;
                        format_row(out, rec.id, &g, args.trace);
                    }
                    Err(problem) => {
                        let g = DipGrouping::unreadable(format!(
                            "line {}: {problem}",
                            first + i as u64
                        ));
                        counts.counts[status_index(g.status)] += 1;
                        format_row(out, &cols.id_lossy(row), &g, args.trace);
                    }
                }
            }
        },
    )
}

/// Runs `drgdip dip import`.
pub fn import(args: &DipImportArgs) -> Result<(), String> {
    let catalog = DipCatalog::load(&args.input).map_err(|e| e.to_string())?;
    let file = args.input.display().to_string();
    catalog.clone().compile(&file).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&catalog).map_err(|e| e.to_string())?;
    std::fs::write(&args.output, json)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    eprintln!(
        "drgdip dip import: {} groups, {} dictionary procedures, {} hospitals -> {}",
        catalog.groups.len(),
        catalog.procedures.len(),
        catalog.hospitals.len(),
        args.output.display()
    );
    Ok(())
}
