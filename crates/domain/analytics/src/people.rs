//! Devices → people: a devices-per-person ratio calibrated from a few manual head counts, and
//! the people estimate (with its interval) for a device count. No published ratio exists
//! (phone + laptop ⇒ usually above 1), so each space measures its own.
//!
//! **Ratio.** `Σ devices / Σ people` over the usable head counts (a ratio of sums, so busy
//! counts weigh more than quiet ones).
//!
//! **Interval.** An approximate 95 % interval from the spread of the per-count ratios
//! `dᵢ / pᵢ`: `ratio ± t₀.₉₇₅,ₙ₋₁ · s / √n` with `s` their sample standard deviation and `t`
//! from a Student-t table (exact for 1–30 degrees of freedom, the next smaller tabulated df
//! above, so slightly conservative). The lower bound is floored at 0. With a single head count
//! there is no spread: `low == high == ratio`, which is *not* a claim of certainty — take more
//! counts. (The centre is the ratio of sums while the spread is of per-count ratios, hence
//! "approximate".)
//!
//! **Usable counts.** Both numbers finite and non-negative. A count with people `== 0` but
//! devices `> 0` (infrastructure left on in an empty room) says nothing about devices per
//! person and is ignored; `0 / 0` (empty room, nothing seen) is consistent with any ratio and
//! carries no information either, so it is accepted but not counted in `samples`.

use serde::Serialize;

/// A calibrated devices-per-person ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Calibration {
    /// Devices per person, `Σ devices / Σ people` (> 0).
    pub ratio: f64,
    /// Lower end of the approximate 95 % interval (≥ 0).
    pub low: f64,
    /// Upper end of the approximate 95 % interval.
    pub high: f64,
    /// Head counts with people > 0 the ratio is based on.
    pub samples: usize,
}

/// People for a device count, with the interval implied by the calibration's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeopleEstimate {
    /// `devices / ratio`.
    pub people: f64,
    /// `devices / high` (the ratio's upper bound).
    pub low: f64,
    /// `devices / low`; `f64::INFINITY` when the ratio's lower bound is 0 (too few or too
    /// scattered head counts to bound it away from zero).
    pub high: f64,
}

/// Two-sided 95 % Student-t quantiles for 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        31..=39 => T975[29],
        40..=59 => 2.021,
        60..=119 => 2.000,
        120..=999 => 1.980,
        _ => 1.960,
    }
}

/// Calibrate from `(devices, people counted)` pairs; `None` when no pair has people > 0 or
/// all such pairs saw zero devices (then devices reveal nothing about people).
pub fn calibrate(pairs: &[(f64, f64)]) -> Option<Calibration> {
    let usable: Vec<(f64, f64)> = pairs
        .iter()
        .copied()
        .filter(|&(d, p)| d.is_finite() && p.is_finite() && d >= 0.0 && p > 0.0)
        .collect();
    let (devices, people) = usable
        .iter()
        .fold((0.0, 0.0), |(sd, sp), &(d, p)| (sd + d, sp + p));
    let ratio = devices / people;
    if !(ratio.is_finite() && ratio > 0.0) {
        return None;
    }
    let n = usable.len();
    let (low, high) = if n < 2 {
        (ratio, ratio)
    } else {
        let ratios: Vec<f64> = usable.iter().map(|&(d, p)| d / p).collect();
        let mean = ratios.iter().sum::<f64>() / n as f64;
        let var = ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let margin = t975(n - 1) * var.sqrt() / (n as f64).sqrt();
        if margin.is_finite() {
            ((ratio - margin).max(0.0), ratio + margin)
        } else {
            (0.0, f64::INFINITY)
        }
    };
    Some(Calibration {
        ratio,
        low,
        high,
        samples: n,
    })
}

/// People present for `devices` devices (negative or NaN treated as 0).
///
/// A hand-built calibration with a ratio that is not finite and positive is treated as one
/// device per person with an unbounded interval.
pub fn people(devices: f64, c: &Calibration) -> PeopleEstimate {
    let devices = if devices > 0.0 { devices } else { 0.0 };
    if devices == 0.0 {
        return PeopleEstimate {
            people: 0.0,
            low: 0.0,
            high: 0.0,
        };
    }
    if !(c.ratio.is_finite() && c.ratio > 0.0) {
        return PeopleEstimate {
            people: devices,
            low: 0.0,
            high: f64::INFINITY,
        };
    }
    let divide = |r: f64| if r > 0.0 { devices / r } else { f64::INFINITY };
    let estimate = devices / c.ratio;
    let (a, b) = (divide(c.high), divide(c.low));
    PeopleEstimate {
        people: estimate,
        low: a.min(b).min(estimate),
        high: a.max(b).max(estimate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn ratio_of_sums_with_t_interval() {
        // Per-count ratios 1.5, 2.0, 1.0, 1.5 → mean 1.5, s ≈ 0.408, t(3) = 3.182.
        let c = calibrate(&[(6.0, 4.0), (10.0, 5.0), (3.0, 3.0), (12.0, 8.0)]).unwrap();
        assert_eq!(c.samples, 4);
        assert!(close(c.ratio, 31.0 / 20.0));
        let margin = 3.182 * (1.0f64 / 6.0).sqrt() / 2.0;
        assert!(
            close(c.low, 1.55 - margin) && close(c.high, 1.55 + margin),
            "{c:?}"
        );
        let p = people(31.0, &c);
        assert!(close(p.people, 20.0));
        assert!(p.low < 20.0 && 20.0 < p.high && p.high.is_finite());
        assert!(close(p.low, 31.0 / c.high));
    }

    #[test]
    fn single_sample_has_zero_width() {
        let c = calibrate(&[(3.0, 2.0)]).unwrap();
        assert_eq!((c.ratio, c.low, c.high, c.samples), (1.5, 1.5, 1.5, 1));
        let p = people(6.0, &c);
        assert_eq!((p.people, p.low, p.high), (4.0, 4.0, 4.0));
    }

    #[test]
    fn unusable_pairs() {
        assert_eq!(calibrate(&[]), None);
        assert_eq!(calibrate(&[(0.0, 0.0), (3.0, 0.0)]), None);
        assert_eq!(calibrate(&[(0.0, 4.0)]), None);
        assert_eq!(calibrate(&[(f64::INFINITY, 1.0), (-1.0, 2.0)]), None);
        // (3, 0) ignored, (0, 0) accepted but uninformative.
        let c = calibrate(&[(3.0, 0.0), (0.0, 0.0), (4.0, 2.0)]).unwrap();
        assert_eq!((c.ratio, c.samples), (2.0, 1));
    }

    #[test]
    fn wide_spread_floors_low_and_unbounds_people() {
        let c = calibrate(&[(1.0, 1.0), (6.0, 2.0)]).unwrap();
        assert_eq!(c.low, 0.0);
        let p = people(10.0, &c);
        assert_eq!(p.high, f64::INFINITY);
        assert!(p.low > 0.0 && p.low <= p.people);
        assert_eq!(people(0.0, &c).high, 0.0);
        assert_eq!(people(-3.0, &c).people, 0.0);
    }

    #[test]
    fn hand_built_calibration_does_not_panic() {
        let bad = Calibration {
            ratio: 0.0,
            low: 2.0,
            high: -1.0,
            samples: 0,
        };
        let p = people(5.0, &bad);
        assert!(p.low <= p.people && p.people <= p.high);
        let odd = Calibration {
            ratio: 2.0,
            low: 3.0,
            high: 1.0,
            samples: 2,
        };
        let p = people(6.0, &odd);
        assert!(p.low <= p.people && p.people <= p.high);
    }
}
