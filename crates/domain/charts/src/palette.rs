//! Colours. Series colours come from the Okabe–Ito palette (safe for the common forms of colour
//! blindness) and series are also told apart by line style, not colour alone. The heatmap uses
//! a reversed viridis ramp: light yellow for quiet, dark violet for busy, perceptually even and
//! readable in greyscale. Text colours keep at least 7:1 contrast on the white background.

/// Main text (≈17:1 on white).
pub(crate) const TEXT: &str = "#1a1a1a";
/// Secondary text: axis labels, sub-lines (≈8:1 on white).
pub(crate) const TEXT_MUTED: &str = "#4d4d4d";
/// Chart background.
pub(crate) const BACKGROUND: &str = "#ffffff";
/// Gridlines and frames.
pub(crate) const GRID: &str = "#d9d9d9";
/// Axis baseline.
pub(crate) const AXIS: &str = "#8c8c8c";
/// Measured values (today, recent): Okabe–Ito vermillion, solid and thick.
pub(crate) const ACTUAL: &str = "#d55e00";
/// Median of typical/forecast: Okabe–Ito blue, dashed.
pub(crate) const MEDIAN: &str = "#0072b2";
/// p10–p90 band: Okabe–Ito sky blue, translucent.
pub(crate) const BAND: &str = "#56b4e9";
/// Opacity of the band fill.
pub(crate) const BAND_OPACITY: &str = "0.4";
/// Heatmap cells without data.
pub(crate) const NO_DATA_FILL: &str = "#ececec";
/// Hatching over cells without data.
pub(crate) const NO_DATA_HATCH: &str = "#8c8c8c";

/// Viridis at nine evenly spaced stops, dark to light.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2d, 0x7b),
    (0x3b, 0x52, 0x8b),
    (0x2c, 0x72, 0x8e),
    (0x21, 0x91, 0x8c),
    (0x28, 0xae, 0x80),
    (0x5e, 0xc9, 0x62),
    (0xad, 0xdc, 0x30),
    (0xfd, 0xe7, 0x25),
];

/// Colour for `t` in `0..=1` (clamped; NaN counts as 0): light yellow at 0, dark violet at 1.
pub(crate) fn sequential(t: f64) -> String {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    // Reverse viridis so more people = darker.
    let pos = (1.0 - t) * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| -> u8 {
        (f64::from(x) + (f64::from(y) - f64::from(x)) * f)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_ends_and_clamps() {
        assert_eq!(sequential(0.0), "#fde725");
        assert_eq!(sequential(1.0), "#440154");
        assert_eq!(sequential(-5.0), "#fde725");
        assert_eq!(sequential(9.0), "#440154");
        assert_eq!(sequential(f64::NAN), "#fde725");
        assert_eq!(sequential(0.5), "#21918c");
    }
}
