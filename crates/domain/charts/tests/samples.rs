//! Writes one example of each chart, plus an `index.html` showing them all at desktop and phone
//! widths, to the directory named by `OFFIMIC_CHART_SAMPLES` (if set), so a person can look at
//! them: `OFFIMIC_CHART_SAMPLES=/tmp/charts cargo test -p offimic-charts --test samples`.

mod common;

use std::path::PathBuf;

use offimic_charts::{Axis, BandPoint, Point, big_number, day_chart, forecast_chart, heatmap};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A plausible makerspace evening curve (people by hour of day, fractional hours allowed).
fn curve(hour: f64, scale: f64) -> f64 {
    let evening = (-((hour - 19.5) / 2.2).powi(2)).exp() * 9.0;
    let afternoon = (-((hour - 14.0) / 2.5).powi(2)).exp() * 3.0;
    (evening + afternoon) * scale
}

fn samples() -> Vec<(&'static str, String)> {
    let day_axis = Axis::new((0..=8).map(|i| (f64::from(i) * 180.0, format!("{:02}:00", i * 3))));
    let typical: Vec<BandPoint> = (0..=144)
        .map(|i| {
            let x = f64::from(i) * 10.0;
            let mid = curve(x / 60.0, 1.0);
            BandPoint::new(x, mid * 0.5, mid, mid * 1.5 + 0.5)
        })
        .collect();
    // Today until 20:20, with the scanner offline 11:00–12:00.
    let today: Vec<Point> = (0..=122)
        .map(|i| {
            let x = f64::from(i) * 10.0;
            if (66..72).contains(&i) {
                Point::gap(x)
            } else {
                Point::new(x, (curve(x / 60.0, 1.2) + f64::from(i % 3) * 0.4).round())
            }
        })
        .collect();
    let day = day_chart(
        "Today against a typical Thursday",
        &today,
        &typical,
        &day_axis,
        1440.0,
    );

    // Forecast: the last 24 hours measured, then three days ahead (x in minutes).
    let recent: Vec<Point> = (0..=144)
        .map(|i| {
            let x = f64::from(i) * 10.0;
            Point::new(x, curve((x / 60.0 + 8.0) % 24.0, 1.0).round())
        })
        .collect();
    let forecast: Vec<BandPoint> = (0..=72)
        .map(|i| {
            let x = 1440.0 + f64::from(i) * 60.0;
            let mid = curve((f64::from(i) + 8.0) % 24.0, 1.0 + f64::from(i) / 200.0);
            let spread = 1.0 + f64::from(i) / 36.0;
            BandPoint::new(x, (mid - spread * 1.5).max(0.0), mid, mid + spread * 2.0)
        })
        .collect();
    let forecast_axis = Axis::new([
        (0.0, "Wed 08:00"),
        (1440.0, "Thu 08:00"),
        (2880.0, "Fri 08:00"),
        (4320.0, "Sat 08:00"),
        (5760.0, "Sun 08:00"),
    ]);
    let forecast = forecast_chart(
        "Forecast for the next three days",
        &recent,
        &forecast,
        &forecast_axis,
        5760.0,
    );

    let rows: Vec<(String, Vec<Option<f64>>)> = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let scale = [0.8, 1.4, 0.9, 1.2, 0.7, 1.0, 0.5][d];
            let values = (0..24)
                .map(|h| {
                    if d == 6 && (2..5).contains(&h) {
                        None
                    } else {
                        Some((curve(f64::from(h) + 0.5, scale) * 2.0).round() / 2.0)
                    }
                })
                .collect();
            ((*name).to_owned(), values)
        })
        .collect();
    let hours: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let heat = heatmap("Average people by weekday and hour", &rows, &hours);

    let big = big_number(
        "People in the space now",
        Some(7.0),
        "as of 14:20, forecast 5–9",
    );
    let empty = day_chart("Today & <nothing> yet", &[], &[], &day_axis, 1440.0);

    vec![
        ("day", day),
        ("forecast", forecast),
        ("heatmap", heat),
        ("big_number", big),
        ("no_data", empty),
    ]
}

#[test]
fn samples_are_valid_and_written_when_asked() {
    let samples = samples();
    for (_, svg) in &samples {
        common::check_chart(svg);
    }
    let Some(dir) = std::env::var_os("OFFIMIC_CHART_SAMPLES") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create sample directory");
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>offimic chart samples</title></head>\n\
         <body style=\"font-family:system-ui,sans-serif;background:#f0f0f0;margin:16px\">\n\
         <h1>offimic chart samples</h1>\n",
    );
    for width in ["600px", "360px"] {
        html.push_str(&format!("<h2>At {width}</h2>\n"));
        for (name, svg) in &samples {
            html.push_str(&format!(
                "<figure style=\"max-width:{width};margin:0 0 16px\">{svg}<figcaption>{name}</figcaption></figure>\n"
            ));
        }
    }
    html.push_str("</body></html>\n");
    for (name, svg) in &samples {
        std::fs::write(dir.join(format!("{name}.svg")), svg).expect("write sample");
    }
    std::fs::write(dir.join("index.html"), html).expect("write index");
}
