//! CHS-DRG grouping from data.
//!
//! Three types do the work:
//! - [`Scheme`]: a regional grouping scheme (`opendrg-scheme/1` JSON) compiled once into interned
//!   code ids, list bit-matrices, dense CC/MCC tables and typed condition trees;
//! - [`Grouper`]: groups [`Record`]s with a scheme — one at a time, over a slice or a stream in
//!   parallel (rayon, input order kept), or with a [`Trace`] that explains every decision;
//! - [`Grouping`]: the result — [`Status`], MDC / ADRG / DRG, DRG name, and a [`Reason`] for anything
//!   but a plain success.
//!
//! The data flow is `codes` (intern, map) -> `validate` -> `drg` (MDC -> ADRG -> DRG with `cond`,
//! `cc`, `trauma`) -> `grouping`, with `trace` observing the walk. [`dip`] groups and scores DIP
//! cases; [`calibrate`] computes DRG weights and (with [`dip::calibrate`]) DIP scores from history.
//!
//! ```
//! use grouper::{Codes, Grouper, Num, Record, Scheme, Status};
//!
//! // A one-MDC scheme: principal diagnosis in L1 enters MDCF; FT3 splits on MCC.
//! let json = r#"{
//!   "format": "opendrg-scheme/1", "version": "tiny",
//!   "mdcs": [{"mdc": "MDCF", "letter": "F",
//!             "entry": {"kind": "principal_dx_in", "list": "L1"},
//!             "steps": [{"rule": "FT3", "adrg": "FT3",
//!                        "when": {"kind": "principal_dx_in", "list": "L1"},
//!                        "drgs": [{"drg": "FT31", "when": {"kind": "has_mcc"}, "source": ""},
//!                                 {"drg": "FT35", "when": {"const": true}, "source": ""}],
//!                        "otherwise": "FT3"}]}],
//!   "or_procedures": null,
//!   "cc": {"mcc": {"I50.000": "7"}, "cc": {}, "cce": {"I20.000": "1"}},
//!   "lists": {"L1": {"kind": "dx", "codes": ["I20.000"]}},
//!   "codes": {"dx_map": {"I20.000": "I20.000", "I50.000": "I50.000"}},
//!   "drg_names": {"FT31": "冠心病，伴严重并发症或合并症"}
//! }"#;
//! let scheme = Scheme::from_json_slice(json.as_bytes(), "tiny.json").unwrap();
//! let grouper = Grouper::new(&scheme);
//! let record = Record {
//!     id: "1", gender: "1", age: Num::from(70i64), los: Num::from(8i64),
//!     diagnoses: Codes::Joined("I20.000|I50.000"),
//!     ..Record::default()
//! };
//! let g = grouper.group(&record);
//! assert_eq!((g.status, g.mdc, g.adrg, g.drg), (Status::Success, "MDCF", "FT3", "FT31"));
//!
//! let (_, trace) = grouper.group_traced(&record);
//! assert!(trace.cc.has_mcc);
//! ```
#![deny(missing_docs)]

pub mod calibrate;
mod cc;
pub mod codes;
pub mod cond;
pub mod date;
pub mod dip;
mod drg;
mod error;
mod grouping;
mod record;
pub mod scheme;
mod trace;
mod trauma;
mod validate;

pub use cc::{CcHit, CcReport};
pub use codes::{CodeId, CodeKind, Codes};
pub use drg::{GroupIter, Grouper, MappingMode, Options};
pub use error::SchemeError;
pub use grouping::{Grouping, Reason, Status};
pub use record::{Num, Record};
pub use scheme::{DrgId, DrgInfo, Scheme};
pub use trace::{Trace, TraceStep};
