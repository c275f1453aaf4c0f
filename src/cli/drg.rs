//! `drgdip drg …`: DRG commands beyond grouping.

use clap::Subcommand;

use super::calibrate::DrgWeightsArgs;

/// `drgdip drg` subcommands.
#[derive(Subcommand, Debug)]
pub enum DrgCommand {
    /// Compute DRG relative weights (group mean cost / all-case mean cost) from grouped costs.
    Weights(DrgWeightsArgs),
}
