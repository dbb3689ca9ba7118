//! Buckets for `GET /history?bucket=…`: samples grouped by 10 minutes, hour or day of the space's
//! local clock, each summarised by its mean and maximum. Samples arrive in time order and
//! buckets leave as soon as they are complete, so a year of history never sits in memory.

use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{RoundMode, Timestamp, Unit, ZonedRound};

use crate::sample::Sample;

/// The width of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketSize {
    TenMinutes,
    Hour,
    Day,
}

impl FromStr for BucketSize {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "10m" => Ok(BucketSize::TenMinutes),
            "1h" => Ok(BucketSize::Hour),
            "1d" => Ok(BucketSize::Day),
            other => Err(format!(
                "bucket: expected 10m, 1h or 1d, got {:?}",
                other.chars().take(20).collect::<String>()
            )),
        }
    }
}

impl BucketSize {
    /// The start of the bucket holding `at`, on the local clock of `tz`.
    pub fn start_of(self, at: Timestamp, tz: &TimeZone) -> Timestamp {
        let local = at.to_zoned(tz.clone());
        let rounded = match self {
            BucketSize::TenMinutes => local.round(
                ZonedRound::new()
                    .smallest(Unit::Minute)
                    .increment(10)
                    .mode(RoundMode::Trunc),
            ),
            BucketSize::Hour => local.round(
                ZonedRound::new()
                    .smallest(Unit::Hour)
                    .mode(RoundMode::Trunc),
            ),
            BucketSize::Day => local.start_of_day(),
        };
        rounded.map(|z| z.timestamp()).unwrap_or(at)
    }
}

/// One finished bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSummary {
    pub start: Timestamp,
    /// Mean of the successful samples; `None` when every scan in the bucket failed.
    pub mean: Option<f64>,
    pub max: Option<u32>,
    /// Successful samples in the bucket.
    pub samples: u32,
    /// Failed scans in the bucket.
    pub failed: u32,
}

/// Folds an ordered stream of samples into bucket summaries.
#[derive(Debug)]
pub struct Bucketer {
    size: BucketSize,
    tz: TimeZone,
    current: Option<Accumulator>,
}

#[derive(Debug)]
struct Accumulator {
    start: Timestamp,
    sum: u64,
    max: Option<u32>,
    samples: u32,
    failed: u32,
}

impl Accumulator {
    fn new(start: Timestamp) -> Self {
        Self {
            start,
            sum: 0,
            max: None,
            samples: 0,
            failed: 0,
        }
    }

    fn add(&mut self, count: Option<u32>) {
        match count {
            Some(count) => {
                self.sum += u64::from(count);
                self.samples += 1;
                self.max = Some(self.max.map_or(count, |m| m.max(count)));
            }
            None => self.failed += 1,
        }
    }

    fn summary(&self) -> BucketSummary {
        BucketSummary {
            start: self.start,
            mean: (self.samples > 0).then(|| self.sum as f64 / f64::from(self.samples)),
            max: self.max,
            samples: self.samples,
            failed: self.failed,
        }
    }
}

impl Bucketer {
    pub fn new(size: BucketSize, tz: TimeZone) -> Self {
        Self {
            size,
            tz,
            current: None,
        }
    }

    /// Adds the next sample (samples must come in time order); returns the previous bucket when
    /// this sample starts a new one.
    pub fn push(&mut self, sample: Sample) -> Option<BucketSummary> {
        let start = self.size.start_of(sample.scan_time, &self.tz);
        let finished = match &self.current {
            Some(acc) if acc.start == start => None,
            _ => self
                .current
                .replace(Accumulator::new(start))
                .map(|acc| acc.summary()),
        };
        if let Some(acc) = self.current.as_mut() {
            acc.add(sample.count);
        }
        finished
    }

    /// The last, possibly partial, bucket.
    pub fn finish(self) -> Option<BucketSummary> {
        self.current.map(|acc| acc.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at: &str, count: Option<u32>) -> Sample {
        Sample {
            scan_time: at.parse().unwrap(),
            count,
        }
    }

    fn run(size: BucketSize, tz: &str, samples: &[Sample]) -> Vec<BucketSummary> {
        let mut bucketer = Bucketer::new(size, TimeZone::get(tz).unwrap());
        let mut out: Vec<_> = samples.iter().filter_map(|s| bucketer.push(*s)).collect();
        out.extend(bucketer.finish());
        out
    }

    #[test]
    fn hourly_mean_and_max() {
        let out = run(
            BucketSize::Hour,
            "UTC",
            &[
                sample("2026-11-27T09:00:00Z", Some(2)),
                sample("2026-11-27T09:10:00Z", Some(5)),
                sample("2026-11-27T09:50:00Z", None),
                sample("2026-11-27T10:00:00Z", Some(1)),
            ],
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].start.to_string(), "2026-11-27T09:00:00Z");
        assert_eq!(out[0].mean, Some(3.5));
        assert_eq!(out[0].max, Some(5));
        assert_eq!((out[0].samples, out[0].failed), (2, 1));
        assert_eq!(out[1].mean, Some(1.0));
    }

    #[test]
    fn a_bucket_of_failed_scans_is_a_gap_not_a_zero() {
        let out = run(
            BucketSize::TenMinutes,
            "UTC",
            &[sample("2026-11-27T09:01:00Z", None)],
        );
        assert_eq!(out[0].mean, None);
        assert_eq!(out[0].max, None);
        assert_eq!(out[0].failed, 1);
    }

    #[test]
    fn days_follow_the_local_clock() {
        let out = run(
            BucketSize::Day,
            "Europe/Paris",
            &[
                sample("2026-11-27T22:30:00Z", Some(1)),
                sample("2026-11-27T23:30:00Z", Some(3)),
            ],
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].start.to_string(), "2026-11-27T23:00:00Z");
    }

    #[test]
    fn ten_minute_buckets_in_a_quarter_hour_zone() {
        let size = BucketSize::TenMinutes;
        let tz = TimeZone::get("Asia/Kathmandu").unwrap();
        let start = size.start_of("2026-11-27T09:00:00Z".parse().unwrap(), &tz);
        // 09:00Z is 14:45 in Kathmandu; its local 10-minute bucket starts at 14:40.
        assert_eq!(start.to_string(), "2026-11-27T08:55:00Z");
    }

    #[test]
    fn bucket_names_parse() {
        assert_eq!("1d".parse(), Ok(BucketSize::Day));
        assert!(
            "2h".parse::<BucketSize>()
                .unwrap_err()
                .contains("10m, 1h or 1d")
        );
    }
}
