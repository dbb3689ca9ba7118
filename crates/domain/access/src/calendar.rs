//! Bank holidays, on which time-restricted tiers may come in all day. England and Wales ship with
//! offimic as data; a space elsewhere lists its own in the configuration.

use std::collections::BTreeSet;

use jiff::civil::Date;

const ENGLAND_AND_WALES: &str = include_str!("../data/bank-holidays-england-and-wales.txt");

/// A set of holiday dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayCalendar(BTreeSet<Date>);

impl HolidayCalendar {
    /// The built-in England and Wales calendar.
    pub fn england_and_wales() -> Self {
        let dates = ENGLAND_AND_WALES
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect();
        Self(dates)
    }

    pub fn from_dates(dates: impl IntoIterator<Item = Date>) -> Self {
        Self(dates.into_iter().collect())
    }

    pub fn contains(&self, date: Date) -> bool {
        self.0.contains(&date)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_shipped_calendar_has_the_known_holidays() {
        let calendar = HolidayCalendar::england_and_wales();
        assert!(calendar.len() > 100);
        for holiday in [
            date(2026, 4, 3),
            date(2026, 12, 28),
            date(2027, 12, 27),
            date(2022, 9, 19),
            date(2023, 5, 8),
        ] {
            assert!(calendar.contains(holiday), "{holiday}");
        }
        for ordinary in [date(2026, 12, 26), date(2026, 1, 20), date(2022, 5, 30)] {
            assert!(!calendar.contains(ordinary), "{ordinary}");
        }
    }

    #[test]
    fn every_line_of_the_data_file_parses() {
        let lines = ENGLAND_AND_WALES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(HolidayCalendar::england_and_wales().len(), lines);
    }
}
