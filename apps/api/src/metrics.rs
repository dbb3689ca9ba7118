//! The server's Prometheus metrics (OpenMetrics text at `GET /metrics`): requests and their
//! latency by route template, access decisions by protocol and outcome, scans received by
//! result, and the current occupancy, read from the database at each scrape.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    protocol: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScanLabels {
    result: String,
}

/// Latency buckets in seconds, from a cached decision to a year of history.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Every metric, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    decisions: Family<DecisionLabels, Counter>,
    scans: Family<ScanLabels, Counter>,
    occupancy: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("offimic");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(LATENCY_BUCKETS)
        });
        let decisions = Family::<DecisionLabels, Counter>::default();
        let scans = Family::<ScanLabels, Counter>::default();
        let occupancy = Gauge::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route template",
            latency.clone(),
        );
        registry.register(
            "access_decisions",
            "Access decisions by protocol and outcome (granted or the denial's code)",
            decisions.clone(),
        );
        registry.register("scans", "Presence scans received, by result", scans.clone());
        registry.register(
            "occupancy_devices",
            "Devices present in the latest measured slot (-1 when there is none)",
            occupancy.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            decisions,
            scans,
            occupancy,
        }
    }
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    pub fn decision(&self, protocol: &str, outcome: &str) {
        self.decisions
            .get_or_create(&DecisionLabels {
                protocol: protocol.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn scan(&self, result: &str) {
        self.scans
            .get_or_create(&ScanLabels {
                result: result.to_owned(),
            })
            .inc();
    }

    /// The text exposition, with the occupancy as of now.
    pub fn render(&self, occupancy: Option<u32>) -> String {
        self.occupancy.set(occupancy.map_or(-1, i64::from));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_are_exposed_with_labels() {
        let metrics = Metrics::default();
        metrics.request("GET", "/verify", 200, 0.002);
        metrics.request("GET", "/verify", 200, 0.004);
        metrics.decision("swindon", "granted");
        metrics.scan("recorded");
        let text = metrics.render(Some(7));
        assert!(
            text.contains(
                r#"offimic_http_requests_total{method="GET",route="/verify",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"offimic_http_request_duration_seconds_count{route="/verify"} 2"#));
        assert!(
            text.contains(
                r#"offimic_access_decisions_total{protocol="swindon",outcome="granted"} 1"#
            )
        );
        assert!(text.contains(r#"offimic_scans_total{result="recorded"} 1"#));
        assert!(text.contains("offimic_occupancy_devices 7"));
        assert!(text.ends_with("# EOF\n"));
        assert!(
            metrics
                .render(None)
                .contains("offimic_occupancy_devices -1")
        );
    }
}
