//! Parquet in and out: `drgdip gen` gives the same rows as CSV and as Parquet, the streaming
//! commands give the same answers from either, a Parquet output reads back as the CSV output, odd
//! Parquet columns (nulls, dictionaries, floats, views, bytes that are not UTF-8, lists) still give
//! one row out per row in, and header problems are errors that name the column.

use drgdip::io::row::Row;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    ArrayRef, BinaryArray, Decimal128Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    Int8Array, LargeStringArray, ListArray, RecordBatch, StringArray, StringViewArray,
    TimestampMillisecondArray, UInt16Array,
};
use arrow_schema::DataType;
use drgdip::io::parquet::ColumnType;
use drgdip::io::rows::{write_rows, RowReader};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use crate::harness::{self, drgdip, ok, root};

fn scheme() -> PathBuf {
    root().join("data/demo/scheme.json")
}

fn tmp(name: &str) -> PathBuf {
    harness::tmp("parquet", name)
}

fn gen(out: &Path, cases: u64, seed: u64, extra: &[&str]) {
    ok(drgdip()
        .args(["gen", "--cases", &cases.to_string()])
        .args(["--seed", &seed.to_string()])
        .args(extra)
        .arg("--out")
        .arg(out));
}

fn group(input: &Path, output: &Path, extra: &[&str]) -> String {
    ok(drgdip()
        .arg("group")
        .arg("--scheme")
        .arg(scheme())
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .args(extra))
}

fn dip_group(input: &Path, output: &Path) -> String {
    ok(drgdip()
        .args(["dip", "group", "--catalog"])
        .arg(root().join("data/demo/dip-catalog.json"))
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output))
}

fn text(r: &Row) -> Vec<String> {
    r.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// Every row of a CSV or Parquet file, header first, read through `RowReader` in chunks of 1,000
/// rows (so chunks and Parquet record batches do not line up).
fn read_rows(p: &Path) -> Vec<Vec<String>> {
    let mut r = RowReader::open(p).unwrap_or_else(|e| panic!("{e}"));
    let mut rows = vec![text(r.header())];
    let mut chunk = vec![Row::new(); 1000];
    loop {
        let n = r.next_chunk(&mut chunk).unwrap();
        if n == 0 {
            return rows;
        }
        rows.extend(chunk[..n].iter().map(text));
    }
}

/// The Arrow type of each column of a Parquet file.
fn types(p: &Path) -> Vec<(String, DataType)> {
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(p).unwrap()).unwrap();
    b.schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect()
}

fn write_parquet(p: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(p).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn gen_writes_the_same_rows_as_csv_and_as_typed_parquet() {
    let (csv, pq) = (tmp("gen.csv"), tmp("gen.parquet"));
    for out in [&csv, &pq] {
        gen(out, 40_000, 7, &["--years", "2023-2024", "--months", "3"]);
    }
    let (a, b) = (read_rows(&csv), read_rows(&pq));
    assert_eq!(a.len(), 40_001);
    assert_eq!(a, b, "the Parquet rows read back as the CSV rows");
    let types = types(&pq);
    let type_of = |name: &str| types.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(type_of("id"), DataType::Utf8);
    assert_eq!(type_of("age"), DataType::Int64);
    assert_eq!(type_of("year"), DataType::Int64);
    assert_eq!(type_of("admit_date"), DataType::Date32);
    assert_eq!(type_of("total_cost"), DataType::Decimal128(18, 2));
    assert!(
        std::fs::metadata(&pq).unwrap().len() * 3 < std::fs::metadata(&csv).unwrap().len(),
        "Parquet is much smaller than CSV"
    );
}

#[test]
fn group_and_dip_group_answer_the_same_from_parquet_and_write_it() {
    let (csv, pq) = (tmp("in.csv"), tmp("in.parquet"));
    for out in [&csv, &pq] {
        gen(out, 20_000, 9, &[]);
    }
    let keep = ["--keep", "total_cost,admit_date,age_days"];
    let (from_csv, from_pq) = (tmp("g-csv.csv"), tmp("g-pq.csv"));
    group(&csv, &from_csv, &keep);
    let summary = group(&pq, &from_pq, &keep);
    assert!(summary.contains("20000 rows"), "{summary}");
    assert_eq!(
        std::fs::read(&from_csv).unwrap(),
        std::fs::read(&from_pq).unwrap(),
        "group: the same bytes from CSV and from Parquet"
    );
    let out_pq = tmp("g.parquet");
    group(&pq, &out_pq, &keep);
    assert_eq!(read_rows(&out_pq), read_rows(&from_csv));

    let (dip_csv, dip_pq, dip_out) = (tmp("d-csv.csv"), tmp("d-pq.csv"), tmp("d.parquet"));
    dip_group(&csv, &dip_csv);
    dip_group(&pq, &dip_pq);
    dip_group(&pq, &dip_out);
    assert_eq!(
        std::fs::read(&dip_csv).unwrap(),
        std::fs::read(&dip_pq).unwrap(),
        "dip group: the same bytes from CSV and from Parquet"
    );
    assert_eq!(read_rows(&dip_out), read_rows(&dip_csv));
}

/// A Parquet file as another tool writes it: nulls everywhere, a dictionary, floats, a large string,
/// a string view, a binary field that is not UTF-8, a decimal, a timestamp and a list column.
fn odd_file(p: &Path) {
    let list = ListArray::from_iter_primitive::<arrow_array::types::Int64Type, _, _>(vec![
        Some(vec![Some(1)]),
        None,
        Some(vec![]),
        Some(vec![Some(2), None]),
        Some(vec![Some(3)]),
    ]);
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "id",
            Arc::new(StringArray::from(vec![
                Some("o1"),
                None,
                Some("o3"),
                Some("o4"),
                Some("o5"),
            ])),
        ),
        (
            "gender",
            Arc::new(
                vec![Some("1"), Some("2"), None, Some("2"), Some("1")]
                    .into_iter()
                    .collect::<DictionaryArray<Int8Type>>(),
            ),
        ),
        (
            "age",
            Arc::new(Float64Array::from(vec![
                Some(70.0),
                Some(30.5),
                None,
                Some(f64::NAN),
                Some(45.0),
            ])),
        ),
        ("age_days", Arc::new(Int32Array::from(vec![None::<i32>; 5]))),
        ("weight", Arc::new(UInt16Array::from(vec![None::<u16>; 5]))),
        (
            "dept",
            Arc::new(BinaryArray::from(vec![
                &b"01"[..],
                &b"\xff\xfe"[..],
                &b""[..],
                &b"05"[..],
                &b"07"[..],
            ])),
        ),
        (
            "los",
            Arc::new(Int64Array::from(vec![
                Some(9),
                Some(2),
                None,
                Some(4),
                Some(5),
            ])),
        ),
        ("leaving_type", Arc::new(Int8Array::from(vec![1i8; 5]))),
        (
            "diagnoses",
            Arc::new(LargeStringArray::from(vec![
                Some("J18.900|I50.900"),
                Some("O80.000"),
                None,
                Some(""),
                Some("K80.000"),
            ])),
        ),
        (
            "procedures",
            Arc::new(StringViewArray::from(vec![
                None,
                None,
                Some("51.2300"),
                None,
                Some("51.2300"),
            ])),
        ),
        (
            "icu_hours",
            Arc::new(
                Decimal128Array::from(vec![Some(0), Some(125), None, Some(-5), Some(10)])
                    .with_precision_and_scale(10, 1)
                    .unwrap(),
            ),
        ),
        (
            "admitted",
            Arc::new(TimestampMillisecondArray::from(vec![
                Some(1_735_689_600_000),
                None,
                Some(1_735_693_200_000),
                Some(0),
                Some(-1),
            ])),
        ),
        ("tags", Arc::new(list)),
    ];
    write_parquet(p, columns);
}

#[test]
fn odd_parquet_columns_still_give_one_row_per_row() {
    let input = tmp("odd.parquet");
    odd_file(&input);
    let output = tmp("odd.out.csv");
    let err = group(&input, &output, &["--keep", "icu_hours,admitted,tags"]);
    assert!(err.contains("5 rows"), "{err}");
    assert!(
        err.contains("columns read as empty") && err.contains("tags (List"),
        "the list column is named: {err}"
    );
    let rows = read_rows(&output);
    assert_eq!(rows.len(), 6, "{rows:?}");
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["o1", "", "o3", "o4", "o5"]);
    // The row whose dept is not UTF-8 is unreadable, and says where.
    assert_eq!(rows[2][1], "UNREADABLE");
    assert!(
        rows[2][6].contains("line 3") && rows[2][6].contains("dept"),
        "{:?}",
        rows[2]
    );
    // Kept columns: a decimal with its scale, a timestamp as a date or date and time, a list as
    // nothing.
    let kept: Vec<[&str; 3]> = rows[1..]
        .iter()
        .map(|r| [r[7].as_str(), r[8].as_str(), r[9].as_str()])
        .collect();
    assert_eq!(
        kept,
        [
            ["0.0", "2025-01-01", ""],
            ["12.5", "", ""],
            ["", "2025-01-01 01:00:00", ""],
            ["-0.5", "1970-01-01", ""],
            ["1.0", "1969-12-31 23:59:59.999", ""],
        ]
    );
}

#[test]
fn a_missing_column_or_a_file_that_is_not_parquet_is_a_clear_error() {
    let input = tmp("no-los.parquet");
    write_parquet(
        &input,
        vec![
            ("id", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            ("gender", Arc::new(StringArray::from(vec!["1"]))),
        ],
    );
    let out = drgdip()
        .arg("group")
        .arg("--scheme")
        .arg(scheme())
        .arg("--input")
        .arg(&input)
        .args(["--output", "-"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no-los.parquet") && err.contains("no column \"age\""),
        "{err}"
    );

    let fake = tmp("fake.parquet");
    std::fs::write(&fake, "id,gender\n1,2\n").unwrap();
    let e = RowReader::open(&fake).unwrap_err();
    assert!(
        e.contains("fake.parquet") && e.contains("as Parquet"),
        "{e}"
    );
}

#[test]
fn write_rows_writes_csv_or_typed_parquet_by_name() {
    let header = ["id", "paid_fen", "note"];
    let types: Vec<ColumnType> = header.iter().map(|h| ColumnType::by_name(h)).collect();
    let rows = [
        ["h1", "123456", "a, \"quoted\" note"],
        ["h2", "-7", ""],
        ["h3", "", "no payment"],
    ];
    let (csv, pq) = (tmp("rows.csv"), tmp("rows.parquet"));
    for p in [&csv, &pq] {
        assert_eq!(write_rows(p, &header, &types, rows).unwrap(), 3);
    }
    assert_eq!(read_rows(&csv), read_rows(&pq));
    assert_eq!(read_rows(&pq)[1], ["h1", "123456", "a, \"quoted\" note"]);
    assert_eq!(
        types_of(&pq),
        [DataType::Utf8, DataType::Int64, DataType::Utf8]
    );

    let bad = write_rows(&tmp("bad.parquet"), &header, &types, [["h1", "12.5", ""]]).unwrap_err();
    assert!(
        bad.contains("row 1") && bad.contains("paid_fen") && bad.contains("12.5"),
        "{bad}"
    );
}

fn types_of(p: &Path) -> Vec<DataType> {
    types(p).into_iter().map(|(_, t)| t).collect()
}

#[test]
fn settle_reads_parquet_cases_as_csv_ones() {
    let (csv, pq) = (tmp("settle.csv"), tmp("settle.parquet"));
    for out in [&csv, &pq] {
        gen(out, 5_000, 13, &[]);
    }
    let (a, b) = (tmp("settle-csv"), tmp("settle-pq"));
    for (cases, out) in [(&csv, &a), (&pq, &b)] {
        ok(drgdip()
            .arg("settle")
            .arg("--cases")
            .arg(cases)
            .arg("--out")
            .arg(out));
    }
    for table in ["cases.csv", "hospitals.csv", "rejected.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(a.join(table)).unwrap(),
            std::fs::read(b.join(table)).unwrap(),
            "{table}"
        );
    }
}
