//! Reading: Parquet record batches to rows of text.

use crate::io::row::Row;
use std::fs::File;
use std::path::Path;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, FieldRef, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use parquet::basic::Compression;

use super::text::{batch_rows, has_text_form};
use super::BATCH_ROWS;

/// A Parquet file read as rows of text, a record batch at a time.
///
/// The header row is the names of the top-level columns. Each value becomes the text a CSV file
/// would hold in its place:
///
/// | Arrow type | text |
/// |---|---|
/// | null (any type) | empty field |
/// | Utf8, LargeUtf8, Utf8View | as is |
/// | Binary, LargeBinary, BinaryView | the bytes as they are (a command reports a field that is not UTF-8) |
/// | integers | decimal digits, `-` for negatives |
/// | Float16/32/64 | the shortest text that reads back to the same value (`5`, `0.1`, `NaN`, `inf`) |
/// | Decimal32/64/128/256 (p, s) | exact, with `s` decimals (`12.30`, `-0.05`) |
/// | Date32, Date64 | `YYYY-MM-DD` |
/// | Timestamp (any unit, zone ignored: the stored UTC value) | `YYYY-MM-DD` at midnight, else `YYYY-MM-DD HH:MM:SS[.fff]` |
/// | Time32, Time64 | `HH:MM:SS[.fff]` |
/// | Boolean | `true` / `false` |
/// | Dictionary | the text of its value |
///
/// Other types (lists, structs, maps, intervals, …) read as empty fields; [`ParquetRows::unsupported`]
/// names those columns so the command can say so. No command needs them.
///
/// [`ParquetRows::read_only`] limits the decoding to the columns a command reads (the others come
/// out empty): a Parquet file is stored column by column, so the rest is never decompressed.
pub struct ParquetRows {
    name: String,
    header: Row,
    unsupported: Vec<(usize, String)>,
    /// Until the first chunk: the columns to decode can still be chosen.
    builder: Option<ParquetRecordBatchReaderBuilder<File>>,
    reader: Option<ParquetRecordBatchReader>,
    /// For each header column, its place in the decoded batches (`None`: not decoded).
    slots: Vec<Option<usize>>,
    batch: Option<RecordBatch>,
    offset: usize,
    total: u64,
    read: u64,
    scratch: Vec<u8>,
}

impl std::fmt::Debug for ParquetRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetRows")
            .field("name", &self.name)
            .field("header", &self.header)
            .field("total", &self.total)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl ParquetRows {
    /// Opens a Parquet file: reads its footer (schema, row count); no rows are decoded yet.
    pub fn open(path: &Path) -> Result<ParquetRows, String> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| format!("cannot open input {name}: {e}"))?;
        let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
            .map_err(|e| format!("cannot read input {name} as Parquet: {e}"))?;
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, as_views(meta));
        let total = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        for chunk in builder
            .metadata()
            .row_groups()
            .iter()
            .flat_map(|g| g.columns())
        {
            let codec = match chunk.compression() {
                Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::ZSTD(_) => continue,
                Compression::GZIP(_) => "gzip",
                Compression::BROTLI(_) => "Brotli",
                Compression::LZ4 | Compression::LZ4_RAW => "LZ4",
                Compression::LZO => "LZO",
            };
            return Err(format!(
                "cannot read input {name}: column {} is compressed with {codec}; drgdip reads \
                 uncompressed, Snappy and Zstandard Parquet: rewrite the file with one of those \
                 (e.g. pyarrow's write_table(..., compression=\"zstd\"))",
                chunk.column_path()
            ));
        }
        let mut header = Row::new();
        let mut unsupported = Vec::new();
        for field in builder.schema().fields() {
            header.push_field(field.name().as_bytes());
            if !has_text_form(field.data_type()) {
                let at = header.len() - 1;
                unsupported.push((at, format!("{} ({})", field.name(), field.data_type())));
            }
        }
        let slots = (0..header.len()).map(Some).collect();
        Ok(ParquetRows {
            name,
            header,
            unsupported,
            builder: Some(builder),
            reader: None,
            slots,
            batch: None,
            offset: 0,
            total,
            read: 0,
            scratch: Vec::with_capacity(256),
        })
    }

    /// The column names.
    pub fn header(&self) -> &Row {
        &self.header
    }

    /// Columns to be read whose type has no text form (they read as empty fields), as
    /// `name (type)`.
    pub fn unsupported(&self) -> Vec<String> {
        self.unsupported
            .iter()
            .filter(|(at, _)| self.slots[*at].is_some())
            .map(|(_, name)| name.clone())
            .collect()
    }

    /// Rows in the file (from its footer).
    pub fn total_rows(&self) -> u64 {
        self.total
    }

    /// Rows handed out so far.
    pub fn rows_read(&self) -> u64 {
        self.read
    }

    /// Decodes only these columns (indexes in the header); the others read as empty fields. Must
    /// come before the first chunk.
    pub fn read_only(&mut self, columns: &[usize]) -> Result<(), String> {
        let Some(builder) = self.builder.take() else {
            return Err(format!(
                "{}: the columns to read are chosen before the first row",
                self.name
            ));
        };
        let mut keep: Vec<usize> = columns
            .iter()
            .copied()
            .filter(|&c| c < self.header.len())
            .collect();
        keep.sort_unstable();
        keep.dedup();
        let mask = ProjectionMask::roots(builder.parquet_schema(), keep.iter().copied());
        self.builder = Some(builder.with_projection(mask));
        self.slots = vec![None; self.header.len()];
        for (k, &c) in keep.iter().enumerate() {
            self.slots[c] = Some(k);
        }
        Ok(())
    }

    /// Fills `buf` from the front with the next rows (reusing the records' allocations); returns
    /// how many were filled, 0 at the end of the file.
    pub fn next_chunk(&mut self, buf: &mut [Row]) -> Result<usize, String> {
        if let Some(builder) = self.builder.take() {
            self.reader = Some(
                builder
                    .with_batch_size(BATCH_ROWS)
                    .build()
                    .map_err(|e| format!("cannot read input {} as Parquet: {e}", self.name))?,
            );
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok(0);
        };
        let mut n = 0;
        while n < buf.len() {
            let exhausted = self
                .batch
                .as_ref()
                .is_none_or(|b| self.offset >= b.num_rows());
            if exhausted {
                match reader.next() {
                    None => {
                        self.batch = None;
                        break;
                    }
                    Some(Err(e)) => return Err(format!("cannot read input {}: {e}", self.name)),
                    Some(Ok(b)) => {
                        self.batch = Some(b);
                        self.offset = 0;
                        continue;
                    }
                }
            }
            let Some(batch) = self.batch.as_ref() else {
                break;
            };
            let take = (batch.num_rows() - self.offset).min(buf.len() - n);
            batch_rows(
                batch,
                &self.slots,
                self.offset,
                &mut buf[n..n + take],
                &mut self.scratch,
            );
            self.offset += take;
            n += take;
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// The file's own schema with its top-level Utf8 and Binary columns read as Utf8View and
/// BinaryView (the same text): a dictionary-encoded string column is then decoded into views of
/// its dictionary instead of a copy of each value. The file's schema as it is when the reader
/// refuses the hint.
fn as_views(meta: ArrowReaderMetadata) -> ArrowReaderMetadata {
    let schema = meta.schema();
    let view = |t: &DataType| match t {
        DataType::Utf8 => Some(DataType::Utf8View),
        DataType::Binary => Some(DataType::BinaryView),
        _ => None,
    };
    if !schema
        .fields()
        .iter()
        .any(|f| view(f.data_type()).is_some())
    {
        return meta;
    }
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .map(|f| match view(f.data_type()) {
            Some(t) => Arc::new(Field::clone(f).with_data_type(t)),
            None => Arc::clone(f),
        })
        .collect();
    let hinted = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let options = ArrowReaderOptions::new().with_schema(hinted);
    ArrowReaderMetadata::try_new(Arc::clone(meta.metadata()), options).unwrap_or(meta)
}
