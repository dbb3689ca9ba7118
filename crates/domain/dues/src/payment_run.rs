//! The daily payment run for one member (Swindon's `create_payment`): from the member's
//! balance, dues and membership, decide what happens today. The plan is a list of actions the
//! store carries out in one transaction; running the plan again on the same day finds nothing
//! left to do (the membership no longer ends within 14 days).

use jiff::{SignedDuration, Timestamp};

use crate::{Member, TierPrice};
use offimic_perlcompat::dates::add_days_then_months;

/// A membership is renewed when it ends within this many days.
pub const OVERLAP_DAYS: i64 = 14;

/// A member's dues profile, owned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub tier_id: Option<i64>,
    pub tier: Option<TierPrice>,
    pub is_child: bool,
    pub concession: String,
    pub dob: Option<String>,
    pub payment_override_p: Option<f64>,
    pub voucher_code: Option<String>,
    pub voucher_start: Option<Timestamp>,
}

impl Profile {
    fn member(&self) -> Member<'_> {
        Member {
            tier: self.tier,
            is_child: self.is_child,
            concession: &self.concession,
            dob: self.dob.as_deref(),
            payment_override_p: self.payment_override_p,
            voucher_start: self.voucher_start,
        }
    }

    fn dues(&self, now: Timestamp) -> f64 {
        self.member().dues(now)
    }

    fn normal_dues(&self, now: Timestamp) -> f64 {
        self.member()
            .normal_dues(now.to_zoned(jiff::tz::TimeZone::UTC).date())
    }

    fn is_donor(&self) -> bool {
        self.member().is_donor()
    }
}

/// The tier a donor had before being moved to the donor tier.
#[derive(Debug, Clone, PartialEq)]
pub struct OldTier {
    pub tier_id: i64,
    pub tier: TierPrice,
    /// The voluntary amount the member paid then.
    pub fees_p: Option<f64>,
    pub changed_on: Timestamp,
}

/// Everything the run looks at for one member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunState {
    pub profile: Profile,
    /// The latest expiry of any payment.
    pub valid_until: Option<Timestamp>,
    /// The last payment: paid on, expires on.
    pub last_payment: Option<(Timestamp, Timestamp)>,
    /// The ledger's sum.
    pub balance_p: i64,
    pub old_tier: Option<OldTier>,
    /// The member's latest use of any thing.
    pub last_usage: Option<Timestamp>,
    /// The space has a donor tier to move lapsing members to.
    pub donor_tier: bool,
}

/// What the run does, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The first run after a voucher code was given starts its three months.
    StartVoucher(Timestamp),
    /// A donor whose balance covers their old dues goes back to their old tier.
    RevertTier {
        tier_id: i64,
        payment_override_p: f64,
    },
    /// Move to the donor tier, remembering the old tier and fees.
    Donorify {
        old_tier_id: Option<i64>,
        old_fees_p: Option<f64>,
        changed_on: Timestamp,
    },
    /// Queue an email; a forced one replaces an earlier one of the same kind.
    Email {
        kind: &'static str,
        forced: bool,
        vars: Vec<(&'static str, String)>,
    },
    /// Withdraw a queued email of this kind.
    DropEmail(&'static str),
    /// Confirm the member's induction on the door (created if missing).
    OpenDoor,
    /// Take `amount_p` from the balance and extend the membership.
    Pay {
        paid_on: Timestamp,
        expires_on: Timestamp,
        amount_p: i64,
        reason: String,
    },
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `Sat, 3 January 2026`, as the reminder email shows dates.
pub fn email_date(at: Timestamp) -> String {
    let day = at.to_zoned(jiff::tz::TimeZone::UTC);
    let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        [day.weekday().to_monday_zero_offset() as usize];
    format!(
        "{weekday}, {} {} {}",
        day.day(),
        MONTHS[(day.month() - 1) as usize],
        day.year()
    )
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn months_ago(now: Timestamp, months: i64) -> Timestamp {
    add_days_then_months(now, 0, -months).unwrap_or(Timestamp::MIN)
}

/// Whether the bank feed is current. With a stale feed (no statement imported for days) a low
/// balance may only mean the money has not been imported yet, so the run neither moves members
/// to the donor tier nor sends reminders; payments from money already imported still happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Fresh,
    Stale,
}

/// Today's plan for one adult member.
pub fn plan(state: &RunState, now: Timestamp, feed: Feed) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut profile = state.profile.clone();
    let valid_until = state.valid_until;
    let balance = state.balance_p as f64;

    if valid_until.is_some_and(|v| v - days(OVERLAP_DAYS) > now) {
        return actions;
    }
    if valid_until.is_none()
        && profile
            .voucher_code
            .as_deref()
            .is_some_and(|c| !c.is_empty())
    {
        profile.voucher_start = Some(now);
        actions.push(Action::StartVoucher(now));
    }
    if profile.is_donor()
        && let Some(old) = &state.old_tier
        && old.changed_on > months_ago(now, 1)
    {
        let old_profile = Profile {
            tier_id: Some(old.tier_id),
            tier: Some(old.tier),
            payment_override_p: old.fees_p,
            ..profile.clone()
        };
        if balance >= old_profile.dues(now) {
            let normal = old_profile.normal_dues(now);
            profile = Profile {
                payment_override_p: Some(normal),
                ..old_profile
            };
            actions.push(Action::RevertTier {
                tier_id: old.tier_id,
                payment_override_p: normal,
            });
        }
    }
    let dues = profile.dues(now);
    let donor = profile.is_donor();
    if balance < dues {
        if feed == Feed::Stale {
            return actions;
        }
        if let Some(v) = valid_until
            && v - days(OVERLAP_DAYS / 2) < now
            && balance > 0.0
            && profile.payment_override_p.unwrap_or(0.0) < profile.normal_dues(now)
            && !donor
            && state.donor_tier
        {
            actions.push(Action::Donorify {
                old_tier_id: profile.tier_id,
                old_fees_p: profile.payment_override_p,
                changed_on: now,
            });
            let recent = months_ago(now, 2);
            if v > recent && state.last_usage.is_some_and(|used| used > recent) {
                actions.push(Action::Email {
                    kind: "move_to_donation_tier",
                    forced: true,
                    vars: vec![
                        ("current_balance", state.balance_p.to_string()),
                        ("min_dues", profile.normal_dues(now).to_string()),
                    ],
                });
            }
            return actions;
        }
        if let Some(v) = valid_until
            && !donor
            && v - days(5) < now
            && v >= months_ago(now, 1)
        {
            let paid = state
                .last_payment
                .map(|(paid_on, _)| email_date(paid_on))
                .unwrap_or_default();
            actions.push(Action::Email {
                kind: "reminder_email",
                forced: false,
                vars: vec![
                    ("paid_date", paid),
                    ("expires_date", email_date(v - days(OVERLAP_DAYS))),
                ],
            });
        }
        return actions;
    }
    if donor {
        return actions;
    }
    if valid_until.is_none() {
        actions.push(Action::Email {
            kind: "first_payment",
            forced: false,
            vars: Vec::new(),
        });
    }
    let rejoin = valid_until.is_some_and(|v| v < now);
    let (start, extra) = match valid_until {
        Some(v) if v >= now => (v, 0),
        _ => (now, OVERLAP_DAYS),
    };
    actions.push(Action::OpenDoor);
    let yearly = balance >= dues * 12.0 * 0.9;
    let (size, months) = if yearly { (dues * 10.8, 12) } else { (dues, 1) };
    let expires_on = add_days_then_months(start, extra, months).unwrap_or(start);
    let today = now.to_zoned(jiff::tz::TimeZone::UTC);
    actions.push(Action::Pay {
        paid_on: now,
        expires_on,
        amount_p: size.round() as i64,
        reason: format!(
            "Membership payment for {} {}",
            MONTHS[(today.month() - 1) as usize],
            today.year()
        ),
    });
    if rejoin {
        actions.push(Action::Email {
            kind: "rejoin_payment",
            forced: true,
            vars: Vec::new(),
        });
        actions.push(Action::DropEmail("reminder_email"));
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn now() -> Timestamp {
        at("2026-01-20T10:00:00Z")
    }

    fn standard() -> TierPrice {
        TierPrice {
            price_p: 3000.0,
            concessions_allowed: true,
            donor: false,
        }
    }

    fn donation() -> TierPrice {
        TierPrice {
            price_p: 0.0,
            concessions_allowed: false,
            donor: true,
        }
    }

    fn member(balance_p: i64, valid_until: Option<&str>) -> RunState {
        RunState {
            profile: Profile {
                tier_id: Some(3),
                tier: Some(standard()),
                ..Default::default()
            },
            valid_until: valid_until.map(at),
            last_payment: valid_until.map(|v| (at(v) - days(30), at(v))),
            balance_p,
            donor_tier: true,
            ..Default::default()
        }
    }

    fn payment(actions: &[Action]) -> Option<(String, i64)> {
        actions.iter().find_map(|a| match a {
            Action::Pay {
                expires_on,
                amount_p,
                ..
            } => Some((expires_on.to_string(), *amount_p)),
            _ => None,
        })
    }

    fn emails(actions: &[Action]) -> Vec<&'static str> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Email { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn p1_first_payment() {
        let actions = plan(&member(3000, None), now(), Feed::Fresh);
        assert_eq!(
            payment(&actions),
            Some(("2026-03-03T10:00:00Z".into(), 3000))
        );
        assert_eq!(emails(&actions), ["first_payment"]);
        assert!(actions.contains(&Action::OpenDoor));
        let reason = actions.iter().find_map(|a| match a {
            Action::Pay { reason, .. } => Some(reason.clone()),
            _ => None,
        });
        assert_eq!(
            reason.as_deref(),
            Some("Membership payment for January 2026")
        );
    }

    #[test]
    fn p2_not_enough_for_a_first_payment() {
        assert!(plan(&member(2999, None), now(), Feed::Fresh).is_empty());
    }

    #[test]
    fn p3_renewal_continues_from_the_expiry_with_month_end_spill() {
        let actions = plan(
            &member(3000, Some("2026-01-31T09:00:00Z")),
            now(),
            Feed::Fresh,
        );
        assert_eq!(
            payment(&actions),
            Some(("2026-03-03T09:00:00Z".into(), 3000))
        );
        assert!(emails(&actions).is_empty());
    }

    #[test]
    fn p4_not_about_to_expire() {
        assert!(
            plan(
                &member(9000, Some("2026-02-04T10:00:01Z")),
                now(),
                Feed::Fresh
            )
            .is_empty()
        );
        assert!(
            payment(&plan(
                &member(9000, Some("2026-02-03T10:00:00Z")),
                now(),
                Feed::Fresh
            ))
            .is_some(),
            "exactly 14 days proceeds"
        );
    }

    #[test]
    fn p5_rejoin_after_expiry() {
        let actions = plan(
            &member(3000, Some("2026-01-10T00:00:00Z")),
            now(),
            Feed::Fresh,
        );
        assert_eq!(
            payment(&actions),
            Some(("2026-03-03T10:00:00Z".into(), 3000))
        );
        assert_eq!(emails(&actions), ["rejoin_payment"]);
        assert!(actions.contains(&Action::DropEmail("reminder_email")));
    }

    #[test]
    fn p6_yearly_payment_at_ten_point_eight_months() {
        let actions = plan(&member(32400, None), now(), Feed::Fresh);
        assert_eq!(
            payment(&actions),
            Some(("2027-02-03T10:00:00Z".into(), 32400))
        );
        assert_eq!(
            payment(&plan(&member(32399, None), now(), Feed::Fresh)),
            Some(("2026-03-03T10:00:00Z".into(), 3000))
        );
    }

    #[test]
    fn p7_yearly_extension() {
        let actions = plan(
            &member(32400, Some("2026-01-25T00:00:00Z")),
            now(),
            Feed::Fresh,
        );
        assert_eq!(
            payment(&actions),
            Some(("2027-01-25T00:00:00Z".into(), 32400))
        );
    }

    #[test]
    fn p8_reminder_for_a_recently_lapsed_member() {
        let mut state = member(0, Some("2026-01-17T00:00:00Z"));
        state.last_payment = Some((at("2025-12-17T00:00:00Z"), at("2026-01-17T00:00:00Z")));
        let actions = plan(&state, now(), Feed::Fresh);
        assert_eq!(
            actions,
            vec![Action::Email {
                kind: "reminder_email",
                forced: false,
                vars: vec![
                    ("paid_date", "Wed, 17 December 2025".into()),
                    ("expires_date", "Sat, 3 January 2026".into())
                ],
            }]
        );
    }

    #[test]
    fn p9_no_reminder_after_a_month() {
        assert!(plan(&member(0, Some("2025-12-19T00:00:00Z")), now(), Feed::Fresh).is_empty());
    }

    fn p10_state() -> RunState {
        let mut state = member(2500, Some("2026-01-19T10:00:00Z"));
        state.profile.payment_override_p = Some(2500.0);
        state.last_usage = Some(now() - days(2));
        state
    }

    #[test]
    fn p10_donorify_a_member_who_cannot_pay_the_new_price() {
        let actions = plan(&p10_state(), now(), Feed::Fresh);
        assert_eq!(
            actions[0],
            Action::Donorify {
                old_tier_id: Some(3),
                old_fees_p: Some(2500.0),
                changed_on: now()
            }
        );
        assert_eq!(emails(&actions), ["move_to_donation_tier"]);
    }

    #[test]
    fn p11_too_early_to_donorify_or_remind() {
        let mut state = p10_state();
        state.valid_until = Some(at("2026-01-30T00:00:00Z"));
        assert!(plan(&state, now(), Feed::Fresh).is_empty());
    }

    #[test]
    fn p12_no_balance_is_a_reminder_not_a_donor() {
        let mut state = p10_state();
        state.balance_p = 0;
        assert_eq!(
            emails(&plan(&state, now(), Feed::Fresh)),
            ["reminder_email"]
        );
    }

    #[test]
    fn p13_a_donor_who_tops_up_goes_back_and_rejoins() {
        let mut state = member(3000, Some("2026-01-19T10:00:00Z"));
        state.profile = Profile {
            tier_id: Some(6),
            tier: Some(donation()),
            payment_override_p: Some(0.0),
            ..Default::default()
        };
        state.old_tier = Some(OldTier {
            tier_id: 3,
            tier: standard(),
            fees_p: Some(2500.0),
            changed_on: now() - days(1),
        });
        let actions = plan(&state, now(), Feed::Fresh);
        assert_eq!(
            actions[0],
            Action::RevertTier {
                tier_id: 3,
                payment_override_p: 3000.0
            }
        );
        assert_eq!(
            payment(&actions),
            Some(("2026-03-03T10:00:00Z".into(), 3000))
        );
        assert_eq!(emails(&actions), ["rejoin_payment"]);
    }

    #[test]
    fn a_donor_without_money_stays_a_donor_and_gets_nothing() {
        let mut state = member(0, None);
        state.profile.tier = Some(donation());
        assert!(plan(&state, now(), Feed::Fresh).is_empty());
        state.balance_p = 100_000;
        assert!(
            payment(&plan(&state, now(), Feed::Fresh)).is_none(),
            "donors never get payment rows"
        );
    }

    #[test]
    fn p14_fixture_case() {
        let mut state = member(5200, None);
        state.profile.tier = Some(TierPrice {
            price_p: 2500.0,
            concessions_allowed: true,
            donor: false,
        });
        let actions = plan(&state, now(), Feed::Fresh);
        assert_eq!(payment(&actions).map(|p| p.1), Some(2500));
        assert_eq!(emails(&actions), ["first_payment"]);
    }

    #[test]
    fn a_voucher_starts_on_the_first_run_and_discounts_it() {
        let mut state = member(3000, None);
        state.profile.voucher_code = Some("festival".into());
        let actions = plan(&state, now(), Feed::Fresh);
        assert_eq!(actions[0], Action::StartVoucher(now()));
        assert_eq!(payment(&actions).map(|p| p.1), Some(2400));
    }

    #[test]
    fn running_twice_on_the_same_day_changes_nothing_the_second_time() {
        let first = plan(&member(6000, None), now(), Feed::Fresh);
        let Some(Action::Pay { expires_on, .. }) = first
            .iter()
            .find(|a| matches!(a, Action::Pay { .. }))
            .cloned()
        else {
            panic!("a payment");
        };
        let mut after = member(3000, None);
        after.valid_until = Some(expires_on);
        assert!(plan(&after, now(), Feed::Fresh).is_empty());
    }

    #[test]
    fn a_stale_feed_pays_from_imported_money_but_neither_donorifies_nor_reminds() {
        assert!(plan(&p10_state(), now(), Feed::Stale).is_empty());
        let lapsed = member(0, Some("2026-01-17T00:00:00Z"));
        assert_eq!(
            emails(&plan(&lapsed, now(), Feed::Fresh)),
            ["reminder_email"]
        );
        assert!(plan(&lapsed, now(), Feed::Stale).is_empty());
        let paid = plan(&member(3000, None), now(), Feed::Stale);
        assert!(payment(&paid).is_some());
    }

    #[test]
    fn without_a_donor_tier_a_lapsing_member_is_reminded_instead() {
        let state = RunState {
            donor_tier: false,
            ..p10_state()
        };
        assert_eq!(
            emails(&plan(&state, now(), Feed::Fresh)),
            ["reminder_email"]
        );
    }

    #[test]
    fn email_dates() {
        assert_eq!(
            email_date(at("2026-01-03T00:00:00Z")),
            "Sat, 3 January 2026"
        );
    }
}
