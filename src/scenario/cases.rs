//! The cases of a comparison or a sweep: the input is read once, and each row is grouped once per
//! distinct grouping and turned into a [`Case`] (or the reason it cannot be one), in input order.
//! Every policy that shares a grouping prices the same cases.

use std::collections::HashSet;
use std::path::Path;

use grouper::dip::DipGrouper;
use grouper::{Grouper, Options};
use rayon::prelude::*;
use settlement::case::Case;
use settlement::policy::BundleMethod;

use crate::cli::settle::{Grouping, SettleArgs, Source};
use crate::io::cases::{dip_bundle, drg_bundle, SettleColumns};
use crate::io::csv::{Columns, DipColumns};
use crate::io::rows::RowReader;

/// What makes two groupings the same: the bundle method, the bytes of the scheme (DRG) or catalog
/// (DIP) the policy resolves to, the DIP grouping switches, and code mapping. Two policies with equal
/// keys group every row alike, so the rows are grouped once for both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupingKey {
    method: BundleMethod,
    table: Vec<u8>,
    switches: String,
    map_codes: bool,
}

impl GroupingKey {
    /// The key of the grouping `load_grouping` gave a policy: the table is resolved as it does
    /// (the command line's `--scheme` / `--catalog`, else the policy's `[tables]`).
    pub(crate) fn of(
        src: &Source,
        args: &SettleArgs,
        grouping: &Grouping,
    ) -> Result<GroupingKey, String> {
        let t = &src.policy.tables;
        let read =
            |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
        let (method, table, switches) = match grouping {
            Grouping::Drg(_) => {
                let bytes = match (&args.side.scheme, &t.scheme) {
                    (Some(p), _) => read(p)?,
                    (None, Some(rel)) => src.table(rel)?.0,
                    (None, None) => Vec::new(),
                };
                (BundleMethod::Drg, bytes, String::new())
            }
            Grouping::Dip(_, policy) => {
                let bytes = match (&args.side.catalog, &t.dip_catalog) {
                    (Some(p), _) => read(p)?,
                    (None, Some(rel)) => src.table(rel)?.0,
                    (None, None) => Vec::new(),
                };
                let switches = serde_json::to_string(policy).map_err(|e| e.to_string())?;
                (BundleMethod::Dip, bytes, switches)
            }
        };
        Ok(GroupingKey {
            method,
            table,
            switches,
            map_codes: !args.side.no_map_codes,
        })
    }
}

/// An input row that is not a case under a grouping: its id (as far as it can be read) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    /// The row's id, best effort.
    pub id: String,
    /// `line N: …`.
    pub reason: String,
}

/// One input row under one grouping.
pub type Row = Result<Case, Unread>;

/// The group code of a row as the comparison tables show it: the DRG (or the grouping status when
/// it did not group), the DIP group, `(not grouped)` or `(unreadable)`.
pub fn group_code(row: &Row) -> &str {
    match row {
        Ok(c) => match c.bundle.code() {
            "" => "(not grouped)",
            code => code,
        },
        Err(_) => "(unreadable)",
    }
}

/// The input read once: how many rows, and the rows as cases under each grouping (same order as
/// the groupings given to `read`).
#[derive(Debug)]
pub struct Cases {
    /// Rows read (the header not counted).
    pub rows_in: u64,
    /// Per grouping, one entry per input row, in input order.
    pub by_grouping: Vec<Vec<Row>>,
}

enum Active<'a> {
    Drg(Grouper<'a>, Columns),
    Dip(DipGrouper<'a>, DipColumns),
}

/// Reads the cases file once, grouping each chunk of rows with every grouping (rows in parallel).
/// `approved` are the special-review ids (`--special-review`); `map_codes` maps codes through the
/// DRG schemes' code maps.
pub(crate) fn read(
    path: &Path,
    groupings: &[&Grouping],
    approved: &HashSet<String>,
    map_codes: bool,
) -> Result<Cases, String> {
    let name = path.display().to_string();
    let mut reader = RowReader::open(path)?;
    let header = reader.header().clone();
    let cols = SettleColumns::from_header(&header).map_err(|e| format!("{name}: {e}"))?;
    let options = Options {
        map_codes,
        ..Options::default()
    };
    let mut active = Vec::with_capacity(groupings.len());
    for g in groupings {
        active.push(match g {
            Grouping::Drg(s) => Active::Drg(
                Grouper::with_options(s, options),
                Columns::from_header(&header).map_err(|e| format!("{name}: {e}"))?,
            ),
            Grouping::Dip(c, p) => Active::Dip(
                DipGrouper::new(c, p),
                DipColumns::from_header(&header)
                    .map_err(|e| format!("{name}: a DIP policy needs the DIP columns: {e}"))?,
            ),
        });
    }
    let is_approved = |id: &str| approved.contains(id);
    let mut by_grouping: Vec<Vec<Row>> = vec![Vec::new(); groupings.len()];
    let mut chunk = Vec::new();
    loop {
        let line = reader.rows_read() + 2;
        let n = reader.next_chunk(&mut chunk)?;
        if n == 0 {
            break;
        }
        for (g, rows) in active.iter().zip(by_grouping.iter_mut()) {
            let cases: Vec<Row> = chunk[..n]
                .par_iter()
                .enumerate()
                .map(|(k, row)| {
                    let bundle = match g {
                        Active::Drg(gr, c) => c.record(row).map(|r| drg_bundle(&gr.group(&r))),
                        Active::Dip(gr, c) => c.record(row).map(|r| dip_bundle(&gr.group(&r))),
                    };
                    bundle
                        .and_then(|b| cols.case(row, &is_approved, b))
                        .map_err(|reason| Unread {
                            id: cols.id_lossy(row),
                            reason: format!("line {}: {reason}", line + k as u64),
                        })
                })
                .collect();
            rows.extend(cases);
        }
    }
    Ok(Cases {
        rows_in: reader.rows_read(),
        by_grouping,
    })
}
