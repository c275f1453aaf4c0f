//! The auxiliary catalog (辅助目录): age bands, disease severity and tumour severity levels, each a
//! coefficient on the group's score. When several entries of a group apply, the one with the
//! **largest factor** wins (ties: the first in catalog order) — the rule of the DIP technical
//! specification's 辅助目录 and of the reference grouper.

use super::catalog::{CompiledCatalog, Severity, Supplement, SupplementKind};
use super::policy::{AgeRule, DipPolicy, StayRule};
use crate::date::{self, civil_from_days as civil, days_from_civil, days_in_month};

/// A band of the auxiliary catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Band {
    /// 0-28天.
    Neonate,
    /// 29天-1周岁.
    Infant,
    /// 1-6岁.
    Child,
    /// 7-17岁.
    Youth,
    /// 66岁及以上.
    Senior,
    /// 轻度I-A级: short stay.
    MildA,
    /// 轻度I-B级: longer stay.
    MildB,
    /// 中度II级: a CC not excluded by the principal.
    Moderate,
    /// 重度III级: an MCC not excluded by the principal.
    Severe,
    /// 死亡IV-A级 / 死亡VI-A级: died after a short stay.
    DeathA,
    /// 死亡IV-B级 / 死亡VI-B级: died after a longer stay.
    DeathB,
    /// 转移IV级 (tumour): metastasis.
    Metastasis,
    /// 放疗V-A级 (tumour).
    Radiotherapy,
    /// 化疗V-B级 (tumour).
    Chemotherapy,
}

impl Band {
    /// Parses a band name of an auxiliary catalog.
    pub fn parse(kind: SupplementKind, name: &str) -> Option<Band> {
        use Band::*;
        Some(match (kind, name) {
            (SupplementKind::Age, "0-28天") => Neonate,
            (SupplementKind::Age, "29天-1周岁") => Infant,
            (SupplementKind::Age, "1-6岁") => Child,
            (SupplementKind::Age, "7-17岁") => Youth,
            (SupplementKind::Age, "66岁及以上") => Senior,
            (SupplementKind::Severity | SupplementKind::Tumour, "轻度I-A级") => MildA,
            (SupplementKind::Severity | SupplementKind::Tumour, "轻度I-B级") => MildB,
            (SupplementKind::Severity | SupplementKind::Tumour, "中度II级") => Moderate,
            (SupplementKind::Severity | SupplementKind::Tumour, "重度III级") => Severe,
            (SupplementKind::Severity, "死亡IV-A级") | (SupplementKind::Tumour, "死亡VI-A级") => {
                DeathA
            }
            (SupplementKind::Severity, "死亡IV-B级") | (SupplementKind::Tumour, "死亡VI-B级") => {
                DeathB
            }
            (SupplementKind::Tumour, "转移IV级") => Metastasis,
            (SupplementKind::Tumour, "放疗V-A级") => Radiotherapy,
            (SupplementKind::Tumour, "化疗V-B级") => Chemotherapy,
            _ => return None,
        })
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian), or `None` if malformed.
pub fn parse_date(s: &str) -> Option<i64> {
    date::parse(s)
}

/// The reference's age function: whole 365.25-day years and the remaining (fractional) days.
fn reference_age(a: i64, b: i64) -> (f64, f64) {
    let ms = ((b - a).abs() as f64) * 86_400_000.0;
    let days = (ms / 86_400_000.0).ceil();
    let years = (ms / 31_557_600_000.0).floor();
    (years, days - years * 365.25)
}

/// Completed calendar years from `a` to `b`, and days since the last birthday.
fn calendar_age(a: i64, b: i64) -> (f64, f64) {
    let (ya, ma, da) = civil(a);
    let (yb, mb, db) = civil(b);
    let mut years = yb - ya;
    if (mb, db) < (ma, da) {
        years -= 1;
    }
    let years = years.max(0);
    // Days since the last birthday (29 Feb birthdays fall on 1 Mar in common years).
    let anniversary = |y: i64| days_from_civil(y, ma, da.min(days_in_month(y, ma)));
    (years as f64, (b - anniversary(ya + years)) as f64)
}

/// What the auxiliary catalog reads about a case, computed once.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFacts {
    /// Age in years at admission.
    pub age_years: f64,
    /// Days beyond the whole years (the age in days for infants).
    pub age_days: f64,
    /// True when the stay counts as short (I-A), per the policy's stay rule.
    pub short_stay: bool,
    /// True when the stay counts as long (I-B), per the policy's stay rule.
    pub long_stay: bool,
    /// Leaving type 5 (死亡).
    pub died: bool,
    /// Some secondary diagnosis is a secondary malignant neoplasm (C77-C79).
    pub metastasis: bool,
}

/// The dates and fields of a case that the auxiliary catalog needs.
pub struct CaseInputs<'a> {
    /// Birth, admission and discharge dates (days since epoch), when known.
    pub birth: Option<i64>,
    /// Admission date.
    pub admit: Option<i64>,
    /// Discharge date.
    pub discharge: Option<i64>,
    /// Age in years when dates are missing.
    pub age: Option<f64>,
    /// Age in days when dates are missing.
    pub age_days: Option<f64>,
    /// Length of stay when dates are missing.
    pub los: Option<f64>,
    /// Leaving type.
    pub leaving_type: &'a str,
    /// Diagnoses (first = principal).
    pub diagnoses: &'a [&'a str],
}

impl CaseFacts {
    /// Computes the facts under a policy.
    pub fn new(p: &DipPolicy, c: &CaseInputs<'_>) -> CaseFacts {
        let (age_years, age_days) = match (c.birth, c.admit) {
            (Some(b), Some(a)) => match p.age_rule {
                AgeRule::Reference365 => reference_age(b, a),
                AgeRule::Calendar => calendar_age(b, a),
            },
            _ => (c.age.unwrap_or(-1.0), c.age_days.unwrap_or(-1.0)),
        };
        let (short_stay, long_stay) = match (c.admit, c.discharge, p.stay_rule) {
            (Some(a), Some(d), StayRule::Reference365) => {
                let (ly, ld) = reference_age(a, d);
                (ly == 0.0 || ld <= 3.0, ly > 0.0 || ld > 3.0)
            }
            (Some(a), Some(d), StayRule::Days) => {
                let los = (d - a) as f64;
                (los <= 3.0, los > 3.0)
            }
            (_, _, _) => match c.los {
                Some(los) => (los <= 3.0, los > 3.0),
                None => (false, false),
            },
        };
        CaseFacts {
            age_years,
            age_days,
            short_stay,
            long_stay,
            died: c.leaving_type.trim() == "5",
            metastasis: c
                .diagnoses
                .iter()
                .skip(1)
                .any(|d| d.starts_with("C77") || d.starts_with("C78") || d.starts_with("C79")),
        }
    }
}

/// The secondary diagnoses' complications that count, per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Complications {
    /// A CC not cancelled by the principal.
    pub cc: bool,
    /// An MCC not cancelled by the principal.
    pub mcc: bool,
}

impl Complications {
    /// Evaluates the catalog's CC/MCC table: a secondary counts unless the principal (full code)
    /// is in its exclusion group.
    pub fn of(cat: &CompiledCatalog, dx: &[&str]) -> Complications {
        let mut out = Complications::default();
        let Some((principal, secondary)) = dx.split_first() else {
            return out;
        };
        for d in secondary {
            if let Some((sev, excl)) = cat.complications.get(*d) {
                let cancelled = excl
                    .as_ref()
                    .and_then(|g| cat.exclusion_groups.get(g))
                    .is_some_and(|set| set.contains(*principal));
                if !cancelled {
                    match sev {
                        Severity::Cc => out.cc = true,
                        Severity::Mcc => out.mcc = true,
                    }
                }
            }
        }
        out
    }
}

/// Whether one auxiliary entry applies to a case.
pub fn hits(p: &DipPolicy, s: &Supplement, f: &CaseFacts, cx: Complications) -> bool {
    let Some(band) = Band::parse(s.kind, &s.band) else {
        return false;
    };
    let ay = f.age_years;
    let ad = f.age_days;
    match band {
        Band::Neonate => ay == 0.0 && (0.0..=28.0).contains(&ad),
        Band::Infant => ay == 0.0 && (29.0..=365.0).contains(&ad),
        Band::Child => (1.0..=6.0).contains(&ay),
        Band::Youth => (7.0..=17.0).contains(&ay),
        Band::Senior => ay >= 66.0,
        Band::MildA => f.short_stay,
        Band::MildB if s.kind == SupplementKind::Tumour && p.tumour_mild_b_always => true,
        Band::MildB => f.long_stay,
        Band::Moderate => cx.cc || (p.mcc_counts_as_cc && cx.mcc),
        Band::Severe => cx.mcc,
        Band::DeathA => f.died && f.short_stay,
        Band::DeathB => f.died && f.long_stay,
        Band::Metastasis => p.metastasis_from_secondary_c77_c79 && f.metastasis,
        Band::Radiotherapy | Band::Chemotherapy => false,
    }
}

/// The applied entry of a group: the largest factor among the entries that hit (ties: first).
pub fn choose<'c>(
    p: &DipPolicy,
    entries: &'c [Supplement],
    f: &CaseFacts,
    cx: Complications,
) -> Option<&'c Supplement> {
    let mut best: Option<&Supplement> = None;
    for s in entries.iter().filter(|s| hits(p, s, f, cx)) {
        if best.is_none_or(|b| s.factor > b.factor) {
            best = Some(s);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_and_reference_ages_differ_around_birthdays() {
        let birth = parse_date("2000-06-15").unwrap();
        let before = parse_date("2066-06-14").unwrap();
        let on = parse_date("2066-06-15").unwrap();
        assert_eq!(calendar_age(birth, before).0, 65.0);
        assert_eq!(calendar_age(birth, on).0, 66.0);
        // 365.25-day years: 66 × 365.25 = 24106.5 days; the calendar birthday is day 24106.
        assert_eq!(reference_age(birth, on).0, 65.0);
        let newborn = parse_date("2023-01-01").unwrap();
        assert_eq!(calendar_age(newborn, newborn + 20), (0.0, 20.0));
        assert_eq!(reference_age(newborn, newborn + 20), (0.0, 20.0));
    }
}
