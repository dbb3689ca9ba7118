//! Y-axis scaling: a "nice" maximum (1, 2 or 5 × 10^k) and evenly spaced tick values from 0.

/// The smallest value of the form 1, 2 or 5 × 10^k that is ≥ `max`, and never below 1 (the
/// charts count people, and ticks below 0.2 could not be labelled with one decimal).
///
/// Non-finite or non-positive input gives 1. If the next nice value would overflow `f64`
/// (inputs near `f64::MAX`), `max` itself is returned.
pub fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 1.0 {
        return 1.0;
    }
    let k = max.log10().floor() as i32;
    for exponent in (k - 1)..=(k + 1) {
        let base = pow10(exponent);
        for factor in [1.0, 2.0, 5.0] {
            let candidate = factor * base;
            if candidate.is_finite() && candidate >= max {
                return candidate;
            }
        }
    }
    max
}

/// Tick values from 0 to `max` (a [`nice_max`] result): four intervals when `max` starts with a
/// 2, otherwise five. So 1 → 0, 0.2 … 1; 2 → 0, 0.5 … 2; 5 → 0, 1 … 5; 20 → 0, 5 … 20.
pub fn ticks(max: f64) -> Vec<f64> {
    if !max.is_finite() || max <= 0.0 {
        return vec![0.0];
    }
    let lead = max / pow10(max.log10().floor() as i32);
    let intervals = if (lead - 2.0).abs() < 1e-9 { 4 } else { 5 };
    let step = max / f64::from(intervals);
    (0..=intervals).map(|i| step * f64::from(i)).collect()
}

/// 10^exponent, correctly rounded (via the decimal parser rather than repeated multiplication).
fn pow10(exponent: i32) -> f64 {
    format!("1e{exponent}").parse().unwrap_or(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_maxima() {
        let cases = [
            (f64::NAN, 1.0),
            (f64::INFINITY, 1.0),
            (-4.0, 1.0),
            (0.0, 1.0),
            (0.3, 1.0),
            (1.0, 1.0),
            (1.2, 2.0),
            (2.0, 2.0),
            (2.01, 5.0),
            (7.0, 10.0),
            (10.0, 10.0),
            (11.0, 20.0),
            (23.0, 50.0),
            (99.9, 100.0),
            (1000.0, 1000.0),
            (1001.0, 2000.0),
            (3e12, 5e12),
        ];
        for (input, expected) in cases {
            assert_eq!(nice_max(input), expected, "nice_max({input})");
        }
        assert_eq!(nice_max(f64::MAX), f64::MAX);
        assert_eq!(nice_max(1.5e308), 1.5e308);
    }

    #[test]
    fn tick_values() {
        assert_eq!(
            ticks(1.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(2.0), vec![0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(ticks(5.0), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(ticks(20.0), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(ticks(f64::NAN), vec![0.0]);
        assert_eq!(ticks(f64::MAX).len(), 6);
    }
}
