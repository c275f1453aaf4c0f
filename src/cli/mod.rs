//! The `drgdip` command line: one module per subcommand.

pub mod calibrate;
pub mod compare;
pub mod demo;
pub mod dip;
pub mod drg;
pub mod gen;
pub mod group;
pub mod pipeline;
pub mod settle;
pub mod sweep;

use clap::{Parser, Subcommand};

/// CHS-DRG / DIP grouping and settlement engine.
#[derive(Parser, Debug)]
#[command(name = "drgdip", version, about)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Group discharge records (CSV) with a CHS-DRG scheme; one output row per input row.
    Group(group::GroupArgs),
    /// DIP (按病种分值): group and score records with a catalog and a policy.
    #[command(subcommand)]
    Dip(dip::DipCommand),
    /// DRG calibration: relative weights from grouped historical costs.
    #[command(subcommand)]
    Drg(drg::DrgCommand),
    /// Generate deterministic demo discharge records (CSV) for the demo region.
    Gen(gen::GenArgs),
    /// Group and settle a period's cases under a region policy; writes cases.csv, hospitals.csv,
    /// summary.json and rejected.csv.
    Settle(settle::SettleArgs),
    /// Settle the same cases under several policies (the first is the baseline) and write the
    /// deltas per hospital, group and pool, the KPIs, winners and losers.
    Compare(compare::CompareArgs),
    /// Settle a policy again at each value of one parameter (a dotted path into its TOML) and write
    /// the point values, fund balance, payments per hospital and KPIs per step.
    Sweep(sweep::SweepArgs),
    /// A month of the demo region end to end: generate, settle with the embedded demo policy, print
    /// the hospitals and pools, and write the statement files and report.html.
    Demo(demo::DemoArgs),
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<(), String> {
    match &cli.command {
        Command::Group(args) => group::run(args).map(|_| ()),
        Command::Dip(dip::DipCommand::Group(args)) => dip::group(args).map(|_| ()),
        Command::Dip(dip::DipCommand::Import(args)) => dip::import(args),
        Command::Dip(dip::DipCommand::BuildCatalog(args)) => {
            calibrate::build_catalog(args).map(|_| ())
        }
        Command::Drg(drg::DrgCommand::Weights(args)) => calibrate::drg_weights(args).map(|_| ()),
        Command::Gen(args) => gen::run(args).map(|_| ()),
        Command::Settle(args) => settle::run(args).map(|_| ()),
        Command::Compare(args) => compare::run(args).map(|_| ()),
        Command::Sweep(args) => sweep::run(args).map(|_| ()),
        Command::Demo(args) => demo::run(args).map(|_| ()),
    }
}
