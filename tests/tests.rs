//! The integration-test binary: one binary, one module per concern.

mod calibrate;
mod cli;
mod compare;
mod conformance;
mod demo;
mod dip;
mod dip_props;
mod dip_switches;
mod harness;
mod money;
mod parquet;
mod policies;
mod props;
mod report;
mod schemes;
mod semantics;
mod settle;
mod signals_io;
