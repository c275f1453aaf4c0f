//! How many DIP cases each reference quirk decides: starting from the `nodedip-base` preset, switch
//! one setting at a time to its national value and count the cases whose group, type, auxiliary
//! entry, deviation class or settlement score changes; then the whole national policy.
//!
//! `cargo run --release --example dip_defects -- ../shared/dip/catalog.json ../shared/dip/cases.csv`

use drgdip::grouper::dip::policy::divergences;
use drgdip::grouper::dip::{DipGrouper, DipPolicy};
use drgdip::io::csv::DipColumns;
use drgdip::io::row::Row;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: dip_defects CATALOG.json CASES.csv".into());
    }
    let catalog = drgdip::cli::dip::load_catalog(args[1].as_ref())?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&args[2])?;
    let cols = DipColumns::from_header(&Row::from(rdr.byte_headers()?))?;
    let rows: Vec<Row> = rdr
        .byte_records()
        .map(|r| r.map(|r| Row::from(&r)))
        .collect::<Result<_, _>>()?;
    let records: Vec<_> = rows.iter().filter_map(|r| cols.record(r).ok()).collect();

    let base = DipPolicy::nodedip_base();
    let g0 = DipGrouper::new(&catalog, &base);
    let before: Vec<String> = records.iter().map(|r| g0.group(r).outcome()).collect();
    println!("| switch | quirk | cases changed | why the national value is right |");
    println!("|---|---|---|---|");
    for d in divergences() {
        let mut p = base.clone();
        (d.apply)(&mut p);
        let g = DipGrouper::new(&catalog, &p);
        let n = records
            .iter()
            .zip(&before)
            .filter(|(r, b)| g.group(r).outcome() != **b)
            .count();
        println!("| `{}` | {} | {n} | {} |", d.switch, d.quirk, d.why);
    }
    let national = DipPolicy::national();
    let g = DipGrouper::new(&catalog, &national);
    let n = records
        .iter()
        .zip(&before)
        .filter(|(r, b)| g.group(r).outcome() != **b)
        .count();
    println!("| all (national policy) | | {n} | |");
    Ok(())
}
