//! Weekday × hour heatmap ([`heatmap`]): one row per caller-labelled row (e.g. "Mon".."Sun"),
//! one column per hour, coloured on a reversed viridis ramp from the smallest to the largest
//! value (darker = more people). Cells without data are light grey with hatching. Every cell
//! carries a `<title>` tooltip such as "Mon 18:00–19:00: 7.5"; a legend shows the ramp with its
//! minimum and maximum and, when some cells have no data, the "no data" swatch.

use std::fmt::Write as _;

use crate::palette;
use crate::svg::{document, escape_xml, fit_text, format_number, heading, n, no_data, text_width};

const WIDTH: f64 = 600.0;
const NO_DATA_HEIGHT: f64 = 260.0;
const HOURS: usize = 24;
const ROW_HEIGHT: f64 = 26.0;
const LABEL_SIZE: f64 = 12.0;
const ROW_LABEL_SIZE: f64 = 13.0;
const RAMP_STEPS: usize = 10;

/// Weekday × hour heatmap. `rows` are `(label, values)`; a `None`, NaN or infinite value is "no
/// data". There are 24 columns, or more if a row or `column_labels` is longer; short rows are
/// padded with "no data". With exactly 24 columns tooltips name the hour range ("18:00–19:00")
/// and missing column labels default to the hour number; otherwise tooltips use the column
/// label. Column labels are thinned out when they would not fit their cells.
pub fn heatmap(
    title: &str,
    rows: &[(String, Vec<Option<f64>>)],
    column_labels: &[String],
) -> String {
    let columns = rows
        .iter()
        .map(|(_, values)| values.len())
        .chain([column_labels.len(), HOURS])
        .max()
        .unwrap_or(HOURS);
    let finite = || {
        rows.iter()
            .flat_map(|(_, values)| values.iter())
            .filter_map(|v| v.filter(|x| x.is_finite()))
    };
    let min = finite().fold(f64::INFINITY, f64::min);
    let max = finite().fold(f64::NEG_INFINITY, f64::max);
    if rows.is_empty() || !min.is_finite() || !max.is_finite() {
        return no_data("heatmap", title, WIDTH, NO_DATA_HEIGHT);
    }

    let mut body = String::new();
    heading(&mut body, title, WIDTH);

    let widest_row_label = rows
        .iter()
        .map(|(label, _)| text_width(label, ROW_LABEL_SIZE))
        .fold(0.0_f64, f64::max);
    let left = (16.0 + widest_row_label + 8.0).clamp(44.0, 180.0);
    let right = WIDTH - 16.0;
    let cell_width = (right - left) / columns as f64;
    let top = 64.0;
    let bottom = top + rows.len() as f64 * ROW_HEIGHT;

    // Column labels, thinned to every `step`-th when they would collide.
    let column_label = |i: usize| -> String {
        match column_labels.get(i) {
            Some(label) => label.clone(),
            None if columns == HOURS => i.to_string(),
            None => String::new(),
        }
    };
    let shown: Vec<(String, f64)> = (0..columns)
        .map(|i| fit_text(&column_label(i), 80.0, LABEL_SIZE, LABEL_SIZE))
        .collect();
    let widest_column_label = shown
        .iter()
        .map(|(text, size)| text_width(text, *size))
        .fold(0.0_f64, f64::max);
    let step = ((widest_column_label + 4.0) / cell_width).ceil().max(1.0) as usize;
    for (i, (text, size)) in shown.iter().enumerate() {
        if i % step != 0 || text.is_empty() {
            continue;
        }
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>"#,
            n(left + (i as f64 + 0.5) * cell_width),
            n(top - 8.0),
            n(*size),
            palette::TEXT_MUTED,
            escape_xml(text)
        );
    }

    let span = max - min;
    let colour = |v: f64| {
        let t = if span > 0.0 { (v - min) / span } else { 0.5 };
        palette::sequential(t)
    };
    let when = |i: usize| -> String {
        if columns == HOURS {
            format!("{:02}:00–{:02}:00", i, i + 1)
        } else {
            match column_labels.get(i) {
                Some(label) if !label.is_empty() => label.clone(),
                _ => format!("column {}", i + 1),
            }
        }
    };

    let mut missing = 0_usize;
    let mut busiest: Option<(f64, usize, usize)> = None;
    for (r, (label, values)) in rows.iter().enumerate() {
        let y = top + r as f64 * ROW_HEIGHT;
        let (text, size) = fit_text(label, left - 24.0, ROW_LABEL_SIZE, LABEL_SIZE);
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>"#,
            n(left - 8.0),
            n(y + ROW_HEIGHT / 2.0 + 4.5),
            n(size),
            palette::TEXT,
            escape_xml(&text)
        );
        for c in 0..columns {
            let x = left + c as f64 * cell_width;
            let value = values.get(c).copied().flatten().filter(|v| v.is_finite());
            let tooltip = match value {
                Some(v) => format!("{label} {}: {}", when(c), format_number(v)),
                None => format!("{label} {}: no data", when(c)),
            };
            let (cx, cy, cw, ch) = (x + 0.5, y + 0.5, cell_width - 1.0, ROW_HEIGHT - 1.0);
            let fill = match value {
                Some(v) => {
                    if busiest.is_none_or(|(best, _, _)| v > best) {
                        busiest = Some((v, r, c));
                    }
                    colour(v)
                }
                None => {
                    missing += 1;
                    palette::NO_DATA_FILL.to_owned()
                }
            };
            let _ = writeln!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" data-cell="{}"><title>{}</title></rect>"#,
                n(cx),
                n(cy),
                n(cw),
                n(ch),
                if value.is_some() { "value" } else { "none" },
                escape_xml(&tooltip)
            );
            if value.is_none() {
                hatch(&mut body, cx, cy, cw, ch);
            }
        }
    }

    // Legend: min, the ramp, max; then the "no data" swatch if any cell lacks data.
    let baseline = bottom + 26.0;
    let min_label = format_number(min);
    let max_label = format_number(max);
    let mut x = left;
    let _ = writeln!(
        body,
        r#"<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>"#,
        n(x),
        n(baseline),
        n(LABEL_SIZE),
        palette::TEXT,
        escape_xml(&min_label)
    );
    x += text_width(&min_label, LABEL_SIZE) + 6.0;
    for i in 0..RAMP_STEPS {
        let t = i as f64 / (RAMP_STEPS - 1) as f64;
        let _ = writeln!(
            body,
            r#"<rect x="{}" y="{}" width="14" height="12" fill="{}"/>"#,
            n(x),
            n(baseline - 10.5),
            palette::sequential(t)
        );
        x += 14.0;
    }
    x += 6.0;
    let _ = writeln!(
        body,
        r#"<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>"#,
        n(x),
        n(baseline),
        n(LABEL_SIZE),
        palette::TEXT,
        escape_xml(&max_label)
    );
    x += text_width(&max_label, LABEL_SIZE) + 24.0;
    if missing > 0 {
        let _ = writeln!(
            body,
            r#"<rect x="{}" y="{}" width="14" height="12" fill="{}"/>"#,
            n(x),
            n(baseline - 10.5),
            palette::NO_DATA_FILL
        );
        hatch(&mut body, x, baseline - 10.5, 14.0, 12.0);
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}">no data</text>"#,
            n(x + 20.0),
            n(baseline),
            n(LABEL_SIZE),
            palette::TEXT
        );
    }

    let mut desc = format!(
        "Heatmap, {} row{} by {} columns. Values from {} to {}; darker means more.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        columns,
        min_label,
        max_label
    );
    if let Some((value, r, c)) = busiest {
        let _ = write!(
            desc,
            " Highest: {} {} ({}).",
            rows[r].0,
            when(c),
            format_number(value)
        );
    }
    if missing > 0 {
        let _ = write!(
            desc,
            " {missing} cell{} without data, shown hatched grey.",
            if missing == 1 { "" } else { "s" }
        );
    }
    document("heatmap", WIDTH, bottom + 42.0, title, &desc, &body)
}

/// Three parallel diagonal strokes over a "no data" cell; they let pointer events through so
/// the cell's tooltip still shows.
fn hatch(body: &mut String, x: f64, y: f64, w: f64, h: f64) {
    let _ = writeln!(
        body,
        r#"<path d="M{} {} L{} {} M{} {} L{} {} M{} {} L{} {}" stroke="{}" stroke-width="1" fill="none" pointer-events="none"/>"#,
        n(x),
        n(y + h),
        n(x + w),
        n(y),
        n(x),
        n(y + h / 2.0),
        n(x + w / 2.0),
        n(y),
        n(x + w / 2.0),
        n(y + h),
        n(x + w),
        n(y + h / 2.0),
        palette::NO_DATA_HATCH
    );
}
