//! Server-drawn SVG charts for the public occupancy dashboard.
//!
//! Every chart is a pure function returning one inline `<svg>` element as a `String` (no XML
//! prolog): it has a `viewBox`, fills the available width with automatic height so it scales
//! on a phone, carries `role="img"` with an accessible `<title>` and `<desc>`, needs no
//! JavaScript, external fonts or CSS (presentation attributes only, so nothing leaks into the
//! page's styles), uses a colour-blind-safe palette with high-contrast text, and keeps text at
//! 12px or more when drawn at the nominal 600px width.
//!
//! Output is deterministic (same input, same bytes) and never panics: empty input or input
//! without any drawable value gives a frame saying "No data yet"; NaN and infinite values are
//! skipped; numbers are written with at most one decimal.
//!
//! - [`day_chart`]: today against a typical day (line with gaps, p10–p90 band, p50 line).
//! - [`forecast_chart`]: the forecast band and median, optionally after the recent line.
//! - [`heatmap`]: weekday × hour grid with tooltips and a colour legend.
//! - [`big_number`]: the "people now" figure.

mod big_number;
mod heatmap;
mod line;
mod palette;
pub mod scale;
pub mod series;
mod svg;

pub use big_number::big_number;
pub use heatmap::heatmap;
pub use line::{day_chart, forecast_chart};
pub use scale::nice_max;
pub use series::{Axis, BandPoint, Point};
pub use svg::{escape_xml, format_number};
