//! DIP grouping throughput on the 8,142 reference cases (`../shared/dip/`), single thread, per
//! preset, plus catalog load and compile time.
//!
//! Run: `cargo bench --bench dip` (needs `../shared` or `DRGDIP_SHARED`).

use drgdip::io::row::Row;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use drgdip::grouper::dip::{DipCatalog, DipGrouper, DipPolicy};
use drgdip::io::csv::DipColumns;

fn shared() -> PathBuf {
    std::env::var("DRGDIP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn bench_dip(c: &mut Criterion) {
    let catalog_path = shared().join("dip/catalog.json");
    let cases_path = shared().join("dip/cases.csv");
    let (Ok(catalog), Ok(mut rdr)) = (
        drgdip::cli::dip::load_catalog(&catalog_path),
        csv::Reader::from_path(&cases_path),
    ) else {
        eprintln!("NOTICE: ../shared/dip not found, DIP bench skipped");
        return;
    };
    let cols =
        DipColumns::from_header(&Row::from(rdr.byte_headers().expect("header"))).expect("columns");
    let rows: Vec<Row> = rdr
        .byte_records()
        .map(|r| Row::from(&r.expect("row")))
        .collect();
    let records: Vec<_> = rows
        .iter()
        .map(|r| cols.record(r).expect("record"))
        .collect();

    let mut g = c.benchmark_group("dip_group");
    g.throughput(Throughput::Elements(records.len() as u64));
    for preset in DipPolicy::PRESETS {
        let policy = DipPolicy::preset(preset).expect("preset");
        let grouper = DipGrouper::new(&catalog, &policy);
        g.bench_function(BenchmarkId::new("single_thread", preset), |b| {
            b.iter(|| {
                let mut n = 0.0;
                for r in &records {
                    n += black_box(grouper.group(r)).settle_score;
                }
                n
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("dip_catalog");
    g.sample_size(10);
    g.bench_function("load_and_compile", |b| {
        b.iter(|| {
            DipCatalog::load(&catalog_path)
                .and_then(|c| c.compile("bench"))
                .expect("catalog")
        })
    });
    g.finish();
}

criterion_group!(benches, bench_dip);
criterion_main!(benches);
