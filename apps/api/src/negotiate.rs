//! Content negotiation: which of the formats a route offers the client asked for.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT;

/// The representations offimic can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Text,
}

impl Format {
    fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv",
            Format::Text => "text/plain",
        }
    }
}

/// The offered format the `Accept` header prefers (highest q, then the client's order); the
/// first offer when the header is absent, a wildcard, or names nothing offered.
pub fn preferred(headers: &HeaderMap, offers: &[Format]) -> Format {
    let default = offers[0];
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return default;
    };
    let mut best: Option<(f32, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let matched = if media == "*/*" {
            Some(default)
        } else {
            offers.iter().copied().find(|f| f.media_type() == media)
        };
        if let Some(format) = matched
            && q > 0.0
            && best.is_none_or(|(best_q, _)| q > best_q)
        {
            best = Some((q, format));
        }
    }
    best.map_or(default, |(_, format)| format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: Option<&str>) -> Format {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(ACCEPT, accept.parse().unwrap());
        }
        preferred(&headers, &[Format::Json, Format::Csv, Format::Text])
    }

    #[test]
    fn negotiation() {
        assert_eq!(pick(None), Format::Json);
        assert_eq!(pick(Some("*/*")), Format::Json);
        assert_eq!(pick(Some("text/csv")), Format::Csv);
        assert_eq!(pick(Some("text/plain")), Format::Text);
        assert_eq!(
            pick(Some("text/html, text/csv;q=0.5, application/json;q=0.9")),
            Format::Json
        );
        assert_eq!(pick(Some("text/csv;q=0, text/plain")), Format::Text);
        assert_eq!(pick(Some("image/png")), Format::Json);
        assert_eq!(pick(Some("TEXT/CSV")), Format::Csv);
    }
}
