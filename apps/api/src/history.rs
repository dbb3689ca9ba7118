//! Rendering the occupancy history as JSON or CSV, streamed: rows leave in chunks as the database
//! produces them, so the memory a request uses does not grow with the range asked for.

use async_stream::stream;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use jiff::tz::TimeZone;
use offimic_occupancy::{BucketSize, BucketSummary, Bucketer, Sample};
use offimic_store::StoreResult;
use std::fmt::Write as _;

use crate::negotiate::Format;
use crate::timefmt::write_rfc3339;

/// Bytes gathered before a chunk is sent.
const CHUNK: usize = 32 * 1024;

/// Samples handed from the database task to the renderer at a time, and batches kept ready.
const PREFETCH_BATCH: usize = 1024;
const PREFETCH_DEPTH: usize = 8;

/// Reads `samples` on a task of its own, a few batches ahead of the consumer, so that the
/// database fetches the next page while the previous one is rendered. The task stops as soon as
/// the consumer goes away (the client disconnected).
pub fn prefetch<T: Send + 'static>(
    samples: impl Stream<Item = T> + Send + 'static,
) -> impl Stream<Item = T> + Send + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<T>>(PREFETCH_DEPTH);
    tokio::spawn(async move {
        let mut batches = std::pin::pin!(samples.ready_chunks(PREFETCH_BATCH));
        while let Some(batch) = batches.next().await {
            if tx.send(batch).await.is_err() {
                break;
            }
        }
    });
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|batch| (futures::stream::iter(batch), rx))
    })
    .flatten()
}

/// What to render and how.
pub struct HistoryView {
    pub format: Format,
    pub bucket: Option<BucketSize>,
    /// Caps the number of buckets (raw rows are capped by the query itself).
    pub bucket_limit: Option<u64>,
    pub tz: TimeZone,
}

enum Row {
    Sample(Sample),
    Bucket(BucketSummary),
}

impl HistoryView {
    pub fn content_type(&self) -> &'static str {
        match self.format {
            Format::Csv => "text/csv; charset=utf-8",
            _ => "application/json",
        }
    }

    fn header(&self, out: &mut String) {
        match (self.format, self.bucket.is_some()) {
            (Format::Csv, false) => out.push_str("scan_time,count\n"),
            (Format::Csv, true) => out.push_str("scan_time,mean,max,samples,failed\n"),
            _ => out.push_str(r#"{"status":"ok","body":["#),
        }
    }

    fn footer(&self, out: &mut String) {
        if self.format != Format::Csv {
            out.push_str("]}");
        }
    }

    fn row(&self, out: &mut String, first: bool, row: &Row) {
        let csv = self.format == Format::Csv;
        if !csv {
            out.push_str(if first {
                r#"{"scan_time":""#
            } else {
                r#",{"scan_time":""#
            });
        }
        let start = match row {
            Row::Sample(s) => s.scan_time,
            Row::Bucket(b) => b.start,
        };
        write_rfc3339(out, start, &self.tz);
        let null = if csv { "" } else { "null" };
        match row {
            Row::Sample(sample) => {
                let count = sample.count.map(|c| c.to_string());
                let count = count.as_deref().unwrap_or(null);
                if csv {
                    let _ = writeln!(out, ",{count}");
                } else {
                    let _ = write!(out, r#"","count":{count}}}"#);
                }
            }
            Row::Bucket(bucket) => {
                let mean = bucket
                    .mean
                    .map(|m| ((m * 100.0).round() / 100.0).to_string());
                let mean = mean.as_deref().unwrap_or(null);
                let max = bucket.max.map(|m| m.to_string());
                let max = max.as_deref().unwrap_or(null);
                let (samples, failed) = (bucket.samples, bucket.failed);
                if csv {
                    let _ = writeln!(out, ",{mean},{max},{samples},{failed}");
                } else {
                    let _ = write!(
                        out,
                        r#"","mean":{mean},"max":{max},"samples":{samples},"failed":{failed}}}"#
                    );
                }
            }
        }
    }

    /// The response body. A storage error after the first row ends the stream with an error,
    /// which aborts the response rather than sending a truncated document as if complete.
    pub fn render(
        self,
        samples: impl Stream<Item = StoreResult<Sample>> + Send + 'static,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        stream! {
            let mut out = String::with_capacity(CHUNK + 256);
            self.header(&mut out);
            let mut first = true;
            let mut emitted: u64 = 0;
            let mut bucketer = self.bucket.map(|size| Bucketer::new(size, self.tz.clone()));
            let mut samples = std::pin::pin!(samples);
            while let Some(sample) = samples.next().await {
                let sample = match sample {
                    Ok(sample) => sample,
                    Err(error) => {
                        tracing::error!(%error, "history stream failed");
                        yield Err(std::io::Error::other(error.to_string()));
                        return;
                    }
                };
                let row = match bucketer.as_mut() {
                    None => Some(Row::Sample(sample)),
                    Some(bucketer) => bucketer.push(sample).map(Row::Bucket),
                };
                if let Some(row) = row {
                    if self.bucket_limit.is_some_and(|limit| emitted >= limit) {
                        break;
                    }
                    self.row(&mut out, first, &row);
                    first = false;
                    emitted += 1;
                }
                if out.len() >= CHUNK {
                    yield Ok(Bytes::from(std::mem::take(&mut out)));
                }
            }
            if let Some(last) = bucketer.and_then(Bucketer::finish)
                && self.bucket_limit.is_none_or(|limit| emitted < limit)
            {
                self.row(&mut out, first, &Row::Bucket(last));
            }
            self.footer(&mut out);
            yield Ok(Bytes::from(out));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    fn sample(at: &str, count: Option<u32>) -> StoreResult<Sample> {
        Ok(Sample {
            scan_time: at.parse().unwrap(),
            count,
        })
    }

    async fn render(
        format: Format,
        bucket: Option<BucketSize>,
        samples: Vec<StoreResult<Sample>>,
    ) -> String {
        let view = HistoryView {
            format,
            bucket,
            bucket_limit: None,
            tz: TimeZone::get("Europe/Paris").unwrap(),
        };
        let chunks: Vec<Bytes> = view
            .render(futures::stream::iter(samples))
            .try_collect()
            .await
            .unwrap();
        String::from_utf8(chunks.concat()).unwrap()
    }

    fn rows() -> Vec<StoreResult<Sample>> {
        vec![
            sample("2026-11-27T09:00:00Z", Some(2)),
            sample("2026-11-27T09:10:00Z", None),
            sample("2026-11-27T09:20:00Z", Some(3)),
        ]
    }

    #[tokio::test]
    async fn json_is_valid_and_gaps_are_null() {
        let text = render(Format::Json, None, rows()).await;
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["status"], "ok");
        assert_eq!(value["body"][0]["scan_time"], "2026-11-27T10:00:00+01:00");
        assert_eq!(value["body"][0]["count"], 2);
        assert!(value["body"][1]["count"].is_null());
        assert_eq!(
            render(Format::Json, None, vec![]).await,
            r#"{"status":"ok","body":[]}"#
        );
    }

    #[tokio::test]
    async fn csv_has_a_header_and_empty_gaps() {
        let text = render(Format::Csv, None, rows()).await;
        assert_eq!(
            text,
            "scan_time,count\n2026-11-27T10:00:00+01:00,2\n2026-11-27T10:10:00+01:00,\n2026-11-27T10:20:00+01:00,3\n"
        );
        assert_eq!(render(Format::Csv, None, vec![]).await, "scan_time,count\n");
    }

    #[tokio::test]
    async fn buckets_carry_mean_and_max() {
        let text = render(Format::Json, Some(BucketSize::Hour), rows()).await;
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["body"][0]["mean"], 2.5);
        assert_eq!(value["body"][0]["max"], 3);
        assert_eq!(value["body"][0]["failed"], 1);
        let csv = render(Format::Csv, Some(BucketSize::Hour), rows()).await;
        assert_eq!(
            csv,
            "scan_time,mean,max,samples,failed\n2026-11-27T10:00:00+01:00,2.5,3,2,1\n"
        );
    }

    #[tokio::test]
    async fn prefetching_keeps_every_item_in_order() {
        let items: Vec<u32> = prefetch(futures::stream::iter(0..10_000u32))
            .collect()
            .await;
        assert_eq!(items, (0..10_000).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_storage_error_aborts_the_stream() {
        let view = HistoryView {
            format: Format::Json,
            bucket: None,
            bucket_limit: None,
            tz: TimeZone::UTC,
        };
        let failing = vec![
            sample("2026-11-27T09:00:00Z", Some(2)),
            Err(offimic_store::StoreError::Corrupt("boom".into())),
        ];
        let result: Result<Vec<Bytes>, _> = view
            .render(futures::stream::iter(failing))
            .try_collect()
            .await;
        assert!(result.is_err());
    }
}
