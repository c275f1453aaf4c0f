//! Reading: Parquet record batches to rows of text.

use std::fmt::Display;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type,
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use parquet::basic::Compression;

use super::BATCH_ROWS;

/// Appends the text of row `i` of one column to the buffer (nothing for a null).
pub type Text<'a> = Box<dyn Fn(usize, &mut Vec<u8>) + 'a>;

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
    header: csv::ByteRecord,
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
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| format!("cannot read input {name} as Parquet: {e}"))?;
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
        let mut header = csv::ByteRecord::new();
        let mut unsupported = Vec::new();
        for field in builder.schema().fields() {
            header.push_field(field.name().as_bytes());
            let empty = arrow_array::new_empty_array(field.data_type());
            if text(empty.as_ref()).is_none() {
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
    pub fn header(&self) -> &csv::ByteRecord {
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
    pub fn next_chunk(&mut self, buf: &mut [csv::ByteRecord]) -> Result<usize, String> {
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

/// Rows `first..first + buf.len()` of a record batch as rows of text, each value the text
/// [`ParquetRows`] gives it. Field `j` of each row is the column `slots[j]` of the batch, empty for
/// `None` and for a column whose type has no text form (see [`has_text_form`]); `scratch` is a
/// reusable buffer. For callers that hold Arrow batches themselves (the Python bindings).
pub fn batch_rows(
    batch: &RecordBatch,
    slots: &[Option<usize>],
    first: usize,
    buf: &mut [csv::ByteRecord],
    scratch: &mut Vec<u8>,
) {
    let columns: Vec<Text<'_>> = slots
        .iter()
        .map(|slot| {
            slot.and_then(|k| text(batch.column(k).as_ref()))
                .unwrap_or_else(|| Box::new(|_, _| {}))
        })
        .collect();
    for (k, rec) in buf.iter_mut().enumerate() {
        let row = first + k;
        rec.clear();
        for col in &columns {
            scratch.clear();
            col(row, scratch);
            rec.push_field(scratch);
        }
    }
}

/// Whether values of this type have a text form (others read as empty fields).
pub fn has_text_form(t: &DataType) -> bool {
    text(arrow_array::new_empty_array(t).as_ref()).is_some()
}

/// The text form of a column, or `None` for a type that has none: row `i`'s value as a CSV file
/// would hold it, the text [`ParquetRows`] hands out (public for `bindings/datafusion`, whose
/// `drg_group` reads Arrow arrays exactly as `drgdip group` reads Parquet).
pub fn text(a: &dyn Array) -> Option<Text<'_>> {
    Some(match a.data_type() {
        DataType::Null => Box::new(|_, _| {}),
        DataType::Boolean => {
            let a = a.as_boolean();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    out.extend_from_slice(if a.value(i) { b"true" } else { b"false" });
                }
            })
        }
        DataType::Int8 => int(a.as_primitive::<Int8Type>()),
        DataType::Int16 => int(a.as_primitive::<Int16Type>()),
        DataType::Int32 => int(a.as_primitive::<Int32Type>()),
        DataType::Int64 => int(a.as_primitive::<Int64Type>()),
        DataType::UInt8 => int(a.as_primitive::<UInt8Type>()),
        DataType::UInt16 => int(a.as_primitive::<UInt16Type>()),
        DataType::UInt32 => int(a.as_primitive::<UInt32Type>()),
        DataType::UInt64 => {
            let a = a.as_primitive::<UInt64Type>();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    push_u64(out, a.value(i));
                }
            })
        }
        DataType::Float16 => display(a.as_primitive::<Float16Type>()),
        DataType::Float32 => display(a.as_primitive::<Float32Type>()),
        DataType::Float64 => display(a.as_primitive::<Float64Type>()),
        DataType::Utf8 => bytes(a.as_string::<i32>(), |a, i| a.value(i).as_bytes()),
        DataType::LargeUtf8 => bytes(a.as_string::<i64>(), |a, i| a.value(i).as_bytes()),
        DataType::Utf8View => bytes(a.as_string_view(), |a, i| a.value(i).as_bytes()),
        DataType::Binary => bytes(a.as_binary::<i32>(), |a, i| a.value(i)),
        DataType::LargeBinary => bytes(a.as_binary::<i64>(), |a, i| a.value(i)),
        DataType::BinaryView => bytes(a.as_binary_view(), |a, i| a.value(i)),
        DataType::Decimal32(_, s) => decimal(a.as_primitive::<Decimal32Type>(), *s, |v| {
            Some(i64::from(v))
        }),
        DataType::Decimal64(_, s) => decimal(a.as_primitive::<Decimal64Type>(), *s, Some),
        DataType::Decimal128(_, s) => decimal(a.as_primitive::<Decimal128Type>(), *s, |v| {
            i64::try_from(v).ok()
        }),
        DataType::Decimal256(_, s) => decimal(a.as_primitive::<Decimal256Type>(), *s, |_| None),
        DataType::Date32 => {
            let a = a.as_primitive::<Date32Type>();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    push_date(out, i64::from(a.value(i)));
                }
            })
        }
        DataType::Date64 => {
            let a = a.as_primitive::<Date64Type>();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    push_date(out, a.value(i).div_euclid(86_400_000));
                }
            })
        }
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => clock(a.as_primitive::<TimestampSecondType>(), 1, true),
            TimeUnit::Millisecond => {
                clock(a.as_primitive::<TimestampMillisecondType>(), 1_000, true)
            }
            TimeUnit::Microsecond => clock(
                a.as_primitive::<TimestampMicrosecondType>(),
                1_000_000,
                true,
            ),
            TimeUnit::Nanosecond => clock(
                a.as_primitive::<TimestampNanosecondType>(),
                1_000_000_000,
                true,
            ),
        },
        DataType::Time32(TimeUnit::Second) => clock(a.as_primitive::<Time32SecondType>(), 1, false),
        DataType::Time32(TimeUnit::Millisecond) => {
            clock(a.as_primitive::<Time32MillisecondType>(), 1_000, false)
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            clock(a.as_primitive::<Time64MicrosecondType>(), 1_000_000, false)
        }
        DataType::Time64(TimeUnit::Nanosecond) => clock(
            a.as_primitive::<Time64NanosecondType>(),
            1_000_000_000,
            false,
        ),
        DataType::Dictionary(_, _) => {
            let d = a.as_any_dictionary();
            let (values, len) = (text(d.values().as_ref())?, d.values().len());
            let key = key_index(d.keys())?;
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    match key(i) {
                        Some(k) if k < len => values(k, out),
                        _ => {}
                    }
                }
            })
        }
        _ => return None,
    })
}

/// The value index of each row of a dictionary's keys.
fn key_index(k: &dyn Array) -> Option<Box<dyn Fn(usize) -> Option<usize> + '_>> {
    fn of<K: ArrowPrimitiveType>(k: &PrimitiveArray<K>) -> Box<dyn Fn(usize) -> Option<usize> + '_>
    where
        usize: TryFrom<K::Native>,
    {
        Box::new(move |i| usize::try_from(k.value(i)).ok())
    }
    Some(match k.data_type() {
        DataType::Int8 => of(k.as_primitive::<Int8Type>()),
        DataType::Int16 => of(k.as_primitive::<Int16Type>()),
        DataType::Int32 => of(k.as_primitive::<Int32Type>()),
        DataType::Int64 => of(k.as_primitive::<Int64Type>()),
        DataType::UInt8 => of(k.as_primitive::<UInt8Type>()),
        DataType::UInt16 => of(k.as_primitive::<UInt16Type>()),
        DataType::UInt32 => of(k.as_primitive::<UInt32Type>()),
        DataType::UInt64 => of(k.as_primitive::<UInt64Type>()),
        _ => return None,
    })
}

/// A column whose values are byte strings.
fn bytes<'a, A: Array>(a: &'a A, value: fn(&'a A, usize) -> &'a [u8]) -> Text<'a> {
    Box::new(move |i, out| {
        if a.is_valid(i) {
            out.extend_from_slice(value(a, i));
        }
    })
}

/// An integer column that fits in `i64`.
fn int<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>) -> Text<'_>
where
    T::Native: Into<i64>,
{
    Box::new(move |i, out| {
        if a.is_valid(i) {
            push_i64(out, a.value(i).into());
        }
    })
}

/// Appends the decimal digits of `v` (faster than `Display`, which pads and aligns).
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

/// Appends `v` with a `-` when negative.
fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// A float column printed with `Display`: the shortest text that reads back to the same value.
fn display<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>) -> Text<'_>
where
    T::Native: Display,
{
    Box::new(move |i, out| {
        if a.is_valid(i) {
            let _ = write!(out, "{}", a.value(i));
        }
    })
}

/// A decimal column: the unscaled integer (through `i64` when it fits) with the point put back,
/// exactly.
fn decimal<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    scale: i8,
    small: fn(T::Native) -> Option<i64>,
) -> Text<'_>
where
    T::Native: Display,
{
    Box::new(move |i, out| {
        if a.is_valid(i) {
            let start = out.len();
            let v = a.value(i);
            match small(v) {
                Some(v) => push_i64(out, v),
                None => {
                    let _ = write!(out, "{v}");
                }
            }
            place_point(out, start, scale);
        }
    })
}

/// Puts the decimal point into the unscaled integer written at `out[start..]`.
fn place_point(out: &mut Vec<u8>, start: usize, scale: i8) {
    let digits = start + usize::from(out.get(start) == Some(&b'-'));
    if scale < 0 {
        if out[digits..] != *b"0" {
            out.extend(std::iter::repeat_n(b'0', usize::from(scale.unsigned_abs())));
        }
        return;
    }
    let scale = usize::from(scale.unsigned_abs());
    if scale == 0 {
        return;
    }
    let len = out.len() - digits;
    if len <= scale {
        let pad = scale + 1 - len;
        out.splice(digits..digits, std::iter::repeat_n(b'0', pad));
    }
    let at = out.len() - scale;
    out.insert(at, b'.');
}

/// A timestamp (`with_date`) or time-of-day column counted in `1 / per_second` seconds.
fn clock<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, per_second: i64, with_date: bool) -> Text<'_>
where
    T::Native: Into<i64>,
{
    Box::new(move |i, out| {
        if !a.is_valid(i) {
            return;
        }
        let v: i64 = a.value(i).into();
        let (secs, frac) = (v.div_euclid(per_second), v.rem_euclid(per_second));
        let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        if with_date {
            push_date(out, days);
            if of_day == 0 && frac == 0 {
                return;
            }
            out.push(b' ');
        }
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60
        );
        if frac != 0 {
            let width = per_second.ilog10() as usize;
            let start = out.len();
            let _ = write!(out, ".{frac:0width$}");
            while out.len() > start + 2 && out.last() == Some(&b'0') {
                out.pop();
            }
        }
    })
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
fn push_date(out: &mut Vec<u8>, days: i64) {
    let (y, m, d) = grouper::date::civil_from_days(days);
    if !(0..=9999).contains(&y) {
        let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        return;
    }
    let digit = |v: i64| b'0' + v as u8;
    out.extend_from_slice(&[
        digit(y / 1000),
        digit(y / 100 % 10),
        digit(y / 10 % 10),
        digit(y % 10),
        b'-',
        digit(m / 10),
        digit(m % 10),
        b'-',
        digit(d / 10),
        digit(d % 10),
    ]);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Date32Array, Decimal128Array, DictionaryArray, Float64Array, Int64Array,
        StringArray, TimestampMillisecondArray,
    };

    use super::*;

    fn texts(a: &ArrayRef) -> Vec<String> {
        let t = text(a.as_ref()).expect("a text form");
        (0..a.len())
            .map(|i| {
                let mut out = Vec::new();
                t(i, &mut out);
                String::from_utf8(out).unwrap()
            })
            .collect()
    }

    #[test]
    fn values_print_as_a_csv_file_would_hold_them() {
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![
            Some(-7),
            None,
            Some(42),
            Some(0),
            Some(i64::MIN),
        ]));
        assert_eq!(texts(&ints), ["-7", "", "42", "0", "-9223372036854775808"]);
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![5.0, 0.1, -2.5]));
        assert_eq!(texts(&floats), ["5", "0.1", "-2.5"]);
        let dec: ArrayRef = Arc::new(
            Decimal128Array::from(vec![Some(123_456), Some(-5), Some(0), None, Some(-1234)])
                .with_precision_and_scale(18, 2)
                .unwrap(),
        );
        assert_eq!(texts(&dec), ["1234.56", "-0.05", "0.00", "", "-12.34"]);
        let dates: ArrayRef = Arc::new(Date32Array::from(vec![0, 20_089, -1]));
        assert_eq!(texts(&dates), ["1970-01-01", "2025-01-01", "1969-12-31"]);
        let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![
            86_400_000,
            86_400_000 + 3_723_450,
        ]));
        assert_eq!(texts(&ts), ["1970-01-02", "1970-01-02 01:02:03.45"]);
        let dict: ArrayRef = Arc::new(
            vec![Some("J18.900"), None, Some("I50.900"), Some("J18.900")]
                .into_iter()
                .collect::<DictionaryArray<Int32Type>>(),
        );
        assert_eq!(texts(&dict), ["J18.900", "", "I50.900", "J18.900"]);
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("a,b"), None, Some("")]));
        assert_eq!(texts(&s), ["a,b", "", ""]);
    }

    #[test]
    fn decimal_points_with_any_scale() {
        let put = |digits: &str, scale: i8| {
            let mut out = b"x".to_vec();
            out.extend_from_slice(digits.as_bytes());
            place_point(&mut out, 1, scale);
            String::from_utf8(out[1..].to_vec()).unwrap()
        };
        assert_eq!(put("5", 3), "0.005");
        assert_eq!(put("-12345", 2), "-123.45");
        assert_eq!(put("12", 0), "12");
        assert_eq!(put("12", -2), "1200");
        assert_eq!(put("0", -2), "0");
    }
}
