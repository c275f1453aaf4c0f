//! The text of Arrow values: each value as a CSV file would hold it (see [`super::ParquetRows`] for
//! the text of each type), and record batches as rows of text.
//!
//! A column is read through a [`Field`]: typed references into its Arrow buffers, so that the text
//! of a string is a slice of the array itself and numbers and dates are written into a small buffer
//! on the stack, without a call through a boxed closure per value. Rare types (floats, times,
//! booleans, …) still go through a closure ([`Text`]).

use crate::io::row::Row;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Decimal32Type, Decimal64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, BinaryViewArray, RecordBatch, StringViewArray};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;

use super::format::{cents, date, decimal, int, other, push_date, STACK};

/// Appends the text of row `i` of one column to the buffer (nothing for a null).
pub type Text<'a> = Box<dyn Fn(usize, &mut Vec<u8>) + 'a>;

/// Rows `first..first + buf.len()` of a record batch as rows of text, each value the text
/// [`super::ParquetRows`] gives it. Field `j` of each row is the column `slots[j]` of the batch,
/// empty for `None` and for a column whose type has no text form (see [`has_text_form`]);
/// `scratch` is a reusable buffer. For callers that hold Arrow batches themselves (the Python
/// bindings).
pub fn batch_rows(
    batch: &RecordBatch,
    slots: &[Option<usize>],
    first: usize,
    buf: &mut [Row],
    scratch: &mut Vec<u8>,
) {
    // Consecutive empty fields (columns not read, no text form, null type) are one step.
    let mut steps: Vec<Field<'_>> = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot.and_then(|k| Field::of(batch.column(k).as_ref())) {
            Some(f) if !matches!(f.kind, Kind::Empty(_)) => steps.push(f),
            _ => match steps.last_mut() {
                Some(Field {
                    kind: Kind::Empty(n),
                    ..
                }) => *n += 1,
                _ => steps.push(Field {
                    nulls: None,
                    kind: Kind::Empty(1),
                }),
            },
        }
    }
    let mut stack = [0u8; STACK];
    // The bytes of the longest row so far: a record never filled (no fields) is given room for
    // such a row at once rather than growing field by field.
    let mut widest = 0usize;
    for (rec, row) in buf.iter_mut().zip(first..) {
        if rec.is_empty() && widest > 0 {
            *rec = Row::with_capacity(widest.next_power_of_two(), slots.len());
        }
        rec.clear();
        for f in &steps {
            match f.kind {
                Kind::Empty(n) => {
                    for _ in 0..n {
                        rec.push_field(b"");
                    }
                }
                _ => rec.push_field(f.value(row, &mut stack, scratch)),
            }
        }
        widest = widest.max(rec.as_slice().len());
    }
}

/// Whether values of this type have a text form (others read as empty fields).
pub fn has_text_form(t: &DataType) -> bool {
    Field::of(arrow_array::new_empty_array(t).as_ref()).is_some()
}

/// The text form of a column, or `None` for a type that has none: row `i`'s value as a CSV file
/// would hold it, the text [`super::ParquetRows`] hands out (public for `bindings/datafusion`,
/// whose `drg_group` reads Arrow arrays exactly as `drgdip group` reads Parquet).
pub fn text(a: &dyn Array) -> Option<Text<'_>> {
    let f = Field::of(a)?;
    Some(Box::new(move |i, out| f.append(i, out)))
}

/// A column read for its text: its nulls and its values.
struct Field<'a> {
    nulls: Option<&'a NullBuffer>,
    kind: Kind<'a>,
}

/// The values of a column, by type. (`u8` tags: one jump on the tag per field.)
#[repr(u8)]
enum Kind<'a> {
    /// This many fields, always empty: the null type (1), or in [`batch_rows`] a run of columns
    /// not read.
    Empty(usize),
    /// Byte strings with 32-bit offsets (Utf8, Binary).
    Bytes(&'a [i32], &'a [u8]),
    /// Byte strings with 64-bit offsets (LargeUtf8, LargeBinary).
    LargeBytes(&'a [i64], &'a [u8]),
    /// Utf8View.
    StrView(&'a StringViewArray),
    /// BinaryView.
    BinView(&'a BinaryViewArray),
    /// Int32.
    I32(&'a [i32]),
    /// Int64.
    I64(&'a [i64]),
    /// Decimal32 with its scale.
    Dec32(&'a [i32], i8),
    /// Decimal64 with its scale.
    Dec64(&'a [i64], i8),
    /// Decimal128 with its scale.
    Dec128(&'a [i128], i8),
    /// Date32: days since 1970-01-01.
    Date32(&'a [i32]),
    /// A dictionary: each row's key into its values (of `len` values).
    Dict(Keys<'a>, Box<Field<'a>>, usize),
    /// Any other type with a text form, through a closure (which checks nulls itself).
    Other(Text<'a>),
}

/// The keys of a dictionary, by type.
enum Keys<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

impl Keys<'_> {
    /// The value index of row `i` (`None` for a negative key).
    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Keys::I8(k) => usize::try_from(k[i]).ok(),
            Keys::I16(k) => usize::try_from(k[i]).ok(),
            Keys::I32(k) => usize::try_from(k[i]).ok(),
            Keys::I64(k) => usize::try_from(k[i]).ok(),
            Keys::U8(k) => Some(usize::from(k[i])),
            Keys::U16(k) => Some(usize::from(k[i])),
            Keys::U32(k) => usize::try_from(k[i]).ok(),
            Keys::U64(k) => usize::try_from(k[i]).ok(),
        }
    }
}

impl<'a> Field<'a> {
    /// The column read for its text, or `None` for a type that has none.
    fn of(a: &'a dyn Array) -> Option<Field<'a>> {
        let kind = match a.data_type() {
            DataType::Null => {
                return Some(Field {
                    nulls: None,
                    kind: Kind::Empty(1),
                })
            }
            DataType::Utf8 => {
                let a = a.as_string::<i32>();
                Kind::Bytes(a.value_offsets(), a.value_data())
            }
            DataType::LargeUtf8 => {
                let a = a.as_string::<i64>();
                Kind::LargeBytes(a.value_offsets(), a.value_data())
            }
            DataType::Binary => {
                let a = a.as_binary::<i32>();
                Kind::Bytes(a.value_offsets(), a.value_data())
            }
            DataType::LargeBinary => {
                let a = a.as_binary::<i64>();
                Kind::LargeBytes(a.value_offsets(), a.value_data())
            }
            DataType::Utf8View => Kind::StrView(a.as_string_view()),
            DataType::BinaryView => Kind::BinView(a.as_binary_view()),
            DataType::Int32 => Kind::I32(a.as_primitive::<Int32Type>().values()),
            DataType::Int64 => Kind::I64(a.as_primitive::<Int64Type>().values()),
            DataType::Decimal32(_, s) => {
                Kind::Dec32(a.as_primitive::<Decimal32Type>().values(), *s)
            }
            DataType::Decimal64(_, s) => {
                Kind::Dec64(a.as_primitive::<Decimal64Type>().values(), *s)
            }
            DataType::Decimal128(_, s) => {
                Kind::Dec128(a.as_primitive::<Decimal128Type>().values(), *s)
            }
            DataType::Date32 => Kind::Date32(a.as_primitive::<Date32Type>().values()),
            DataType::Dictionary(_, _) => {
                let d = a.as_any_dictionary();
                let values = Field::of(d.values().as_ref())?;
                let k = d.keys();
                let keys = match k.data_type() {
                    DataType::Int8 => Keys::I8(k.as_primitive::<Int8Type>().values()),
                    DataType::Int16 => Keys::I16(k.as_primitive::<Int16Type>().values()),
                    DataType::Int32 => Keys::I32(k.as_primitive::<Int32Type>().values()),
                    DataType::Int64 => Keys::I64(k.as_primitive::<Int64Type>().values()),
                    DataType::UInt8 => Keys::U8(k.as_primitive::<UInt8Type>().values()),
                    DataType::UInt16 => Keys::U16(k.as_primitive::<UInt16Type>().values()),
                    DataType::UInt32 => Keys::U32(k.as_primitive::<UInt32Type>().values()),
                    DataType::UInt64 => Keys::U64(k.as_primitive::<UInt64Type>().values()),
                    _ => return None,
                };
                Kind::Dict(keys, Box::new(values), d.values().len())
            }
            _ => Kind::Other(other(a)?),
        };
        Some(Field {
            nulls: a.nulls(),
            kind,
        })
    }

    /// The text of row `i`: a slice of the array, of `stack` or of `scratch`. The usual types
    /// are read here, inline in the loop over the fields of a row; the others in [`Field::rare`].
    #[inline(always)]
    fn value<'s>(
        &'s self,
        i: usize,
        stack: &'s mut [u8; STACK],
        scratch: &'s mut Vec<u8>,
    ) -> &'s [u8] {
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return b"";
        }
        match &self.kind {
            Kind::Bytes(offsets, data) => &data[offsets[i] as usize..offsets[i + 1] as usize],
            Kind::StrView(a) => a.value(i).as_bytes(),
            Kind::I64(v) => int(stack, v[i]),
            Kind::I32(v) => int(stack, i64::from(v[i])),
            Kind::Dec128(v, 2) => match i64::try_from(v[i]) {
                Ok(c) => cents(stack, c),
                Err(_) => self.rare(i, stack, scratch),
            },
            Kind::Date32(v) => match date(i64::from(v[i])) {
                Some(d) => {
                    stack[..10].copy_from_slice(&d);
                    &stack[..10]
                }
                None => self.rare(i, stack, scratch),
            },
            _ => self.rare(i, stack, scratch),
        }
    }

    /// [`Field::value`] of the types it does not read inline (`i` is not null).
    #[inline(never)]
    fn rare<'s>(
        &'s self,
        i: usize,
        stack: &'s mut [u8; STACK],
        scratch: &'s mut Vec<u8>,
    ) -> &'s [u8] {
        match &self.kind {
            Kind::Empty(_) => b"",
            Kind::Bytes(offsets, data) => &data[offsets[i] as usize..offsets[i + 1] as usize],
            Kind::LargeBytes(offsets, data) => &data[offsets[i] as usize..offsets[i + 1] as usize],
            Kind::StrView(a) => a.value(i).as_bytes(),
            Kind::BinView(a) => a.value(i),
            Kind::I32(v) => int(stack, i64::from(v[i])),
            Kind::I64(v) => int(stack, v[i]),
            Kind::Dec32(v, s) => decimal(i128::from(v[i]), *s, stack, scratch),
            Kind::Dec64(v, s) => decimal(i128::from(v[i]), *s, stack, scratch),
            Kind::Dec128(v, s) => decimal(v[i], *s, stack, scratch),
            Kind::Date32(v) => match date(i64::from(v[i])) {
                Some(d) => {
                    stack[..10].copy_from_slice(&d);
                    &stack[..10]
                }
                None => {
                    scratch.clear();
                    push_date(scratch, i64::from(v[i]));
                    scratch
                }
            },
            Kind::Dict(keys, values, len) => match keys.get(i) {
                Some(k) if k < *len => values.value(k, stack, scratch),
                _ => b"",
            },
            Kind::Other(f) => {
                scratch.clear();
                f(i, scratch);
                scratch
            }
        }
    }

    /// Appends the text of row `i` to `out`.
    fn append(&self, i: usize, out: &mut Vec<u8>) {
        if let Kind::Other(f) = &self.kind {
            f(i, out);
            return;
        }
        let mut stack = [0u8; STACK];
        let mut scratch = Vec::new();
        out.extend_from_slice(self.value(i, &mut stack, &mut scratch));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Date32Array, Decimal128Array, Decimal64Array, DictionaryArray, Float64Array,
        Int32Array, Int64Array, LargeBinaryArray, NullArray, StringArray,
        TimestampMillisecondArray, UInt16Array, UInt8Array,
    };

    use super::*;

    fn texts(a: &ArrayRef) -> Vec<String> {
        let t = text(a.as_ref()).expect("a text form");
        (0..a.len())
            .map(|i| {
                let mut out = Vec::new();
                t(i, &mut out);
                String::from_utf8_lossy(&out).into_owned()
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
    fn batch_rows_give_each_slot_its_text() {
        let long = "a string of more than twelve bytes";
        let views = StringViewArray::from(vec![Some("short"), None, Some(long), Some("")]);
        let dict_values = StringArray::from(vec![Some("x"), None, Some("z")]);
        let dict = DictionaryArray::<UInt8Type>::try_new(
            UInt8Array::from(vec![Some(0), Some(1), None, Some(2)]),
            Arc::new(dict_values),
        )
        .unwrap();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("view", Arc::new(views)),
            // Sliced: the offsets and nulls start at the slice.
            (
                "s",
                Arc::new(
                    StringArray::from(vec![Some("zz"), Some("a"), None, Some("c"), Some("d")])
                        .slice(1, 4),
                ),
            ),
            ("dict", Arc::new(dict)),
            (
                "i32",
                Arc::new(Int32Array::from(vec![
                    Some(-1),
                    None,
                    Some(7),
                    Some(i32::MIN),
                ])),
            ),
            (
                "dec64",
                Arc::new(
                    Decimal64Array::from(vec![Some(5), Some(-120), None, Some(0)])
                        .with_precision_and_scale(10, 3)
                        .unwrap(),
                ),
            ),
            (
                "bin",
                Arc::new(LargeBinaryArray::from(vec![
                    Some(&b"\xff"[..]),
                    Some(b""),
                    None,
                    Some(b"q"),
                ])),
            ),
            ("null", Arc::new(NullArray::new(4))),
            (
                "u16",
                Arc::new(UInt16Array::from(vec![
                    Some(3),
                    None,
                    Some(65_535),
                    Some(0),
                ])),
            ),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let slots = [
            None,
            Some(0),
            Some(1),
            None,
            None,
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            None,
        ];
        // Records that held longer rows before.
        let mut buf = vec![Row::from(vec!["old"; 20]); 3];
        let mut scratch = Vec::new();
        batch_rows(&batch, &slots, 1, &mut buf, &mut scratch);
        for (k, rec) in buf.iter().enumerate() {
            let row = k + 1;
            let want: Vec<String> = slots
                .iter()
                .map(|slot| match slot {
                    None => String::new(),
                    Some(c) => texts(batch.column(*c)).swap_remove(row),
                })
                .collect();
            assert_eq!(rec.iter().collect::<Vec<_>>().len(), slots.len());
            let got: Vec<String> = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            assert_eq!(got, want, "row {row}");
        }
        assert_eq!(texts(batch.column(0)), ["short", "", long, ""]);
        assert_eq!(texts(batch.column(1)), ["a", "", "c", "d"]);
        assert_eq!(texts(batch.column(2)), ["x", "", "", "z"]);
        assert_eq!(texts(batch.column(3)), ["-1", "", "7", "-2147483648"]);
        assert_eq!(texts(batch.column(4)), ["0.005", "-0.120", "", "0.000"]);
        assert_eq!(texts(batch.column(6)), ["", "", "", ""]);
        assert_eq!(texts(batch.column(7)), ["3", "", "65535", "0"]);
        assert!(has_text_form(&DataType::Utf8View));
        assert!(!has_text_form(&DataType::new_list(DataType::Utf8, true)));
    }
}
