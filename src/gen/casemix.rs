//! The demo region's case mix: hospitals by level, and the kinds of stay they discharge (pneumonia,
//! AMI with PCI, cholecystectomy, deliveries, hip replacement, schizophrenia, newborns, …) with their
//! codes, stays, costs and how often each level sees them. The numbers are illustrative.

/// Hospital level (医院等级).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// 三级 (tertiary).
    Tertiary,
    /// 二级 (secondary).
    Secondary,
    /// 一级 (primary).
    Primary,
}

impl Level {
    /// Level of the hospital with this 0-based index: the first 3 tertiary, the next 7 secondary,
    /// the rest primary.
    pub fn of_index(i: usize) -> Level {
        match i {
            0..=2 => Level::Tertiary,
            3..=9 => Level::Secondary,
            _ => Level::Primary,
        }
    }

    /// `3`, `2`, `1` (the `hospital_level` column).
    pub fn number(self) -> u8 {
        match self {
            Level::Tertiary => 3,
            Level::Secondary => 2,
            Level::Primary => 1,
        }
    }

    /// Cost scale of the level (tertiary dearer).
    pub fn cost_factor(self) -> f64 {
        match self {
            Level::Tertiary => 1.35,
            Level::Secondary => 1.0,
            Level::Primary => 0.75,
        }
    }

    /// Relative case volume of one hospital of the level.
    pub fn volume(self) -> f64 {
        match self {
            Level::Tertiary => 4.0,
            Level::Secondary => 2.0,
            Level::Primary => 1.0,
        }
    }

    fn column(self) -> usize {
        self.number() as usize - 1
    }
}

/// Who the patient is, for age, gender and birth data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patient {
    /// An adult of either gender in the age range.
    Adult(u8, u8),
    /// A woman in the age range (deliveries).
    Mother(u8, u8),
    /// A preterm or low-birth-weight newborn (weight 900-2490 g).
    Preterm,
    /// A term newborn (weight 2500-4200 g).
    Term,
}

/// One kind of stay.
#[derive(Clone, Debug)]
pub struct CaseType {
    /// Short name (summary and tests).
    pub name: &'static str,
    /// Discharge department code (科室).
    pub dept: &'static str,
    /// Who the patient is.
    pub patient: Patient,
    /// Principal diagnosis, one of these.
    pub principal: Vec<&'static str>,
    /// Diagnoses always added after the principal (one of each inner list).
    pub also: Vec<Vec<&'static str>>,
    /// Principal procedure, one of these; empty = no procedure required.
    pub procedure: Vec<&'static str>,
    /// Probability of a procedure when `procedure` lists optional ones (1.0 = always).
    pub procedure_rate: f64,
    /// Secondary procedures, each added with probability 0.3.
    pub extra_procedures: Vec<&'static str>,
    /// Length of stay range, days.
    pub los: (i64, i64),
    /// Median cost in yuan at a secondary hospital (per day when `per_diem`).
    pub median_cost: f64,
    /// Cost spread (log scale).
    pub sigma: f64,
    /// Cost grows with the stay (psychiatric per-diem stays).
    pub per_diem: bool,
    /// Relative frequency at tertiary, secondary, primary hospitals.
    pub mix: [f64; 3],
}

impl CaseType {
    /// Relative frequency at a level.
    pub fn weight(&self, level: Level) -> f64 {
        self.mix[2 - level.column()]
    }
}

/// Plain comorbidities (no CC), CCs and MCCs drawn as secondary diagnoses of adults.
pub const COMORBID: [&str; 5] = ["E11.900", "I10.x00", "E03.900", "D64.900", "I25.100"];
/// Secondary diagnoses that are CCs in the national 1.1 tables.
pub const CC: [&str; 2] = ["E87.100", "E87.600"];
/// Secondary diagnoses that are MCCs in the national 1.1 tables.
pub const MCC: [&str; 5] = ["I50.900", "N17.900", "A41.900", "J96.000", "R57.000"];
/// Newborn CC and MCC secondaries.
pub const NEWBORN_CC: [&str; 1] = ["P23.900"];
/// Newborn MCC secondaries.
pub const NEWBORN_MCC: [&str; 2] = ["P22.900", "P36.900"];

/// The demo case types.
pub fn case_types() -> Vec<CaseType> {
    let t =
        |name, dept, patient, principal: &[&'static str], procedure: &[&'static str]| CaseType {
            name,
            dept,
            patient,
            principal: principal.to_vec(),
            also: Vec::new(),
            procedure: procedure.to_vec(),
            procedure_rate: 1.0,
            extra_procedures: Vec::new(),
            los: (3, 10),
            median_cost: 8000.0,
            sigma: 0.35,
            per_diem: false,
            mix: [1.0, 1.0, 1.0],
        };
    let adult = Patient::Adult(18, 95);
    let amis = ["I21.900", "I21.000", "I21.400"];
    let gall = ["K80.101", "K80.100", "K80.000", "K81.000"];
    vec![
        CaseType {
            los: (4, 14),
            median_cost: 7000.0,
            mix: [14.0, 22.0, 34.0],
            ..t(
                "pneumonia",
                "03",
                Patient::Adult(1, 95),
                &["J18.900", "J18.000", "J15.900", "J98.414"],
                &[],
            )
        },
        CaseType {
            los: (5, 12),
            median_cost: 42000.0,
            extra_procedures: vec!["00.6600", "37.2200"],
            mix: [10.0, 3.0, 0.0],
            ..t(
                "ami-pci",
                "04",
                Patient::Adult(35, 90),
                &amis,
                &["36.0700", "36.0600"],
            )
        },
        CaseType {
            los: (5, 14),
            median_cost: 14000.0,
            procedure_rate: 0.05,
            mix: [3.0, 4.0, 2.0],
            ..t(
                "ami-medical",
                "04",
                Patient::Adult(35, 95),
                &amis,
                &["88.5500"],
            )
        },
        CaseType {
            los: (5, 15),
            median_cost: 9000.0,
            mix: [5.0, 7.0, 8.0],
            ..t(
                "heart-failure",
                "04",
                Patient::Adult(45, 95),
                &["I50.900"],
                &[],
            )
        },
        CaseType {
            los: (3, 9),
            median_cost: 7500.0,
            mix: [4.0, 5.0, 5.0],
            ..t("angina", "04", Patient::Adult(40, 90), &["I20.000"], &[])
        },
        CaseType {
            los: (3, 7),
            median_cost: 17000.0,
            mix: [8.0, 8.0, 2.0],
            ..t("chole-lap", "07", adult, &gall, &["51.2300"])
        },
        CaseType {
            los: (6, 14),
            median_cost: 24000.0,
            mix: [2.0, 2.0, 1.0],
            ..t(
                "chole-open",
                "07",
                Patient::Adult(30, 90),
                &gall,
                &["51.2200"],
            )
        },
        CaseType {
            los: (3, 8),
            median_cost: 5500.0,
            mix: [2.0, 4.0, 6.0],
            ..t("biliary-medical", "07", adult, &gall, &[])
        },
        CaseType {
            los: (2, 4),
            median_cost: 4000.0,
            sigma: 0.25,
            also: vec![vec!["Z37.000"]],
            procedure_rate: 0.3,
            mix: [6.0, 10.0, 14.0],
            ..t(
                "vaginal-delivery",
                "05",
                Patient::Mother(18, 42),
                &["O80.000", "O80.900"],
                &["73.6x00", "73.5900x001"],
            )
        },
        CaseType {
            los: (4, 7),
            median_cost: 8500.0,
            sigma: 0.25,
            also: vec![vec!["Z37.000"]],
            mix: [7.0, 9.0, 8.0],
            ..t(
                "caesarean",
                "05",
                Patient::Mother(18, 45),
                &["O82.000", "O82.900", "O34.200", "O64.100"],
                &["74.1x01", "74.1x00"],
            )
        },
        CaseType {
            los: (9, 20),
            median_cost: 55000.0,
            sigma: 0.3,
            extra_procedures: vec!["99.0400"],
            mix: [8.0, 4.0, 0.0],
            ..t(
                "hip-replacement",
                "07",
                Patient::Adult(55, 95),
                &["S72.000", "S72.100", "M16.900"],
                &["81.5100", "81.5200"],
            )
        },
        CaseType {
            los: (7, 21),
            median_cost: 12000.0,
            mix: [1.0, 2.0, 2.0],
            ..t(
                "femur-fracture",
                "07",
                Patient::Adult(55, 95),
                &["S72.000", "S72.100"],
                &[],
            )
        },
        CaseType {
            los: (20, 120),
            median_cost: 320.0,
            sigma: 0.2,
            per_diem: true,
            procedure_rate: 0.2,
            mix: [3.0, 6.0, 5.0],
            ..t(
                "schizophrenia",
                "15",
                Patient::Adult(16, 80),
                &["F20.000", "F20.900", "F20.300"],
                &["94.2700"],
            )
        },
        CaseType {
            los: (14, 60),
            median_cost: 300.0,
            sigma: 0.2,
            per_diem: true,
            mix: [1.0, 2.0, 2.0],
            ..t(
                "depression",
                "15",
                Patient::Adult(16, 85),
                &["F32.900"],
                &[],
            )
        },
        CaseType {
            los: (7, 40),
            median_cost: 22000.0,
            sigma: 0.5,
            mix: [4.0, 2.0, 0.5],
            ..t(
                "newborn-preterm",
                "28",
                Patient::Preterm,
                &["P07.100", "P07.300", "P07.000"],
                &[],
            )
        },
        CaseType {
            los: (3, 10),
            median_cost: 5000.0,
            mix: [3.0, 4.0, 4.0],
            ..t(
                "newborn-term",
                "28",
                Patient::Term,
                &["P59.901", "P59.000", "P23.900", "P21.900"],
                &[],
            )
        },
        CaseType {
            los: (10, 30),
            median_cost: 110000.0,
            sigma: 0.4,
            also: vec![vec!["J96.000"]],
            extra_procedures: vec!["96.0400"],
            mix: [2.0, 0.5, 0.0],
            ..t(
                "ventilation",
                "IC",
                Patient::Adult(30, 95),
                &["J18.900", "J15.900"],
                &["96.7201"],
            )
        },
    ]
}
