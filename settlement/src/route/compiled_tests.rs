//! The compiled route lists against the scans they replace, on every policy under `data/` and on
//! generated policies with overlapping prefixes, open criteria and more lines than a set holds.

use super::*;
use crate::case::{Bundle, DrgOutcome, DrgResult};
use crate::money::Fen;

/// A small deterministic generator (no dependency, the same cases on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[self.next(v.len())]
    }
}

fn case(principal: &str, dept: &str, group: &str, procedures: Vec<String>) -> Case {
    Case {
        id: "1".into(),
        hospital: "H01".into(),
        hospital_level: Some(3),
        fund_type: "employee".into(),
        locality: "local".into(),
        service_line: "inpatient".into(),
        discharge_date: "2025-01-15".into(),
        los: None,
        dept: dept.into(),
        principal: principal.into(),
        procedures,
        total_cost: Fen(100_000),
        patient_share: Fen(10_000),
        fund_amount: None,
        carve_out: None,
        special_review: false,
        bundle: Bundle::Drg(DrgResult {
            outcome: DrgOutcome::Grouped,
            code: group.into(),
            reason: String::new(),
        }),
    }
}

/// Every code a policy's lists name, with longer and shorter variants, and codes no list names.
fn vocabulary(p: &Policy) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let mut dx: Vec<String> = vec!["".into(), "A00".into(), "Z99.9".into(), "é1".into()];
    let mut px: Vec<String> = vec!["00.00".into(), "99".into()];
    let mut depts: Vec<String> = vec!["".into(), "01".into(), "99".into()];
    let mut groups: Vec<String> = vec!["".into(), "ZZ99".into(), "QY".into()];
    let variants = |out: &mut Vec<String>, codes: &[String]| {
        for c in codes {
            out.push(c.clone());
            out.push(format!("{c}.1"));
            out.push(format!("{c}9"));
            let mut short = c.clone();
            short.pop();
            out.push(short);
        }
    };
    for c in &p.carve_outs {
        variants(&mut dx, &c.diagnoses);
    }
    for f in &p.fixed_rates {
        variants(&mut dx, &f.diagnoses);
        variants(&mut px, &f.procedures);
        groups.extend(f.groups.iter().cloned());
    }
    for l in &p.per_diem {
        variants(&mut dx, &l.diagnoses);
        depts.extend(l.depts.iter().cloned());
    }
    if let Some(d) = &p.drg {
        groups.extend(d.same_price_groups.iter().cloned());
    }
    (dx, px, depts, groups)
}

/// The codes a policy's pools list, `*`, a code no pool lists, the empty code, and codes longer
/// than a [`ShortCode`]: service lines, fund types, localities.
fn pool_vocabulary(p: &Policy) -> [Vec<String>; 3] {
    let mut out: [Vec<String>; 3] = Default::default();
    for list in &mut out {
        list.extend(["*", "", "none of them", "a code of seventeen+ bytes"].map(String::from));
    }
    for pool in &p.pools {
        out[0].push(pool.service_line.clone());
        out[1].extend(pool.fund_types.iter().cloned());
        out[2].extend(pool.localities.iter().cloned());
    }
    out
}

/// Checks `cases` generated cases; returns how many each step claimed (carve-out, fixed rate,
/// per-diem) and how many found a pool.
fn check(p: &Policy, name: &str, cases: usize) -> [usize; 4] {
    let routes = Routes::compile(p, std::iter::empty(), Rounding::HalfAwayFromZero, vec![]);
    let (dx, px, depts, groups) = vocabulary(p);
    let mut names: Vec<String> = p.carve_outs.iter().map(|c| c.name.clone()).collect();
    names.push("no such line".into());
    let [lines, funds, places] = pool_vocabulary(p);
    let mut g = Lcg(name.len() as u64);
    let mut found = [0; 4];
    for k in 0..cases {
        let n_px = g.next(4);
        let procedures = (0..n_px).map(|_| g.pick(&px).to_string()).collect();
        let mut c = case(g.pick(&dx), g.pick(&depts), g.pick(&groups), procedures);
        c.los = [
            None,
            Some(0),
            Some(1),
            Some(2),
            Some(5),
            Some(60),
            Some(200),
        ][g.next(7)];
        if g.next(4) == 0 {
            c.carve_out = Some(g.pick(&names).to_string());
        }
        c.service_line = g.pick(&lines).to_string();
        c.fund_type = g.pick(&funds).to_string();
        c.locality = g.pick(&places).to_string();
        let group = routes.group(c.bundle.code());
        let what = format!("{name} case {k}: {c:?}");
        let carve_out = routes.carve_out(p, &c);
        assert_eq!(carve_out, scan::carve_out(p, &c), "carve-out, {what}");
        let fixed = routes.fixed_rate(p, &c, group);
        assert_eq!(fixed, scan::fixed_rate(p, &c), "fixed rate, {what}");
        let per_diem: Vec<usize> = match routes.per_diem(&c) {
            Some(lines) => lines.iter().collect(),
            None => scan::per_diem(p, &c).collect(),
        };
        assert_eq!(
            per_diem,
            scan::per_diem(p, &c).collect::<Vec<_>>(),
            "per-diem, {what}"
        );
        found[0] += usize::from(carve_out.is_some());
        found[1] += usize::from(fixed.is_some());
        found[2] += usize::from(!per_diem.is_empty());
        let pool = routes.pool(p, &c);
        assert_eq!(pool, scan::pool(p, &c), "pool, {what}");
        found[3] += usize::from(pool.is_some());
    }
    for c in &p.carve_outs {
        assert!(routes.is_carve_out(&c.name));
    }
    assert!(!routes.is_carve_out("no such line"));
    found
}

fn data_policies() -> Vec<(String, Policy)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    let mut out = Vec::new();
    for dir in ["demo", "policies", "scenarios"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.display().to_string();
                if let Ok(p) = Policy::from_toml(&text, &name) {
                    out.push((name, p));
                }
            }
        }
    }
    out
}

#[test]
fn every_data_policy_routes_as_the_scans_do() {
    let policies = data_policies();
    assert!(policies.len() >= 8, "found {} policies", policies.len());
    for (name, p) in &policies {
        let found = check(p, name, 3000);
        assert!(found[3] > 100, "{name}: {found:?}");
    }
}

/// A policy with `n` lines of each kind, their codes drawn from a few overlapping prefixes, some
/// lists empty, some lines with stay limits.
fn generated(n: usize, seed: u64) -> Policy {
    let (_, base) = data_policies()
        .into_iter()
        .find(|(name, _)| name.ends_with("demo/policy.toml"))
        .expect("the demo policy");
    let mut p = base;
    let mut g = Lcg(seed);
    let codes: Vec<String> = [
        "F", "F2", "F20", "F20.0", "F31", "K64.8", "U07.1", "O80", "Z5",
    ]
    .map(String::from)
    .to_vec();
    let depts: Vec<String> = ["15", "21", "05"].map(String::from).to_vec();
    let procs: Vec<String> = ["51.23", "51", "74.1", "74.1x01"]
        .map(String::from)
        .to_vec();
    let grps: Vec<String> = ["OR19", "OB19", "ES35"].map(String::from).to_vec();
    let some = |g: &mut Lcg, from: &[String]| -> Vec<String> {
        (0..g.next(3)).map(|_| g.pick(from).to_string()).collect()
    };
    let template_c = p.carve_outs[0].clone();
    let template_f = p.fixed_rates[0].clone();
    let template_d = p.per_diem[0].clone();
    // Pools that take any fund type or locality, and codes longer than a ShortCode.
    let template_p = p.pools[0].clone();
    let pool = |line: &str, funds: &[&str], places: &[&str]| crate::policy::Pool {
        service_line: line.into(),
        fund_types: funds.iter().map(|x| x.to_string()).collect(),
        localities: places.iter().map(|x| x.to_string()).collect(),
        ..template_p.clone()
    };
    p.pools.push(pool(
        "outpatient",
        &["*"],
        &["remote", "a code of seventeen+ bytes"],
    ));
    p.pools.push(pool(
        "a code of seventeen+ bytes",
        &["employee", "*"],
        &["*"],
    ));
    p.pools.push(pool(
        "inpatient",
        &["a code of seventeen+ bytes"],
        &["local"],
    ));
    p.carve_outs = (0..n)
        .map(|i| crate::policy::CarveOut {
            name: format!("line {}", i % 7),
            diagnoses: some(&mut g, &codes),
            ..template_c.clone()
        })
        .collect();
    p.fixed_rates = (0..n)
        .map(|i| {
            let mut groups = some(&mut g, &grps);
            let (diagnoses, procedures) = (some(&mut g, &codes), some(&mut g, &procs));
            if groups.is_empty() && diagnoses.is_empty() && procedures.is_empty() {
                // As validation requires: some criterion.
                groups.push(g.pick(&grps).to_string());
            }
            crate::policy::FixedRate {
                name: format!("rate {i}"),
                diagnoses,
                procedures,
                groups,
                max_los: [None, Some(1), Some(5)][g.next(3)],
                ..template_f.clone()
            }
        })
        .collect();
    p.per_diem = (0..n)
        .map(|i| crate::policy::PerDiem {
            name: format!("per diem {i}"),
            depts: some(&mut g, &depts),
            diagnoses: some(&mut g, &codes),
            min_los: [None, Some(2), Some(60)][g.next(3)],
            ..template_d.clone()
        })
        .collect();
    p
}

#[test]
fn generated_policies_route_as_the_scans_do() {
    for (n, seed) in [(1, 1), (5, 2), (20, 3), (63, 4), (64, 5), (65, 6), (100, 7)] {
        let p = generated(n, seed);
        let routes = Routes::compile(&p, std::iter::empty(), Rounding::HalfAwayFromZero, vec![]);
        assert_eq!(routes.carve_outs.is_some(), n <= LineSet::CAPACITY);
        let found = check(&p, &format!("generated {n}"), 20_000);
        if n >= 5 {
            // Each step claims cases; carve-outs and fixed rates also let some pass (a per-diem
            // line without a list takes every case).
            for (step, k) in ["carve-out", "fixed rate", "per-diem"].iter().zip(found) {
                assert!(k > 100, "{step}: {k} of 20000 with {n} lines");
            }
            assert!(found[0] < 19_900 && found[1] < 19_900, "{found:?}");
        }
    }
}

#[test]
fn fixed_amounts_by_level_are_found_by_their_text() {
    let (_, mut p) = data_policies()
        .into_iter()
        .find(|(name, _)| name.ends_with("demo/policy.toml"))
        .expect("the demo policy");
    let f = &mut p.fixed_rates[0];
    f.amount_by_level.clear();
    for (k, y) in [("3", 30), ("03", 99), ("1", 10)] {
        f.amount_by_level
            .insert(k.into(), crate::policy::Yuan(Fen(y)));
    }
    f.amount_yuan = Some(crate::policy::Yuan(Fen(7)));
    let routes = Routes::compile(&p, std::iter::empty(), Rounding::HalfAwayFromZero, vec![]);
    let f = &p.fixed_rates[0];
    let line = &routes.fixed_lines[0];
    for level in 0..=255u8 {
        let want = f
            .amount_by_level
            .get(&level.to_string())
            .or(f.amount_yuan.as_ref())
            .map(|y| y.0);
        assert_eq!(line.amount(level), want, "level {level}");
    }
    assert_eq!(line.head, format!("fixed rate {} ({}): ", f.name, f.kind));
}

#[test]
fn a_groups_coefficient_texts_are_kept_per_slot_and_equal_formed_ones() {
    let (_, p) = data_policies()
        .into_iter()
        .find(|(name, _)| name.ends_with("demo/policy.toml"))
        .expect("the demo policy");
    let rules = crate::drg::DrgPointRules {
        low: None,
        high: vec![],
        uplift: None,
        rounding: Rounding::HalfAwayFromZero,
    };
    let weight = GroupWeight {
        weight: Points(12_345),
        mean_cost: Fen(1_000_000),
    };
    let code = "OB19".to_string();
    let applied = |v: &str| {
        let c = crate::coefficient::Coefficient {
            components: vec![crate::coefficient::Component {
                name: "level".into(),
                value: v.parse().unwrap(),
                provenance: "test".into(),
            }],
            combine: crate::coefficient::Combine::Product,
        };
        std::sync::Arc::new(crate::engine::Applied {
            value: c.value().unwrap(),
            value_text: c.value().unwrap().to_string(),
            explain: c.explain(),
            quoted: format!("{v} [{}]", c.explain()),
            coefficient: c,
        })
    };
    let (a, b) = (applied("1.05"), applied("0.95"));
    let routes = Routes::compile(
        &p,
        [(&code, &weight)],
        Rounding::HalfAwayFromZero,
        vec![a.clone()],
    );
    let g = routes.group("OB19").and_then(|g| g.drg.as_ref()).unwrap();
    let base = g.base.clone().unwrap();
    assert_eq!(base, Points(1_234_500));
    assert!(g.same_price, "OB19 is the demo's 同病同价 group");
    let form =
        |c: &crate::engine::Applied| GroupCoefficient::new(g, base, &rules, c.value, &c.quoted);
    assert_eq!(routes.slot(false, &a), Some(1));
    assert_eq!(routes.slot(false, &b), None);
    assert_eq!(routes.slot(true, &b), Some(0));
    for _ in 0..2 {
        let kept = g.with_coefficient(routes.slot(false, &a), || form(&a));
        let formed = g.with_coefficient(None, || form(&a));
        assert!(matches!(kept, Cow::Borrowed(_)) && matches!(formed, Cow::Owned(_)));
        assert_eq!(kept.prefix, formed.prefix);
        assert_eq!(kept.bands, formed.bands);
        assert_eq!(kept.full, formed.full);
        assert_eq!(
            kept.prefix,
            format!(
                "DRG OB19 weight 1.2345 → base 123.4500 pts; coefficient {}; ",
                a.quoted
            )
        );
    }
    let other = g.with_coefficient(None, || form(&b));
    assert_eq!(other.full, Ok("117.2775".parse().unwrap()));
}
