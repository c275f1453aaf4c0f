//! Compilation of a deserialised scheme: interning, list matrices, dense tables, typed conditions.
//! Every rejection names the JSON path.

use ahash::AHashMap;
use serde_json::Value;

use super::raw::{RawCodesTriple, RawScheme};
use super::{
    Branch, DrgId, DrgInfo, FixedResult, ListInfo, ListMatrix, Mdc, Pipeline, Rule, Scheme, Step,
    NOT_MAPPED,
};
use crate::cc::{CcTables, Slot};
use crate::codes::{CodeKind, CodeTable};
use crate::cond::{Cond, Field, ListRef, Op, Position, Prefilter};
use crate::error::SchemeError;
use crate::trauma::SiteMap;

/// The format tag this compiler reads.
pub const FORMAT: &str = "opendrg-scheme/1";

struct Compiler<'r> {
    origin: &'r str,
    lists: AHashMap<&'r str, (ListRef, CodeKind)>,
    site_maps: AHashMap<&'r str, u32>,
    drg_names: &'r std::collections::HashMap<String, String>,
    drgs: Vec<DrgInfo>,
    drg_index: AHashMap<Box<str>, DrgId>,
    warnings: Vec<String>,
}

pub(crate) fn compile(raw: RawScheme, origin: &str) -> Result<Scheme, SchemeError> {
    let invalid = |path: &str, problem: String| SchemeError::Invalid {
        file: origin.to_string(),
        path: path.to_string(),
        problem,
    };
    if raw.format != FORMAT {
        return Err(invalid(
            "format",
            format!(
                "unsupported format {:?}; this grouper reads {FORMAT:?}",
                raw.format
            ),
        ));
    }
    if let Some(seps) = &raw.pipeline.split_separators {
        let mut s: Vec<&str> = seps.iter().map(String::as_str).collect();
        s.sort_unstable();
        if s != [",", "|"] {
            return Err(invalid(
                "pipeline.split_separators",
                format!(
                    "separators {seps:?} are not supported; codes are split on \",\" and \"|\""
                ),
            ));
        }
    }

    // 1. Intern every code the scheme mentions, per namespace.
    let mut dx = CodeTable::default();
    let mut proc = CodeTable::default();
    let mut list_names: Vec<&str> = raw.lists.keys().map(String::as_str).collect();
    list_names.sort_unstable();
    let mut lists = AHashMap::new();
    let mut list_info = Vec::with_capacity(list_names.len());
    let (mut dx_cols, mut proc_cols) = (0u32, 0u32);
    for name in &list_names {
        let l = &raw.lists[*name];
        let (kind, table, cols) = match l.kind.as_str() {
            "dx" => (CodeKind::Dx, &mut dx, &mut dx_cols),
            "proc" => (CodeKind::Proc, &mut proc, &mut proc_cols),
            other => {
                return Err(invalid(
                    &format!("lists.{name}.kind"),
                    format!("unknown list kind {other:?}; expected \"dx\" or \"proc\""),
                ))
            }
        };
        for c in &l.codes {
            table.intern(c);
        }
        let r = ListRef {
            id: list_info.len() as u32,
            column: *cols,
        };
        *cols += 1;
        lists.insert(*name, (r, kind));
        list_info.push(ListInfo {
            name: (*name).into(),
        });
    }
    for m in [&raw.cc.mcc, &raw.cc.cc, &raw.cc.cce] {
        for k in m.keys() {
            dx.intern(k);
        }
    }
    let mut site_names: Vec<&str> = raw.site_maps.keys().map(String::as_str).collect();
    site_names.sort_unstable();
    for s in &site_names {
        for k in raw.site_maps[*s].sites.keys() {
            dx.intern(k);
        }
    }
    for (k, v) in &raw.codes.dx_map {
        dx.intern(k);
        dx.intern(v);
    }
    for (k, v) in &raw.codes.proc_map {
        proc.intern(k);
        proc.intern(v);
    }
    for k in raw.codes.dx_names.keys() {
        dx.intern(k);
    }
    for k in raw.codes.proc_names.keys() {
        proc.intern(k);
    }

    // 2. Dense tables over the final id spaces.
    let mut dx_lists = ListMatrix::new(dx.len(), dx_cols as usize);
    let mut proc_lists = ListMatrix::new(proc.len(), proc_cols as usize);
    for name in &list_names {
        let (r, kind) = lists[*name];
        let (table, matrix) = match kind {
            CodeKind::Dx => (&dx, &mut dx_lists),
            CodeKind::Proc => (&proc, &mut proc_lists),
        };
        for c in &raw.lists[*name].codes {
            matrix.insert(table.get(c), r.column);
        }
    }

    let mut cc = CcTables::new(dx.len());
    let mut table_ids: AHashMap<&str, u16> = AHashMap::new();
    for (src, slot, key) in [
        (&raw.cc.mcc, Slot::Mcc, "mcc"),
        (&raw.cc.cc, Slot::Cc, "cc"),
        (&raw.cc.cce, Slot::Cce, "cce"),
    ] {
        for (code, t) in src {
            if t.is_empty() {
                continue; // an empty table id is falsy upstream: never excludes
            }
            let tid = match table_ids.get(t.as_str()) {
                Some(&tid) => tid,
                None => {
                    let Ok(tid) = u16::try_from(table_ids.len() + 1) else {
                        return Err(invalid(
                            &format!("cc.{key}.{code}"),
                            "more than 65535 exclusion tables".into(),
                        ));
                    };
                    table_ids.insert(t.as_str(), tid);
                    cc.names.push(t.as_str().into());
                    tid
                }
            };
            cc.set(dx.get(code), slot, tid);
        }
    }

    let mut site_maps = Vec::new();
    let mut site_index = AHashMap::new();
    for name in &site_names {
        let mut site_ids: AHashMap<&str, u8> = AHashMap::new();
        let mut site_of = vec![0u8; dx.len()];
        for (code, site) in &raw.site_maps[*name].sites {
            let next = site_ids.len() + 1;
            if next > 64 && !site_ids.contains_key(site.as_str()) {
                return Err(invalid(
                    &format!("site_maps.{name}.sites"),
                    "more than 64 distinct body sites; at most 64 are supported".into(),
                ));
            }
            let sid = *site_ids.entry(site.as_str()).or_insert(next as u8);
            site_of[dx.get(code).index()] = sid;
        }
        site_index.insert(*name, site_maps.len() as u32);
        site_maps.push(SiteMap {
            name: (*name).into(),
            site_of,
        });
    }

    let code_map = |table: &CodeTable, m: &std::collections::HashMap<String, String>| {
        let mut v = vec![NOT_MAPPED; table.len()];
        for (k, t) in m {
            v[table.get(k).index()] = table.get(t).0;
        }
        v
    };
    let dx_map = code_map(&dx, &raw.codes.dx_map);
    let proc_map = code_map(&proc, &raw.codes.proc_map);
    for (table, m) in [
        (&mut dx, &raw.codes.dx_map),
        (&mut proc, &raw.codes.proc_map),
    ] {
        for (k, t) in m {
            let target = table.get(t).0;
            table.set_aux(k, target);
        }
    }
    let names = |table: &CodeTable, m: &std::collections::HashMap<String, String>| {
        let mut v: Vec<Box<str>> = vec!["".into(); table.len()];
        for (k, n) in m {
            v[table.get(k).index()] = n.as_str().into();
        }
        v
    };
    let dx_names = names(&dx, &raw.codes.dx_names);
    let proc_names = names(&proc, &raw.codes.proc_names);

    // 3. MDCs, steps and conditions.
    let mut c = Compiler {
        origin,
        lists,
        site_maps: site_index,
        drg_names: &raw.drg_names,
        drgs: Vec::new(),
        drg_index: AHashMap::new(),
        warnings: Vec::new(),
    };
    let or_list = match &raw.or_procedures {
        None => None,
        Some(or) => match c.lists.get(or.as_str()) {
            Some((r, CodeKind::Proc)) => Some(r.column),
            Some(_) => {
                return Err(invalid(
                    "or_procedures",
                    format!(
                        "list {or:?} holds diagnoses; the OR-procedure list must hold procedures"
                    ),
                ))
            }
            None => {
                return Err(invalid(
                    "or_procedures",
                    format!("list {or:?} is not defined under \"lists\""),
                ))
            }
        },
    };
    let mut mdcs = Vec::with_capacity(raw.mdcs.len());
    for (i, m) in raw.mdcs.iter().enumerate() {
        let path = format!("mdcs[{i}]");
        if m.letter.chars().count() != 1 {
            return Err(c.err(
                &format!("{path}.letter"),
                "an MDC letter is one character".into(),
            ));
        }
        let entry = c.cond(&m.entry, &format!("{path}.entry"))?;
        let mut steps = Vec::with_capacity(m.steps.len());
        for (j, s) in m.steps.iter().enumerate() {
            steps.push(c.step(s, &format!("{path}.steps[{j}]"))?);
        }
        mdcs.push(Mdc {
            name: m.mdc.as_str().into(),
            pre: Prefilter::of(&entry),
            entry,
            steps,
        });
    }

    let v = &raw.pipeline.validation;
    let fixed = |t: &RawCodesTriple| FixedResult {
        mdc: t.mdc.as_str().into(),
        adrg: t.adrg.as_str().into(),
        drg: t.drg.as_str().into(),
    };
    let r = &raw.pipeline.result;
    let pipeline = Pipeline {
        gender_valid: v.gender_valid.iter().map(|g| g.as_str().into()).collect(),
        newborn_age_years: v.newborn_age_years,
        newborn_weight_required_max_age_days: v.newborn_weight_required_max_age_days,
        check_failed: fixed(&r.check_failed),
        mapping_failed: fixed(&r.mapping_failed),
        no_mdc: fixed(&r.no_mdc),
        retry_each_secondary_procedure: raw
            .pipeline
            .retry_each_secondary_procedure_as_sole_procedure,
    };

    Ok(Scheme {
        version: raw.version.as_str().into(),
        origin: origin.into(),
        pipeline,
        dx,
        proc,
        dx_lists,
        proc_lists,
        lists: list_info,
        mdcs,
        or_list,
        cc,
        site_maps,
        dx_map,
        proc_map,
        dx_names,
        proc_names,
        drgs: c.drgs,
        drg_index: c.drg_index,
        warnings: c.warnings,
    })
}

impl<'r> Compiler<'r> {
    fn err(&self, path: &str, problem: String) -> SchemeError {
        SchemeError::Invalid {
            file: self.origin.to_string(),
            path: path.to_string(),
            problem,
        }
    }

    fn result_code(
        &mut self,
        code: &str,
        ambiguous: bool,
        path: &str,
    ) -> Result<DrgId, SchemeError> {
        if code.is_empty() || !code.is_ascii() {
            return Err(self.err(
                path,
                format!("result code {code:?} must be non-empty ASCII"),
            ));
        }
        if let Some(&id) = self.drg_index.get(code) {
            return Ok(id);
        }
        let id = DrgId(self.drgs.len() as u32);
        let adrg = if ambiguous {
            "QY"
        } else {
            &code[..code.len().min(3)]
        };
        self.drgs.push(DrgInfo {
            code: code.into(),
            mdc: format!("MDC{}", &code[..1]).into(),
            adrg: adrg.into(),
            name: self.drg_names.get(code).map_or("", String::as_str).into(),
            ambiguous,
        });
        self.drg_index.insert(code.into(), id);
        Ok(id)
    }

    fn step(&mut self, v: &Value, path: &str) -> Result<Step, SchemeError> {
        let obj = v
            .as_object()
            .ok_or_else(|| self.err(path, "a step must be an object".into()))?;
        let when = |c: &mut Self| -> Result<Cond, SchemeError> {
            let w = obj
                .get("when")
                .ok_or_else(|| c.err(path, "step has no \"when\" condition".into()))?;
            c.cond(w, &format!("{path}.when"))
        };
        if let Some(q) = obj.get("qy") {
            let code = q.as_str().ok_or_else(|| {
                self.err(&format!("{path}.qy"), "QY code must be a string".into())
            })?;
            let drg = self.result_code(code, true, &format!("{path}.qy"))?;
            return Ok(Step::Qy {
                drg,
                when: when(self)?,
            });
        }
        let name = obj.get("rule").and_then(Value::as_str).ok_or_else(|| {
            self.err(
                path,
                "step is neither a rule (\"rule\") nor a QY step (\"qy\")".into(),
            )
        })?;
        let cond = when(self)?;
        let raw_branches = obj.get("drgs").and_then(Value::as_array).ok_or_else(|| {
            self.err(
                &format!("{path}.drgs"),
                "a rule needs a \"drgs\" array".into(),
            )
        })?;
        let mut branches = Vec::with_capacity(raw_branches.len());
        let mut unconditional_at: Option<usize> = None;
        for (k, b) in raw_branches.iter().enumerate() {
            let bpath = format!("{path}.drgs[{k}]");
            let code = b
                .get("drg")
                .and_then(Value::as_str)
                .ok_or_else(|| self.err(&bpath, "branch needs a \"drg\" code".into()))?;
            let drg = self.result_code(code, false, &format!("{bpath}.drg"))?;
            let w = b
                .get("when")
                .ok_or_else(|| self.err(&bpath, "branch has no \"when\" condition".into()))?;
            let when = self.cond(w, &format!("{bpath}.when"))?;
            if let Some(u) = unconditional_at {
                self.warnings.push(format!(
                    "{path} (rule {name}): branch {code} is unreachable, branch {u} before it is unconditional"
                ));
            } else if matches!(when, Cond::Const(true)) {
                unconditional_at = Some(k);
            }
            branches.push(Branch { drg, when });
        }
        let otherwise = match obj.get("otherwise") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                Some(self.result_code(s, false, &format!("{path}.otherwise"))?)
            }
            Some(_) => {
                return Err(self.err(
                    &format!("{path}.otherwise"),
                    "\"otherwise\" must be a code or null".into(),
                ))
            }
        };
        Ok(Step::Rule(Rule {
            name: name.into(),
            pre: Prefilter::of(&cond),
            when: cond,
            branches: branches.into(),
            otherwise,
        }))
    }

    fn cond(&self, v: &Value, path: &str) -> Result<Cond, SchemeError> {
        let obj = v
            .as_object()
            .ok_or_else(|| self.err(path, "a condition must be an object".into()))?;
        if let Some(b) = obj.get("const") {
            return b.as_bool().map(Cond::Const).ok_or_else(|| {
                self.err(
                    &format!("{path}.const"),
                    "const must be true or false".into(),
                )
            });
        }
        for (key, all) in [("all", true), ("any", false)] {
            if let Some(xs) = obj.get(key) {
                let xs = xs.as_array().ok_or_else(|| {
                    self.err(
                        &format!("{path}.{key}"),
                        format!("\"{key}\" must be an array"),
                    )
                })?;
                let items = xs
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.cond(x, &format!("{path}.{key}[{i}]")))
                    .collect::<Result<Box<[Cond]>, _>>()?;
                return Ok(if all {
                    Cond::All(items)
                } else {
                    Cond::Any(items)
                });
            }
        }
        if let Some(x) = obj.get("not") {
            return Ok(Cond::Not(Box::new(self.cond(x, &format!("{path}.not"))?)));
        }
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| self.err(path, "condition has none of const/all/any/not/kind".into()))?;
        let list = |want: CodeKind| -> Result<ListRef, SchemeError> {
            let id = obj.get("list").and_then(Value::as_str).ok_or_else(|| {
                self.err(
                    &format!("{path}.list"),
                    format!("{kind} needs a \"list\" id"),
                )
            })?;
            let (r, k) = *self.lists.get(id).ok_or_else(|| {
                self.err(
                    &format!("{path}.list"),
                    format!("list {id:?} is not defined under \"lists\""),
                )
            })?;
            if k != want {
                return Err(self.err(
                    &format!("{path}.list"),
                    format!(
                        "list {id:?} holds {} codes but {kind} needs {} codes",
                        k.as_str(),
                        want.as_str()
                    ),
                ));
            }
            Ok(r)
        };
        let cmp = || -> Result<(Op, f64), SchemeError> {
            let op = obj
                .get("op")
                .and_then(Value::as_str)
                .and_then(Op::parse)
                .ok_or_else(|| {
                    self.err(
                        &format!("{path}.op"),
                        "op must be one of == != < <= > >=".into(),
                    )
                })?;
            let value = match obj.get("value") {
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .ok_or_else(|| self.err(&format!("{path}.value"), "value must be a number".into()))?;
            Ok((op, value))
        };
        let strings = || -> Result<Box<[Box<str>]>, SchemeError> {
            let vs = obj.get("values").and_then(Value::as_array).ok_or_else(|| {
                self.err(&format!("{path}.values"), "values must be an array".into())
            })?;
            vs.iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.as_str().into()),
                    Value::Number(n) => Ok(n.to_string().into()),
                    _ => Err(self.err(&format!("{path}.values"), "values must be strings".into())),
                })
                .collect()
        };
        Ok(match kind {
            "principal_dx_in" => Cond::Dx(Position::Principal, list(CodeKind::Dx)?),
            "any_dx_in" => Cond::Dx(Position::Any, list(CodeKind::Dx)?),
            "secondary_dx_in" => Cond::Dx(Position::Secondary, list(CodeKind::Dx)?),
            "principal_proc_in" => Cond::Proc(Position::Principal, list(CodeKind::Proc)?),
            "any_proc_in" => Cond::Proc(Position::Any, list(CodeKind::Proc)?),
            "secondary_proc_in" => Cond::Proc(Position::Secondary, list(CodeKind::Proc)?),
            "has_procedures" => Cond::HasProcedures,
            "has_diagnoses" => Cond::HasDiagnoses,
            "dx_count" => {
                let (op, v) = cmp()?;
                Cond::DxCount(op, v)
            }
            "proc_count" => {
                let (op, v) = cmp()?;
                Cond::ProcCount(op, v)
            }
            "gender_is" => {
                let g = match obj.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => {
                        return Err(
                            self.err(&format!("{path}.value"), "gender_is needs a value".into())
                        )
                    }
                };
                Cond::GenderIs(g.into())
            }
            "age_years" | "age_days" | "weight_g" | "los_days" | "icu_hours" => {
                let field = match kind {
                    "age_years" => Field::Age,
                    "age_days" => Field::AgeDays,
                    "weight_g" => Field::Weight,
                    "los_days" => Field::Los,
                    _ => Field::IcuHours,
                };
                let (op, v) = cmp()?;
                Cond::Cmp(field, op, v)
            }
            "age_days_present" => Cond::Present(Field::AgeDays),
            "weight_present" => Cond::Present(Field::Weight),
            "weight_not_null" => Cond::WeightNotNull,
            "leaving_type_in" => Cond::LeavingTypeIn(strings()?),
            "dept_in" => Cond::DeptIn(strings()?),
            "has_mcc" => Cond::HasMcc,
            "has_cc" => Cond::HasCc,
            "trauma_sites_at_least" => {
                let id = obj.get("site_map").and_then(Value::as_str).ok_or_else(|| {
                    self.err(
                        &format!("{path}.site_map"),
                        "needs a \"site_map\" id".into(),
                    )
                })?;
                let map = *self.site_maps.get(id).ok_or_else(|| {
                    self.err(
                        &format!("{path}.site_map"),
                        format!("site map {id:?} is not defined under \"site_maps\""),
                    )
                })?;
                let min = obj.get("min").and_then(Value::as_u64).ok_or_else(|| {
                    self.err(
                        &format!("{path}.min"),
                        "min must be a non-negative integer".into(),
                    )
                })?;
                Cond::TraumaSites {
                    map,
                    min: min.min(u64::from(u32::MAX)) as u32,
                }
            }
            "upstream_error" => Cond::UpstreamError(
                obj.get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("the reference grouper raises here")
                    .into(),
            ),
            other => {
                return Err(self.err(
                    &format!("{path}.kind"),
                    format!(
                        "unknown condition kind {other:?} (see FORMAT.md for the supported kinds)"
                    ),
                ))
            }
        })
    }
}
