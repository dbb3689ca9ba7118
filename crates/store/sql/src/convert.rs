//! Conversions between database values and domain values, shared by both backends.

use jiff::Timestamp;
use offimic_occupancy::Sample;
use offimic_store::StoreError;

/// Wraps a driver error; unique-key violations become `Conflict` with `what` as the message.
pub fn backend_error(error: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// A stored UTC second back to a timestamp.
pub fn timestamp_from_db(seconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_second(seconds)
        .map_err(|_| StoreError::Corrupt(format!("time {seconds} is out of range")))
}

/// A stored count back to `u32`.
pub fn count_from_db(count: i64) -> Result<u32, StoreError> {
    u32::try_from(count).map_err(|_| StoreError::Corrupt(format!("count {count} is out of range")))
}

/// Scopes are stored as one space-separated column.
pub fn scopes_to_db(scopes: &[String]) -> String {
    scopes.join(" ")
}

pub fn scopes_from_db(scopes: &str) -> Vec<String> {
    scopes.split_whitespace().map(str::to_owned).collect()
}

/// Rows of history fetched per query.
pub const HISTORY_PAGE: u64 = 4096;

/// Reads a page of history packed by the database into three space-separated columns (times,
/// ids, counts with `-1` for a failed scan), and returns it in time order. Drivers pay a fixed
/// cost for every row they hand over, which dominated a year of history; one packed row per
/// page of 4096 removes it. SQL does not promise that an aggregate keeps its input's order, so
/// the page is sorted here (it arrives sorted in practice, which costs one pass).
pub fn unpack_samples(
    times: &str,
    ids: &str,
    counts: &str,
) -> Result<Vec<(Sample, i64)>, StoreError> {
    let corrupt = || StoreError::Corrupt("unreadable packed history page".into());
    let number = |text: &str| text.parse::<i64>().map_err(|_| corrupt());
    let (mut ids, mut counts) = (ids.split(' '), counts.split(' '));
    let mut rows = Vec::with_capacity(times.len() / 11 + 1);
    for time in times.split(' ') {
        let (Some(id), Some(count)) = (ids.next(), counts.next()) else {
            return Err(corrupt());
        };
        let count = match number(count)? {
            -1 => None,
            count => Some(count_from_db(count)?),
        };
        let sample = Sample {
            scan_time: timestamp_from_db(number(time)?)?,
            count,
        };
        rows.push((sample, number(id)?));
    }
    if ids.next().is_some() || counts.next().is_some() {
        return Err(corrupt());
    }
    rows.sort_by_key(|(sample, id)| (sample.scan_time, *id));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_pages_unpack_in_order_with_gaps() {
        let rows = unpack_samples("1767000600 1767000000 1767001200", "2 1 7", "-1 3 0").unwrap();
        let summary: Vec<(i64, Option<u32>, i64)> = rows
            .iter()
            .map(|(s, id)| (s.scan_time.as_second(), s.count, *id))
            .collect();
        assert_eq!(
            summary,
            [
                (1767000000, Some(3), 1),
                (1767000600, None, 2),
                (1767001200, Some(0), 7)
            ]
        );
    }

    #[test]
    fn damaged_pages_are_errors() {
        for (times, ids, counts) in [
            ("1767000000", "1", ""),
            ("1767000000", "1 2", "3 4"),
            ("x", "1", "3"),
            ("1767000000", "1", "-3"),
            ("1767000000", "1", "-"),
        ] {
            assert!(
                unpack_samples(times, ids, counts).is_err(),
                "{times:?} {ids:?} {counts:?}"
            );
        }
    }
}
