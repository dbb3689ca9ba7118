//! Input types for the line charts — points with gaps, percentile bands, caller-chosen x-axis
//! labels — and their clean-up into drawable segments.
//!
//! Clean-up rules (shared by every line chart):
//! - points whose `x` is not finite or lies outside `0..=x_max` are dropped;
//! - the rest are ordered by `x` (stable, so equal `x` keep their input order);
//! - a [`Point`] whose `y` is `None`, NaN or infinite is a gap: the line breaks there;
//! - a [`BandPoint`] with any non-finite value is a gap in the band and median line;
//!   `low` and `high` are swapped if given the wrong way round.

/// One value of a line. `x` is in the chart's x unit (e.g. minutes since the chart's start);
/// `y: None` is a gap, and so is a NaN or infinite `y`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Position along the x axis, `0..=x_max`.
    pub x: f64,
    /// The value, or `None` for "no measurement" (the line breaks).
    pub y: Option<f64>,
}

impl Point {
    /// A point with a value.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y: Some(y) }
    }

    /// A gap at `x`: the line breaks here.
    pub const fn gap(x: f64) -> Self {
        Self { x, y: None }
    }
}

/// One step of a percentile band: `low` (p10), `mid` (p50) and `high` (p90) at `x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandPoint {
    /// Position along the x axis, `0..=x_max`.
    pub x: f64,
    /// Lower edge of the band (p10).
    pub low: f64,
    /// The median line (p50).
    pub mid: f64,
    /// Upper edge of the band (p90).
    pub high: f64,
}

impl BandPoint {
    /// A band step.
    pub const fn new(x: f64, low: f64, mid: f64, high: f64) -> Self {
        Self { x, low, mid, high }
    }
}

/// X-axis tick labels chosen by the caller, e.g. `(360.0, "06:00")` or `(0.0, "Mon")`.
/// Labels outside `0..=x_max`, at a non-finite `x`, or overlapping an earlier label are skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Axis {
    /// `(x, text)` pairs.
    pub labels: Vec<(f64, String)>,
}

impl Axis {
    /// An axis from `(x, text)` pairs.
    pub fn new<S: Into<String>>(labels: impl IntoIterator<Item = (f64, S)>) -> Self {
        Self {
            labels: labels.into_iter().map(|(x, s)| (x, s.into())).collect(),
        }
    }
}

/// The x extent to draw: `x_max` if it is finite and positive, else the largest finite `x` in
/// the data, else 1.
pub(crate) fn resolve_x_max(x_max: f64, points: &[Point], bands: &[BandPoint]) -> f64 {
    if x_max.is_finite() && x_max > 0.0 {
        return x_max;
    }
    let data_max = points
        .iter()
        .map(|p| p.x)
        .chain(bands.iter().map(|b| b.x))
        .filter(|x| x.is_finite())
        .fold(0.0_f64, f64::max);
    if data_max > 0.0 { data_max } else { 1.0 }
}

fn in_domain(x: f64, x_max: f64) -> bool {
    x.is_finite() && (0.0..=x_max).contains(&x)
}

/// Splits a line into runs of consecutive drawable `(x, y)` values.
pub(crate) fn line_segments(points: &[Point], x_max: f64) -> Vec<Vec<(f64, f64)>> {
    let mut sorted: Vec<&Point> = points.iter().filter(|p| in_domain(p.x, x_max)).collect();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for point in sorted {
        match point.y {
            Some(y) if y.is_finite() => current.push((point.x, y)),
            _ => {
                if !current.is_empty() {
                    segments.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// Splits a band into runs of consecutive drawable steps, with `low ≤ high`.
pub(crate) fn band_segments(points: &[BandPoint], x_max: f64) -> Vec<Vec<BandPoint>> {
    let mut sorted: Vec<&BandPoint> = points.iter().filter(|p| in_domain(p.x, x_max)).collect();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for p in sorted {
        if p.low.is_finite() && p.mid.is_finite() && p.high.is_finite() {
            current.push(BandPoint::new(
                p.x,
                p.low.min(p.high),
                p.mid,
                p.low.max(p.high),
            ));
        } else if !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_bad_values_split_lines() {
        let points = [
            Point::new(20.0, 2.0),
            Point::new(10.0, 1.0),
            Point::gap(30.0),
            Point::new(40.0, f64::NAN),
            Point::new(50.0, 5.0),
            Point::new(f64::NAN, 9.0),
            Point::new(-1.0, 9.0),
            Point::new(70.0, 9.0),
            Point::new(55.0, f64::INFINITY),
        ];
        assert_eq!(
            line_segments(&points, 60.0),
            vec![vec![(10.0, 1.0), (20.0, 2.0)], vec![(50.0, 5.0)]]
        );
    }

    #[test]
    fn bands_normalise_and_split() {
        let band = [
            BandPoint::new(0.0, 3.0, 2.0, 1.0),
            BandPoint::new(1.0, f64::NAN, 2.0, 3.0),
            BandPoint::new(2.0, 1.0, 2.0, 3.0),
        ];
        let segments = band_segments(&band, 10.0);
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0][0], BandPoint::new(0.0, 1.0, 2.0, 3.0));
    }

    #[test]
    fn x_max_falls_back_to_data() {
        assert_eq!(resolve_x_max(100.0, &[], &[]), 100.0);
        assert_eq!(resolve_x_max(f64::NAN, &[Point::new(30.0, 1.0)], &[]), 30.0);
        assert_eq!(
            resolve_x_max(-5.0, &[], &[BandPoint::new(f64::INFINITY, 1.0, 1.0, 1.0)]),
            1.0
        );
    }
}
