//! `drg_group` in SQL against `drgdip group`: the same answer row for row on generated Parquet
//! (typed columns) and on text columns, under any partitioning and batch size, with the demo
//! scheme and a real one; hand-written records with known groups; errors that say what to fix.

mod harness;

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{CsvReadOptions, SessionConfig};
use grouper::{MappingMode, Options, Scheme};

use harness::{
    assert_same, cli_group, demo_scheme, gen, query, root, session, session_with, shared_file, tmp,
    Row, CALL,
};

/// The acceptance query: 5000 generated cases in typed Parquet (Int64, Decimal128, Date32,
/// Utf8), grouped by SQL and by the CLI.
#[tokio::test]
async fn sql_gives_the_cli_answer_on_generated_parquet() {
    let file = tmp("demo-5000-7.parquet");
    gen(&file, 5000, 7, None);
    let want = cli_group(&demo_scheme(), &file);
    let (ctx, _) = session(&demo_scheme(), SessionConfig::new());
    let got = query(
        &ctx,
        &format!("SELECT id, {CALL} FROM '{}'", file.display()),
    )
    .await;
    let counts = assert_same(&got, &want);
    assert_eq!(got.len(), 5000);
    // The generator's deliberately bad rows take the failure paths too.
    assert!(counts["SUCCESS"] > 4000, "{counts:?}");
    assert!(counts.len() >= 3, "only {counts:?}");
    eprintln!("demo scheme, 5000 cases: {counts:?}");
}

/// One field of the result, by name: `drg_group(...)['drg']`, or `g.drg` over an alias. (DataFusion
/// 55's SQL planner refuses `drg_group(...).drg`: "Dot access not supported for non-string expr".)
#[tokio::test]
async fn a_field_of_the_result_by_name() {
    let file = tmp("demo-800-3.parquet");
    gen(&file, 800, 3, None);
    let want = cli_group(&demo_scheme(), &file);
    let (ctx, _) = session(&demo_scheme(), SessionConfig::new());
    let file = file.display();
    for sql in [
        format!("SELECT id, {CALL}['drg'] AS drg FROM '{file}'"),
        format!("SELECT id, g.drg AS drg FROM (SELECT id, {CALL} AS g FROM '{file}')"),
        format!("SELECT id, get_field({CALL}, 'drg') AS drg FROM '{file}'"),
    ] {
        let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        let mut n = 0;
        for b in &batches {
            assert_eq!(b.schema().field(1).name(), "drg");
            let ids = b.column(0).as_string_view();
            let drgs = cast(b.column(1), &DataType::Utf8).unwrap();
            let drgs: &StringArray = drgs.as_string();
            for i in 0..b.num_rows() {
                let drg = drgs.is_valid(i).then(|| drgs.value(i).to_string());
                assert_eq!(drg, want[ids.value(i)][3], "id {}: {sql}", ids.value(i));
                n += 1;
            }
        }
        assert_eq!(n, 800, "{sql}");
    }
}

/// All-text columns, as a CSV file holds them (numbers as `Utf8`, `LargeUtf8` and `Utf8View`),
/// spread over 4 partitions: the CLI's answer on the same records written as CSV.
#[tokio::test]
async fn text_columns_give_the_cli_answer() {
    let file = tmp("demo-3000-11.csv");
    gen(&file, 3000, 11, None);
    let want = cli_group(&demo_scheme(), &file);

    let mut rdr = csv::Reader::from_path(&file).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    // Each of the three string types for some of the columns.
    let kind = |name: &str| match name {
        "age" | "diagnoses" => DataType::LargeUtf8,
        "los" | "procedures" | "gender" => DataType::Utf8View,
        _ => DataType::Utf8,
    };
    let schema = Arc::new(Schema::new(
        header
            .iter()
            .map(|h| Field::new(h, kind(h), true))
            .collect::<Vec<_>>(),
    ));
    let mut partitions = vec![Vec::new(); 4];
    for (k, chunk) in records.chunks(250).enumerate() {
        let columns: Vec<ArrayRef> = header
            .iter()
            .enumerate()
            .map(|(c, h)| {
                // An empty field is null in half the chunks and "" in the others: the same text.
                let values = chunk
                    .iter()
                    .map(|r| Some(&r[c]).filter(|v| k % 2 == 0 || !v.is_empty()));
                match kind(h) {
                    DataType::LargeUtf8 => {
                        Arc::new(values.collect::<LargeStringArray>()) as ArrayRef
                    }
                    DataType::Utf8View => Arc::new(values.collect::<StringViewArray>()),
                    _ => Arc::new(values.collect::<StringArray>()),
                }
            })
            .collect();
        partitions[k % 4].push(RecordBatch::try_new(Arc::clone(&schema), columns).unwrap());
    }
    let (ctx, _) = session(
        &demo_scheme(),
        SessionConfig::new().with_target_partitions(4),
    );
    ctx.register_table(
        "d",
        Arc::new(MemTable::try_new(schema, partitions).unwrap()),
    )
    .unwrap();
    let got = query(&ctx, &format!("SELECT id, {CALL} FROM d")).await;
    let counts = assert_same(&got, &want);
    assert_eq!(got.len(), 3000);
    assert!(counts.len() >= 3, "only {counts:?}");
}

/// The same query over 1 partition and over 4 (with small batches) gives the same rows.
#[tokio::test]
async fn partitions_and_batch_sizes_do_not_change_the_answer() {
    let file = tmp("demo-4000-5.parquet");
    gen(&file, 4000, 5, None);
    let want = cli_group(&demo_scheme(), &file);
    let sql = |table: &str| format!("SELECT id, {CALL} FROM {table} ORDER BY id");

    let (one, scheme) = session(
        &demo_scheme(),
        SessionConfig::new().with_target_partitions(1),
    );
    let single = query(&one, &sql(&format!("'{}'", file.display()))).await;

    // Four partitions of the file's rows in batches of 37.
    let batches = one
        .sql(&format!("SELECT * FROM '{}'", file.display()))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let schema = batches[0].schema();
    let all = datafusion::arrow::compute::concat_batches(&schema, &batches).unwrap();
    let mut partitions = vec![Vec::new(); 4];
    let mut at = 0;
    while at < all.num_rows() {
        let len = 37.min(all.num_rows() - at);
        partitions[(at / 37) % 4].push(all.slice(at, len));
        at += len;
    }
    let four = SessionConfig::new()
        .with_target_partitions(4)
        .with_batch_size(100);
    let ctx = datafusion::prelude::SessionContext::new_with_config(four);
    drgdip_datafusion::register(&ctx, scheme, Options::default());
    ctx.register_table(
        "d",
        Arc::new(MemTable::try_new(schema, partitions).unwrap()),
    )
    .unwrap();
    let plan = ctx
        .sql(&sql("d"))
        .await
        .unwrap()
        .create_physical_plan()
        .await;
    assert_eq!(
        plan.unwrap().properties().partitioning.partition_count(),
        1,
        "the ORDER BY merges the partitions"
    );
    let spread = query(&ctx, &sql("d")).await;

    assert_eq!(single.len(), 4000);
    assert_eq!(single, spread, "1 partition (left) vs 4 partitions (right)");
    assert_same(&single, &want);
}

/// Without code mapping, as `drgdip group --no-map-codes`.
#[tokio::test]
async fn options_as_the_cli_flags() {
    let file = tmp("demo-1500-9.csv");
    gen(&file, 1500, 9, None);
    let out = tmp("demo-1500-9.nomap.csv");
    drgdip::cli::group::run(&drgdip::cli::group::GroupArgs {
        scheme: demo_scheme(),
        input: file.clone(),
        output: out.clone(),
        map_codes: false,
        no_map_codes: true,
        reference_mapping: false,
        trace: false,
        keep: Vec::new(),
    })
    .unwrap();
    let want = harness::read_cli_output(&out);
    let scheme = Arc::new(Scheme::load(demo_scheme()).unwrap());
    let ctx = session_with(
        scheme,
        Options {
            map_codes: false,
            mapping_mode: MappingMode::PerCode,
        },
    );
    let options = CsvReadOptions::new().schema_infer_max_records(0);
    ctx.register_csv("d", file.to_str().unwrap(), options)
        .await
        .unwrap();
    let got = query(&ctx, &format!("SELECT id, {CALL} FROM d")).await;
    assert_same(&got, &want);
}

fn values(rows: &[&str]) -> String {
    format!(
        "(VALUES {}) AS t(id, gender, age, age_days, weight, dept, los, leaving_type, diagnoses, \
         procedures)",
        rows.join(", ")
    )
}

fn row(got: &[Row], id: &str) -> [Option<String>; 6] {
    got.iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no row {id}"))
        .1
        .clone()
}

/// Hand-written records with known answers under the demo scheme, including nulls, text where a
/// number belongs, and the 9-argument form (no `icu_hours`).
#[tokio::test]
async fn known_records_under_the_demo_scheme() {
    let (ctx, _) = session(&demo_scheme(), SessionConfig::new());
    let sql = format!(
        "SELECT id, drg_group(gender, age, age_days, weight, dept, los, leaving_type, diagnoses, \
         procedures) FROM {} ORDER BY id",
        values(&[
            "('a', '1', 72, NULL, NULL, '03', 9, '1', 'J18.900|I50.900|E11.900', NULL)",
            "('b', '1', 58, NULL, NULL, '04', 7, '1', 'I21.900|I10.x00', '36.0700|00.6600')",
            "('c', '2', 29, NULL, NULL, '05', 3, '1', 'O80.000|Z37.000', '73.5900x001')",
            "('d', '9', 40, NULL, NULL, '03', 5, '1', 'J18.900', NULL)",
            "('e', '1', 40, NULL, NULL, '03', 5, '1', 'J18.900|NOT-A-CODE', NULL)",
            "('f', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        ])
    );
    let got = query(&ctx, &sql).await;
    assert_eq!(got.len(), 6);
    let s = |v: &str| Some(v.to_string());
    let g = row(&got, "a");
    assert_eq!(
        (&g[0], &g[1], &g[2], &g[3]),
        (&s("SUCCESS"), &s("MDCE"), &s("ES3"), &s("ES31"))
    );
    assert_eq!(g[5], None, "no reason for a success");
    let g = row(&got, "b");
    assert_eq!((&g[0], &g[3]), (&s("SUCCESS"), &s("FM19")));
    let g = row(&got, "c");
    assert_eq!((&g[0], &g[3]), (&s("SUCCESS"), &s("OC19")));
    let g = row(&got, "d");
    assert_eq!(g[0], s("CHECK_FAILED"));
    assert!(g[5].as_deref().unwrap().contains("gender"), "{g:?}");
    let g = row(&got, "e");
    assert_eq!(g[0], s("ZD_NOT_MAPPING"));
    assert!(g[5].as_deref().unwrap().contains("NOT-A-CODE"), "{g:?}");
    // An all-null row is a status, not an error: with mapping on, the missing principal diagnosis
    // is the first thing found.
    let g = row(&got, "f");
    assert_eq!(g[0], s("ZD_NOT_MAPPING"), "{g:?}");
    assert!(g[5].as_deref().unwrap().contains("diagnos"), "{g:?}");
}

/// Text where a number belongs, a date where an age belongs, a decimal LOS: each is what the CLI
/// reads from the same text.
#[tokio::test]
async fn odd_types_read_as_their_text() {
    let (ctx, _) = session(&demo_scheme(), SessionConfig::new());
    let sql = "SELECT id, drg_group(gender, age, age_days, weight, dept, los, leaving_type, \
               diagnoses, procedures, icu_hours) FROM (VALUES \
               ('a', '1', '72', '', '', '03', '9', '1', 'J18.900|I50.900|E11.900', '', '0'), \
               ('b', '1', 'old', '', '', '03', '9', '1', 'J18.900|I50.900|E11.900', '', '0')) \
               AS t(id, gender, age, age_days, weight, dept, los, leaving_type, diagnoses, \
               procedures, icu_hours) \
               UNION ALL SELECT 'c', drg_group(1, CAST('2025-01-01' AS DATE), NULL, NULL, 3, \
               CAST(9.00 AS DECIMAL(18, 2)), 1, 'J18.900|I50.900|E11.900', NULL, 0)";
    let got = query(&ctx, sql).await;
    assert_eq!(row(&got, "a")[3].as_deref(), Some("ES31"));
    let b = row(&got, "b");
    assert_eq!(b[0].as_deref(), Some("CHECK_FAILED"), "{b:?}");
    assert!(b[5].as_deref().unwrap().contains("age"), "{b:?}");
    let c = row(&got, "c");
    assert_eq!(
        c[0].as_deref(),
        Some("CHECK_FAILED"),
        "a date is no age: {c:?}"
    );
}

/// The project's sample file states what chs_drg_11 gives each row; SQL over the CSV (every column
/// read as text) agrees.
#[tokio::test]
async fn sample_discharges_group_as_documented_under_chs_drg_11() {
    let Some(path) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let (ctx, _) = session(&path, SessionConfig::new());
    let input = root().join("data/sample-discharges.csv");
    let mut rdr = csv::Reader::from_path(&input).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let expected: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[11].to_string())
        })
        .collect();
    assert_eq!(header[11], "expected_chs_drg_11");
    let schema = Schema::new(
        header
            .iter()
            .map(|h| Field::new(h, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    );
    ctx.register_csv(
        "s",
        input.to_str().unwrap(),
        CsvReadOptions::new().schema(&schema),
    )
    .await
    .unwrap();
    let got = query(&ctx, &format!("SELECT id, {CALL} FROM s ORDER BY id")).await;
    assert_eq!(got.len(), expected.len());
    for ((id, want), (got_id, g)) in expected.iter().zip(&got) {
        assert_eq!(id, got_id);
        let shown = if g[0].as_deref() == Some("SUCCESS") {
            &g[3]
        } else {
            &g[0]
        };
        assert_eq!(shown.as_deref(), Some(want.as_str()), "{id}: {g:?}");
    }
}

/// A real scheme (codes drawn from it by the generator): SQL and the CLI agree row for row.
#[tokio::test]
async fn real_schemes_give_the_cli_answer() {
    for name in ["chs_drg_11", "hefei_2023", "foshan_2022"] {
        let Some(path) = shared_file(&format!("schemes/opendrg/{name}.json")) else {
            return;
        };
        let file = tmp(&format!("{name}-3000-7.parquet"));
        gen(&file, 3000, 7, Some(&path));
        let want = cli_group(&path, &file);
        let (ctx, _) = session(&path, SessionConfig::new().with_target_partitions(2));
        let got = query(
            &ctx,
            &format!("SELECT id, {CALL} FROM '{}'", file.display()),
        )
        .await;
        let counts = assert_same(&got, &want);
        assert_eq!(got.len(), 3000);
        assert!(counts["SUCCESS"] > 2000, "{name}: {counts:?}");
        eprintln!("{name}, 3000 cases: {counts:?}");
    }
}

/// Planning errors and loading errors name what to fix.
#[tokio::test]
async fn errors_say_what_to_fix() {
    let (ctx, _) = session(&demo_scheme(), SessionConfig::new());
    let e = ctx
        .sql("SELECT drg_group('1', 70, 8)")
        .await
        .expect_err("too few arguments")
        .to_string();
    assert!(e.contains("takes 9 or 10 arguments"), "{e}");
    assert!(e.contains("gender, age, age_days"), "{e}");
    let e = ctx
        .sql(
            "SELECT drg_group('1', 70, NULL, NULL, '', 8, '1', named_struct('code', 'I50.900'), '')",
        )
        .await
        .expect_err("a struct argument")
        .to_string();
    assert!(e.contains("argument 8 (diagnoses)"), "{e}");
    assert!(e.contains("no text form"), "{e}");
    let e = drgdip_datafusion::register_scheme_file(&ctx, root().join("no/such/scheme.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no/such/scheme.json"), "{e}");
}
