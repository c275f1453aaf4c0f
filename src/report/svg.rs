//! Inline SVG charts for the report: grouped bars, a histogram with marked band edges, and 100%
//! stacked bars. Plain strings, no dependencies; every text goes through [`esc`]. Values here are for
//! drawing only (floats); the tables beside the charts carry the exact amounts.

use std::fmt::Write;

use super::esc;

/// Width of every chart's coordinate system (the SVG scales to the page width).
const W: f64 = 1240.0;

/// One series of a bar chart.
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Fill colour (CSS).
    pub color: &'a str,
    /// One value per category.
    pub values: Vec<f64>,
}

/// A "nice" tick step (1, 2 or 5 × 10^k) for about `n` ticks up to `max`.
pub fn nice_step(max: f64, n: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / n;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// A tick label: as many decimals as the step needs.
fn tick_label(v: f64, step: f64) -> String {
    let places = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{v:.places$}")
}

fn open(out: &mut String, h: f64, label: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {h}" role="img" aria-label="{}">"#,
        esc(label)
    );
}

/// Horizontal grid lines and y tick labels for `[0, top]` on a plot from `y0` (bottom) up `ph`.
fn y_axis(out: &mut String, left: f64, right: f64, y0: f64, ph: f64, top: f64, step: f64) {
    let mut v = 0.0;
    while v <= top + step * 1e-9 {
        let y = y0 - v / top * ph;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{right}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e7eb"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
            left - 6.0,
            y + 4.0,
            esc(&tick_label(v, step))
        );
        v += step;
    }
}

fn legend(out: &mut String, items: &[(&str, &str)], x_right: f64, y: f64) {
    let mut x = x_right;
    for (name, color) in items.iter().rev() {
        x -= 14.0 + 7.5 * name.chars().count() as f64 + 18.0;
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            y - 10.0,
            esc(color),
            x + 16.0,
            y,
            esc(name)
        );
    }
}

/// Opens a value chart: a scale from 0 to a round number above `peak`, the grid with its tick
/// labels, and the rotated unit title on the left. Returns the SVG so far and the scale's top.
fn value_frame(
    h: f64,
    label: &str,
    left: f64,
    top_m: f64,
    ph: f64,
    peak: f64,
    unit: &str,
) -> (String, f64) {
    let y0 = top_m + ph;
    let step = nice_step(peak, 5.0);
    let top = ((peak / step).ceil() * step).max(step);
    let mut out = String::new();
    open(&mut out, h, label);
    y_axis(&mut out, left, W - 16.0, y0, ph, top, step);
    let _ = write!(
        out,
        r#"<text x="14" y="{:.1}" class="axis" transform="rotate(-90 14 {:.1})" text-anchor="middle">{}</text>"#,
        top_m + ph / 2.0,
        top_m + ph / 2.0,
        esc(unit)
    );
    (out, top)
}

/// Grouped vertical bars: one group per category, one bar per series, an optional note above each
/// group (e.g. a ratio) and `unit` as the y-axis title.
pub fn grouped_bars(
    label: &str,
    categories: &[String],
    series: &[Series],
    notes: &[String],
    unit: &str,
) -> String {
    let (h, left, right, top_m, bottom) = (400.0, 78.0, 16.0, 40.0, 44.0);
    let (pw, ph) = (W - left - right, h - top_m - bottom);
    let y0 = top_m + ph;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let (mut out, top) = value_frame(h, label, left, top_m, ph, max, unit);
    let n = categories.len().max(1) as f64;
    let gw = pw / n;
    let bw = (gw * 0.8 / series.len().max(1) as f64).min(28.0);
    for (i, cat) in categories.iter().enumerate() {
        let gx = left + gw * i as f64 + (gw - bw * series.len() as f64) / 2.0;
        let mut tallest: f64 = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0).max(0.0);
            let bh = v / top * ph;
            tallest = tallest.max(bh);
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="{bh:.1}" fill="{}"><title>{}</title></rect>"#,
                gx + bw * k as f64,
                y0 - bh,
                esc(s.color),
                esc(&format!("{cat} · {}: {v:.2} {unit}", s.name))
            );
        }
        let cx = left + gw * (i as f64 + 0.5);
        let _ = write!(
            out,
            r#"<text x="{cx:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            y0 + 16.0,
            esc(cat)
        );
        if let Some(note) = notes.get(i) {
            let _ = write!(
                out,
                r#"<text x="{cx:.1}" y="{:.1}" class="note" text-anchor="middle">{}</text>"#,
                y0 - tallest - 5.0,
                esc(note)
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" x2="{:.1}" y1="{y0:.1}" y2="{y0:.1}" stroke="#374151"/>"##,
        W - right
    );
    let items: Vec<(&str, &str)> = series.iter().map(|s| (s.name, s.color)).collect();
    legend(&mut out, &items, W - right, 20.0);
    out.push_str("</svg>");
    out
}

/// A vertical mark on the histogram: position, label, colour.
pub struct Edge {
    /// x value.
    pub at: f64,
    /// Label.
    pub label: String,
    /// Stroke colour.
    pub color: &'static str,
}

/// A histogram of `values` in bins of `width` over `[0, max)`, the last bin also holding every value
/// at or above `max`, with vertical marks at `edges`.
pub fn histogram(
    label: &str,
    fine: &[u64],
    width: f64,
    max: f64,
    edges: &[Edge],
    x_title: &str,
) -> String {
    // `fine` counts values in bins of `width` from 0; the bins at or above `max` join the last.
    let nbins = ((max / width).round() as usize).max(1);
    let mut bins = vec![0u64; nbins];
    for (i, &c) in fine.iter().enumerate() {
        bins[i.min(nbins - 1)] += c;
    }
    let (h, left, right, top_m, bottom) = (380.0, 78.0, 16.0, 64.0, 50.0);
    let (pw, ph) = (W - left - right, h - top_m - bottom);
    let y0 = top_m + ph;
    let peak = bins.iter().copied().max().unwrap_or(0) as f64;
    let (mut out, top) = value_frame(h, label, left, top_m, ph, peak, "cases");
    let xs = |v: f64| left + v / max * pw;
    for (i, &c) in bins.iter().enumerate() {
        let (a, b) = (i as f64 * width, (i + 1) as f64 * width);
        let bh = c as f64 / top * ph;
        let range = if i + 1 == nbins {
            format!("r ≥ {a:.2}")
        } else {
            format!("{a:.2} ≤ r < {b:.2}")
        };
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="#60a5fa"><title>{}</title></rect>"##,
            xs(a) + 0.5,
            y0 - bh,
            (xs(b) - xs(a) - 1.0).max(0.5),
            esc(&format!("{range}: {c} cases"))
        );
    }
    let tick = nice_step(max, 12.0);
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let x = xs(v);
        let text = tick_label(v, tick);
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{y0:.1}" y2="{:.1}" stroke="#374151"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
            y0 + 4.0,
            y0 + 17.0,
            esc(&text)
        );
        v += tick;
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" x2="{:.1}" y1="{y0:.1}" y2="{y0:.1}" stroke="#374151"/><text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">{}</text>"##,
        W - right,
        left + pw / 2.0,
        h - 10.0,
        esc(x_title)
    );
    let mut sorted: Vec<&Edge> = edges.iter().filter(|e| e.at > 0.0 && e.at <= max).collect();
    sorted.sort_by(|a, b| a.at.total_cmp(&b.at));
    for (k, e) in sorted.iter().enumerate() {
        let x = xs(e.at);
        let ly = 16.0 + 15.0 * (k % 3) as f64;
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{y0:.1}" stroke="{}" stroke-width="1.5" stroke-dasharray="5 3"/><text x="{:.1}" y="{ly:.1}" class="edge" fill="{}">{}</text>"#,
            ly + 4.0,
            esc(e.color),
            x + 3.0,
            esc(e.color),
            esc(&e.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// 100% stacked horizontal bars: one row per category, `parts[row][k]` the count of part `k`, named
/// and coloured by `names` / `colors`; parts that are zero in every row are left out of the legend.
pub fn stacked_shares(
    label: &str,
    categories: &[String],
    parts: &[Vec<u64>],
    names: &[&str],
    colors: &[&str],
) -> String {
    let row_h = 20.0;
    let widest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    let (left, right, top_m) = ((widest as f64 * 7.0 + 14.0).max(70.0), 16.0, 34.0);
    let h = top_m + row_h * categories.len() as f64 + 26.0;
    let pw = W - left - right;
    let mut out = String::new();
    open(&mut out, h, label);
    let used: Vec<usize> = (0..names.len())
        .filter(|&k| parts.iter().any(|p| p.get(k).copied().unwrap_or(0) > 0))
        .collect();
    for (i, cat) in categories.iter().enumerate() {
        let y = top_m + row_h * i as f64;
        let row = &parts[i];
        let total: u64 = row.iter().sum();
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + row_h * 0.7,
            esc(cat)
        );
        let mut x = left;
        for &k in &used {
            let c = row.get(k).copied().unwrap_or(0);
            if c == 0 || total == 0 {
                continue;
            }
            let w = c as f64 / total as f64 * pw;
            let pct = c as f64 / total as f64 * 100.0;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}</title></rect>"#,
                y + 2.0,
                row_h - 4.0,
                esc(colors[k]),
                esc(&format!("{cat} · {}: {c} cases ({pct:.1}%)", names[k]))
            );
            if w > 44.0 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" class="inbar" text-anchor="middle">{pct:.0}%</text>"#,
                    x + w / 2.0,
                    y + row_h * 0.68
                );
            }
            x += w;
        }
    }
    let mut v = 0;
    while v <= 100 {
        let x = left + f64::from(v) / 100.0 * pw;
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{v}%</text>"#,
            h - 8.0
        );
        v += 10;
    }
    let items: Vec<(&str, &str)> = used.iter().map(|&k| (names[k], colors[k])).collect();
    legend(&mut out, &items, W - right, 20.0);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(47.0, 5.0), 10.0);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
        assert!((nice_step(6.0, 12.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn charts_escape_their_text() {
        let s = grouped_bars(
            "a<b",
            &["H&1".into()],
            &[Series {
                name: "x\"y",
                color: "#000",
                values: vec![1.0],
            }],
            &["<n>".into()],
            "M yuan",
        );
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("H&amp;1") && s.contains("&lt;n&gt;") && s.contains("x&quot;y"));
        assert!(!s.contains("<n>") && !s.contains("a<b"));
        // r = 0.05, 1.0, 1.02 and 9.0 in bins of 0.1: 9.0 joins the last bin below max = 3.
        let mut fine = vec![0u64; 101];
        for i in [0, 10, 10, 90] {
            fine[i] += 1;
        }
        let h = histogram("r", &fine, 0.1, 3.0, &[], "r");
        assert_eq!(h.matches("<rect").count(), 30);
        assert!(h.contains("r ≥ 2.90: 1 cases"));
    }
}
