//! Writing: rows of text to a Parquet file.

use crate::io::row::Row;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{BATCH_ROWS, ROW_GROUP_ROWS};

/// The Parquet type of an output column, and how its text is read.
///
/// An empty field is a null in every type but [`ColumnType::Utf8`], where it stays an empty string
/// (so text columns read back exactly as they were written). A field that does not read as its
/// column's type is an error naming the row and the column: a caller declares a type only for a
/// column it formats itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Text, as is (Arrow `Utf8`).
    Utf8,
    /// A whole number such as `-12` (Arrow `Int64`).
    Int64,
    /// An exact decimal number with at most this many decimals, such as `12.5` or `-0.05` with
    /// scale 2; stored as Arrow `Decimal128(18, scale)` and read back with exactly `scale` decimals.
    Decimal(u8),
    /// A `YYYY-MM-DD` date (Arrow `Date32`).
    Date,
}

impl ColumnType {
    /// The usual type of an output column by its name: `Int64` for money in fen (`…_fen`), else
    /// `Utf8`.
    pub fn by_name(name: &str) -> ColumnType {
        if name.ends_with("_fen") {
            ColumnType::Int64
        } else {
            ColumnType::Utf8
        }
    }

    fn data_type(self) -> DataType {
        match self {
            ColumnType::Utf8 => DataType::Utf8,
            ColumnType::Int64 => DataType::Int64,
            ColumnType::Decimal(s) => DataType::Decimal128(18, s as i8),
            ColumnType::Date => DataType::Date32,
        }
    }
}

/// One column being filled.
enum Builder {
    Utf8(StringBuilder),
    Int64(Int64Builder),
    Decimal(Decimal128Builder, u8),
    Date(Date32Builder),
}

impl Builder {
    fn new(t: ColumnType) -> Builder {
        match t {
            ColumnType::Utf8 => Builder::Utf8(StringBuilder::with_capacity(BATCH_ROWS, 1 << 18)),
            ColumnType::Int64 => Builder::Int64(Int64Builder::with_capacity(BATCH_ROWS)),
            ColumnType::Decimal(s) => Builder::Decimal(
                Decimal128Builder::with_capacity(BATCH_ROWS)
                    .with_precision_and_scale(18, s as i8)
                    .unwrap_or_else(|_| Decimal128Builder::with_capacity(BATCH_ROWS)),
                s,
            ),
            ColumnType::Date => Builder::Date(Date32Builder::with_capacity(BATCH_ROWS)),
        }
    }

    /// Appends one field, or says why it is not of the column's type.
    fn append(&mut self, field: &[u8]) -> Result<(), String> {
        let s = std::str::from_utf8(field).map_err(|_| "the field is not UTF-8".to_string())?;
        if let Builder::Utf8(b) = self {
            b.append_value(s);
            return Ok(());
        }
        let v = s.trim();
        match self {
            Builder::Utf8(_) => {}
            Builder::Int64(b) if v.is_empty() => b.append_null(),
            Builder::Int64(b) => b.append_value(
                v.parse()
                    .map_err(|_| format!("{s:?} is not a whole number"))?,
            ),
            Builder::Decimal(b, _) if v.is_empty() => b.append_null(),
            Builder::Decimal(b, scale) => {
                b.append_value(parse_decimal(v, *scale).ok_or_else(|| {
                    format!("{s:?} is not a number with at most {scale} decimals")
                })?)
            }
            Builder::Date(b) if v.is_empty() => b.append_null(),
            Builder::Date(b) => {
                let days = grouper::date::parse(v)
                    .and_then(|d| i32::try_from(d).ok())
                    .ok_or_else(|| format!("{s:?} is not a YYYY-MM-DD date"))?;
                b.append_value(days);
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Utf8(b) => Arc::new(b.finish()),
            Builder::Int64(b) => Arc::new(b.finish()),
            Builder::Decimal(b, _) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
        }
    }
}

/// `12.5` with scale 2 -> 1250, in integer arithmetic; `None` if malformed, with more decimals than
/// `scale`, or beyond 18 digits.
fn parse_decimal(v: &str, scale: u8) -> Option<i128> {
    let (neg, body) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > usize::from(scale)
    {
        return None;
    }
    let mut n: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        n = n.checked_mul(10)? + i128::from(b - b'0');
        if n >= 10i128.pow(18) {
            return None;
        }
    }
    for _ in frac.len()..usize::from(scale) {
        n *= 10;
    }
    if n >= 10i128.pow(18) {
        return None;
    }
    Some(if neg { -n } else { n })
}

/// Rows of text written to a Parquet file, typed by [`ColumnType`], with bounded memory: a record
/// batch every [`BATCH_ROWS`] rows, a row group every [`ROW_GROUP_ROWS`] rows, Zstandard (level 1)
/// compression.
///
/// Rows go in as fields ([`ParquetSink::push_record`]), as CSV-formatted bytes of whole rows
/// ([`ParquetSink::push_csv`]), or through [`std::io::Write`] as a CSV byte stream cut anywhere
/// (rows are parsed as they complete; see [`ParquetSink::with_header_row`]). [`ParquetSink::finish`]
/// writes the footer: a file that was not finished is not a Parquet file. After an error the sink
/// is unusable (its columns may be uneven): every later call fails.
pub struct ParquetSink {
    name: String,
    header: Vec<String>,
    schema: SchemaRef,
    writer: Option<ArrowWriter<File>>,
    builders: Vec<Builder>,
    buffered: usize,
    rows: u64,
    failed: bool,
    // The CSV byte stream of the `Write` path.
    pending: Vec<u8>,
    scanned: usize,
    in_quotes: bool,
    complete: usize,
    header_row: bool,
}

impl std::fmt::Debug for ParquetSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetSink")
            .field("name", &self.name)
            .field("header", &self.header)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl ParquetSink {
    /// Creates the file with these columns; `types` gives each column's type (empty: all
    /// [`ColumnType::Utf8`]).
    pub fn create(path: &Path, header: &[&str], types: &[ColumnType]) -> Result<Self, String> {
        let name = path.display().to_string();
        if !types.is_empty() && types.len() != header.len() {
            return Err(format!(
                "{name}: {} column types for {} columns",
                types.len(),
                header.len()
            ));
        }
        let type_of = |i: usize| types.get(i).copied().unwrap_or(ColumnType::Utf8);
        let fields: Vec<Field> = header
            .iter()
            .enumerate()
            .map(|(i, h)| Field::new(*h, type_of(i).data_type(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("drgdip {}", env!("CARGO_PKG_VERSION")))
            .build();
        let file = crate::io::create_output(path)
            .map_err(|e| format!("cannot create output {name}: {e}"))?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| format!("cannot write {name}: {e}"))?;
        Ok(ParquetSink {
            name,
            header: header.iter().map(|h| h.to_string()).collect(),
            schema,
            writer: Some(writer),
            builders: (0..header.len())
                .map(|i| Builder::new(type_of(i)))
                .collect(),
            buffered: 0,
            rows: 0,
            failed: false,
            pending: Vec::new(),
            scanned: 0,
            in_quotes: false,
            complete: 0,
            header_row: false,
        })
    }

    /// The bytes written through [`std::io::Write`] begin with a header row: it is checked against
    /// the sink's columns and not written as a row.
    pub fn with_header_row(mut self) -> Self {
        self.header_row = true;
        self
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends one row of fields (as many as the columns).
    pub fn push_record(&mut self, record: &Row) -> Result<(), String> {
        if self.failed {
            return Err(format!("cannot write {}: an earlier row failed", self.name));
        }
        let row = self.rows + 1;
        if record.len() != self.builders.len() {
            self.failed = true;
            return Err(format!(
                "cannot write {}: row {row} has {} fields, the header has {}",
                self.name,
                record.len(),
                self.builders.len()
            ));
        }
        for (k, (b, field)) in self.builders.iter_mut().zip(record.iter()).enumerate() {
            if let Err(e) = b.append(field) {
                self.failed = true;
                return Err(format!(
                    "cannot write {}: row {row}, column {}: {e}",
                    self.name, self.header[k]
                ));
            }
        }
        self.rows += 1;
        self.buffered += 1;
        if self.buffered >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    /// Appends whole rows formatted as CSV (RFC 4180, no header row).
    pub fn push_csv(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut reader = crate::io::csv_scan::CsvRows::with_buffer(bytes, bytes.len());
        let mut record = Row::new();
        loop {
            match reader.read(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    self.failed = true;
                    return Err(format!("cannot write {}: {e}", self.name));
                }
            }
            if self.header_row {
                self.header_row = false;
                if record.iter().ne(self.header.iter().map(|h| h.as_bytes())) {
                    self.failed = true;
                    return Err(format!(
                        "cannot write {}: the rows begin with the header {:?}, not {:?}",
                        self.name,
                        String::from_utf8_lossy(record.as_slice()),
                        self.header.join(",")
                    ));
                }
                continue;
            }
            self.push_record(&record)?;
        }
    }

    /// Writes the buffered rows as a record batch.
    fn flush_batch(&mut self) -> Result<(), String> {
        if self.buffered == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        self.buffered = 0;
        let written = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| e.to_string())
            .and_then(|batch| match self.writer.as_mut() {
                Some(w) => w.write(&batch).map_err(|e| e.to_string()),
                None => Err("already finished".into()),
            });
        written.map_err(|e| {
            self.failed = true;
            format!("cannot write {}: {e}", self.name)
        })
    }

    /// Writes the complete rows of the CSV byte stream.
    fn drain_complete(&mut self) -> Result<(), String> {
        if self.complete == 0 {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.pending);
        let done = self.push_csv(&bytes[..self.complete]);
        self.pending = bytes;
        self.pending.drain(..self.complete);
        self.scanned -= self.complete;
        self.complete = 0;
        done
    }

    /// Writes the last rows and the footer; returns the number of rows written.
    pub fn finish(mut self) -> Result<u64, String> {
        if !self.pending.is_empty() {
            self.complete = self.pending.len();
            self.drain_complete()?;
        }
        if self.failed {
            return Err(format!("cannot write {}: an earlier row failed", self.name));
        }
        self.flush_batch()?;
        if let Some(w) = self.writer.take() {
            w.close()
                .map_err(|e| format!("cannot write {}: {e}", self.name))?;
        }
        Ok(self.rows)
    }
}

/// A CSV byte stream, cut anywhere: rows are parsed and written as they complete (a newline outside
/// quotes ends a row). Call [`ParquetSink::finish`] at the end; `flush` only writes complete rows.
impl std::io::Write for ParquetSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        for (i, b) in self.pending.iter().enumerate().skip(self.scanned) {
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => self.complete = i + 1,
                _ => {}
            }
        }
        self.scanned = self.pending.len();
        if self.complete >= 1 << 20 {
            self.drain_complete().map_err(std::io::Error::other)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain_complete().map_err(std::io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_or_not_at_all() {
        assert_eq!(parse_decimal("12.34", 2), Some(1234));
        assert_eq!(parse_decimal("-0.05", 2), Some(-5));
        assert_eq!(parse_decimal("7", 2), Some(700));
        assert_eq!(parse_decimal("7.5", 2), Some(750));
        assert_eq!(parse_decimal(".5", 2), Some(50));
        assert_eq!(parse_decimal("1.234", 2), None);
        assert_eq!(parse_decimal("1e3", 2), None);
        assert_eq!(parse_decimal("-", 2), None);
        assert_eq!(parse_decimal(".", 2), None);
        assert_eq!(
            parse_decimal("9999999999999999.99", 2),
            Some(999_999_999_999_999_999)
        );
        assert_eq!(parse_decimal("10000000000000000", 2), None);
    }

    #[test]
    fn types_by_name() {
        assert_eq!(ColumnType::by_name("paid_fen"), ColumnType::Int64);
        assert_eq!(ColumnType::by_name("drg"), ColumnType::Utf8);
    }
}
