//! Empirical quantiles: the p10/p50/p90 [`Band`] every other module reports, computed by
//! linear interpolation between order statistics (Hyndman & Fan type 7, the default of R and
//! NumPy).

use serde::Serialize;

/// A p10 / p50 / p90 band. Always `p10 <= p50 <= p90` when produced by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl Band {
    /// A degenerate band where all three quantiles are `value`.
    pub fn point(value: f64) -> Self {
        Band {
            p10: value,
            p50: value,
            p90: value,
        }
    }

    /// Whether `value` lies in `[p10, p90]` (inclusive).
    pub fn contains(&self, value: f64) -> bool {
        self.p10 <= value && value <= self.p90
    }
}

/// p10, p50 and p90 of `values` (sorted in place). `None` when there is no non-NaN value.
///
/// NaNs are ignored (they sort to the ends and are sliced off); infinities are kept.
pub fn band(values: &mut [f64]) -> Option<Band> {
    values.sort_unstable_by(f64::total_cmp);
    let first = values.iter().position(|v| !v.is_nan())?;
    let last = values.iter().rposition(|v| !v.is_nan())?;
    let sorted = &values[first..=last];
    let p10 = quantile_sorted(sorted, 0.1)?;
    let p50 = quantile_sorted(sorted, 0.5)?.max(p10);
    let p90 = quantile_sorted(sorted, 0.9)?.max(p50);
    Some(Band { p10, p50, p90 })
}

/// The `p`-quantile (`p` clamped to `[0, 1]`) of an ascending slice, by linear interpolation
/// between the order statistics at `h = (n - 1) p`. `None` when empty.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    let last = n.checked_sub(1)?;
    let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
    let h = last as f64 * p;
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    let t = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // a(1-t) + bt cannot overflow where a + (b-a)t could; clamp against rounding.
    let v = a * (1.0 - t) + b * t;
    Some(if v.is_nan() {
        a
    } else {
        v.clamp(a.min(b), a.max(b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_none() {
        assert_eq!(band(&mut []), None);
        assert_eq!(band(&mut [f64::NAN]), None);
    }

    #[test]
    fn single_value() {
        assert_eq!(band(&mut [4.0]), Some(Band::point(4.0)));
    }

    #[test]
    fn interpolates_like_numpy() {
        // numpy.quantile([1..=10], [0.1, 0.5, 0.9]) == [1.9, 5.5, 9.1]
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let b = band(&mut v).unwrap();
        assert!((b.p10 - 1.9).abs() < 1e-12);
        assert!((b.p50 - 5.5).abs() < 1e-12);
        assert!((b.p90 - 9.1).abs() < 1e-12);
        assert!(b.contains(5.0) && !b.contains(9.5));
    }

    #[test]
    fn extreme_values_stay_finite_and_ordered() {
        let mut v = [f64::MAX, 0.0, f64::MAX, f64::MAX * 0.3, -f64::MAX, f64::NAN];
        let b = band(&mut v).unwrap();
        assert!(b.p10.is_finite() && b.p50.is_finite() && b.p90.is_finite());
        assert!(b.p10 <= b.p50 && b.p50 <= b.p90);
    }
}
