//! Checks a policy once at load, so settlement never meets a contradiction: every error names the
//! key to fix.

use std::collections::BTreeSet;

use super::*;
use crate::money::Ratio;

/// A policy that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not TOML, or a key is missing, unknown or of the wrong type.
    #[error("{origin}: {message}")]
    Parse {
        /// The file.
        origin: String,
        /// The TOML reader's message (with line and column).
        message: String,
    },
    /// The values contradict each other or are out of range.
    #[error("{origin}: {key}: {message}")]
    Invalid {
        /// The file.
        origin: String,
        /// The key to fix (`pools[2].reserve_share`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Where errors point: the file, and helpers that name the key.
pub(crate) struct Ctx<'a> {
    origin: &'a str,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(origin: &'a str) -> Ctx<'a> {
        Ctx { origin }
    }

    pub(crate) fn err(&self, key: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError::Invalid {
            origin: self.origin.to_string(),
            key: key.into(),
            message: message.into(),
        }
    }

    pub(crate) fn share(&self, key: String, v: Ratio) -> Result<(), PolicyError> {
        if v.numer() < 0 || v.numer() > v.denom() {
            return Err(self.err(key, format!("{v} is not a share between 0 and 1")));
        }
        Ok(())
    }

    pub(crate) fn positive(&self, key: String, v: Ratio) -> Result<(), PolicyError> {
        if v.numer() <= 0 {
            return Err(self.err(key, format!("{v} must be positive")));
        }
        Ok(())
    }
}

/// Whether `s` is a `YYYY-MM-DD` date (digits and dashes; month 1-12, day 1-31).
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    // Two ASCII digits, checked above.
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    (1..=12).contains(&two(5)) && (1..=31).contains(&two(8))
}

pub(super) fn check(p: &Policy, origin: &str) -> Result<(), PolicyError> {
    let c = Ctx { origin };
    if p.schema != SCHEMA {
        return Err(c.err(
            "schema",
            format!("is {:?}; this version reads {SCHEMA:?}", p.schema),
        ));
    }
    let h = &p.policy;
    if !is_date(&h.effective_from) {
        return Err(c.err("policy.effective_from", "write the date as YYYY-MM-DD"));
    }
    if let Some(to) = &h.effective_to {
        if !is_date(to) {
            return Err(c.err("policy.effective_to", "write the date as YYYY-MM-DD"));
        }
        if to.as_str() < h.effective_from.as_str() {
            return Err(c.err("policy.effective_to", "is before effective_from"));
        }
    }
    let point_priced = match h.bundle {
        BundleMethod::Drg => {
            let d = p
                .drg
                .as_ref()
                .ok_or_else(|| c.err("drg", "policy.bundle is \"drg\": add a [drg] section"))?;
            check_drg(&c, d)?;
            d.method == DrgMethod::Points
        }
        BundleMethod::Dip => {
            let d = p
                .dip
                .as_ref()
                .ok_or_else(|| c.err("dip", "policy.bundle is \"dip\": add a [dip] section"))?;
            check_dip(&c, d)?;
            true
        }
    } || p
        .per_diem
        .iter()
        .any(|l| l.bands.iter().any(|b| b.points.is_some()));
    check_pools(&c, p, point_priced)?;
    check_hospitals(&c, p)?;
    check_routing(&c, p)?;
    check_lines(&c, p)?;
    if let Some(s) = &p.special_review {
        c.share("special_review.quota_share".into(), s.quota_share.0)?;
    }
    if let Some(r) = p.ffs.ratio {
        c.share("ffs.ratio".into(), r.0)?;
    }
    if let Some(s) = &p.sharing {
        check_sharing(&c, "sharing", s)?;
    }
    if let Some(d) = p.cycle.deposit_share {
        c.share("cycle.deposit_share".into(), d.0)?;
    }
    if let Some(s) = &p.signals {
        s.check(&c)?;
    }
    if p.cycle.deposit_by_assessment && p.cycle.deposit_share.is_none() {
        return Err(c.err(
            "cycle.deposit_by_assessment",
            "releases a deposit by assessment, but cycle.deposit_share sets no deposit",
        ));
    }
    for (i, cap) in p.capitation.iter().enumerate() {
        if p.capitation[..i].iter().any(|x| x.program == cap.program) {
            return Err(c.err(
                format!("capitation[{i}].program"),
                format!("{:?} twice: enrolment rows name one programme", cap.program),
            ));
        }
        if !p.pools.iter().any(|q| q.id == cap.pool) {
            return Err(c.err(
                format!("capitation[{i}].pool"),
                format!("no pool has id {:?}", cap.pool),
            ));
        }
        if let Some(s) = &cap.sharing {
            check_sharing(&c, &format!("capitation[{i}].sharing"), s)?;
        }
    }
    Ok(())
}

fn check_fallback(c: &Ctx, key: &str, f: &Fallback) -> Result<(), PolicyError> {
    match (f.pay, f.share) {
        (FallbackPay::CostShare, None) => {
            Err(c.err(format!("{key}.share"), "pay = \"cost_share\" needs a share"))
        }
        (FallbackPay::CostShare, Some(s)) => c.share(format!("{key}.share"), s.0),
        (FallbackPay::Ffs, Some(_)) => Err(c.err(
            format!("{key}.share"),
            "a share only applies to pay = \"cost_share\"",
        )),
        (FallbackPay::Ffs, None) => Ok(()),
    }
}

fn check_drg(c: &Ctx, d: &DrgRules) -> Result<(), PolicyError> {
    c.positive("drg.points_per_weight".into(), d.points_per_weight.0)?;
    if d.method == DrgMethod::Rate && d.base_rate_yuan.is_none() {
        return Err(c.err(
            "drg.base_rate_yuan",
            "method = \"rate\" needs base_rate_yuan (yuan per 1.0 of weight)",
        ));
    }
    if let Some(u) = d.uplift {
        if u.up_to
            .0
            .checked_add(u.above.0.mul_int(-1))
            .map(|x| x.numer() <= 0)
            != Ok(false)
        {
            return Err(c.err("drg.uplift", "up_to must be above `above`"));
        }
    }
    let mut open = false;
    for (i, b) in d.high.iter().enumerate() {
        if open {
            return Err(c.err(
                format!("drg.high[{i}]"),
                "follows a band without up_to_base_points, so it can never apply",
            ));
        }
        open = b.up_to_base_points.is_none();
        c.positive(format!("drg.high[{i}].multiple"), b.multiple.0)?;
    }
    if let Some(e) = d.extreme {
        if e.unapproved == ExtremePay::HospitalFactor {
            return Err(c.err(
                "drg.extreme.unapproved",
                "\"hospital_factor\" is a DIP rule; use \"bundle\" or \"ffs\"",
            ));
        }
    }
    check_fallback(c, "drg.ambiguous", &d.ambiguous)?;
    check_fallback(c, "drg.ungroupable", &d.ungroupable)
}

fn check_dip(c: &Ctx, d: &DipRules) -> Result<(), PolicyError> {
    c.positive("dip.low.ratio".into(), d.low.ratio.0)?;
    c.positive("dip.high.ratio".into(), d.high.ratio.0)?;
    c.positive("dip.score_scale".into(), d.score_scale.0)?;
    // Bounds in order, or a case could be low and high at once (the low rule would win silently).
    let above = |a: Ratio, b: Ratio| a.numer() * b.denom() > b.numer() * a.denom();
    if !above(d.high.ratio.0, d.low.ratio.0) {
        return Err(c.err(
            "dip.high.ratio",
            format!(
                "{} must be above dip.low.ratio {}",
                d.high.ratio.0, d.low.ratio.0
            ),
        ));
    }
    if let Some(x) = d.extreme {
        if !above(x.ratio.0, d.high.ratio.0) {
            return Err(c.err(
                "dip.extreme.ratio",
                format!(
                    "{} must be above dip.high.ratio {}",
                    x.ratio.0, d.high.ratio.0
                ),
            ));
        }
    }
    if let Some(b) = d.blank_share {
        c.share("dip.blank_share".into(), b.0)?;
    }
    Ok(())
}

fn check_pools(c: &Ctx, p: &Policy, point_priced: bool) -> Result<(), PolicyError> {
    if p.pools.is_empty() {
        return Err(c.err("pools", "declare at least one [[pools]]"));
    }
    let mut ids = BTreeSet::new();
    let mut keys: Vec<(String, String, String, usize)> = Vec::new();
    for (i, pool) in p.pools.iter().enumerate() {
        if !ids.insert(pool.id.as_str()) {
            return Err(c.err(format!("pools[{i}].id"), format!("{:?} twice", pool.id)));
        }
        c.share(format!("pools[{i}].reserve_share"), pool.reserve_share.0)?;
        if pool.budget_yuan.0 .0 < 0 {
            return Err(c.err(format!("pools[{i}].budget_yuan"), "is negative"));
        }
        if pool.fund_types.is_empty() || pool.localities.is_empty() {
            return Err(c.err(
                format!("pools[{i}]"),
                "fund_types and localities must list at least one value (\"*\" for any)",
            ));
        }
        if !matches!(pool.service_line.as_str(), "inpatient" | "outpatient") {
            return Err(c.err(
                format!("pools[{i}].service_line"),
                "is \"inpatient\" or \"outpatient\"",
            ));
        }
        if let Some(r) = pool.reimbursement_ratio {
            c.share(format!("pools[{i}].reimbursement_ratio"), r.0)?;
            c.positive(format!("pools[{i}].reimbursement_ratio"), r.0)?;
            if pool.closure != Closure::Rate
                || pool.basis != Basis::TotalCost
                || pool.point_value_yuan.is_some()
            {
                return Err(c.err(
                    format!("pools[{i}].reimbursement_ratio"),
                    "applies to closure = \"rate\", basis = \"total_cost\" pools without point_value_yuan",
                ));
            }
        }
        match (pool.closure, pool.point_value_yuan) {
            (Closure::Rate, None)
                if point_priced
                    && pool.service_line == "inpatient"
                    && pool.reimbursement_ratio.is_none() =>
            {
                return Err(c.err(
                    format!("pools[{i}].point_value_yuan"),
                    "closure = \"rate\" with point-priced cases needs an announced point value (or reimbursement_ratio)",
                ))
            }
            (Closure::PointValue, Some(_)) => {
                return Err(c.err(
                    format!("pools[{i}].point_value_yuan"),
                    "closure = \"point_value\" solves the point value from the budget; remove it",
                ))
            }
            _ => {}
        }
        for f in &pool.fund_types {
            for l in &pool.localities {
                for (f2, l2, s2, j) in &keys {
                    let clash = |a: &str, b: &str| a == "*" || b == "*" || a == b;
                    if clash(f, f2) && clash(l, l2) && *s2 == pool.service_line {
                        return Err(c.err(
                            format!("pools[{i}]"),
                            format!(
                                "overlaps pools[{j}] on fund type {f:?}, locality {l:?}: a case must match one pool"
                            ),
                        ));
                    }
                }
            }
        }
        for f in &pool.fund_types {
            for l in &pool.localities {
                keys.push((f.clone(), l.clone(), pool.service_line.clone(), i));
            }
        }
    }
    Ok(())
}

fn check_hospitals(c: &Ctx, p: &Policy) -> Result<(), PolicyError> {
    for k in p.levels.keys() {
        if k.parse::<u8>().is_err() {
            return Err(c.err(format!("levels.{k}"), "levels are numbers: [levels.3]"));
        }
    }
    let mut seen = BTreeSet::new();
    for (i, h) in p.hospitals.iter().enumerate() {
        if !seen.insert(h.code.as_str()) {
            return Err(c.err(
                format!("hospitals[{i}].code"),
                format!("{:?} twice", h.code),
            ));
        }
    }
    Ok(())
}

fn check_routing(c: &Ctx, p: &Policy) -> Result<(), PolicyError> {
    let o = &p.order();
    let mut seen = BTreeSet::new();
    for s in o {
        if !seen.insert(*s) {
            return Err(c.err("routing.order", format!("{} twice", s.as_str())));
        }
    }
    if !o.contains(&Step::Bundle) {
        return Err(c.err("routing.order", "must contain \"bundle\""));
    }
    if o.last() != Some(&Step::Ffs) {
        return Err(c.err(
            "routing.order",
            "must end with \"ffs\" (the fallback that takes every case left)",
        ));
    }
    if o.contains(&Step::SpecialReview) && p.special_review.is_none() {
        return Err(c.err(
            "special_review",
            "routing uses special_review: add [special_review] with its quota_share",
        ));
    }
    Ok(())
}

fn check_lines(c: &Ctx, p: &Policy) -> Result<(), PolicyError> {
    for (i, f) in p.fixed_rates.iter().enumerate() {
        if f.diagnoses.is_empty() && f.procedures.is_empty() && f.groups.is_empty() {
            return Err(c.err(
                format!("fixed_rates[{i}]"),
                "give diagnoses, procedures or groups: which cases does the rate cover?",
            ));
        }
        if f.amount_yuan.is_none() && f.amount_by_level.is_empty() {
            return Err(c.err(
                format!("fixed_rates[{i}]"),
                "give amount_yuan or amount_by_level",
            ));
        }
        if let Some(k) = f.amount_by_level.keys().find(|k| k.parse::<u8>().is_err()) {
            return Err(c.err(
                format!("fixed_rates[{i}].amount_by_level"),
                format!("{k:?} is not a level: write {{ \"1\" = 2500, \"3\" = 3500 }}"),
            ));
        }
    }
    for (i, l) in p.per_diem.iter().enumerate() {
        let key = format!("per_diem[{i}].bands");
        if l.bands.is_empty() || l.bands[0].from != 1 {
            return Err(c.err(key, "bands start at day 1"));
        }
        let points = l.bands[0].points.is_some();
        for (j, b) in l.bands.iter().enumerate() {
            if b.rate_yuan.is_some() == b.points.is_some() {
                return Err(c.err(
                    format!("{key}[{j}]"),
                    "give exactly one of rate_yuan and points",
                ));
            }
            if b.points.is_some() != points {
                return Err(c.err(format!("{key}[{j}]"), "mixes rates and points"));
            }
            if let Some(to) = b.to {
                if to < b.from {
                    return Err(c.err(format!("{key}[{j}].to"), "is before from"));
                }
            }
            if j + 1 < l.bands.len() {
                match b.to {
                    Some(to) if l.bands[j + 1].from == to + 1 => {}
                    _ => {
                        return Err(c.err(
                            format!("{key}[{}].from", j + 1),
                            "must start the day after the previous band ends",
                        ))
                    }
                }
            }
        }
        if points && l.cap_yuan.is_some() {
            return Err(c.err(
                format!("per_diem[{i}].cap_yuan"),
                "a cap in yuan applies to rate bands only",
            ));
        }
    }
    Ok(())
}

fn check_sharing(c: &Ctx, key: &str, s: &Sharing) -> Result<(), PolicyError> {
    c.share(format!("{key}.surplus_keep"), s.surplus_keep.0)?;
    if let Some(x) = s.surplus_cap_share {
        c.share(format!("{key}.surplus_cap_share"), x.0)?;
    }
    if s.overspend.is_empty() {
        return Err(c.err(
            format!("{key}.overspend"),
            "list at least one band (fund_share = 0 for 合理超支自担)",
        ));
    }
    let mut last = Ratio::ZERO;
    for (i, b) in s.overspend.iter().enumerate() {
        c.share(format!("{key}.overspend[{i}].fund_share"), b.fund_share.0)?;
        match b.up_to {
            Some(u) => {
                let d =
                    u.0.checked_add(last.mul_int(-1))
                        .map_err(|e| c.err(format!("{key}.overspend[{i}].up_to"), e.to_string()))?;
                if d.numer() <= 0 {
                    return Err(c.err(format!("{key}.overspend[{i}].up_to"), "bands must increase"));
                }
                last = u.0;
            }
            None if i + 1 != s.overspend.len() => {
                return Err(c.err(
                    format!("{key}.overspend[{i}]"),
                    "only the last band may be open (no up_to)",
                ))
            }
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_date;

    /// The parse of month and day that the digit arithmetic replaced.
    fn by_parsing(s: &str) -> bool {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return false;
        }
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if !(digits(0..4) && digits(5..7) && digits(8..10)) {
            return false;
        }
        let m: u32 = s[5..7].parse().unwrap_or(0);
        let d: u32 = s[8..10].parse().unwrap_or(0);
        (1..=12).contains(&m) && (1..=31).contains(&d)
    }

    #[test]
    fn dates_are_checked_as_by_parsing() {
        let mut texts: Vec<String> = ["", "2025-1-01", "2025/01/01", "2025-01-0a", "２025-01-01"]
            .map(String::from)
            .to_vec();
        for m in 0..=13 {
            for d in [0, 1, 9, 10, 28, 31, 32, 99] {
                texts.push(format!("2025-{m:02}-{d:02}"));
            }
        }
        texts.push("2025-1a-01".into());
        texts.push("2025-01-1 ".into());
        for t in &texts {
            assert_eq!(is_date(t), by_parsing(t), "{t:?}");
        }
        assert!(is_date("2025-12-31") && !is_date("2025-13-01") && !is_date("2025-00-10"));
    }
}
