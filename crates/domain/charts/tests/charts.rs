//! Behaviour of the public chart functions, checked by parsing their output as XML.

mod common;

use common::{Element, check_chart};
use offimic_charts::{
    Axis, BandPoint, Point, big_number, day_chart, forecast_chart, heatmap, nice_max,
};

const DAY: f64 = 1440.0;

fn day_axis() -> Axis {
    Axis::new((0..=4).map(|i| (f64::from(i) * 360.0, format!("{:02}:00", i * 6))))
}

fn typical_day() -> Vec<BandPoint> {
    (0..=48)
        .map(|i| {
            let x = f64::from(i) * 30.0;
            let mid = if (16..=44).contains(&i) {
                f64::from(i - 16) / 3.0
            } else {
                0.0
            };
            BandPoint::new(x, (mid - 2.0).max(0.0), mid, mid * 1.4 + 1.0)
        })
        .collect()
}

fn today_with_gap() -> Vec<Point> {
    vec![
        Point::new(480.0, 1.0),
        Point::new(490.0, 2.0),
        Point::gap(500.0),
        Point::new(510.0, 3.0),
        Point::new(520.0, 4.0),
    ]
}

fn week_rows() -> Vec<(String, Vec<Option<f64>>)> {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let values = (0..24)
                .map(|h| match (d, h) {
                    (0, 18) => Some(7.5),
                    (2, 3) => None,
                    (_, h) if h < 8 => Some(0.0),
                    (d, h) => Some(((d * 3 + h) % 11) as f64 * 0.5),
                })
                .collect();
            ((*name).to_owned(), values)
        })
        .collect()
}

fn hour_labels() -> Vec<String> {
    (0..24).map(|h| format!("{h:02}")).collect()
}

/// Texts of all `<text>` elements.
fn texts(root: &Element) -> Vec<String> {
    root.texts()
}

fn series<'a>(root: &'a Element, name: &str) -> Vec<&'a Element> {
    root.with_attr("data-series", name)
}

#[test]
fn every_chart_is_well_formed_accessible_svg() {
    let rows = week_rows();
    let charts = [
        day_chart("Today", &today_with_gap(), &typical_day(), &day_axis(), DAY),
        forecast_chart(
            "Next days",
            &today_with_gap(),
            &typical_day(),
            &day_axis(),
            DAY,
        ),
        forecast_chart("Next days", &[], &typical_day(), &day_axis(), DAY),
        heatmap("Week", &rows, &hour_labels()),
        big_number("People now", Some(7.0), "as of 14:20, forecast 5–9"),
        big_number("People now", None, ""),
    ];
    for svg in &charts {
        let root = check_chart(svg);
        assert!(root.attr("viewBox").is_some());
    }
}

#[test]
fn text_is_escaped_everywhere() {
    let nasty = r#"Tom & Jerry's <b>"shop"</b>"#;
    let axis = Axis::new([(0.0, nasty), (720.0, "<noon>")]);
    let rows = vec![(nasty.to_owned(), vec![Some(1.0); 24])];
    let charts = [
        day_chart(nasty, &today_with_gap(), &typical_day(), &axis, DAY),
        forecast_chart(nasty, &[], &typical_day(), &axis, DAY),
        day_chart(nasty, &[], &[], &axis, DAY),
        heatmap(nasty, &rows, &[nasty.to_owned()]),
        big_number(nasty, Some(1.0), nasty),
    ];
    for svg in &charts {
        assert!(!svg.contains("<b>"), "raw markup leaked: {svg}");
        assert!(!svg.contains("Jerry's"), "raw apostrophe leaked");
        assert!(svg.contains("Tom &amp; Jerry&apos;s &lt;b&gt;&quot;shop&quot;&lt;/b&gt;"));
        let root = check_chart(svg);
        assert_eq!(root.child_elements()[0].text(), nasty, "title round-trips");
    }
    let root = check_chart(&charts[0]);
    assert!(texts(&root).contains(&"<noon>".to_owned()));
    let root = check_chart(&charts[3]);
    let tooltip = root.find_all("rect")[1..]
        .iter()
        .find_map(|r| r.child_elements().first().map(|t| t.text()))
        .unwrap();
    assert_eq!(tooltip, format!("{nasty} 00:00–01:00: 1"));
    let root = check_chart(&charts[4]);
    assert!(texts(&root).iter().any(|t| t == nasty));
}

#[test]
fn control_characters_are_dropped() {
    let svg = big_number("bell\u{7}", Some(1.0), "nul\u{0}");
    let root = check_chart(&svg);
    assert_eq!(root.child_elements()[0].text(), "bell");
}

#[test]
fn gaps_break_the_line_into_separate_paths() {
    let svg = day_chart("Today", &today_with_gap(), &[], &day_axis(), DAY);
    let root = check_chart(&svg);
    let today = series(&root, "today");
    assert_eq!(today.len(), 2);
    for path in &today {
        assert_eq!(path.name, "path");
        let d = path.attr("d").unwrap();
        assert_eq!(d.matches('M').count(), 1, "one move per segment: {d}");
        assert_eq!(d.matches('L').count(), 1);
    }
}

#[test]
fn a_single_point_run_is_a_dot() {
    let points = [
        Point::new(100.0, 3.0),
        Point::gap(110.0),
        Point::new(120.0, 4.0),
    ];
    let root = check_chart(&day_chart("Today", &points, &[], &day_axis(), DAY));
    let today = series(&root, "today");
    assert_eq!(today.len(), 2);
    assert!(today.iter().all(|e| e.name == "circle"));

    let band = [BandPoint::new(60.0, 1.0, 2.0, 3.0)];
    let root = check_chart(&forecast_chart("F", &[], &band, &Axis::default(), 120.0));
    assert_eq!(series(&root, "forecast-band")[0].name, "rect");
    assert_eq!(series(&root, "forecast-median")[0].name, "circle");
}

#[test]
fn empty_input_says_no_data_yet() {
    let all_none = [Point::gap(0.0), Point::gap(10.0)];
    let bad_band = [BandPoint::new(0.0, f64::NAN, 1.0, 2.0)];
    let none_rows = vec![("Mon".to_owned(), vec![None; 24])];
    let charts = [
        day_chart("Today", &[], &[], &Axis::default(), DAY),
        day_chart("Today", &all_none, &bad_band, &day_axis(), DAY),
        forecast_chart("Next", &[], &[], &Axis::default(), 0.0),
        heatmap("Week", &[], &[]),
        heatmap("Week", &none_rows, &hour_labels()),
    ];
    for svg in &charts {
        let root = check_chart(svg);
        assert!(
            texts(&root).iter().any(|t| t == "No data yet"),
            "missing message in {svg}"
        );
        assert_eq!(root.child_elements()[1].text(), "No data yet.");
    }
    let root = check_chart(&big_number("People now", None, "sensor offline"));
    assert!(texts(&root).iter().any(|t| t == "no data"));
    assert!(texts(&root).iter().any(|t| t == "sensor offline"));
    let root = check_chart(&big_number("People now", Some(f64::NAN), ""));
    assert!(texts(&root).iter().any(|t| t == "no data"));
}

#[test]
fn nan_and_infinite_values_are_skipped() {
    let today = [
        Point::new(0.0, 1.0),
        Point::new(10.0, f64::NAN),
        Point::new(20.0, 2.0),
        Point::new(30.0, 3.0),
        Point::new(f64::NAN, 50.0),
        Point::new(f64::INFINITY, 50.0),
        Point::new(40.0, f64::NEG_INFINITY),
    ];
    let typical = [
        BandPoint::new(0.0, 0.0, 1.0, 2.0),
        BandPoint::new(10.0, 0.0, f64::INFINITY, 2.0),
        BandPoint::new(20.0, 0.0, 1.0, f64::NAN),
        BandPoint::new(30.0, 0.0, 1.0, 2.0),
        BandPoint::new(40.0, 0.0, 1.0, 2.0),
    ];
    let svg = day_chart("Today", &today, &typical, &day_axis(), 60.0);
    let root = check_chart(&svg);
    // Today: [1] then [2, 3]; the NaN x and the infinite values never reach the scale.
    assert_eq!(series(&root, "today").len(), 2);
    assert_eq!(series(&root, "typical-band").len(), 2);
    assert!(
        texts(&root).iter().any(|t| t == "5"),
        "y max stays 5, not 50: {svg}"
    );
    assert!(!texts(&root).iter().any(|t| t == "50"));

    let mut rows = week_rows();
    rows[1].1[5] = Some(f64::NAN);
    rows[1].1[6] = Some(f64::INFINITY);
    let root = check_chart(&heatmap("Week", &rows, &hour_labels()));
    let tooltips = cell_tooltips(&root);
    assert!(tooltips.contains(&"Tue 05:00–06:00: no data".to_owned()));
    assert!(tooltips.contains(&"Tue 06:00–07:00: no data".to_owned()));
}

fn cells(root: &Element) -> Vec<&Element> {
    root.find_all("rect")
        .into_iter()
        .filter(|r| r.attr("data-cell").is_some())
        .collect()
}

fn cell_tooltips(root: &Element) -> Vec<String> {
    cells(root)
        .iter()
        .map(|c| {
            let children = c.child_elements();
            assert_eq!(children.len(), 1);
            assert_eq!(children[0].name, "title");
            children[0].text()
        })
        .collect()
}

#[test]
fn heatmap_has_one_cell_with_a_tooltip_per_hour() {
    let rows = week_rows();
    let svg = heatmap("When is it busy?", &rows, &hour_labels());
    let root = check_chart(&svg);
    let tooltips = cell_tooltips(&root);
    assert_eq!(tooltips.len(), 7 * 24);
    assert_eq!(tooltips[0], "Mon 00:00–01:00: 0");
    assert_eq!(tooltips[18], "Mon 18:00–19:00: 7.5");
    assert_eq!(tooltips[23], "Mon 23:00–24:00: 0.5");
    assert_eq!(tooltips[2 * 24 + 3], "Wed 03:00–04:00: no data");
    assert_eq!(root.with_attr("data-cell", "none").len(), 1);
    assert!(
        texts(&root).iter().any(|t| t == "no data"),
        "legend names missing data"
    );
    for label in ["Mon", "Sun", "0", "7.5"] {
        assert!(texts(&root).iter().any(|t| t == label), "missing {label}");
    }
    // The busiest cell is the darkest colour of the ramp; the quietest the lightest.
    assert_eq!(cells(&root)[18].attr("fill"), Some("#440154"));
    assert_eq!(cells(&root)[0].attr("fill"), Some("#fde725"));
    let desc = root.child_elements()[1].text();
    assert!(desc.contains("Highest: Mon 18:00–19:00 (7.5)"), "{desc}");
    assert!(desc.contains("1 cell without data"), "{desc}");
}

#[test]
fn heatmap_pads_short_rows_and_thins_long_labels() {
    let rows = vec![
        ("Mon".to_owned(), vec![Some(2.0)]),
        ("Tue".to_owned(), vec![]),
    ];
    let long_labels: Vec<String> = (0..24).map(|h| format!("{h:02}:00")).collect();
    let root = check_chart(&heatmap("Week", &rows, &long_labels));
    let tooltips = cell_tooltips(&root);
    assert_eq!(tooltips.len(), 48);
    assert_eq!(tooltips[0], "Mon 00:00–01:00: 2");
    assert_eq!(tooltips[47], "Tue 23:00–24:00: no data");
    let shown: Vec<String> = texts(&root)
        .into_iter()
        .filter(|t| t.ends_with(":00"))
        .collect();
    assert!(shown.len() < 24 && shown.len() >= 6, "{shown:?}");
    assert_eq!(shown[0], "00:00");

    // Not 24 columns: tooltips use the column labels.
    let rows = vec![("Mon".to_owned(), vec![Some(1.0); 30])];
    let labels: Vec<String> = (0..30).map(|i| format!("c{i}")).collect();
    let root = check_chart(&heatmap("Wide", &rows, &labels));
    let tooltips = cell_tooltips(&root);
    assert_eq!(tooltips.len(), 30);
    assert_eq!(tooltips[29], "Mon c29: 1");
}

#[test]
fn y_axis_runs_from_zero_to_a_nice_maximum() {
    assert_eq!(nice_max(7.0), 10.0);
    assert_eq!(nice_max(23.0), 50.0);

    let today = [Point::new(0.0, 3.0), Point::new(60.0, 7.0)];
    let root = check_chart(&day_chart("Today", &today, &[], &day_axis(), DAY));
    let labels: Vec<String> = root
        .with_attr("text-anchor", "end")
        .iter()
        .map(|e| e.text())
        .collect();
    assert_eq!(labels, ["0", "2", "4", "6", "8", "10"]);

    // The band shares the scale: its p90 of 23 lifts the maximum to 50.
    let band = [
        BandPoint::new(0.0, 1.0, 5.0, 23.0),
        BandPoint::new(60.0, 1.0, 5.0, 9.0),
    ];
    let root = check_chart(&day_chart("Today", &today, &band, &day_axis(), DAY));
    let labels: Vec<String> = root
        .with_attr("text-anchor", "end")
        .iter()
        .map(|e| e.text())
        .collect();
    assert_eq!(labels, ["0", "10", "20", "30", "40", "50"]);
    assert!(
        root.child_elements()[1]
            .text()
            .contains("Y axis from 0 to 50.")
    );

    // Tiny values still get a readable 0–1 axis.
    let small = [Point::new(0.0, 0.1), Point::new(10.0, 0.3)];
    let root = check_chart(&day_chart("Today", &small, &[], &day_axis(), DAY));
    let labels: Vec<String> = root
        .with_attr("text-anchor", "end")
        .iter()
        .map(|e| e.text())
        .collect();
    assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
}

#[test]
fn legends_name_each_series() {
    let root = check_chart(&day_chart(
        "Today",
        &today_with_gap(),
        &typical_day(),
        &day_axis(),
        DAY,
    ));
    let t = texts(&root);
    for name in ["today", "typical (p10–p90)", "typical (p50)"] {
        assert!(t.iter().any(|s| s == name), "legend lacks {name}");
    }
    let root = check_chart(&forecast_chart(
        "Next",
        &today_with_gap(),
        &typical_day(),
        &day_axis(),
        DAY,
    ));
    let t = texts(&root);
    for name in ["recent", "forecast (p10–p90)", "forecast (p50)"] {
        assert!(t.iter().any(|s| s == name), "legend lacks {name}");
    }
    assert_eq!(series(&root, "forecast-start").len(), 1);

    // Without recent data the legend and divider leave it out.
    let root = check_chart(&forecast_chart(
        "Next",
        &[],
        &typical_day(),
        &day_axis(),
        DAY,
    ));
    assert!(!texts(&root).iter().any(|s| s == "recent"));
    assert!(series(&root, "forecast-start").is_empty());
}

#[test]
fn output_is_deterministic_and_ids_differ_between_charts() {
    let render = || {
        [
            day_chart("Today", &today_with_gap(), &typical_day(), &day_axis(), DAY),
            forecast_chart("Next", &today_with_gap(), &typical_day(), &day_axis(), DAY),
            heatmap("Week", &week_rows(), &hour_labels()),
            big_number("People now", Some(7.0), "as of 14:20"),
        ]
    };
    let (a, b) = (render(), render());
    assert_eq!(a, b);
    let ids: Vec<String> = a
        .iter()
        .map(|svg| {
            check_chart(svg).child_elements()[0]
                .attr("id")
                .unwrap()
                .to_owned()
        })
        .collect();
    for (i, id) in ids.iter().enumerate() {
        assert!(!ids[i + 1..].contains(id), "duplicate id {id}");
    }
}

#[test]
fn extreme_input_does_not_panic() {
    let huge = [
        Point::new(0.0, 1e300),
        Point::new(1.0, f64::MAX),
        Point::new(2.0, -1e300),
        Point::new(3.0, f64::MIN_POSITIVE),
    ];
    let band = [
        BandPoint::new(0.0, -f64::MAX, 0.0, f64::MAX),
        BandPoint::new(1e300, 0.0, 0.0, 0.0),
    ];
    let axes = [
        Axis::default(),
        Axis::new([(f64::NAN, "nan"), (-1.0, "neg"), (1e300, "far"), (0.0, "")]),
        Axis::new((0..500_u32).map(|i| (f64::from(i) / 100.0, "x".repeat(i as usize)))),
    ];
    for axis in &axes {
        for x_max in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300, 3.0, 1e308] {
            check_chart(&day_chart("", &huge, &band, axis, x_max));
            check_chart(&forecast_chart("", &huge, &band, axis, x_max));
            check_chart(&day_chart("", &huge[..1], &[], axis, x_max));
        }
    }
    let root = check_chart(&day_chart("", &huge, &[], &Axis::default(), 3.0));
    assert!(
        texts(&root).iter().any(|t| t == "1.8e308"),
        "{:?}",
        texts(&root)
    );

    let rows = vec![
        (String::new(), vec![Some(-f64::MAX), Some(f64::MAX), None]),
        ("x".repeat(1000), vec![Some(0.0); 200]),
        ("same".to_owned(), vec![]),
    ];
    check_chart(&heatmap(&"T".repeat(1000), &rows, &[]));
    let flat = vec![("Mon".to_owned(), vec![Some(3.0); 24])];
    check_chart(&heatmap("", &flat, &vec![String::new(); 50]));

    for value in [
        Some(1e300),
        Some(-0.04),
        Some(123_456_789.123),
        Some(f64::NEG_INFINITY),
        None,
    ] {
        check_chart(&big_number(&"L".repeat(500), value, &"s".repeat(500)));
    }
    let root = check_chart(&big_number("People now", Some(7.25), ""));
    assert!(root.with_attr("data-value", "7.3").len() == 1);
}
