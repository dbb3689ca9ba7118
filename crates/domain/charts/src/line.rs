//! Line charts on one shared y scale: "today against a typical day" ([`day_chart`]) and the
//! forecast for the next days ([`forecast_chart`]).
//!
//! Both draw, back to front: gridlines with y labels (0 to a [`nice_max`](crate::nice_max)),
//! caller-chosen x labels, the p10–p90 band (translucent sky blue), its p50 line (dashed blue),
//! and the measured line (solid vermillion). A run of one point is drawn as a dot. Values below
//! 0 are drawn on the baseline; see [`series`](crate::series) for how input is cleaned.

use std::fmt::Write as _;

use crate::palette;
use crate::scale::{nice_max, ticks};
use crate::series::{Axis, BandPoint, Point, band_segments, line_segments, resolve_x_max};
use crate::svg::{document, escape_xml, fit_text, format_number, heading, n, no_data, text_width};

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 320.0;
const LABEL_SIZE: f64 = 12.0;
const LEGEND_SIZE: f64 = 13.0;

/// "Today against a typical day": today's line (with gaps), the typical day's p10–p90 band and
/// p50 line, all on one y scale. `x_max` is the x of the right edge (e.g. 1440 for a day in
/// minutes); if it is not finite and positive, the largest `x` in the data is used.
pub fn day_chart(
    title: &str,
    today: &[Point],
    typical: &[BandPoint],
    x_axis: &Axis,
    x_max: f64,
) -> String {
    render(&LineChart {
        kind: "day",
        title,
        actual: today,
        band: typical,
        axis: x_axis,
        x_max,
        names: Names {
            actual: "today",
            band: "typical (p10–p90)",
            median: "typical (p50)",
            actual_id: "today",
            band_id: "typical-band",
            median_id: "typical-median",
            actual_desc: "Today",
            band_desc: "Typical day",
        },
        mark_band_start: false,
    })
}

/// Forecast for the next days: the p10–p90 band and p50 line, optionally preceded by the recent
/// measured line (pass an empty `recent` to leave it out). When both are present a dashed
/// divider marks where the forecast starts.
pub fn forecast_chart(
    title: &str,
    recent: &[Point],
    forecast: &[BandPoint],
    x_axis: &Axis,
    x_max: f64,
) -> String {
    render(&LineChart {
        kind: "forecast",
        title,
        actual: recent,
        band: forecast,
        axis: x_axis,
        x_max,
        names: Names {
            actual: "recent",
            band: "forecast (p10–p90)",
            median: "forecast (p50)",
            actual_id: "recent",
            band_id: "forecast-band",
            median_id: "forecast-median",
            actual_desc: "Recent",
            band_desc: "Forecast",
        },
        mark_band_start: true,
    })
}

/// Series names: legend text, `data-series` ids, and words for the description.
struct Names {
    actual: &'static str,
    band: &'static str,
    median: &'static str,
    actual_id: &'static str,
    band_id: &'static str,
    median_id: &'static str,
    actual_desc: &'static str,
    band_desc: &'static str,
}

struct LineChart<'a> {
    kind: &'static str,
    title: &'a str,
    actual: &'a [Point],
    band: &'a [BandPoint],
    axis: &'a Axis,
    x_max: f64,
    names: Names,
    mark_band_start: bool,
}

/// How a legend entry's swatch looks.
enum Swatch {
    Line {
        colour: &'static str,
        dash: Option<&'static str>,
    },
    Band,
}

/// Maps data to viewBox coordinates.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_max: f64,
    y_max: f64,
}

impl Frame {
    fn x(&self, x: f64) -> f64 {
        let t = (x / self.x_max).clamp(0.0, 1.0);
        self.left + t * (self.right - self.left)
    }

    fn y(&self, y: f64) -> f64 {
        let t = (y.max(0.0) / self.y_max).clamp(0.0, 1.0);
        self.bottom - t * (self.bottom - self.top)
    }
}

fn render(chart: &LineChart<'_>) -> String {
    let x_max = resolve_x_max(chart.x_max, chart.actual, chart.band);
    let lines = line_segments(chart.actual, x_max);
    let bands = band_segments(chart.band, x_max);
    if lines.is_empty() && bands.is_empty() {
        return no_data(chart.kind, chart.title, WIDTH, HEIGHT);
    }

    let data_max = lines
        .iter()
        .flatten()
        .map(|&(_, y)| y)
        .chain(bands.iter().flatten().flat_map(|b| [b.mid, b.high]))
        .fold(0.0_f64, f64::max);
    let y_max = nice_max(data_max);
    let y_ticks: Vec<(f64, String)> = ticks(y_max)
        .into_iter()
        .map(|t| (t, format_number(t)))
        .collect();
    let widest = y_ticks
        .iter()
        .map(|(_, s)| text_width(s, LABEL_SIZE))
        .fold(0.0_f64, f64::max);

    let mut body = String::new();
    heading(&mut body, chart.title, WIDTH);

    let names = &chart.names;
    let mut items = Vec::new();
    if !bands.is_empty() {
        items.push((names.band, Swatch::Band));
        items.push((
            names.median,
            Swatch::Line {
                colour: palette::MEDIAN,
                dash: Some("6 4"),
            },
        ));
    }
    if !lines.is_empty() {
        items.push((
            names.actual,
            Swatch::Line {
                colour: palette::ACTUAL,
                dash: None,
            },
        ));
    }
    let legend_baseline = legend(&mut body, &items);

    let frame = Frame {
        left: (16.0 + widest + 8.0).clamp(40.0, WIDTH / 3.0),
        right: WIDTH - 20.0,
        top: legend_baseline + 18.0,
        bottom: HEIGHT - 34.0,
        x_max,
        y_max,
    };

    grid(&mut body, &frame, &y_ticks);
    x_labels(&mut body, &frame, chart.axis);

    let forecast_start = bands
        .first()
        .and_then(|s| s.first())
        .filter(|_| chart.mark_band_start && !lines.is_empty());
    if let Some(start) = forecast_start {
        divider(&mut body, &frame, start.x);
    }
    for segment in &bands {
        band(&mut body, &frame, segment, names.band_id);
    }
    for segment in &bands {
        let mids: Vec<(f64, f64)> = segment.iter().map(|b| (b.x, b.mid)).collect();
        polyline(
            &mut body,
            &frame,
            &mids,
            names.median_id,
            palette::MEDIAN,
            2.0,
            Some("6 4"),
        );
    }
    for segment in &lines {
        polyline(
            &mut body,
            &frame,
            segment,
            names.actual_id,
            palette::ACTUAL,
            2.5,
            None,
        );
    }
    let _ = writeln!(
        body,
        r#"<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{c}" stroke-width="1"/>"#,
        l = n(frame.left),
        r = n(frame.right),
        b = n(frame.bottom),
        c = palette::AXIS
    );

    let desc = describe(names, &lines, &bands, y_max);
    document(chart.kind, WIDTH, HEIGHT, chart.title, &desc, &body)
}

/// Draws the legend under the heading, wrapping onto further rows if needed; returns the
/// baseline of the last row.
fn legend(body: &mut String, items: &[(&str, Swatch)]) -> f64 {
    let mut x = 16.0;
    let mut y = 50.0;
    for (name, swatch) in items {
        let width = 30.0 + text_width(name, LEGEND_SIZE) + 18.0;
        if x > 16.0 && x + width > WIDTH - 16.0 {
            x = 16.0;
            y += 20.0;
        }
        match swatch {
            Swatch::Line { colour, dash } => {
                let dash = dash
                    .map(|d| format!(r#" stroke-dasharray="{d}""#))
                    .unwrap_or_default();
                let _ = writeln!(
                    body,
                    r#"<line x1="{}" y1="{yy}" x2="{}" y2="{yy}" stroke="{colour}" stroke-width="3"{dash}/>"#,
                    n(x),
                    n(x + 24.0),
                    yy = n(y - 4.5),
                );
            }
            Swatch::Band => {
                let _ = writeln!(
                    body,
                    r#"<rect x="{}" y="{}" width="24" height="12" fill="{}" fill-opacity="{}"/>"#,
                    n(x),
                    n(y - 10.5),
                    palette::BAND,
                    palette::BAND_OPACITY
                );
            }
        }
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>"#,
            n(x + 30.0),
            n(y),
            n(LEGEND_SIZE),
            palette::TEXT,
            escape_xml(name)
        );
        x += width;
    }
    y
}

/// Horizontal gridlines with their y labels.
fn grid(body: &mut String, frame: &Frame, y_ticks: &[(f64, String)]) {
    for (value, label) in y_ticks {
        let y = frame.y(*value);
        let _ = writeln!(
            body,
            r#"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{c}" stroke-width="1"/>"#,
            l = n(frame.left),
            r = n(frame.right),
            y = n(y),
            c = palette::GRID
        );
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>"#,
            n(frame.left - 6.0),
            n(y + 4.0),
            n(LABEL_SIZE),
            palette::TEXT_MUTED,
            escape_xml(label)
        );
    }
}

/// The caller's x labels, each with a faint vertical gridline; labels that would overlap the
/// previous one are skipped.
fn x_labels(body: &mut String, frame: &Frame, axis: &Axis) {
    let mut labels: Vec<&(f64, String)> = axis
        .labels
        .iter()
        .filter(|(x, _)| x.is_finite() && (0.0..=frame.x_max).contains(x))
        .collect();
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut last_end = f64::NEG_INFINITY;
    for (x, text) in labels {
        let (text, size) = fit_text(text, 120.0, LABEL_SIZE, LABEL_SIZE);
        let width = text_width(&text, size);
        let px = frame.x(*x);
        let centre = px.clamp(width / 2.0 + 4.0, WIDTH - width / 2.0 - 4.0);
        if centre - width / 2.0 < last_end + 6.0 {
            continue;
        }
        last_end = centre + width / 2.0;
        let _ = writeln!(
            body,
            r#"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{c}" stroke-width="1" stroke-opacity="0.6"/>"#,
            x = n(px),
            t = n(frame.top),
            b = n(frame.bottom + 4.0),
            c = palette::GRID
        );
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>"#,
            n(centre),
            n(frame.bottom + 18.0),
            n(size),
            palette::TEXT_MUTED,
            escape_xml(&text)
        );
    }
}

/// Dashed vertical line where the forecast starts, labelled if there is room.
fn divider(body: &mut String, frame: &Frame, x: f64) {
    let px = frame.x(x);
    let _ = writeln!(
        body,
        r#"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="{c}" stroke-width="1.5" stroke-dasharray="3 3" data-series="forecast-start"/>"#,
        x = n(px),
        t = n(frame.top),
        b = n(frame.bottom),
        c = palette::AXIS
    );
    let label = "forecast →";
    if px + 6.0 + text_width(label, LABEL_SIZE) <= frame.right {
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}">{label}</text>"#,
            n(px + 6.0),
            n(frame.top + 14.0),
            n(LABEL_SIZE),
            palette::TEXT_MUTED
        );
    }
}

/// One run of the p10–p90 band as a closed area (a thin bar for a single step).
fn band(body: &mut String, frame: &Frame, segment: &[BandPoint], id: &str) {
    let [only] = segment else {
        let mut d = String::new();
        for (i, p) in segment.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {} ",
                if i == 0 { "M" } else { "L" },
                n(frame.x(p.x)),
                n(frame.y(p.high))
            );
        }
        for p in segment.iter().rev() {
            let _ = write!(d, "L{} {} ", n(frame.x(p.x)), n(frame.y(p.low)));
        }
        d.push('Z');
        let _ = writeln!(
            body,
            r#"<path d="{d}" fill="{}" fill-opacity="{}" stroke="none" data-series="{id}"/>"#,
            palette::BAND,
            palette::BAND_OPACITY
        );
        return;
    };
    let top = frame.y(only.high);
    let height = (frame.y(only.low) - top).max(1.0);
    let _ = writeln!(
        body,
        r#"<rect x="{}" y="{}" width="4" height="{}" fill="{}" fill-opacity="{}" data-series="{id}"/>"#,
        n(frame.x(only.x) - 2.0),
        n(top),
        n(height),
        palette::BAND,
        palette::BAND_OPACITY
    );
}

/// One run of a line as a `<path>` (a dot for a single point).
fn polyline(
    body: &mut String,
    frame: &Frame,
    points: &[(f64, f64)],
    id: &str,
    colour: &str,
    width: f64,
    dash: Option<&str>,
) {
    if let [(x, y)] = points {
        let _ = writeln!(
            body,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{colour}" data-series="{id}"/>"#,
            n(frame.x(*x)),
            n(frame.y(*y)),
            n(width + 1.0)
        );
        return;
    }
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            d.push(' ');
        }
        let _ = write!(
            d,
            "{}{} {}",
            if i == 0 { "M" } else { "L" },
            n(frame.x(*x)),
            n(frame.y(*y))
        );
    }
    let dash = dash
        .map(|d| format!(r#" stroke-dasharray="{d}""#))
        .unwrap_or_default();
    let _ = writeln!(
        body,
        r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"{dash} data-series="{id}"/>"#,
        n(width)
    );
}

/// The text alternative: what each series shows, in numbers.
fn describe(
    names: &Names,
    lines: &[Vec<(f64, f64)>],
    bands: &[Vec<BandPoint>],
    y_max: f64,
) -> String {
    let mut desc = String::from("Line chart. ");
    let values: Vec<f64> = lines.iter().flatten().map(|&(_, y)| y).collect();
    match values.last() {
        Some(latest) => {
            let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let _ = write!(
                desc,
                "{}: {} reading{}, latest {}, highest {}. ",
                names.actual_desc,
                values.len(),
                if values.len() == 1 { "" } else { "s" },
                format_number(*latest),
                format_number(highest)
            );
        }
        None => {
            let _ = write!(desc, "{}: no readings. ", names.actual_desc);
        }
    }
    let steps: Vec<&BandPoint> = bands.iter().flatten().collect();
    if steps.is_empty() {
        let _ = write!(desc, "{}: no data yet. ", names.band_desc);
    } else {
        let fold = |f: fn(&BandPoint) -> f64, init: f64, g: fn(f64, f64) -> f64| {
            steps.iter().map(|b| f(b)).fold(init, g)
        };
        let _ = write!(
            desc,
            "{}: median up to {}, p10–p90 range from {} to {}. ",
            names.band_desc,
            format_number(fold(|b| b.mid, f64::NEG_INFINITY, f64::max)),
            format_number(fold(|b| b.low, f64::INFINITY, f64::min)),
            format_number(fold(|b| b.high, f64::NEG_INFINITY, f64::max)),
        );
    }
    let _ = write!(desc, "Y axis from 0 to {}.", format_number(y_max));
    desc
}
