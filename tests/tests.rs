//! The integration-test binary: one binary, one module per concern.

mod conformance;
mod harness;
