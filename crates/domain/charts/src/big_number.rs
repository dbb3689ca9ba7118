//! The big "people now" figure ([`big_number`]): a label, one large value (or "no data"), and a
//! sub-line such as "as of 14:20, forecast 5–9". Long text shrinks to fit, then is shortened
//! with an ellipsis; the full text stays in the accessible `<title>`/`<desc>`.

use std::fmt::Write as _;

use crate::palette;
use crate::svg::{document, escape_xml, fit_text, format_number, n};

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 150.0;

/// The big figure. `value: None`, NaN or infinite shows "no data".
pub fn big_number(label: &str, value: Option<f64>, sub: &str) -> String {
    let value = value.filter(|v| v.is_finite());
    let room = WIDTH - 32.0;
    let centre = n(WIDTH / 2.0);
    let mut body = String::new();

    let (text, size) = fit_text(label, room, 16.0, 12.0);
    let _ = writeln!(
        body,
        r#"<text x="{centre}" y="32" font-size="{}" font-weight="600" text-anchor="middle" fill="{}">{}</text>"#,
        n(size),
        palette::TEXT_MUTED,
        escape_xml(&text)
    );

    let shown = value.map(format_number);
    let (text, size, colour, weight) = match &shown {
        Some(number) => {
            let (text, size) = fit_text(number, room, 60.0, 20.0);
            (text, size, palette::TEXT, "700")
        }
        None => ("no data".to_owned(), 34.0, palette::TEXT_MUTED, "600"),
    };
    let _ = writeln!(
        body,
        r#"<text x="{centre}" y="96" font-size="{}" font-weight="{weight}" text-anchor="middle" fill="{colour}" data-value="{}">{}</text>"#,
        n(size),
        escape_xml(shown.as_deref().unwrap_or("")),
        escape_xml(&text)
    );

    let (text, size) = fit_text(sub, room, 14.0, 12.0);
    if !text.is_empty() {
        let _ = writeln!(
            body,
            r#"<text x="{centre}" y="128" font-size="{}" text-anchor="middle" fill="{}">{}</text>"#,
            n(size),
            palette::TEXT_MUTED,
            escape_xml(&text)
        );
    }

    let mut desc = format!("{}: {}.", label, shown.as_deref().unwrap_or("no data"));
    if !sub.is_empty() {
        let _ = write!(desc, " {sub}");
    }
    document("big-number", WIDTH, HEIGHT, label, &desc, &body)
}
