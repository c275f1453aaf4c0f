//! The settlement report: one self-contained HTML page per run (`drgdip settle --report`, and
//! `report.html` of `drgdip demo`), built in memory from the [`Settlement`] and its [`Engine`].
//!
//! - [`kpi`]: totals by route, outlier and grouping counts, the payment-reform KPIs with their
//!   definitions;
//! - [`svg`]: the inline charts;
//! - `page` ([`html`]): the style sheet, the order of the sections, header, cards and charts;
//!   `tables`: the pool, hospital, method and rejection tables;
//! - [`text`]: the same figures as plain-text tables for the terminal;
//! - [`compare`]: the page of a policy comparison (`drgdip compare --report`): scenarios, KPIs,
//!   hospitals, pools and groups side by side.
//!
//! The page loads nothing: no scripts, no external style sheets, fonts or images. Every text that
//! comes from data is escaped with [`esc`]; money is shown in yuan from exact fen with [`yuan`].

pub mod compare;
pub mod kpi;
mod page;
pub mod svg;
mod tables;
pub mod text;

use std::path::Path;

use settlement::engine::Engine;
use settlement::money::Fen;
use settlement::price::Route;
use settlement::settle::Settlement;

use kpi::Figures;
pub use page::html;

/// What a report is built from.
pub struct Report<'a> {
    /// The compiled policy.
    pub engine: &'a Engine,
    /// The closed run.
    pub settlement: &'a Settlement,
    /// Its figures (see [`Figures::compute`] for a run that holds its cases).
    pub figures: &'a Figures,
    /// Where the policy came from.
    pub policy_origin: &'a str,
    /// The grouping tables used.
    pub tables: &'a str,
    /// The `summary.json` document, embedded at the end of the page.
    pub summary: Option<&'a serde_json::Value>,
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An unsigned integer with thousands separators: `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == digits.len() % 3 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Fen as yuan with thousands separators and two decimals, exactly: `Fen(-123456789)` ->
/// `-1,234,567.89`.
pub fn yuan(f: Fen) -> String {
    let a = f.0.unsigned_abs();
    let sign = if f.0 < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", thousands(a / 100), a % 100)
}

/// Points with thousands separators and their four decimals: `1,051,926.5057`.
pub fn points(p: settlement::points::Points) -> String {
    let a = p.0.unsigned_abs();
    let scale = settlement::points::SCALE.unsigned_abs();
    let sign = if p.0 < 0 { "-" } else { "" };
    format!("{sign}{}.{:04}", thousands(a / scale), a % scale)
}

/// The display name of a route.
pub fn route_name(r: Route) -> &'static str {
    match r {
        Route::CarveOut => "carve-out",
        Route::FixedRate => "fixed rate",
        Route::PerDiem => "per-diem",
        Route::Exclusion => "exclusion",
        Route::Drg => "DRG",
        Route::Dip => "DIP",
        Route::SpecialReview => "special review",
        Route::Ffs => "FFS",
    }
}

/// The chart colour of a route.
pub fn route_color(r: Route) -> &'static str {
    match r {
        Route::CarveOut => "#6b7280",
        Route::FixedRate => "#059669",
        Route::PerDiem => "#d97706",
        Route::Exclusion => "#f87171",
        Route::Drg => "#2563eb",
        Route::Dip => "#7c3aed",
        Route::SpecialReview => "#db2777",
        Route::Ffs => "#b91c1c",
    }
}

/// Routes in display order: bundles first, fee-for-service last.
pub const DISPLAY_ORDER: [Route; 8] = [
    Route::Drg,
    Route::Dip,
    Route::FixedRate,
    Route::PerDiem,
    Route::CarveOut,
    Route::Exclusion,
    Route::SpecialReview,
    Route::Ffs,
];

/// Routes with at least one case in the run, in display order.
pub fn used_routes(f: &Figures) -> Vec<Route> {
    DISPLAY_ORDER
        .into_iter()
        .filter(|r| f.by_route[r.index()].cases > 0)
        .collect()
}

/// Writes the report of a run to `path`, with the run's `summary.json` document embedded.
pub fn write_run(
    path: &Path,
    engine: &Engine,
    settlement: &Settlement,
    figures: &Figures,
    policy_origin: &str,
    tables: &str,
) -> Result<(), String> {
    let summary = crate::io::statement::summary(engine, settlement, policy_origin, tables);
    write(
        path,
        &Report {
            engine,
            settlement,
            figures,
            policy_origin,
            tables,
            summary: Some(&summary),
        },
    )
}

/// Writes the page to `path`.
pub fn write(path: &Path, r: &Report) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, html(r)).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("济南 DRG ≥75%"), "济南 DRG ≥75%");
        assert_eq!(esc(""), "");
    }

    #[test]
    fn yuan_from_exact_fen_with_separators() {
        assert_eq!(yuan(Fen(0)), "0.00");
        assert_eq!(yuan(Fen(5)), "0.05");
        assert_eq!(yuan(Fen(-5)), "-0.05");
        assert_eq!(yuan(Fen(99_999)), "999.99");
        assert_eq!(yuan(Fen(100_000)), "1,000.00");
        assert_eq!(yuan(Fen(-123_456_789)), "-1,234,567.89");
        assert_eq!(yuan(Fen(12_000_000_000)), "120,000,000.00");
        assert_eq!(yuan(Fen(i64::MIN)), "-92,233,720,368,547,758.08");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            points(settlement::points::Points(10_519_265_057)),
            "1,051,926.5057"
        );
        assert_eq!(points(settlement::points::Points(-5)), "-0.0005");
    }
}
