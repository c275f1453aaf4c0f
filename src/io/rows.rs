//! Rows of text in and out, as CSV or Parquet by the file name: the one place a command opens its
//! row input and output.
//!
//! [`RowReader`] hands out a header row and then chunks of rows as [`Row`]s, from a CSV
//! file (or standard input) or from a Parquet file (each value as its text, see
//! [`ParquetRows`]); [`RowWriter`] takes rows of text and writes CSV (or standard output) or Parquet.
//! [`write_rows`] writes a whole table in one call. A path ending in `.parquet` (any case) is Parquet;
//! anything else, `-` included, is CSV.
//!
//! ```no_run
//! use drgdip::io::rows::{write_rows, RowReader};
//! use drgdip::io::parquet::ColumnType;
//!
//! let mut input = RowReader::open("cases.parquet".as_ref())?;
//! let id = input.header().iter().position(|h| h == b"id").ok_or("no id column")?;
//! let mut chunk = Vec::new();
//! let mut ids = Vec::new();
//! loop {
//!     let n = input.next_chunk(&mut chunk)?;
//!     if n == 0 {
//!         break;
//!     }
//!     ids.extend(chunk[..n].iter().map(|r| String::from_utf8_lossy(&r[id]).into_owned()));
//! }
//! let rows = ids.iter().map(|id| [id.as_str(), "100"]);
//! write_rows("paid.parquet".as_ref(), &["id", "paid_fen"], &[ColumnType::Utf8, ColumnType::Int64], rows)?;
//! # Ok::<(), String>(())
//! ```

use crate::io::row::Row;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use super::csv::{flush_to, write_field};
use super::csv_scan::CsvRows;
use super::parquet::{ColumnType, ParquetRows, ParquetSink};

/// Rows per chunk when [`RowReader::next_chunk`] is given an empty buffer.
pub const CHUNK_ROWS: usize = 16 * 1024;

/// A file format, chosen by the file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV (RFC 4180, header row first); also `-`, standard input or output.
    Csv,
    /// Apache Parquet: a path ending in `.parquet`, in any case.
    Parquet,
}

impl Format {
    /// The format of a path.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("parquet") => Format::Parquet,
            _ => Format::Csv,
        }
    }
}

/// What a [`Progress`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressUnit {
    /// Bytes of a CSV file.
    Bytes,
    /// Rows of a Parquet file.
    Rows,
}

/// How far a [`RowReader`] has come (see [`RowReader::on_progress`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes or rows read so far.
    pub done: u64,
    /// Of how many, when known (not for standard input).
    pub total: Option<u64>,
    /// What is counted.
    pub unit: ProgressUnit,
}

enum Source {
    Csv(Box<CsvRows>),
    Parquet(Box<ParquetRows>),
}

/// Rows of text from a CSV or Parquet file: a header row, then chunks of rows with bounded memory.
///
/// A CSV row is read as raw fields: a row with the wrong number of fields or a field that is not
/// UTF-8 still comes out (the command says what is wrong with it). `RowReader` is `Send`, so a
/// reader thread can fill chunks while others process them.
pub struct RowReader {
    name: String,
    header: Row,
    source: Source,
    total: Option<u64>,
    rows: u64,
    hook: Option<Box<dyn FnMut(Progress) + Send>>,
}

impl std::fmt::Debug for RowReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowReader")
            .field("name", &self.name)
            .field("format", &self.format())
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl RowReader {
    /// Opens a file (`-`: standard input) and reads its header row; the format follows
    /// [`Format::of`]. Errors name the file and say what is wrong.
    pub fn open(path: &Path) -> Result<RowReader, String> {
        let name = path.display().to_string();
        if Format::of(path) == Format::Parquet {
            let rows = ParquetRows::open(path)?;
            let header = rows.header().clone();
            return Ok(RowReader {
                name,
                header,
                total: Some(rows.total_rows()),
                source: Source::Parquet(Box::new(rows)),
                rows: 0,
                hook: None,
            });
        }
        let (input, total): (Box<dyn Read + Send>, _) = if path.as_os_str() == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let f = File::open(path).map_err(|e| format!("cannot open input {name}: {e}"))?;
            let len = f.metadata().ok().map(|m| m.len());
            (Box::new(f), len)
        };
        let mut reader = Box::new(CsvRows::new(input));
        let mut header = Row::new();
        match reader.read(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(format!("input {name} is empty: no header row")),
            Err(e) => return Err(format!("cannot read input {name}: {e}")),
        }
        Ok(RowReader {
            name,
            header,
            source: Source::Csv(reader),
            total,
            rows: 0,
            hook: None,
        })
    }

    /// The input's name as given (for messages).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The format being read.
    pub fn format(&self) -> Format {
        match self.source {
            Source::Csv(_) => Format::Csv,
            Source::Parquet(_) => Format::Parquet,
        }
    }

    /// The header row (column names).
    pub fn header(&self) -> &Row {
        &self.header
    }

    /// Parquet columns to be read whose type has no text form (they read as empty fields), as
    /// `name (type)`.
    pub fn unsupported_columns(&self) -> Vec<String> {
        match &self.source {
            Source::Csv(_) => Vec::new(),
            Source::Parquet(p) => p.unsupported(),
        }
    }

    /// Reads only these columns (indexes in the header), if the format allows: in a Parquet file the
    /// other columns are not decoded and read as empty fields; a CSV row still has them all. Call it
    /// before the first chunk (the rows keep the header's width either way).
    pub fn read_only(&mut self, columns: &[usize]) -> Result<(), String> {
        match &mut self.source {
            Source::Csv(_) => Ok(()),
            Source::Parquet(p) => p.read_only(columns),
        }
    }

    /// Fills `buf` from the front with the next rows, reusing the records' allocations (an empty
    /// `buf` is first given [`CHUNK_ROWS`] records); returns how many were filled, 0 at the end.
    pub fn next_chunk(&mut self, buf: &mut Vec<Row>) -> Result<usize, String> {
        if buf.is_empty() {
            buf.resize(CHUNK_ROWS, Row::new());
        }
        let n = match &mut self.source {
            Source::Parquet(p) => p.next_chunk(buf)?,
            Source::Csv(reader) => {
                let mut n = 0;
                while n < buf.len() {
                    match reader.read(&mut buf[n]) {
                        Ok(true) => n += 1,
                        Ok(false) => break,
                        Err(e) => return Err(format!("cannot read input {}: {e}", self.name)),
                    }
                }
                n
            }
        };
        self.rows += n as u64;
        if let Some(hook) = &mut self.hook {
            let p = match &self.source {
                Source::Csv(r) => Progress {
                    done: r.position(),
                    total: self.total,
                    unit: ProgressUnit::Bytes,
                },
                Source::Parquet(_) => Progress {
                    done: self.rows,
                    total: self.total,
                    unit: ProgressUnit::Rows,
                },
            };
            hook(p);
        }
        Ok(n)
    }

    /// Rows read so far (the header not counted). The row `k` (from 0) of the next chunk is the
    /// input's line `rows_read() + 2 + k`, counting the header as line 1 (in a CSV file, as long as
    /// no field holds a line break).
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// Calls `hook` after every chunk with how far the reading has come (for a progress bar).
    pub fn on_progress(&mut self, hook: impl FnMut(Progress) + Send + 'static) {
        self.hook = Some(Box::new(hook));
    }

    /// What the progress hook counts, and the total when known, before any row is read.
    pub fn progress_total(&self) -> (ProgressUnit, Option<u64>) {
        match self.source {
            Source::Csv(_) => (ProgressUnit::Bytes, self.total),
            Source::Parquet(_) => (ProgressUnit::Rows, self.total),
        }
    }
}

enum Sink {
    Csv(BufWriter<Box<dyn Write + Send>>),
    Parquet(Box<ParquetSink>),
}

/// Rows of text to a CSV file (or standard output) or a Parquet file, by [`Format::of`]. The header
/// is written on creation; [`RowWriter::finish`] must be called at the end (a Parquet file is not
/// complete before it).
pub struct RowWriter {
    name: String,
    sink: Sink,
    line: Vec<u8>,
    record: Row,
}

impl std::fmt::Debug for RowWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowWriter")
            .field("name", &self.name)
            .field("format", &self.format())
            .finish_non_exhaustive()
    }
}

impl RowWriter {
    /// Creates the output (`-`: standard output, CSV) and writes the header. `types` gives the
    /// Parquet type of each column (empty: all text; see [`ColumnType::by_name`]); CSV ignores it.
    pub fn create(path: &Path, header: &[&str], types: &[ColumnType]) -> Result<RowWriter, String> {
        let name = path.display().to_string();
        let sink = if Format::of(path) == Format::Parquet {
            Sink::Parquet(Box::new(ParquetSink::create(path, header, types)?))
        } else {
            let out: Box<dyn Write + Send> = if path.as_os_str() == "-" {
                Box::new(std::io::stdout())
            } else {
                Box::new(
                    crate::io::create_output(path)
                        .map_err(|e| format!("cannot create output {name}: {e}"))?,
                )
            };
            let mut out = BufWriter::with_capacity(1 << 20, out);
            let mut head = Vec::new();
            super::csv::write_row(&mut head, header.iter().copied());
            flush_to(&mut out, &head, &name)?;
            Sink::Csv(out)
        };
        Ok(RowWriter {
            name,
            sink,
            line: Vec::with_capacity(256),
            record: Row::new(),
        })
    }

    /// The format being written.
    pub fn format(&self) -> Format {
        match self.sink {
            Sink::Csv(_) => Format::Csv,
            Sink::Parquet(_) => Format::Parquet,
        }
    }

    /// Writes whole rows already formatted as CSV (e.g. with [`super::csv::write_row`]).
    pub fn write_csv(&mut self, bytes: &[u8]) -> Result<(), String> {
        match &mut self.sink {
            Sink::Csv(out) => flush_to(out, bytes, &self.name),
            Sink::Parquet(p) => p.push_csv(bytes),
        }
    }

    /// Writes one row of fields.
    pub fn write_row<F: AsRef<str>>(
        &mut self,
        fields: impl IntoIterator<Item = F>,
    ) -> Result<(), String> {
        match &mut self.sink {
            Sink::Csv(out) => {
                self.line.clear();
                for (i, f) in fields.into_iter().enumerate() {
                    if i > 0 {
                        self.line.push(b',');
                    }
                    write_field(&mut self.line, f.as_ref());
                }
                self.line.push(b'\n');
                flush_to(out, &self.line, &self.name)
            }
            Sink::Parquet(p) => {
                self.record.clear();
                for f in fields {
                    self.record.push_field(f.as_ref().as_bytes());
                }
                p.push_record(&self.record)
            }
        }
    }

    /// Flushes the rows (and for Parquet writes the footer).
    pub fn finish(self) -> Result<(), String> {
        match self.sink {
            Sink::Csv(mut out) => out
                .flush()
                .map_err(|e| format!("cannot write {}: {e}", self.name)),
            Sink::Parquet(p) => p.finish().map(|_| ()),
        }
    }
}

/// Writes a whole table to `path`, CSV or Parquet by [`Format::of`], a row at a time (the rows may
/// come from an iterator that computes them: memory stays bounded). Returns the rows written.
pub fn write_rows<R, F>(
    path: &Path,
    header: &[&str],
    types: &[ColumnType],
    rows: impl IntoIterator<Item = R>,
) -> Result<u64, String>
where
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut out = RowWriter::create(path, header, types)?;
    let mut n = 0;
    for row in rows {
        out.write_row(row)?;
        n += 1;
    }
    out.finish()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_extension() {
        assert_eq!(Format::of(Path::new("a/b.parquet")), Format::Parquet);
        assert_eq!(Format::of(Path::new("B.PARQUET")), Format::Parquet);
        assert_eq!(Format::of(Path::new("b.csv")), Format::Csv);
        assert_eq!(Format::of(Path::new("-")), Format::Csv);
        assert_eq!(Format::of(Path::new("parquet")), Format::Csv);
    }
}
