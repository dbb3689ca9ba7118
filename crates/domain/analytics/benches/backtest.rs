//! Rolling-origin backtest of the forecaster on synthetic histories: 3 seeds × horizons of
//! 1 day and 7 days, 24 origins over the last 4 weeks of 16 weeks (Europe/Berlin, across the
//! March DST change). Prints accuracy against seasonal naive, p10–p90 coverage and the time
//! per forecast. Run with `cargo bench -p offimic-analytics`.

use std::hint::black_box;
use std::time::Instant;

use jiff::tz::TimeZone;
use offimic_analytics::{backtest, forecast, generate};

const ORIGINS: usize = 24;

fn main() {
    let tz = TimeZone::get("Europe/Berlin").expect("bundled tzdb");
    for seed in [1u64, 2, 3] {
        let series = generate(seed, 16, &tz);
        for (label, horizon) in [("1d", 144usize), ("7d", 1008)] {
            let started = Instant::now();
            let r = backtest(&series, &tz, horizon, ORIGINS);
            let per_origin = started.elapsed() / r.origins.max(1) as u32;

            // A forecast alone (no scoring), from the end of the history.
            let from = series.last().map(|p| p.0).expect("non-empty");
            let runs = 20u32;
            let started = Instant::now();
            for _ in 0..runs {
                black_box(forecast(black_box(&series), &tz, from, horizon));
            }
            let per_forecast = started.elapsed() / runs;

            println!(
                "seed {seed} horizon {label}: MAE {:.2} vs seasonal-naive {:.2} (ratio {:.2}), \
                 p10–p90 coverage {:.2} over {} origins; {:.2} ms per forecast \
                 ({:.2} ms per backtest origin incl. scoring)",
                r.mae,
                r.naive_mae,
                r.mae_ratio,
                r.coverage,
                r.origins,
                per_forecast.as_secs_f64() * 1e3,
                per_origin.as_secs_f64() * 1e3,
            );
        }
    }
}
