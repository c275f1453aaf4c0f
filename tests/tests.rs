//! The integration-test binary: one binary, one module per concern.

mod calibrate;
mod cli;
mod conformance;
mod dip;
mod harness;
mod props;
mod schemes;
mod semantics;
