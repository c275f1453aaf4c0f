use super::*;
use crate::dip::catalog::ProcedureAttr;

fn rec<'a>(principal: &'a str, procs: &'a str, cost: &'a str) -> HistoryRecord<'a> {
    HistoryRecord {
        year: 2024,
        principal,
        procedures: Codes::Joined(procs),
        total_cost: cost,
    }
}

fn dictionary() -> DipCatalog {
    let attr = |code: &str, t| ProcedureAttr {
        code: code.into(),
        treatment_type: t,
    };
    DipCatalog::dictionary(
        "dictionary",
        vec![
            attr("51.2200", TreatmentType::Surgery),
            attr("88.0100", TreatmentType::Diagnostic),
            attr("39.7900", TreatmentType::Interventional),
            attr("96.0400", TreatmentType::Therapeutic),
        ],
        vec!["99.9900".into()],
    )
}

fn build(min: u64, rows: &[(&str, &str, &str)]) -> (DipCatalog, DipCalibrationReport) {
    let params = DipCalibration {
        min_cases: min,
        ..DipCalibration::default()
    };
    let dict = dictionary();
    let mut cal = DipCalibrator::new(params, Some(&dict)).unwrap();
    for (i, (dx, pr, cost)) in rows.iter().enumerate() {
        cal.add(i as u64 + 2, &rec(dx, pr, cost));
    }
    cal.finish().unwrap()
}

#[test]
fn a_combination_with_exactly_min_cases_is_core_one_fewer_folds() {
    let mut rows = vec![("K80.100", "51.2200", "1000"); 3];
    rows.extend([("K80.101", "88.0100|51.2200", "2000"); 2]);
    let (cat, rep) = build(3, &rows);
    let codes: Vec<(&str, GroupKind)> = cat
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.kind))
        .collect();
    assert_eq!(
        codes,
        [
            ("K80.1-1", GroupKind::Core),
            ("K80-Z4", GroupKind::Comprehensive)
        ]
    );
    assert_eq!(cat.groups[0].procedures.as_deref(), Some("51.2200"));
    assert_eq!(cat.groups[1].treatment_type, Some(TreatmentType::Surgery));
    assert_eq!((rep.core_cases, rep.cases_used), (3, 5));
    assert_eq!(rep.core_coverage, 0.6);
    assert!(!rep.meets_coverage_guideline);
    // mean 1400: 1000 / 1400 × 100 and 2000 / 1400 × 100.
    assert_eq!(cat.groups[0].score, 71.4286);
    assert_eq!(cat.groups[1].score, 142.8571);
    assert_eq!(cat.groups[1].avg_cost, Some(2000.0));
    cat.compile("built").unwrap();
}

#[test]
fn combinations_are_distinct_sorted_codes_without_excluded_ones() {
    let rows = [
        ("K80.100", "88.0100|51.2200", "10"),
        ("k80.100", "51.2200,88.0100,51.2200|99.9900", "20"),
        ("K80.1", "", "30"),
        ("K80.100", "99.9900", "40"),
    ];
    let (cat, rep) = build(2, &rows);
    let g: Vec<(&str, Option<&str>, Option<f64>)> = cat
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.procedures.as_deref(), g.avg_cost))
        .collect();
    assert_eq!(
        g,
        [
            ("K80.1-1", None, Some(35.0)),
            ("K80.1-2", Some("51.2200+88.0100"), Some(15.0)),
        ]
    );
    assert_eq!(rep.core_coverage, 1.0);
    assert!(rep.meets_coverage_guideline);
    assert_eq!(cat.excluded_procedures, ["99.9900"]);
    assert_eq!(cat.procedures.len(), 4);
}

#[test]
fn the_rest_folds_by_three_characters_and_treatment_type() {
    let rows = [
        ("J18.000", "", "100"),
        ("J18.900", "77.7777", "200"), // unknown procedure: 保守治疗
        ("J18.100", "88.0100", "300"),
        ("J18.200", "88.0100|96.0400", "400"),
        ("J18.300", "39.7900", "500"), // 介入治疗 is reported as 相关手术
        ("J20.000", "", "600"),
    ];
    let (cat, rep) = build(15, &rows);
    let g: Vec<(&str, &str, f64)> = cat
        .groups
        .iter()
        .map(|g| {
            (
                g.code.as_str(),
                g.treatment_type.unwrap().as_str(),
                g.avg_cost.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        g,
        [
            ("J18-Z0", "保守治疗", 150.0),
            ("J18-Z1", "诊断性操作", 300.0),
            ("J18-Z2", "治疗性操作", 400.0),
            ("J18-Z4", "相关手术", 500.0),
            ("J20-Z0", "保守治疗", 600.0),
        ]
    );
    assert_eq!((rep.core_groups, rep.comprehensive_groups), (0, 5));
    cat.compile("built").unwrap();
}

#[test]
fn without_a_dictionary_every_case_is_conservative() {
    let mut cal = DipCalibrator::new(DipCalibration::default(), None).unwrap();
    cal.add(2, &rec("J18.000", "51.2200", "100"));
    let (cat, _) = cal.finish().unwrap();
    assert_eq!(
        cat.groups[0].treatment_type,
        Some(TreatmentType::Conservative)
    );
    assert!(cat.procedures.is_empty());
}

#[test]
fn bad_rows_are_rejected_with_reasons_and_counted() {
    let mut cal = DipCalibrator::new(DipCalibration::default(), None).unwrap();
    cal.add(2, &rec("ABC", "", "100"));
    cal.add(3, &rec("J18.000", "", "-5"));
    cal.add(4, &rec("J18.000", "a+b", "5"));
    cal.add(5, &rec("J18.000", "", "5"));
    cal.reject(6, "year: \"x\" is not a year".into());
    let (_, rep) = cal.finish().unwrap();
    assert_eq!(
        (rep.rows_read, rep.cases_used, rep.rejections.count),
        (5, 1, 4)
    );
    assert_eq!(
        rep.rejections.summary(),
        "diagnoses 1, procedures 1, total_cost 1, year 1"
    );
    assert_eq!(rep.rejections.examples[1].line, 3);
}

#[test]
fn parameters_and_empty_histories_are_errors() {
    let p = |min_cases, k| DipCalibration {
        min_cases,
        k,
        ..DipCalibration::default()
    };
    assert!(DipCalibrator::new(p(0, 100.0), None).is_err());
    assert!(DipCalibrator::new(p(15, 0.0), None).is_err());
    let cal = DipCalibrator::new(p(15, 100.0), None).unwrap();
    assert!(cal
        .finish()
        .unwrap_err()
        .to_string()
        .contains("no usable case"));
    let mut cal = DipCalibrator::new(p(15, 100.0), None).unwrap();
    cal.add(2, &rec("J18.000", "", "0"));
    assert!(cal.finish().unwrap_err().to_string().contains("zero"));
}
