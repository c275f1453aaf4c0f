//! Settlement scenarios: plain TOML files a policy analyst can write and check by hand (a complete
//! policy, a weight table, a few cases, and the fen expected per case, hospital and pool), run
//! through the engine without the command line. The format is in `tests/scenarios/README.md`.
//!
//! Every scenario is also checked for the invariants that hold whatever the numbers: each closed
//! pool pays out exactly its distributable amount, and pools, hospitals and cases agree to the fen.
//! `SCENARIO=name cargo test -p settlement --test scenarios` runs the files whose name contains
//! `name`.

#[path = "scenarios/format.rs"]
mod format;

use std::collections::BTreeSet;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use format::{exact, read, Expect};
use settlement::engine::Engine;
use settlement::money::Fen;
use settlement::price::Route;
use settlement::settle::{Ledger, Settlement};

/// Expected/got lines.
#[derive(Default)]
struct Diff(Vec<String>);

impl Diff {
    fn eq<T: PartialEq + Display>(&mut self, what: &str, want: Option<T>, got: T) {
        if let Some(w) = want {
            if w != got {
                self.0.push(format!("{what}: expected {w}, got {got}"));
            }
        }
    }

    fn contains(&mut self, what: &str, want: &Option<String>, got: &str) {
        if let Some(w) = want {
            if !got.contains(w.as_str()) {
                self.0
                    .push(format!("{what}: expected to contain {w:?}, got {got:?}"));
            }
        }
    }

    fn fail(&mut self, line: String) {
        self.0.push(line);
    }
}

fn opt<T: Display>(v: Option<T>) -> String {
    v.map_or("none".into(), |v| v.to_string())
}

fn check_pools(d: &mut Diff, e: &Expect, s: &Settlement) {
    for (id, x) in &e.pools {
        let Some(p) = s.pools.iter().find(|p| p.id == *id) else {
            d.fail(format!("pools.{id}: no such pool"));
            continue;
        };
        let k = |f: &str| format!("pools.{id}.{f}");
        d.eq(&k("paid_fen"), x.paid_fen, p.paid.0);
        d.eq(&k("reserve_fen"), x.reserve_fen, p.reserve.0);
        d.eq(
            &k("distributable_fen"),
            x.distributable_fen,
            p.distributable.0,
        );
        d.eq(&k("balance_fen"), x.balance_fen, p.balance.0);
        d.eq(&k("points_paid_fen"), x.points_paid_fen, p.points_paid.0);
        d.eq(&k("other_paid_fen"), x.other_paid_fen, p.other_paid.0);
        d.eq(&k("capitation_fen"), x.capitation_fen, p.capitation.0);
        d.eq(&k("sharing_fen"), x.sharing_fen, p.sharing.0);
        d.eq(&k("remainder_fen"), x.remainder_fen, p.remainder_fen);
        d.eq(&k("cases"), x.cases, p.cases);
        d.eq(&k("closure"), x.closure.as_deref(), p.closure);
        d.eq(
            &k("total_points"),
            x.total_points.map(|p| p.0),
            p.total_points,
        );
        let pv = opt(p.point_value);
        if let Some(t) = &x.point_value_fen {
            match exact(t) {
                Ok(w) if Some(w) == p.point_value => {}
                Ok(w) => d.fail(format!("{}: expected {w}, got {pv}", k("point_value_fen"))),
                Err(m) => d.fail(format!("{}: {m}", k("point_value_fen"))),
            }
        }
        if let Some(y) = x.point_value_yuan {
            let w = y.0.mul_int(100);
            if Some(w) != p.point_value {
                d.fail(format!(
                    "{}: expected {} yuan = {w} fen, got {pv} fen",
                    k("point_value_yuan"),
                    y.0
                ));
            }
        }
    }
}

fn check_hospitals(d: &mut Diff, e: &Expect, s: &Settlement) {
    for (code, x) in &e.hospitals {
        let Some(h) = s.hospitals.iter().find(|h| h.code == *code) else {
            d.fail(format!("hospitals.{code}: not in the settlement"));
            continue;
        };
        let k = |f: &str| format!("hospitals.{code}.{f}");
        d.eq(&k("payee"), x.payee.as_deref(), h.payee.as_str());
        d.eq(&k("level"), x.level, h.level);
        d.eq(&k("cases"), x.cases, h.cases);
        d.eq(&k("points"), x.points.map(|p| p.0), h.points);
        if let Some(t) = &x.cmi {
            match exact(t) {
                Ok(w) => d.eq(&k("cmi"), Some(w.to_string()), opt(h.cmi)),
                Err(m) => d.fail(format!("{}: {m}", k("cmi"))),
            }
        }
        if let Some(o) = x.outliers {
            d.eq(
                &k("outliers"),
                Some(format!("{o:?}")),
                format!("{:?}", h.outliers),
            );
        }
        if let Some(r) = x.review {
            d.eq(
                &k("review"),
                Some(format!("{r:?}")),
                format!("{:?}", [h.review.0, h.review.1]),
            );
        }
        for (r, want) in &x.cases_by_route {
            match Route::ALL.iter().find(|x| x.as_str() == r) {
                Some(&route) => d.eq(
                    &k(&format!("cases_by_route.{r}")),
                    Some(*want),
                    h.cases_by_route[route.index()],
                ),
                None => d.fail(format!("{}: no route {r:?}", k("cases_by_route"))),
            }
        }
        for (r, want) in &x.paid_by_route_fen {
            match Route::ALL.iter().find(|x| x.as_str() == r) {
                Some(&route) => d.eq(
                    &k(&format!("paid_by_route_fen.{r}")),
                    Some(*want),
                    h.paid_by_route[route.index()].0,
                ),
                None => d.fail(format!("{}: no route {r:?}", k("paid_by_route_fen"))),
            }
        }
        d.eq(
            &k("item_fund_cost_fen"),
            x.item_fund_cost_fen,
            h.item_fund_cost.0,
        );
        d.eq(&k("payment_fen"), x.payment_fen, h.payment.0);
        d.eq(&k("capitation_fen"), x.capitation_fen, h.capitation.0);
        d.eq(&k("surplus_fen"), x.surplus_fen, h.surplus.0);
        d.eq(&k("sharing_fen"), x.sharing_fen, h.sharing.0);
        d.contains(
            &k("sharing_formula"),
            &x.sharing_formula,
            &h.sharing_formula,
        );
        d.eq(&k("entitlement_fen"), x.entitlement_fen, h.entitlement.0);
        d.eq(&k("deposit_fen"), x.deposit_fen, h.deposit.0);
        d.eq(&k("net_fen"), x.net_fen, h.net.0);
        if x.paid_to_date_fen.is_some() {
            d.eq(
                &k("paid_to_date_fen"),
                x.paid_to_date_fen.map(|v| v.to_string()),
                opt(h.paid_to_date.map(|f| f.0)),
            );
        }
        if x.clearing_fen.is_some() {
            d.eq(
                &k("clearing_fen"),
                x.clearing_fen.map(|v| v.to_string()),
                opt(h.clearing.map(|f| f.0)),
            );
        }
    }
}

fn check_cases(d: &mut Diff, e: &Expect, s: &Settlement) {
    for (id, x) in &e.cases {
        let Some(c) = s.cases.iter().find(|c| c.id == *id) else {
            let why = s
                .rejected
                .iter()
                .find(|r| r.id == *id)
                .map_or("not in the input".to_string(), |r| {
                    format!("rejected: {}", r.reason)
                });
            d.fail(format!("cases.{id}: not settled ({why})"));
            continue;
        };
        let k = |f: &str| format!("cases.{id}.{f}");
        let p = &c.priced;
        d.eq(&k("route"), x.route.as_deref(), p.route.as_str());
        d.eq(&k("class"), x.class.as_deref(), p.class.as_str());
        d.eq(&k("line"), x.line.as_deref(), &p.line);
        d.eq(&k("points"), x.points.map(|p| p.0), c.points);
        d.eq(&k("fund_fen"), x.fund_fen, c.fund.0);
        if let Some(t) = &x.ratio {
            match exact(t) {
                Ok(w) => d.eq(&k("ratio"), Some(w.to_string()), opt(p.ratio)),
                Err(m) => d.fail(format!("{}: {m}", k("ratio"))),
            }
        }
        d.contains(&k("formula"), &x.formula, &p.formula);
        d.contains(&k("note"), &x.note, &p.note);
    }
}

fn check_rejected(d: &mut Diff, e: &Expect, s: &Settlement) {
    let want: BTreeSet<&str> = e.rejected.iter().map(|r| r.id.as_str()).collect();
    for r in &s.rejected {
        if !want.contains(r.id.as_str()) {
            d.fail(format!("rejected {}: not expected ({})", r.id, r.reason));
        }
    }
    for w in &e.rejected {
        match s
            .rejected
            .iter()
            .find(|r| r.id == w.id && r.reason.contains(&w.reason))
        {
            Some(_) => {}
            None => {
                let got: Vec<&str> = s
                    .rejected
                    .iter()
                    .filter(|r| r.id == w.id)
                    .map(|r| r.reason.as_str())
                    .collect();
                d.fail(format!(
                    "rejected {}: expected a reason containing {:?}, got {got:?}",
                    w.id, w.reason
                ));
            }
        }
    }
}

/// What holds for any scenario: closed pools pay out exactly their distributable amount, and the
/// pool, hospital and case views agree to the fen.
fn check_invariants(d: &mut Diff, s: &Settlement) {
    for (k, p) in s.pools.iter().enumerate() {
        let cases: Fen = s.cases.iter().filter(|c| c.pool == k).map(|c| c.fund).sum();
        if cases + p.capitation != p.paid {
            d.fail(format!(
                "invariant: pool {}: Σ case fund {cases} + capitation {} != paid {}",
                p.id, p.capitation, p.paid
            ));
        }
        if p.closure == "point_value" && p.paid != p.distributable {
            d.fail(format!(
                "invariant: pool {} closes by point value but pays {} of a distributable {}",
                p.id, p.paid, p.distributable
            ));
        }
        if p.balance != p.distributable - p.paid - p.sharing {
            d.fail(format!(
                "invariant: pool {}: balance {} != distributable − paid − sharing",
                p.id, p.balance
            ));
        }
    }
    for h in &s.hospitals {
        let cases: Fen = s
            .cases
            .iter()
            .filter(|c| c.hospital == h.code)
            .map(|c| c.fund)
            .sum();
        let by_route: Fen = h.paid_by_route.iter().copied().sum();
        if cases != h.payment || by_route != h.payment {
            d.fail(format!(
                "invariant: hospital {}: payment {} but Σ case fund {cases}, Σ by route {by_route}",
                h.code, h.payment
            ));
        }
    }
    let hospitals: Fen = s.hospitals.iter().map(|h| h.payment + h.capitation).sum();
    let pools: Fen = s.pools.iter().map(|p| p.paid).sum();
    if hospitals != pools {
        d.fail(format!(
            "invariant: Σ hospital payment and capitation {hospitals} != Σ pool paid {pools}"
        ));
    }
    let sharing_h: Fen = s.hospitals.iter().map(|h| h.sharing).sum();
    let sharing_p: Fen = s.pools.iter().map(|p| p.sharing).sum();
    if sharing_h != sharing_p {
        d.fail(format!(
            "invariant: Σ hospital sharing {sharing_h} != Σ pool sharing {sharing_p}"
        ));
    }
}

fn expectations(e: &Expect) -> usize {
    usize::from(e.policy_error.is_some())
        + usize::from(e.error.is_some())
        + usize::from(e.settled.is_some())
        + e.pools.len()
        + e.hospitals.len()
        + e.cases.len()
        + e.rejected.len()
}

/// Runs one scenario; the lines say what differs.
fn run(path: &Path) -> Vec<String> {
    let sc = match read(path) {
        Ok(s) => s,
        Err(m) => return vec![m],
    };
    let mut d = Diff::default();
    let e = &sc.expect;
    if expectations(e) == 0 {
        d.fail("[expect] checks nothing".into());
    }
    let engine = sc
        .policy
        .and_then(|p| Engine::new(p, sc.weights).map_err(|e| e.to_string()));
    let engine = match (engine, &e.policy_error) {
        (Err(m), Some(w)) if m.contains(w.as_str()) => return d.0,
        (Err(m), Some(w)) => return vec![format!("policy error: expected {w:?} in it, got {m:?}")],
        (Err(m), None) => return vec![format!("the policy does not load: {m}")],
        (Ok(_), Some(w)) => {
            return vec![format!("the policy loads, expected an error naming {w:?}")]
        }
        (Ok(en), None) => en,
    };
    let mut ledger = Ledger::new();
    for c in &sc.cases {
        ledger.add(&engine, c);
    }
    let s = match (ledger.close(&engine, &sc.inputs), &e.error) {
        (Err(m), Some(w)) if m.to_string().contains(w.as_str()) => return d.0,
        (Err(m), Some(w)) => {
            return vec![format!(
                "close: expected an error containing {w:?}, got {m}"
            )]
        }
        (Err(m), None) => return vec![format!("close failed: {m}")],
        (Ok(_), Some(w)) => {
            return vec![format!(
                "close succeeded, expected an error containing {w:?}"
            )]
        }
        (Ok(s), None) => s,
    };
    d.eq("settled", e.settled, s.settled());
    check_pools(&mut d, e, &s);
    check_hospitals(&mut d, e, &s);
    check_cases(&mut d, e, &s);
    check_rejected(&mut d, e, &s);
    check_invariants(&mut d, &s);
    d.0
}

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut v: Vec<PathBuf> = Vec::new();
    for dir in [root.clone(), root.join("invalid")] {
        v.extend(
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    v.sort();
    v
}

#[test]
fn scenarios() {
    let filter = std::env::var("SCENARIO").unwrap_or_default();
    let all = files();
    assert!(
        all.len() >= 30,
        "expected the scenario files in tests/scenarios"
    );
    let mut failed = Vec::new();
    let mut ran = 0;
    for f in &all {
        let name = f
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios"))
            .unwrap_or(f)
            .display()
            .to_string();
        if !name.contains(filter.as_str()) {
            continue;
        }
        ran += 1;
        let lines = run(f);
        if !lines.is_empty() {
            failed.push(format!("{name}:\n  {}", lines.join("\n  ")));
        }
    }
    assert!(ran > 0, "no scenario matches SCENARIO={filter:?}");
    assert!(
        failed.is_empty(),
        "{} of {ran} scenarios differ:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
