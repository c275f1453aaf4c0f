//! Settlement throughput on the demo month (20,000 generated discharges, the embedded demo scheme,
//! weights and policy): pricing one case (`Engine::price`, which routes it and writes its
//! formula), grouping and pricing from the raw row, and closing a run of 20,000 priced cases
//! (`Ledger`: slips, pools to the fen, statements).
//!
//! Run: `cargo bench --bench settle`.

use drgdip::io::row::Row;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use drgdip::cli::settle::{demo, read_weights};
use drgdip::gen::{self, Accepted, GenOptions};
use drgdip::io::cases::{drg_bundle, SettleColumns};
use drgdip::io::csv::Columns;
use grouper::{Grouper, Options, Scheme};
use settlement::case::Case;
use settlement::engine::Engine;
use settlement::policy::Policy;
use settlement::settle::{Inputs, Ledger};

const CASES: u64 = 20_000;

struct Month {
    scheme: Scheme,
    engine: Engine,
    rows: Vec<Row>,
    header: Row,
}

fn month() -> Month {
    let accepted =
        Accepted::from_scheme_json(gen::DEMO_SCHEME, "demo scheme").expect("demo scheme");
    let opts = GenOptions {
        hospitals: 20,
        cases: CASES,
        months: 1,
        seed: 1,
        years: None,
    };
    let mut csv_bytes = Vec::new();
    gen::generate(&opts, &accepted, &mut csv_bytes).expect("generate");
    let mut r = csv::Reader::from_reader(csv_bytes.as_slice());
    let header = Row::from(r.byte_headers().expect("header"));
    let rows = r
        .byte_records()
        .map(|r| r.map(|r| Row::from(&r)))
        .collect::<Result<_, _>>()
        .expect("rows");
    let scheme = Scheme::from_json_slice(demo::SCHEME, "demo scheme").expect("scheme");
    let policy = Policy::from_toml(demo::POLICY, "demo policy").expect("policy");
    let weights = read_weights(demo::DRG_WEIGHTS.as_bytes(), "demo weights").expect("weights");
    let engine = Engine::new(policy, weights).expect("engine");
    Month {
        scheme,
        engine,
        rows,
        header,
    }
}

fn bench_settle(c: &mut Criterion) {
    let m = month();
    let grouper = Grouper::with_options(&m.scheme, Options::default());
    let cols = Columns::from_header(&m.header).expect("columns");
    let scols = SettleColumns::from_header(&m.header).expect("settle columns");
    let no = |_: &str| false;
    let to_case = |row: &Row| -> Option<Case> {
        let r = cols.record(row).ok()?;
        scols.case(row, &no, drg_bundle(&grouper.group(&r))).ok()
    };
    let cases: Vec<Case> = m.rows.iter().filter_map(to_case).collect();

    let mut g = c.benchmark_group("settle_demo_month");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("price_single_thread", |b| {
        b.iter(|| {
            for case in &cases {
                let _ = black_box(m.engine.price(black_box(case)));
            }
        })
    });
    g.throughput(Throughput::Elements(m.rows.len() as u64));
    g.bench_function("group_and_price_from_row_single_thread", |b| {
        b.iter(|| {
            for row in &m.rows {
                if let Some(case) = to_case(black_box(row)) {
                    let _ = black_box(m.engine.price(&case));
                }
            }
        })
    });
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.sample_size(20);
    g.bench_function("ledger_close_20000", |b| {
        b.iter(|| {
            let mut ledger = Ledger::new();
            for case in &cases {
                ledger.add(&m.engine, case);
            }
            black_box(
                ledger
                    .close(&m.engine, &Inputs::default())
                    .map(|s| s.settled()),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_settle);
criterion_main!(benches);
