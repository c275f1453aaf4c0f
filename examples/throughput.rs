//! Quick throughput check without criterion: best of N passes over a vector file.
//!
//! `cargo run --release --example throughput -- ../shared/schemes/opendrg/chs_drg_11.json \
//!     ../shared/vectors/chs_drg_11.csv [passes]`
//!
//! Reports the best pass (least disturbed by other load on the machine), single thread and rayon.

use drgdip::io::row::Row;
use std::time::Instant;

use drgdip::grouper::{Grouper, Scheme};
use drgdip::io::csv::Columns;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: throughput SCHEME.json RECORDS.csv [passes]".into());
    }
    let passes: usize = args.get(3).map_or(Ok(20), |p| p.parse())?;
    let t = Instant::now();
    let scheme = Scheme::load(&args[1])?;
    println!("loaded {} in {:?}", scheme.version(), t.elapsed());

    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&args[2])?;
    let cols = Columns::from_header(&Row::from(rdr.byte_headers()?))?;
    let rows: Vec<Row> = rdr
        .byte_records()
        .map(|r| r.map(|r| Row::from(&r)))
        .collect::<Result<_, _>>()?;
    let records: Vec<_> = rows.iter().filter_map(|r| cols.record(r).ok()).collect();
    let grouper = Grouper::new(&scheme);

    let mut best_single = f64::MAX;
    let mut best_rayon = f64::MAX;
    for _ in 0..passes {
        let t = Instant::now();
        let mut n = 0usize;
        for r in &records {
            n += std::hint::black_box(grouper.group(r)).drg.len();
        }
        std::hint::black_box(n);
        best_single = best_single.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(grouper.group_slice(&records));
        best_rayon = best_rayon.min(t.elapsed().as_secs_f64());
    }
    let n = records.len() as f64;
    println!(
        "{} records: single thread {:.0} records/s ({:.0} ns/record), rayon ({} threads) {:.0} records/s",
        records.len(),
        n / best_single,
        best_single * 1e9 / n,
        rayon::current_num_threads(),
        n / best_rayon
    );
    Ok(())
}
