//! The pipeline semantics of FORMAT.md on a small hand-written scheme, one table row per rule of the
//! pipeline: MDC order and fall-through, rule fall-through, fallback codes, QY, CC/MCC exclusions,
//! MDCZ body sites, validation, code mapping (and the reference's defect), Zhejiang's retry, missing
//! values and scheme defects.

use grouper::{Codes, Grouper, MappingMode, Num, Options, Reason, Record, Scheme, Status};

/// MDCA (principal procedure in OR list) -> MDCZ (two trauma sites) -> MDCF -> MDCG (with QY).
const SCHEME: &str = r#"{
  "format": "opendrg-scheme/1", "version": "semantics",
  "pipeline": {
    "split_separators": [",", "|"],
    "validation": {"gender_valid": ["1", "2"], "newborn_age_years": 0,
                   "newborn_weight_required_max_age_days": 28},
    "result": {"check_failed": {"mdc": "0000", "adrg": "00", "drg": "0000"},
               "mapping_failed": {"mdc": "0000", "adrg": "00", "drg": "0000"},
               "no_mdc": {"mdc": "0000", "adrg": "00", "drg": "0000"}},
    "retry_each_secondary_procedure_as_sole_procedure": true
  },
  "mdcs": [
    {"mdc": "MDCA", "letter": "A", "entry": {"kind": "principal_proc_in", "list": "OR_A"},
     "steps": [{"rule": "AH1", "adrg": "AH1", "when": {"kind": "principal_proc_in", "list": "OR_A"},
                "drgs": [{"drg": "AH19", "when": {"const": true}, "source": ""}], "otherwise": "AH1"}]},
    {"mdc": "MDCZ", "letter": "Z",
     "entry": {"all": [{"kind": "principal_dx_in", "list": "TRAUMA"},
                       {"kind": "trauma_sites_at_least", "site_map": "S1", "min": 2}]},
     "steps": [{"rule": "ZZ1", "adrg": "ZZ1", "when": {"const": true},
                "drgs": [{"drg": "ZZ19", "when": {"const": true}, "source": ""}], "otherwise": "ZZ1"}]},
    {"mdc": "MDCF", "letter": "F", "entry": {"kind": "principal_dx_in", "list": "HEART"},
     "steps": [
       {"rule": "FB1", "adrg": "FB1", "when": {"kind": "principal_proc_in", "list": "PCI"},
        "drgs": [{"drg": "FB11", "when": {"kind": "los_days", "op": ">", "value": 10}, "source": ""}],
        "otherwise": null},
       {"rule": "FT3", "adrg": "FT3", "when": {"kind": "principal_dx_in", "list": "HEART"},
        "drgs": [{"drg": "FT31", "when": {"kind": "has_mcc"}, "source": ""},
                 {"drg": "FT33", "when": {"any": [{"kind": "has_mcc"}, {"kind": "has_cc"}]}, "source": ""},
                 {"drg": "FT35", "when": {"const": true}, "source": ""}],
        "otherwise": "FT3"}]},
    {"mdc": "MDCG", "letter": "G", "entry": {"kind": "principal_dx_in", "list": "GUT"},
     "steps": [
       {"rule": "GC1", "adrg": "GC1", "when": {"kind": "principal_proc_in", "list": "GUT_OP"},
        "drgs": [{"drg": "GC1X", "when": {"kind": "upstream_error", "error": "NameError: GC1X"}, "source": ""}],
        "otherwise": null},
       {"qy": "GQY", "when": {"kind": "any_proc_in", "list": "OR_ALL"}},
       {"rule": "GS1", "adrg": "GS1", "when": {"kind": "principal_dx_in", "list": "GUT"},
        "drgs": [{"drg": "GS15", "when": {"kind": "age_years", "op": ">=", "value": 18}, "source": ""}],
        "otherwise": null}]}
  ],
  "or_procedures": "OR_ALL",
  "cc": {"mcc": {"I50.000": "7", "S06.000": "9"}, "cc": {"E11.900": "3", "I48.000": "5"},
         "cce": {"I20.000": "5", "I21.000": "7"}},
  "lists": {
    "OR_A": {"kind": "proc", "codes": ["33.5000"]},
    "OR_ALL": {"kind": "proc", "codes": ["33.5000", "36.0600", "45.7300", "51.2200"]},
    "PCI": {"kind": "proc", "codes": ["36.0600"]},
    "GUT_OP": {"kind": "proc", "codes": ["45.7300"]},
    "HEART": {"kind": "dx", "codes": ["I20.000", "I21.000"]},
    "GUT": {"kind": "dx", "codes": ["K35.800"]},
    "TRAUMA": {"kind": "dx", "codes": ["S06.000", "S27.000"]}
  },
  "site_maps": {"S1": {"header_suffix": "创伤", "sites": {"S06.000": "头颈部创伤", "S27.000": "胸部创伤",
                                                       "S02.000": "头颈部创伤"}, "ref": "MDCZ"}},
  "codes": {
    "dx_map": {"I20.000": "I20.000", "I21.000": "I21.000", "I50.000": "I50.000", "E11.900": "E11.900",
               "I48.000": "I48.000", "K35.800": "K35.800", "S06.000": "S06.000", "S27.000": "S27.000",
               "S02.000": "S02.000", "OLD.1": "I20.000", "OLD.2": "OLD.3", "OLD.3": "I50.000"},
    "proc_map": {"33.5000": "33.5000", "36.0600": "36.0600", "45.7300": "45.7300", "51.2200": "51.2200",
                 "88.0000": "88.0000"}
  },
  "drg_names": {"FT31": "冠心病，伴严重并发症或合并症"}
}"#;

fn scheme() -> Scheme {
    Scheme::from_json_slice(SCHEME.as_bytes(), "semantics.json").expect("test scheme compiles")
}

/// One row: what is different from a default adult male record, and the expected outcome.
struct Case {
    name: &'static str,
    dx: &'static str,
    procs: &'static str,
    age: Num,
    age_days: Num,
    weight: Num,
    los: Num,
    gender: &'static str,
    map: bool,
    status: Status,
    drg: &'static str,
    reason_contains: &'static str,
}

const fn case(
    name: &'static str,
    dx: &'static str,
    procs: &'static str,
    status: Status,
    drg: &'static str,
) -> Case {
    Case {
        name,
        dx,
        procs,
        age: Num::Value(50.0),
        age_days: Num::Missing,
        weight: Num::Missing,
        los: Num::Value(5.0),
        gender: "1",
        map: true,
        status,
        drg,
        reason_contains: "",
    }
}

fn cases() -> Vec<Case> {
    use Status::*;
    vec![
        case(
            "plain medical DRG without CC",
            "I20.000",
            "",
            Success,
            "FT35",
        ),
        case(
            "MCC in another exclusion table counts",
            "I20.000|I50.000",
            "",
            Success,
            "FT31",
        ),
        case(
            "MCC excluded by the principal's table",
            "I21.000|I50.000",
            "",
            Success,
            "FT35",
        ),
        case(
            "CC in the principal's table is excluded",
            "I20.000|I48.000",
            "",
            Success,
            "FT35",
        ),
        case(
            "CC in another table counts",
            "I20.000|E11.900",
            "",
            Success,
            "FT33",
        ),
        case(
            "principal itself never counts as a complication",
            "I50.000",
            "",
            Fail,
            "0000",
        ),
        Case {
            los: Num::Value(12.0),
            ..case(
                "surgical ADRG whose branch holds",
                "I21.000",
                "36.0600",
                Success,
                "FB11",
            )
        },
        case(
            "rule without fallback falls through to the next rule",
            "I21.000",
            "36.0600",
            Success,
            "FT35",
        ),
        case(
            "pre-MDC is tried first",
            "I21.000",
            "33.5000",
            Success,
            "AH19",
        ),
        case(
            "MDCZ needs two distinct body sites",
            "S06.000|S27.000",
            "",
            Success,
            "ZZ19",
        ),
        case(
            "one body site twice is one site",
            "S06.000|S02.000",
            "",
            Fail,
            "0000",
        ),
        Case {
            reason_contains: "OR procedure '51.2200'",
            ..case(
                "QY: an OR procedure (any position) but no surgical ADRG matched",
                "K35.800",
                "88.0000|51.2200",
                Qy,
                "GQY",
            )
        },
        case(
            "medical ADRG after the QY step",
            "K35.800",
            "",
            Success,
            "GS15",
        ),
        Case {
            reason_contains: "entered MDCG but no ADRG rule matched",
            age: Num::Value(10.0),
            ..case(
                "no DRG branch and no fallback: MDC falls through to FAIL",
                "K35.800",
                "",
                Fail,
                "0000",
            )
        },
        Case {
            reason_contains: "NameError",
            ..case(
                "scheme defect reached: EXCEPTION",
                "K35.800",
                "45.7300",
                Exception,
                "0000",
            )
        },
        Case {
            reason_contains: "los",
            los: Num::Missing,
            ..case(
                "numeric comparison on a missing value",
                "I21.000",
                "36.0600",
                CheckFailed,
                "0000",
            )
        },
        case(
            "retry: a secondary procedure as the only procedure",
            "S27.000",
            "88.0000|33.5000",
            Success,
            "AH19",
        ),
        case(
            "old code is mapped before grouping",
            "OLD.1",
            "",
            Success,
            "FT35",
        ),
        case(
            "mapping chain: each code maps once",
            "I20.000|OLD.2",
            "",
            Success,
            "FT35",
        ),
        Case {
            reason_contains: "diagnoses[1] 'NOPE'",
            ..case(
                "unknown diagnosis with mapping",
                "I20.000|NOPE",
                "",
                ZdNotMapping,
                "0000",
            )
        },
        Case {
            reason_contains: "procedures[0] '99.9999'",
            ..case(
                "unknown procedure with mapping",
                "I20.000",
                "99.9999",
                SsNotMapping,
                "0000",
            )
        },
        Case {
            map: false,
            ..case(
                "unknown secondary without mapping is ignored",
                "I20.000|NOPE",
                "",
                Success,
                "FT35",
            )
        },
        Case {
            map: false,
            reason_contains: "no MDC",
            ..case(
                "blank diagnosis without mapping groups to nothing",
                "",
                "",
                Fail,
                "0000",
            )
        },
        Case {
            reason_contains: "gender",
            gender: "",
            ..case("gender missing", "I20.000", "", CheckFailed, "0000")
        },
        Case {
            reason_contains: "gender",
            gender: "男",
            ..case(
                "gender not accepted by this scheme",
                "I20.000",
                "",
                CheckFailed,
                "0000",
            )
        },
        Case {
            reason_contains: "age",
            age: Num::Value(1.5),
            ..case("age not whole", "I20.000", "", CheckFailed, "0000")
        },
        Case {
            reason_contains: "age_days",
            age: Num::Value(0.0),
            ..case("age 0 without age_days", "I20.000", "", CheckFailed, "0000")
        },
        Case {
            reason_contains: "weight",
            age: Num::Value(0.0),
            age_days: Num::Value(3.0),
            ..case(
                "newborn without birth weight",
                "I20.000",
                "",
                CheckFailed,
                "0000",
            )
        },
        Case {
            age: Num::Value(0.0),
            age_days: Num::Value(40.0),
            ..case(
                "infant past 28 days needs no weight",
                "I20.000",
                "",
                Success,
                "FT35",
            )
        },
    ]
}

#[test]
fn pipeline_semantics_table() {
    let s = scheme();
    let mut failures = Vec::new();
    for c in cases() {
        let r = Record {
            id: c.name,
            gender: c.gender,
            age: c.age,
            age_days: c.age_days,
            weight: c.weight,
            los: c.los,
            diagnoses: Codes::Joined(c.dx),
            procedures: Codes::Joined(c.procs),
            ..Record::default()
        };
        let g = Grouper::with_options(
            &s,
            Options {
                map_codes: c.map,
                ..Options::default()
            },
        );
        let got = g.group(&r);
        let reason = got
            .reason
            .as_ref()
            .map(Reason::to_string)
            .unwrap_or_default();
        if got.status != c.status || got.drg != c.drg || !reason.contains(c.reason_contains) {
            failures.push(format!(
                "{}: expected {} {} (reason containing {:?}), got {} {} ({reason})",
                c.name, c.status, c.drg, c.reason_contains, got.status, got.drg
            ));
        }
        // The traced path must give the same answer.
        assert_eq!(
            g.group_traced(&r).0,
            got,
            "{}: traced result differs",
            c.name
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn reference_mapping_mode_reproduces_the_first_occurrence_defect() {
    let s = scheme();
    // Chain OLD.2 -> OLD.3 -> I50.000 on input [OLD.2, OLD.3]. Per code: [OLD.3, I50.000]. The
    // reference maps OLD.2 at index 0 (-> [OLD.3, OLD.3]), then looks up OLD.3's *first* occurrence,
    // index 0 again: [I50.000, OLD.3].
    let r = Record {
        gender: "1",
        age: Num::Value(50.0),
        diagnoses: Codes::Joined("OLD.2|OLD.3"),
        ..Record::default()
    };
    let per_code = Grouper::new(&s);
    let reference = Grouper::with_options(
        &s,
        Options {
            map_codes: true,
            mapping_mode: MappingMode::ReferenceFirstOccurrence,
        },
    );
    let (_, t1) = per_code.group_traced(&r);
    let (_, t2) = reference.group_traced(&r);
    assert_eq!(t1.diagnoses, ["OLD.3", "I50.000"]);
    assert_eq!(
        t2.diagnoses,
        ["I50.000", "OLD.3"],
        "principal mapped twice, secondary not at all"
    );
}

#[test]
fn trace_names_the_rules_and_the_complications() {
    let s = scheme();
    let r = Record {
        gender: "1",
        age: Num::Value(70.0),
        los: Num::Value(4.0),
        diagnoses: Codes::Joined("I21.000|I50.000|E11.900"),
        procedures: Codes::Joined("36.0600"),
        ..Record::default()
    };
    let (g, t) = Grouper::new(&s).group_traced(&r);
    assert_eq!(g.drg, "FT33", "MCC excluded, CC counts");
    assert_eq!(t.cc.exclusion_table.as_deref(), Some("7"));
    assert!(t.cc.mcc[0].excluded && !t.cc.cc[0].excluded);
    let text = t.to_string();
    for needle in [
        "MDCF entry yes",
        "MDCF/FB1 yes",
        "FB1 -> FB11 no",
        "FB1 no branch held, no fallback -> next rule",
        "FT3 -> FT31 no",
        "FT3 -> FT33 yes",
    ] {
        assert!(text.contains(needle), "trace lacks {needle:?}:\n{text}");
    }
}

#[test]
fn scheme_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scheme>();
    assert_send_sync::<Grouper<'static>>();
}
