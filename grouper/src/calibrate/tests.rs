use super::*;

fn s(year: i32, fen: i64) -> Sample {
    Sample { year, fen }
}

fn table(years: &[i32]) -> YearTable {
    YearWeights::default()
        .assign(&year_counts(years.iter()))
        .unwrap()
}

#[test]
fn yuan_become_fen_exactly() {
    for (text, fen) in [
        ("12.34", 1234),
        ("12", 1200),
        (".5", 50),
        ("5.", 500),
        (" +7.1 ", 710),
        ("0.005", 1),
        ("0.0049", 0),
        ("2.675", 268),
        ("-0", 0),
        ("0", 0),
    ] {
        assert_eq!(parse_yuan(text), Ok(fen), "{text}");
    }
    for (text, why) in [
        ("-1.5", "negative"),
        ("abc", "not a number"),
        ("1e3", "not a number"),
        ("1,000", "not a number"),
        ("NaN", "not a number"),
        (".", "not a number"),
        ("", "missing"),
        ("99999999999999999999", "too large"),
    ] {
        let e = parse_yuan(text).unwrap_err();
        assert!(
            e.starts_with("total_cost: ") && e.contains(why),
            "{text}: {e}"
        );
    }
}

#[test]
fn rounding_is_half_away_from_zero() {
    assert_eq!(round_half_away(0.125, 2), 0.13);
    assert_eq!(round_half_away(-0.5, 0), -1.0);
    assert_eq!(round_half_away(2.0 / 3.0 * 100.0, 4), 66.6667);
}

#[test]
fn year_weights_take_the_newest_and_refuse_too_many_years() {
    let t = table(&[2023, 2024, 2024]);
    let w: Vec<(i32, u64, f64)> = t
        .years
        .iter()
        .map(|y| (y.year, y.cases, y.weight))
        .collect();
    assert_eq!(w, vec![(2023, 1, 2.0 / 9.0), (2024, 2, 7.0 / 9.0)]);
    let t = table(&[2022, 2023, 2024]);
    let w: Vec<f64> = t.years.iter().map(|y| y.weight).collect();
    assert_eq!(w, vec![0.1, 0.2, 0.7]);

    let e = YearWeights::default()
        .assign(&year_counts([2020, 2021, 2022, 2023].iter()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("4 years (2020, 2021, 2022, 2023)"), "{e}");

    assert_eq!(
        "2:3:5".parse::<YearWeights>().unwrap().weights(),
        [2.0, 3.0, 5.0]
    );
    assert_eq!("1:2:7".parse::<YearWeights>().unwrap().to_string(), "1:2:7");
    for bad in ["", "1:x", "0:1", "-1:2", "1::2"] {
        let e = bad.parse::<YearWeights>().unwrap_err().to_string();
        assert!(e.contains("--year-weights"), "{bad}: {e}");
    }
}

#[test]
fn trim_parses_and_prints() {
    assert_eq!("none".parse::<Trim>().unwrap(), Trim::None);
    assert_eq!("IQR".parse::<Trim>().unwrap(), Trim::Iqr);
    let p = "p5-95".parse::<Trim>().unwrap();
    assert_eq!(p, Trim::Percentile { lo: 5.0, hi: 95.0 });
    assert_eq!(p.to_string(), "p5-95");
    assert_eq!(
        "2.5-97.5".parse::<Trim>().unwrap(),
        Trim::Percentile { lo: 2.5, hi: 97.5 }
    );
    for bad in ["p95-5", "p5-101", "p-5-95", "trim", "p5"] {
        assert!(bad.parse::<Trim>().is_err(), "{bad}");
    }
}

#[test]
fn quantiles_interpolate_like_numpy() {
    let x = [1, 2, 3, 4];
    assert_eq!(quantile(&x, 0.25), 1.75);
    assert_eq!(quantile(&x, 0.5), 2.5);
    assert_eq!(quantile(&x, 0.75), 3.25);
    assert_eq!(quantile(&x, 0.0), 1.0);
    assert_eq!(quantile(&x, 1.0), 4.0);
    assert_eq!(quantile(&[7], 0.3), 7.0);
    assert!(quantile(&[], 0.5).is_nan());
}

#[test]
fn weighted_means_use_the_year_weights() {
    let t = table(&[2021, 2022, 2023]);
    let g = vec![vec![s(2021, 100), s(2022, 200), s(2023, 300), s(2023, 300)]];
    let a = average(&g, &t, Trim::None);
    // (0.1·100 + 0.2·200 + 0.7·600) / (0.1 + 0.2 + 0.7·2) = 470 / 1.7
    assert!((a.groups[0].mean_fen - 470.0 / 1.7).abs() < 1e-9);
    assert!((a.groups[0].weighted_cases - 1.7).abs() < 1e-12);
    assert_eq!(a.overall_mean_fen, a.groups[0].mean_fen);
}

#[test]
fn iqr_and_percentile_trimming_drop_the_outliers() {
    let t = table(&[2024]);
    // Q1 = 11, Q3 = 13, fences [8, 16]: 100 goes.
    let g = vec![[10, 11, 12, 13, 100].map(|f| s(2024, f)).to_vec()];
    let a = average(&g, &t, Trim::Iqr);
    assert_eq!((a.groups[0].kept, a.trimmed), (4, 1));
    assert_eq!(a.groups[0].mean_fen, 11.5);

    // 0, 10, …, 100: P10 = 10, P90 = 90, both kept (inclusive); 0 and 100 go.
    let g = vec![(0..=10).map(|i| s(2024, i * 10)).collect::<Vec<_>>()];
    let a = average(&g, &t, Trim::Percentile { lo: 10.0, hi: 90.0 });
    assert_eq!((a.groups[0].kept, a.trimmed), (9, 2));
    assert_eq!(a.groups[0].mean_fen, 50.0);

    // Two cases, P5 = 0.5 and P95 = 9.5 keep neither: the group stays whole.
    let g = vec![vec![s(2024, 0), s(2024, 10)]];
    let a = average(&g, &t, Trim::Percentile { lo: 5.0, hi: 95.0 });
    assert_eq!((a.groups[0].kept, a.trimmed, a.untrimmed_groups), (2, 0, 1));
}

#[test]
fn the_all_case_mean_is_over_kept_cases_of_every_group() {
    let t = table(&[2024]);
    let g = vec![
        [10, 11, 12, 13, 100].map(|f| s(2024, f)).to_vec(),
        vec![s(2024, 40)],
    ];
    let a = average(&g, &t, Trim::Iqr);
    assert_eq!(a.overall_mean_fen, (10 + 11 + 12 + 13 + 40) as f64 / 5.0);
    assert_eq!(a.weighted_cases, 5.0);
}

#[test]
fn rejections_are_counted_by_kind() {
    let mut r = Rejections::default();
    r.add(2, "total_cost: missing".into());
    r.add(5, "total_cost: \"x\" is not a number of yuan".into());
    r.add(9, "year: \"20x4\" is not a year".into());
    assert_eq!(r.count, 3);
    assert_eq!(r.summary(), "total_cost 2, year 1");
    assert_eq!(r.examples[2].line, 9);
}
