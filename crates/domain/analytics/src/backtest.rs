//! Evaluation of the forecaster: a deterministic synthetic occupancy history ([`generate`]) and
//! a rolling-origin backtest ([`backtest`]) scoring [`forecast`](crate::forecast::forecast) against [`seasonal_naive`]
//! (MAE, p10–p90 coverage, pinball loss), as FPP3 §5.9–5.10 recommend.

use std::collections::HashMap;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::forecast::{Method, forecast_with, seasonal_naive};
use crate::slots::{
    SLOT_SECONDS, SLOTS_PER_WEEK, WEEK_SECONDS, clean, epoch_day, slot_at, slot_index, slot_start,
    weekday_index,
};

/// splitmix64: small, fast, good enough for synthetic data, and stable across platforms.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit(); // (0, 1]
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Poisson(`lambda`): Knuth for small means, rounded normal approximation above 30.
    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda <= 0.0 || !lambda.is_finite() {
            return 0.0;
        }
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0);
        }
        let limit = (-lambda).exp();
        let mut k = 0.0;
        let mut p = self.unit();
        while p > limit {
            k += 1.0;
            p *= self.unit();
        }
        k
    }
}

/// Mean devices by local weekday (Monday = 0) and hour of day (fractional), before noise.
/// Weekdays: a few daytime co-workers, busy evenings (Tuesday and Thursday are open nights);
/// Saturday: a long busy afternoon; Sunday: a quiet afternoon; nights ≈ 0.
fn profile(weekday: usize, hour: f64) -> f64 {
    const NIGHT: f64 = 0.15;
    let anchors: &[(f64, f64)] = match weekday {
        1 | 3 => &[
            (0.0, NIGHT),
            (7.0, NIGHT),
            (9.0, 2.5),
            (12.0, 4.0),
            (17.0, 4.5),
            (19.0, 15.0),
            (21.5, 15.0),
            (23.5, 1.0),
            (24.0, NIGHT),
        ],
        0 | 2 | 4 => &[
            (0.0, NIGHT),
            (7.0, NIGHT),
            (9.0, 2.5),
            (12.0, 4.0),
            (17.0, 4.5),
            (19.0, 9.0),
            (21.5, 9.0),
            (23.0, 1.0),
            (24.0, NIGHT),
        ],
        5 => &[
            (0.0, NIGHT),
            (9.0, NIGHT),
            (11.0, 7.0),
            (17.0, 9.0),
            (19.0, 5.0),
            (22.0, 1.0),
            (24.0, NIGHT),
        ],
        _ => &[
            (0.0, NIGHT),
            (11.0, NIGHT),
            (13.0, 4.0),
            (17.0, 4.0),
            (19.0, 1.0),
            (24.0, NIGHT),
        ],
    };
    for pair in anchors.windows(2) {
        let ((h0, v0), (h1, v1)) = (pair[0], pair[1]);
        if hour <= h1 {
            return v0 + (v1 - v0) * ((hour - h0) / (h1 - h0)).clamp(0.0, 1.0);
        }
    }
    NIGHT
}

/// A deterministic synthetic history of `weeks` weeks of 10-minute slots starting Monday
/// 2026-01-05 00:00 local time in `tz` (so 16 weeks span the March DST changes).
///
/// Per slot: Poisson noise around a weekly profile × a per-day factor (log-normal,
/// σ ≈ 0.15) × a slowly varying AR(1) factor × a 0.5 %/week growth. Also: about one closure
/// day (all zeros) per 40 days, one event day (3× the usual, plus an evening crowd), ≈ 1 %
/// failed scans at random and one 3-hour outage.
pub fn generate(seed: u64, weeks: usize, tz: &TimeZone) -> Vec<(Timestamp, Option<f64>)> {
    let mut rng = Rng(seed ^ 0x6F66_6669_6D69_6321);
    let start = Date::constant(2026, 1, 5)
        .to_datetime(Time::midnight())
        .to_zoned(tz.clone())
        .map(|z| slot_start(z.timestamp()))
        .unwrap_or_else(|_| Timestamp::from_second(1_767_571_200).unwrap_or(Timestamp::UNIX_EPOCH));
    let n = weeks
        .saturating_mul(SLOTS_PER_WEEK)
        .min(520 * SLOTS_PER_WEEK);
    let days = (n / 144 + 2) as u64;
    let first_day = epoch_day(tz.to_datetime(start).date());

    let mut closures = Vec::new();
    for _ in 0..(days + 20) / 40 {
        closures.push(first_day + rng.below(days) as i64);
    }
    let event = (days >= 14).then(|| first_day + 7 + rng.below(days - 7) as i64);
    let outage = rng.below(n.max(1) as u64) as usize;
    let factors: Vec<f64> = (0..days).map(|_| (0.15 * rng.normal()).exp()).collect();

    let mut ar = 0.0;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let Some(at) = start
            .checked_add(SignedDuration::from_secs(i as i64 * SLOT_SECONDS))
            .ok()
        else {
            break;
        };
        ar = 0.95 * ar + 0.05 * rng.normal();
        let gap = rng.unit() < 0.01 || (outage..outage + 18).contains(&i);
        let dt = tz.to_datetime(at);
        let day = epoch_day(dt.date());
        let hour = f64::from(dt.hour()) + f64::from(dt.minute()) / 60.0;
        let mut lambda = profile(weekday_index(day), hour);
        let offset = usize::try_from(day - first_day).unwrap_or(0);
        lambda *= factors.get(offset).copied().unwrap_or(1.0);
        lambda *= f64::exp(ar) * (1.0 + 0.005 * (i / SLOTS_PER_WEEK) as f64);
        if event == Some(day) && lambda > 1.0 {
            lambda = 3.0 * lambda + if hour >= 17.0 { 20.0 } else { 0.0 };
        }
        let value = if closures.contains(&day) {
            0.0
        } else {
            rng.poisson(lambda)
        };
        out.push((at, (!gap).then_some(value)));
    }
    out
}

/// The result of [`backtest`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BacktestReport {
    /// Forecast origins evaluated.
    pub origins: usize,
    /// Scored points: slots in a horizon with an actual value and a seasonal-naive value.
    pub points: usize,
    /// Mean absolute error of the forecast p50.
    pub mae: f64,
    /// Mean absolute error of seasonal naive on the same points.
    pub naive_mae: f64,
    /// `mae / naive_mae` (< 1: better than seasonal naive); 1 when both are 0, infinite when
    /// only `naive_mae` is.
    pub mae_ratio: f64,
    /// Share of actual values inside `[p10, p90]` (nominal: 0.8).
    pub coverage: f64,
    /// Mean pinball (quantile) loss over p10, p50 and p90.
    pub pinball: f64,
}

/// Rolling-origin backtest of the default forecaster on `series`.
///
/// Origins: `origins` slot starts spread evenly over the last four weeks of possible origins
/// (or the later half of the series when it is shorter), the latest one `horizon_slots` before
/// the end of the series. From each origin the forecaster sees only the history before it and
/// forecasts `horizon_slots` slots; every slot of the horizon that has an actual (non-gap)
/// value and a seasonal-naive value is scored. Metrics are over all scored points of all
/// origins. An empty series, `horizon_slots == 0` or `origins == 0` give an all-zero report.
pub fn backtest(
    series: &[(Timestamp, Option<f64>)],
    tz: &TimeZone,
    horizon_slots: usize,
    origins: usize,
) -> BacktestReport {
    backtest_with(Method::default(), series, tz, horizon_slots, origins)
}

/// [`backtest`] with an explicit forecasting [`Method`] (for tuning).
pub fn backtest_with(
    method: Method,
    series: &[(Timestamp, Option<f64>)],
    tz: &TimeZone,
    horizon_slots: usize,
    origins: usize,
) -> BacktestReport {
    let mut report = BacktestReport {
        origins: 0,
        points: 0,
        mae: 0.0,
        naive_mae: 0.0,
        mae_ratio: 1.0,
        coverage: 0.0,
        pinball: 0.0,
    };
    let horizon = horizon_slots.min(520 * SLOTS_PER_WEEK);
    let (Some(first), Some(last)) = (
        series.iter().map(|(at, _)| slot_index(*at)).min(),
        series.iter().map(|(at, _)| slot_index(*at)).max(),
    ) else {
        return report;
    };
    if horizon == 0 || origins == 0 {
        return report;
    }
    let latest = last + 1 - horizon as i64;
    let available = latest - first;
    if available < 1 {
        return report;
    }
    let span = (WEEK_SECONDS / SLOT_SECONDS * 4).min(available / 2);
    let earliest = latest - span;
    let mut starts: Vec<i64> = (0..origins.min(10_000))
        .map(|i| {
            if origins == 1 {
                latest
            } else {
                earliest + (span as i128 * i as i128 / (origins as i128 - 1)) as i64
            }
        })
        .collect();
    starts.dedup();

    let actual: HashMap<i64, f64> = series
        .iter()
        .filter_map(|&(at, v)| Some((slot_index(at), clean(v)?)))
        .collect();
    // Running means: cannot overflow even for absurd values.
    let (mut mae, mut naive_mae, mut pinball, mut inside) = (0.0, 0.0, 0.0, 0usize);
    for &origin in &starts {
        let Some(from) = slot_at(origin) else {
            continue;
        };
        report.origins += 1;
        let points = forecast_with(method, series, tz, from, horizon);
        let naive = seasonal_naive(series, from, horizon);
        for (p, n) in points.iter().zip(naive) {
            let (Some(&a), Some(n)) = (actual.get(&slot_index(p.at)), n) else {
                continue;
            };
            report.points += 1;
            let count = report.points as f64;
            let loss = [(0.1, p.p10), (0.5, p.p50), (0.9, p.p90)]
                .iter()
                .map(|&(q, f)| if a >= f { q * (a - f) } else { (1.0 - q) * (f - a) } / 3.0)
                .sum::<f64>();
            mae += ((p.p50 - a).abs() - mae) / count;
            naive_mae += ((n - a).abs() - naive_mae) / count;
            pinball += (loss - pinball) / count;
            inside += usize::from(p.band().contains(a));
        }
    }
    if report.points > 0 {
        report.mae = mae;
        report.naive_mae = naive_mae;
        report.pinball = pinball;
        report.coverage = inside as f64 / report.points as f64;
        report.mae_ratio = if naive_mae > 0.0 {
            mae / naive_mae
        } else if mae == 0.0 {
            1.0
        } else {
            f64::INFINITY
        };
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    #[test]
    fn generate_is_deterministic_and_shaped() {
        let tz = berlin();
        let a = generate(7, 16, &tz);
        assert_eq!(a, generate(7, 16, &tz));
        assert_ne!(a, generate(8, 16, &tz));
        assert_eq!(a.len(), 16 * 1008);
        assert!(
            a.windows(2)
                .all(|w| w[1].0.as_second() - w[0].0.as_second() == 600)
        );
        assert_eq!(tz.to_datetime(a[0].0).to_string(), "2026-01-05T00:00:00");
        let gaps = a.iter().filter(|(_, v)| v.is_none()).count();
        assert!((100..300).contains(&gaps), "{gaps} gaps");
        assert!(
            a.iter()
                .flat_map(|(_, v)| v)
                .all(|v| *v >= 0.0 && v.fract() == 0.0)
        );
        let closed = crate::closure::closure_days(&a, &tz);
        assert!(!closed.is_empty() && closed.len() <= 3, "{closed:?}");
        assert!(generate(1, 0, &tz).is_empty());
    }

    #[test]
    fn beats_seasonal_naive_with_calibrated_band() {
        let tz = berlin();
        let series = generate(42, 16, &tz);
        let r = backtest(&series, &tz, 144, 24);
        assert_eq!(r.origins, 24);
        assert!(r.points > 20 * 130, "{r:?}");
        assert!(r.mae_ratio < 1.0, "{r:?}");
        assert!((0.70..=0.90).contains(&r.coverage), "{r:?}");
    }

    #[test]
    fn degenerate_inputs() {
        let tz = TimeZone::UTC;
        let zero = backtest(&[], &tz, 144, 20);
        assert_eq!((zero.origins, zero.points, zero.mae_ratio), (0, 0, 1.0));
        let short = generate(3, 1, &tz);
        let r = backtest(&short, &tz, 144, 20);
        assert!(r.origins <= 20 && r.coverage <= 1.0);
        assert_eq!(backtest(&short, &tz, 0, 20).origins, 0);
        assert_eq!(backtest(&short, &tz, 2000, 20).origins, 0);
        let r = backtest(&short, &tz, 6, 1);
        assert_eq!(r.origins, 1);
    }
}
