//! Membership dues, as Swindon's rules compute them (all amounts in pence; they may be
//! fractional until stored):
//!
//! - a concession applies when one is claimed, or when the member is 65 or older, counting
//!   from the 28th of their birth month;
//! - normal dues are 0 for a child or a donor; otherwise the tier's price (2500 without a
//!   tier), halved for a concession where the tier allows it, and never below 500;
//! - dues are the normal dues, or a higher amount the member chose to pay, less 20 % for three
//!   months after a voucher was used.

pub mod payment_run;
pub mod report;

use jiff::Timestamp;
use jiff::civil::Date;

/// Price when a member has no tier.
pub const DEFAULT_PRICE_P: f64 = 2500.0;
/// The least a paying member pays.
pub const MINIMUM_P: f64 = 500.0;
/// Age from which the concession applies by itself.
pub const SENIOR_AGE: i16 = 65;

/// What dues depend on in a member's tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierPrice {
    pub price_p: f64,
    pub concessions_allowed: bool,
    pub donor: bool,
}

/// What dues depend on in a member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Member<'a> {
    pub tier: Option<TierPrice>,
    pub is_child: bool,
    /// The concession claimed (`student`, `universal credit`, …); empty for none.
    pub concession: &'a str,
    /// Birth month, `YYYY-MM`.
    pub dob: Option<&'a str>,
    /// A voluntary amount; only counts when above the normal dues.
    pub payment_override_p: Option<f64>,
    /// When a voucher was first used.
    pub voucher_start: Option<Timestamp>,
}

/// Whole years from the 28th of the birth month to `today`.
pub fn age(dob: &str, today: Date) -> Option<i16> {
    let (year, month) = dob.split_once('-')?;
    let birthday = Date::new(year.parse().ok()?, month.parse().ok()?, 28).ok()?;
    let had_birthday = (today.month(), today.day()) >= (birthday.month(), birthday.day());
    Some(today.year() - birthday.year() - i16::from(!had_birthday))
}

impl Member<'_> {
    pub fn is_donor(&self) -> bool {
        self.tier.is_some_and(|t| t.donor)
    }

    /// A concession is claimed, or the member is a senior.
    pub fn is_concessionary(&self, today: Date) -> bool {
        !self.concession.is_empty()
            || self
                .dob
                .and_then(|dob| age(dob, today))
                .is_some_and(|age| age >= SENIOR_AGE)
    }

    /// What the tier asks of this member.
    pub fn normal_dues(&self, today: Date) -> f64 {
        if self.is_child || self.is_donor() {
            return 0.0;
        }
        let mut dues = self.tier.map_or(DEFAULT_PRICE_P, |t| t.price_p);
        if self.tier.is_some_and(|t| t.concessions_allowed) && self.is_concessionary(today) {
            dues /= 2.0;
        }
        dues.max(MINIMUM_P)
    }

    /// What the member pays at `now`.
    pub fn dues(&self, now: Timestamp) -> f64 {
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let mut dues = self.normal_dues(today);
        if let Some(chosen) = self.payment_override_p
            && chosen > dues
        {
            dues = chosen;
        }
        let voucher_running = self.voucher_start.is_some_and(|start| {
            offimic_perlcompat::dates::add_days_then_months(start, 0, 3)
                .is_some_and(|end| end > now)
        });
        if voucher_running {
            dues *= 0.8;
        }
        dues
    }
}

/// Pence as pounds in Perl's number formatting, as `/get_dues` answers: `30`, `12.5`, `0`.
pub fn pounds(pence: f64) -> String {
    offimic_perlcompat::number::g15(pence / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-20T10:00:00Z".parse().unwrap()
    }

    fn tier(price_p: f64, concessions_allowed: bool) -> Option<TierPrice> {
        Some(TierPrice {
            price_p,
            concessions_allowed,
            donor: false,
        })
    }

    fn standard() -> Option<TierPrice> {
        tier(3000.0, true)
    }

    fn check(member: Member<'_>, normal: f64, dues: f64) {
        let today = now().to_zoned(jiff::tz::TimeZone::UTC).date();
        assert_eq!(
            member.normal_dues(today),
            normal,
            "normal dues of {member:?}"
        );
        assert_eq!(member.dues(now()), dues, "dues of {member:?}");
    }

    #[test]
    fn the_worked_dues_table() {
        check(
            Member {
                tier: standard(),
                dob: Some("1986-05"),
                ..Default::default()
            },
            3000.0,
            3000.0,
        );
        check(
            Member {
                tier: standard(),
                concession: "student",
                ..Default::default()
            },
            1500.0,
            1500.0,
        );
        check(
            Member {
                tier: standard(),
                dob: Some("1950-01"),
                ..Default::default()
            },
            1500.0,
            1500.0,
        );
        check(
            Member {
                tier: tier(1800.0, true),
                concession: "universal credit",
                ..Default::default()
            },
            900.0,
            900.0,
        );
        check(
            Member {
                tier: tier(600.0, false),
                concession: "student",
                ..Default::default()
            },
            600.0,
            600.0,
        );
        check(
            Member {
                tier: tier(4200.0, true),
                concession: "disability",
                ..Default::default()
            },
            2100.0,
            2100.0,
        );
        check(
            Member {
                tier: standard(),
                payment_override_p: Some(3500.0),
                ..Default::default()
            },
            3000.0,
            3500.0,
        );
        check(
            Member {
                tier: standard(),
                payment_override_p: Some(2500.0),
                ..Default::default()
            },
            3000.0,
            3000.0,
        );
        check(
            Member {
                tier: standard(),
                concession: "student",
                payment_override_p: Some(2000.0),
                ..Default::default()
            },
            1500.0,
            2000.0,
        );
        let donation = Some(TierPrice {
            price_p: 0.0,
            concessions_allowed: false,
            donor: true,
        });
        check(
            Member {
                tier: donation,
                ..Default::default()
            },
            0.0,
            0.0,
        );
        check(
            Member {
                tier: donation,
                payment_override_p: Some(1000.0),
                ..Default::default()
            },
            0.0,
            1000.0,
        );
        check(
            Member {
                tier: standard(),
                is_child: true,
                ..Default::default()
            },
            0.0,
            0.0,
        );
        check(
            Member {
                tier: None,
                ..Default::default()
            },
            2500.0,
            2500.0,
        );
        check(
            Member {
                tier: tier(800.0, true),
                concession: "student",
                ..Default::default()
            },
            500.0,
            500.0,
        );
        let month_ago = "2025-12-20T10:00:00Z".parse().ok();
        check(
            Member {
                tier: standard(),
                voucher_start: month_ago,
                ..Default::default()
            },
            3000.0,
            2400.0,
        );
        let four_months_ago = "2025-09-20T10:00:00Z".parse().ok();
        check(
            Member {
                tier: standard(),
                voucher_start: four_months_ago,
                ..Default::default()
            },
            3000.0,
            3000.0,
        );
    }

    #[test]
    fn seniority_counts_from_the_28th_of_the_birth_month() {
        let member = Member {
            tier: standard(),
            dob: Some("1961-01"),
            ..Default::default()
        };
        assert_eq!(member.normal_dues(jiff::civil::date(2026, 1, 27)), 3000.0);
        assert_eq!(member.normal_dues(jiff::civil::date(2026, 1, 28)), 1500.0);
        assert_eq!(age("1961-01", jiff::civil::date(2026, 1, 28)), Some(65));
        assert_eq!(age("not a date", jiff::civil::date(2026, 1, 28)), None);
    }

    #[test]
    fn pounds_print_as_perl_prints_them() {
        assert_eq!(pounds(3000.0), "30");
        assert_eq!(pounds(1250.0), "12.5");
        assert_eq!(pounds(900.0), "9");
        assert_eq!(pounds(0.0), "0");
        assert_eq!(pounds(2500.0), "25");
    }
}
