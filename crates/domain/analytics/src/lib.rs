//! Occupancy analysis and forecasting for offimic: the typical week, seasonal quantile
//! forecasts and their backtest, presence windows over device sightings, devices-to-people
//! calibration, and "regulars vs occasional" classification of pseudonymous devices.
//!
//! Everything here is pure (no I/O, no clock, no randomness except the seeded synthetic
//! generator in [`backtest`](mod@backtest)) and total: every public function accepts any input — empty,
//! all gaps, unsorted, extreme values — without panicking.
//!
//! Conventions shared by all modules (see [`slots`]):
//! - time is cut into 10-minute slots named by their start (a multiple of 600 s since the epoch);
//! - a series is `&[(Timestamp, Option<f64>)]`, sorted by time; `None` is a failed scan (a gap,
//!   never a zero);
//! - values that are not finite are treated as gaps and negative values as 0 (a count of
//!   devices cannot be negative);
//! - "weekday × slot of day" is computed in the space's [`jiff::tz::TimeZone`] from the local
//!   time of day, `(hour * 60 + minute) / 10` in `0..144`, so DST days (138 or 150 slots) map
//!   onto the same 144 slots of day.

pub mod backtest;
pub mod classify;
pub mod closure;
pub mod forecast;
pub mod people;
pub mod presence;
pub mod quantiles;
pub mod slots;
pub mod typical;

pub use backtest::{BacktestReport, backtest, generate};
pub use classify::{
    Classification, DeviceStats, Sighting, Visitor, classify, daily_first_seen, event_days,
    first_seen_band, infrastructure, infrastructure_covered,
};
pub use closure::closure_days;
pub use forecast::{ForecastPoint, forecast, seasonal_naive};

pub use people::{Calibration, PeopleEstimate, calibrate, people};
pub use presence::{DEFAULT_WINDOW, windowed_counts};
pub use quantiles::{Band, band};
pub use slots::{SLOT, SLOT_SECONDS, SLOTS_PER_DAY, SLOTS_PER_WEEK, slot_of_day, slot_start};
pub use typical::{TypicalWeek, typical_week};
