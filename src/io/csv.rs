//! Discharge records as CSV: columns found by name, rows read as raw bytes (so a bad row becomes an
//! `UNREADABLE` result instead of an error), and a small, allocation-free CSV field writer.

use crate::io::row::Row;
use std::io::Write;

use grouper::dip::{DipRecord, Insurance};
use grouper::{Codes, Num, Record};

/// DRG input columns, by name. `icu_hours` is optional; others are required. Extra columns are ignored.
pub const INPUT_COLUMNS: [&str; 11] = [
    "id",
    "gender",
    "age",
    "age_days",
    "weight",
    "dept",
    "los",
    "leaving_type",
    "diagnoses",
    "procedures",
    "icu_hours",
];

/// DIP input columns (`../shared/dip/FORMAT.md` §2.1). The dates, ages, LOS and leaving type are
/// optional; `gender` and `origin` are ignored.
pub const DIP_INPUT_COLUMNS: [&str; 13] = [
    "id",
    "hos_code",
    "insurance_type",
    "age",
    "age_days",
    "birth_date",
    "admit_date",
    "discharge_date",
    "los",
    "leaving_type",
    "diagnoses",
    "procedures",
    "total_cost",
];

/// Columns of a DIP calibration history (`dip build-catalog`); other columns are ignored.
pub const HISTORY_COLUMNS: [&str; 4] = ["year", "diagnoses", "procedures", "total_cost"];

/// Columns of grouped DRG costs (`drg weights`); `status` is optional (when present, only
/// `SUCCESS` rows are used).
pub const DRG_COST_COLUMNS: [&str; 4] = ["year", "drg", "total_cost", "status"];

/// A header problem the user must fix.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    /// A required column is absent.
    #[error("input has no column {column:?}; required columns: {required}")]
    Missing {
        /// The missing column.
        column: &'static str,
        /// All required columns.
        required: String,
    },
    /// The header row is not UTF-8.
    #[error("the header row is not valid UTF-8")]
    NotUtf8,
}

/// Finds extra columns to carry through to an output (`--keep`), by name, in the order asked.
pub fn locate_extra(header: &Row, names: &[String]) -> Result<Vec<usize>, String> {
    names
        .iter()
        .map(|n| {
            header
                .iter()
                .position(|h| {
                    std::str::from_utf8(h)
                        .is_ok_and(|s| s.trim_start_matches('\u{feff}').trim() == n)
                })
                .ok_or_else(|| format!("input has no column {n:?} to keep"))
        })
        .collect()
}

/// Appends the kept columns of a raw row (`,`-prefixed; empty when the row lacks the field or it is
/// not UTF-8).
pub fn write_kept(out: &mut Vec<u8>, row: &Row, kept: &[usize]) {
    for &i in kept {
        out.push(b',');
        let v = row
            .get(i)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        write_field(out, v);
    }
}

/// Where `N` named columns sit in a file.
#[derive(Clone, Debug)]
pub struct NamedColumns<const N: usize> {
    names: &'static [&'static str; N],
    index: [Option<usize>; N],
    width: usize,
}

impl<const N: usize> NamedColumns<N> {
    /// Locates the columns in a header row (a UTF-8 BOM and surrounding blanks are ignored); every
    /// name not in `optional` is required.
    pub fn from_header(
        header: &Row,
        names: &'static [&'static str; N],
        optional: &[&str],
    ) -> Result<Self, HeaderError> {
        let found: Vec<String> = header
            .iter()
            .map(|h| {
                std::str::from_utf8(h)
                    .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
                    .map_err(|_| HeaderError::NotUtf8)
            })
            .collect::<Result<_, _>>()?;
        let mut index = [None; N];
        for (k, col) in names.iter().enumerate() {
            index[k] = found.iter().position(|n| n == col);
            if index[k].is_none() && !optional.contains(col) {
                return Err(HeaderError::Missing {
                    column: col,
                    required: names
                        .iter()
                        .filter(|c| !optional.contains(c))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(","),
                });
            }
        }
        Ok(NamedColumns {
            names,
            index,
            width: header.len(),
        })
    }

    /// Whether the header has the column `name` (always true for a required one).
    pub fn has(&self, name: &str) -> bool {
        self.names
            .iter()
            .position(|n| *n == name)
            .is_some_and(|k| self.index[k].is_some())
    }

    /// The indexes of the columns found (the ones [`NamedColumns::fields`] reads).
    pub fn located(&self) -> Vec<usize> {
        self.index.iter().flatten().copied().collect()
    }

    /// The best-effort first column (the id) of a row that cannot be read otherwise.
    pub fn id_lossy(&self, row: &Row) -> String {
        self.index[0]
            .and_then(|i| row.get(i))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    /// The row's fields in column order (`""` for an absent optional column), or why the row cannot
    /// be read.
    pub fn fields<'a>(&self, row: &'a Row) -> Result<[&'a str; N], String> {
        self.fields_checked(Checked::new(row))
    }

    /// [`NamedColumns::fields`] of a row checked once for several readers.
    pub fn fields_checked<'a>(&self, c: Checked<'a>) -> Result<[&'a str; N], String> {
        let row = c.row;
        if row.len() != self.width {
            return Err(format!(
                "row has {} fields, the header has {}",
                row.len(),
                self.width
            ));
        }
        let mut f: [&'a str; N] = [""; N];
        // One validation of the whole row is far cheaper than one per field; a field is then a
        // slice of it. Should a field boundary split a character (each field invalid on its own
        // while the whole reads as UTF-8), the fields are checked one by one below.
        if let Some(all) = c.all {
            let mut whole = true;
            for (k, slot) in f.iter_mut().enumerate() {
                if let Some(i) = self.index[k] {
                    match row.range(i).and_then(|r| all.get(r)) {
                        Some(text) => *slot = text,
                        None => whole = false,
                    }
                }
            }
            if whole {
                return Ok(f);
            }
        }
        for (k, slot) in f.iter_mut().enumerate() {
            if let Some(i) = self.index[k] {
                let bytes = row.get(i).unwrap_or(b"");
                *slot = std::str::from_utf8(bytes)
                    .map_err(|_| format!("column {} is not valid UTF-8", self.names[k]))?;
            }
        }
        Ok(f)
    }
}

/// A row with its bytes checked as UTF-8 once, for the column readers that read it in turn (the
/// grouping's and the settlement's).
#[derive(Clone, Copy, Debug)]
pub struct Checked<'a> {
    row: &'a Row,
    /// The whole row as text, when it is valid UTF-8.
    all: Option<&'a str>,
}

impl<'a> Checked<'a> {
    /// Checks a row.
    pub fn new(row: &'a Row) -> Checked<'a> {
        Checked {
            row,
            all: std::str::from_utf8(row.as_slice()).ok(),
        }
    }

    /// The row.
    pub fn row(&self) -> &'a Row {
        self.row
    }
}

/// The DRG input columns.
#[derive(Clone, Debug)]
pub struct Columns(NamedColumns<11>);

impl Columns {
    /// Locates the DRG columns.
    pub fn from_header(header: &Row) -> Result<Columns, HeaderError> {
        NamedColumns::from_header(header, &INPUT_COLUMNS, &["icu_hours"]).map(Columns)
    }

    /// The indexes of the columns read.
    pub fn located(&self) -> Vec<usize> {
        self.0.located()
    }

    /// The best-effort id of a row.
    pub fn id_lossy(&self, row: &Row) -> String {
        self.0.id_lossy(row)
    }

    /// Reads one row as a [`Record`], or says why it cannot be read.
    pub fn record<'a>(&self, row: &'a Row) -> Result<Record<'a>, String> {
        self.record_checked(Checked::new(row))
    }

    /// [`Columns::record`] of a row checked once for several readers.
    pub fn record_checked<'a>(&self, row: Checked<'a>) -> Result<Record<'a>, String> {
        let f = self.0.fields_checked(row)?;
        Ok(Record {
            id: f[0],
            gender: f[1],
            age: Num::parse(f[2]),
            age_days: Num::parse(f[3]),
            weight: Num::parse(f[4]),
            dept: f[5],
            los: Num::parse(f[6]),
            leaving_type: f[7],
            diagnoses: Codes::Joined(f[8]),
            procedures: Codes::Joined(f[9]),
            icu_hours: Num::parse(f[10]),
        })
    }
}

/// The DIP input columns.
#[derive(Clone, Debug)]
pub struct DipColumns(NamedColumns<13>);

impl DipColumns {
    /// Locates the DIP columns.
    pub fn from_header(header: &Row) -> Result<DipColumns, HeaderError> {
        NamedColumns::from_header(
            header,
            &DIP_INPUT_COLUMNS,
            &[
                "age",
                "age_days",
                "birth_date",
                "admit_date",
                "discharge_date",
                "los",
                "leaving_type",
            ],
        )
        .map(DipColumns)
    }

    /// The indexes of the columns read.
    pub fn located(&self) -> Vec<usize> {
        self.0.located()
    }

    /// The best-effort id of a row.
    pub fn id_lossy(&self, row: &Row) -> String {
        self.0.id_lossy(row)
    }

    /// Reads one row as a [`DipRecord`], or says why it cannot be read.
    pub fn record<'a>(&self, row: &'a Row) -> Result<DipRecord<'a>, String> {
        self.record_checked(Checked::new(row))
    }

    /// [`DipColumns::record`] of a row checked once for several readers.
    pub fn record_checked<'a>(&self, row: Checked<'a>) -> Result<DipRecord<'a>, String> {
        let f = self.0.fields_checked(row)?;
        Ok(DipRecord {
            id: f[0],
            hospital: f[1],
            insurance: Insurance::parse(f[2]),
            age: Num::parse(f[3]),
            age_days: Num::parse(f[4]),
            birth_date: f[5],
            admit_date: f[6],
            discharge_date: f[7],
            los: Num::parse(f[8]),
            leaving_type: f[9],
            diagnoses: Codes::Joined(f[10]),
            procedures: Codes::Joined(f[11]),
            total_cost: Num::parse(f[12]),
        })
    }
}

/// Writes one CSV field, quoting only when needed (RFC 4180).
#[inline]
pub fn write_field(out: &mut Vec<u8>, s: &str) {
    write_field_parts(out, [s.as_bytes(), b""]);
}

/// Whether a field needs quotes: it holds a comma, a quote or a line break. Short fields (ids,
/// codes, numbers: most of a row) are scanned byte by byte, where a vectorised search costs more
/// to set up than it saves.
fn needs_quotes(b: &[u8]) -> bool {
    if b.len() < 32 {
        b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
    } else {
        memchr::memchr3(b',', b'"', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some()
    }
}

/// [`write_field`] for a field given as bytes (written as they are).
pub fn write_field_bytes(out: &mut Vec<u8>, b: &[u8]) {
    if needs_quotes(b) {
        write_field_parts(out, [b, b""]);
    } else {
        out.extend_from_slice(b);
    }
}

/// [`write_field`] for a field given as bytes in two parts (quoted as a whole when either part
/// needs it); the bytes are written as they are.
pub fn write_field_parts(out: &mut Vec<u8>, parts: [&[u8]; 2]) {
    if parts.iter().any(|p| needs_quotes(p)) {
        out.push(b'"');
        for &b in parts.iter().flat_map(|p| p.iter()) {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        for p in parts {
            out.extend_from_slice(p);
        }
    }
}

/// Writes a row of fields followed by a newline.
pub fn write_row<'f>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'f str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_field(out, f);
    }
    out.push(b'\n');
}

/// Flushes a buffer to a writer, naming the output on error.
pub fn flush_to(w: &mut impl Write, buf: &[u8], name: &str) -> Result<(), String> {
    w.write_all(buf)
        .map_err(|e| format!("cannot write {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut out = Vec::new();
        write_row(&mut out, ["a", "b,c", "say \"hi\"", ""]);
        assert_eq!(out, b"a,\"b,c\",\"say \"\"hi\"\"\",\n");
    }

    #[test]
    fn a_field_in_two_parts_is_quoted_as_a_whole() {
        let long = "x".repeat(40);
        for (parts, want) in [
            ([b"ab".as_slice(), b"cd".as_slice()], "abcd".to_string()),
            ([b"a,".as_slice(), b"b".as_slice()], "\"a,b\"".to_string()),
            (
                [b"a".as_slice(), b"\"b\"".as_slice()],
                "\"a\"\"b\"\"\"".to_string(),
            ),
            ([long.as_bytes(), b"\r".as_slice()], format!("\"{long}\r\"")),
            ([long.as_bytes(), b"".as_slice()], long.clone()),
            (
                [format!("{long},").as_bytes(), b"".as_slice()],
                format!("\"{long},\""),
            ),
        ] {
            let mut out = Vec::new();
            write_field_parts(&mut out, parts);
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    #[test]
    fn header_finds_columns_by_name_and_names_a_missing_one() {
        let h = Row::from(vec![
            "\u{feff}id",
            "extra",
            "gender",
            "age",
            "age_days",
            "weight",
            "dept",
            "los",
            "leaving_type",
            "diagnoses",
            "procedures",
        ]);
        let cols = Columns::from_header(&h).unwrap();
        let row = Row::from(vec![
            "7", "x", "2", "30", "", "", "", "5", "1", "O80.000", "",
        ]);
        let r = cols.record(&row).unwrap();
        assert_eq!((r.id, r.gender, r.los), ("7", "2", Num::Value(5.0)));
        assert_eq!(r.icu_hours, Num::Missing);

        let short = Row::from(vec!["8", "x"]);
        assert!(cols.record(&short).unwrap_err().contains("2 fields"));

        let h = Row::from(vec!["id", "gender"]);
        let e = Columns::from_header(&h).unwrap_err().to_string();
        assert!(e.contains("\"age\""), "{e}");
    }

    const NAMES: [&str; 2] = ["id", "dept"];

    fn cols() -> NamedColumns<2> {
        NamedColumns::from_header(&Row::from(vec!["id", "dept"]), &NAMES, &[]).unwrap()
    }

    #[test]
    fn a_character_split_across_two_fields_is_not_read_as_text() {
        // "中" is E4 B8 AD: the whole row reads as UTF-8, but neither field does on its own.
        let mut row = Row::new();
        row.push_field(b"a\xE4");
        row.push_field(b"\xB8\xADb");
        assert!(std::str::from_utf8(row.as_slice()).is_ok());
        let e = cols().fields(&row).unwrap_err();
        assert_eq!(e, "column id is not valid UTF-8");
    }

    #[test]
    fn valid_fields_are_slices_of_the_row() {
        let row = Row::from(vec!["病例1", "心内科"]);
        assert_eq!(cols().fields(&row).unwrap(), ["病例1", "心内科"]);
        let mut bad = Row::new();
        bad.push_field(b"ok");
        bad.push_field(b"\xFF");
        assert_eq!(
            cols().fields(&bad).unwrap_err(),
            "column dept is not valid UTF-8"
        );
    }
}
