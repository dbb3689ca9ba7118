//! Property tests over generated inputs (own PRNG, deterministic): the forecast guarantees,
//! and "no panic, sane output" for every public function on arbitrary input.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use offimic_analytics::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const BASE: i64 = 1_767_571_200; // 2026-01-05T00:00Z

fn zones() -> Vec<TimeZone> {
    [
        "UTC",
        "Europe/Berlin",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "America/New_York",
    ]
    .iter()
    .map(|name| TimeZone::get(name).unwrap())
    .collect()
}

fn value(rng: &mut Rng) -> Option<f64> {
    match rng.below(12) {
        0 => None,
        1 => Some(0.0),
        2 => Some(-(rng.below(5) as f64)),
        3 => Some(1e300),
        4 => Some(f64::INFINITY),
        5 => Some(f64::MAX),
        _ => Some(rng.below(30) as f64),
    }
}

/// One of: empty, all gaps, dense with a pattern, sparse, unsorted with duplicates and odd
/// timestamps.
fn series(rng: &mut Rng) -> Vec<(Timestamp, Option<f64>)> {
    let kind = rng.below(6);
    let len = rng.below(6 * 1008) as i64;
    let at = |i: i64| Timestamp::from_second(BASE + i * 600).unwrap();
    match kind {
        0 => Vec::new(),
        1 => (0..len).map(|i| (at(i), None)).collect(),
        2 => (0..len)
            .map(|i| {
                let hour = (i / 6) % 24;
                let v = if (10..22).contains(&hour) {
                    5.0 + (i % 7) as f64
                } else {
                    0.0
                };
                (at(i), (!rng.chance(5)).then_some(v))
            })
            .collect(),
        3 => (0..len)
            .filter_map(|i| {
                let keep = rng.chance(3);
                let v = value(rng);
                keep.then_some((at(i), v))
            })
            .collect(),
        4 => (0..len.min(500))
            .map(|_| {
                let s = BASE + rng.below(90 * 86_400) as i64 - 45 * 86_400 + rng.below(600) as i64;
                (Timestamp::from_second(s).unwrap(), value(rng))
            })
            .collect(),
        _ => {
            let mut v: Vec<_> = (0..len).map(|i| (at(i), value(rng))).collect();
            v.push((Timestamp::MIN, Some(1.0)));
            v.push((Timestamp::MAX, Some(2.0)));
            v
        }
    }
}

fn from(rng: &mut Rng) -> Timestamp {
    match rng.below(8) {
        0 => Timestamp::MIN,
        1 => Timestamp::MAX,
        _ => Timestamp::from_second(BASE + rng.below(70 * 86_400) as i64 - 7 * 86_400).unwrap(),
    }
}

#[test]
fn forecast_guarantees() {
    let zones = zones();
    let mut rng = Rng(1);
    for case in 0..150 {
        let history = series(&mut rng);
        let tz = &zones[case % zones.len()];
        let from = from(&mut rng);
        let slots = rng.below(1100) as usize;
        let points = forecast(&history, tz, from, slots);
        let start = slot_start(from);
        // Exactly `slots` points unless the end of time is reached.
        let room = (Timestamp::MAX.as_second() - start.as_second()) / 600 + 1;
        assert_eq!(points.len() as i64, (slots as i64).min(room), "case {case}");
        for (i, p) in points.iter().enumerate() {
            assert_eq!(
                p.at.as_second(),
                start.as_second() + 600 * i as i64,
                "case {case}"
            );
            assert!(
                p.p10.is_finite() && p.p50.is_finite() && p.p90.is_finite(),
                "case {case}"
            );
            assert!(
                0.0 <= p.p10 && p.p10 <= p.p50 && p.p50 <= p.p90,
                "case {case}: {p:?}"
            );
            assert!(p.samples > 0 || p.p90 == 0.0, "case {case}");
        }
        let naive = seasonal_naive(&history, from, slots);
        assert_eq!(naive.len(), points.len(), "case {case}");
        assert!(naive.iter().flatten().all(|v| v.is_finite() && *v >= 0.0));
    }
}

#[test]
fn profiles_and_backtests_do_not_panic() {
    let zones = zones();
    let mut rng = Rng(2);
    for case in 0..60 {
        let history = series(&mut rng);
        let tz = &zones[case % zones.len()];
        let week = typical_week(&history, tz);
        for wd in [jiff::civil::Weekday::Monday, jiff::civil::Weekday::Sunday] {
            for b in week.day(wd).into_iter().flatten() {
                assert!(b.p10 <= b.p50 && b.p50 <= b.p90);
                assert!(b.p10 >= 0.0);
            }
            for h in 0..25 {
                assert!(week.hour(wd, h).is_none_or(|v| v >= 0.0));
            }
        }
        let _ = closure_days(&history, tz);
        let r = backtest(&history, tz, rng.below(300) as usize, rng.below(6) as usize);
        assert!(r.coverage >= 0.0 && r.coverage <= 1.0, "case {case}: {r:?}");
        assert!(
            r.mae >= 0.0 && r.naive_mae >= 0.0 && !r.mae_ratio.is_nan(),
            "case {case}"
        );
    }
}

#[test]
fn generated_series_backtest() {
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    for seed in [11, 12] {
        let series = generate(seed, 16, &tz);
        let r = backtest(&series, &tz, 144, 20);
        assert_eq!(r.origins, 20);
        assert!(r.mae_ratio < 1.0, "{r:?}");
        assert!((0.70..=0.90).contains(&r.coverage), "{r:?}");
    }
}

#[test]
fn presence_and_classification_do_not_panic() {
    let zones = zones();
    let mut rng = Rng(3);
    for case in 0..60 {
        let tz = &zones[case % zones.len()];
        let n = rng.below(2000) as i64;
        let slot = |rng: &mut Rng| match rng.below(20) {
            0 => Timestamp::MIN,
            1 => Timestamp::MAX,
            _ => Timestamp::from_second(BASE + rng.below(40 * 86_400) as i64).unwrap(),
        };
        let slots: Vec<(Timestamp, bool)> =
            (0..n).map(|_| (slot(&mut rng), rng.chance(90))).collect();
        let sightings: Vec<(Timestamp, u32)> = (0..n)
            .map(|_| (slot(&mut rng), rng.below(50) as u32))
            .collect();
        let window = SignedDuration::from_secs(rng.below(7200) as i64 - 600);
        let counts = windowed_counts(&slots, &sightings, window);
        assert_eq!(counts.len(), slots.len());
        for ((at, ok), (start, count)) in slots.iter().zip(&counts) {
            if !ok {
                assert!(count.is_none());
            }
            assert!(*start <= *at);
            assert!(count.is_none_or(|c| c <= 50));
        }

        let seen: Vec<Sighting> = sightings
            .iter()
            .map(|&(slot, device)| Sighting { device, slot })
            .collect();
        let now = slot(&mut rng);
        let c = classify(&seen, now, tz, &|d| d % 5 == 0);
        assert_eq!(
            c.regulars + c.occasional + c.other + c.local,
            c.devices.len()
        );
        for d in &c.devices {
            assert!(d.weeks <= d.days && d.days <= 28 && d.weeks <= 5, "{d:?}");
        }
        let ok: Vec<Timestamp> = slots.iter().filter(|s| s.1).map(|s| s.0).collect();
        let _ = infrastructure(&seen, &ok, now, tz);
        let first = daily_first_seen(&seen, tz);
        assert_eq!(first.iter().map(|f| f.1 as usize).sum::<usize>(), {
            let mut ids: Vec<u32> = seen.iter().map(|s| s.device).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        });
        if let Some(&(day, _)) = first.last() {
            let _ = first_seen_band(&first, day);
            let _ = event_days(&first, &|d| first_seen_band(&first, d).map(|b| b.p90));
        }
    }
}

#[test]
fn calibration_does_not_panic() {
    let mut rng = Rng(4);
    for _ in 0..200 {
        let pairs: Vec<(f64, f64)> = (0..rng.below(8))
            .map(|_| {
                (
                    value(&mut rng).unwrap_or(f64::NAN),
                    value(&mut rng).unwrap_or(0.0),
                )
            })
            .collect();
        if let Some(c) = calibrate(&pairs) {
            assert!(
                c.low <= c.ratio && c.ratio <= c.high && c.low >= 0.0,
                "{c:?}"
            );
            let p = people(rng.below(40) as f64, &c);
            assert!(p.low <= p.people && p.people <= p.high, "{p:?}");
        }
    }
}
