//! Low-level SVG text building shared by every chart: XML escaping, number formatting,
//! text-width estimates, and the outer `<svg>` element with its accessible `<title>`/`<desc>`.
//!
//! Everything here is deterministic: no hash maps, no clocks, no randomness. Element ids (needed
//! for `aria-labelledby`) are derived from a hash of the chart's own content, so the same input
//! gives the same bytes while different charts on one page get different ids.

use std::fmt::Write as _;

use crate::palette;

/// Font stack for all text: system fonts only, nothing to download.
const FONT_FAMILY: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/// Average glyph advance as a fraction of the font size; deliberately generous so estimated
/// widths err on the wide side.
const GLYPH_WIDTH: f64 = 0.6;

/// Escapes text for use in XML character data or a double- or single-quoted attribute value.
///
/// `&`, `<`, `>`, `"` and `'` become entity references. Characters that XML 1.0 does not allow at
/// all (C0 controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF) are dropped,
/// so the result is always well-formed.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Formats a number for display or for an SVG coordinate: at most one decimal, no trailing
/// `.0`, never `-0`. Magnitudes of a billion or more use a short exponent form (`1.5e9`) so a
/// huge value cannot produce hundreds of digits. Non-finite input gives `"?"` (callers filter
/// those out before formatting).
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "?".to_owned();
    }
    if value.abs() >= 1e9 {
        return format!("{value:.1e}").replace(".0e", "e");
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// Short alias used when writing coordinates.
pub(crate) fn n(value: f64) -> String {
    format_number(value)
}

/// Estimated rendered width of `text` at `size` user units.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * GLYPH_WIDTH
}

/// Picks a font size between `min_size` and `size` at which `text` fits `max_width`; if it does
/// not fit even at `min_size`, the text is shortened with an ellipsis. Returns the (unescaped)
/// text to draw and its size.
pub(crate) fn fit_text(text: &str, max_width: f64, size: f64, min_size: f64) -> (String, f64) {
    let chars = text.chars().count();
    if chars == 0 {
        return (String::new(), size);
    }
    let needed = text_width(text, size);
    if needed <= max_width {
        return (text.to_owned(), size);
    }
    let scaled = (size * max_width / needed).floor();
    if scaled >= min_size {
        return (text.to_owned(), scaled);
    }
    let room = (max_width / (min_size * GLYPH_WIDTH)).floor().max(2.0) as usize;
    let keep = room.saturating_sub(1).min(chars);
    let mut short: String = text.chars().take(keep).collect();
    short.push('…');
    (short, min_size)
}

/// The visible chart heading, top left.
pub(crate) fn heading(body: &mut String, title: &str, width: f64) {
    let (text, size) = fit_text(title, width - 32.0, 17.0, 13.0);
    let _ = writeln!(
        body,
        r#"<text x="16" y="27" font-size="{}" font-weight="600" fill="{}">{}</text>"#,
        n(size),
        palette::TEXT,
        escape_xml(&text)
    );
}

/// A complete "No data yet" chart: heading, an empty plot frame and the message.
pub(crate) fn no_data(kind: &str, title: &str, width: f64, height: f64) -> String {
    let mut body = String::new();
    heading(&mut body, title, width);
    let _ = writeln!(
        body,
        r##"<rect x="16" y="44" width="{}" height="{}" fill="#f5f5f5" stroke="{}" stroke-dasharray="4 4"/>"##,
        n(width - 32.0),
        n(height - 60.0),
        palette::GRID
    );
    let _ = writeln!(
        body,
        r#"<text x="{}" y="{}" font-size="18" text-anchor="middle" fill="{}">No data yet</text>"#,
        n(width / 2.0),
        n(44.0 + (height - 60.0) / 2.0 + 6.0),
        palette::TEXT_MUTED
    );
    document(kind, width, height, title, "No data yet.", &body)
}

/// Wraps a chart body in the outer `<svg>` element: `viewBox`, full width with automatic height,
/// `role="img"`, accessible `<title>` and `<desc>` (linked with `aria-labelledby`), system fonts,
/// and a white rounded background so the chart keeps its contrast on any page colour.
pub(crate) fn document(
    kind: &str,
    width: f64,
    height: f64,
    title: &str,
    desc: &str,
    body: &str,
) -> String {
    let id = content_id(&[kind, title, desc, body]);
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" style="height:auto;display:block;max-width:100%" role="img" aria-labelledby="{id}-title {id}-desc" font-family="{font}" data-chart="{kind}">"#,
        w = n(width),
        h = n(height),
        font = FONT_FAMILY,
        kind = escape_xml(kind),
    );
    let _ = write!(
        out,
        "\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        escape_xml(title),
        escape_xml(desc)
    );
    let _ = writeln!(
        out,
        r#"<rect x="0.5" y="0.5" width="{}" height="{}" rx="8" fill="{}" stroke="{}"/>"#,
        n(width - 1.0),
        n(height - 1.0),
        palette::BACKGROUND,
        palette::GRID
    );
    out.push_str(body);
    out.push_str("</svg>");
    out
}

/// `offimic-` plus a 64-bit FNV-1a hash of the parts, in hex.
fn content_id(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("offimic-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.01), "0");
        assert_eq!(format_number(7.0), "7");
        assert_eq!(format_number(7.25), "7.3");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-3.45), "-3.5");
        assert_eq!(format_number(123_456.78), "123456.8");
        assert_eq!(format_number(1.5e9), "1.5e9");
        assert_eq!(format_number(1e300), "1e300");
        assert_eq!(format_number(f64::MAX), "1.8e308");
        assert_eq!(format_number(f64::NAN), "?");
    }

    #[test]
    fn escaping_covers_markup_and_drops_invalid_characters() {
        assert_eq!(
            escape_xml(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(escape_xml("x\u{0}y\u{1b}z\u{FFFF}"), "xyz");
        assert_eq!(escape_xml("é–😀"), "é–😀");
    }

    #[test]
    fn long_text_shrinks_then_truncates() {
        assert_eq!(
            fit_text("short", 200.0, 16.0, 12.0),
            ("short".to_owned(), 16.0)
        );
        let (text, size) = fit_text(&"x".repeat(30), 240.0, 16.0, 12.0);
        assert_eq!(text.chars().count(), 30);
        assert!((12.0..16.0).contains(&size));
        let (text, size) = fit_text(&"x".repeat(500), 240.0, 16.0, 12.0);
        assert!(text.ends_with('…'));
        assert_eq!(size, 12.0);
        assert!(text_width(&text, size) <= 240.0);
    }
}
