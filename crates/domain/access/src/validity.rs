//! Membership validity (Swindon §3.6): donors are never valid; a child follows its parent;
//! otherwise a payment must cover the moment asked about.

use jiff::Timestamp;

use crate::model::{Member, Membership};

impl Membership {
    /// Paid for at `at` (ignoring the donor rule).
    fn covers(&self, at: Timestamp) -> bool {
        self.payments
            .iter()
            .any(|p| p.paid_on <= at && at <= p.expires_on)
    }

    /// Paid for without a gap from `from` to `to`.
    fn covers_span(&self, from: Timestamp, to: Timestamp) -> bool {
        let mut payments = self.payments.clone();
        payments.sort_by_key(|p| p.paid_on);
        let mut reached = from;
        for payment in payments {
            if payment.paid_on <= reached && payment.expires_on >= reached {
                reached = payment.expires_on;
                if reached >= to {
                    return true;
                }
            }
        }
        false
    }

    /// The latest expiry of any payment.
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.payments.iter().map(|p| p.expires_on).max()
    }
}

impl Member {
    /// The membership validity depends on: the parent's for a child.
    fn governing(&self) -> &Membership {
        self.parent.as_ref().unwrap_or(&self.membership)
    }

    fn donor(&self) -> bool {
        self.membership.donor || self.parent.as_ref().is_some_and(|p| p.donor)
    }

    /// Whether the person is a valid member at `at`.
    pub fn is_valid(&self, at: Timestamp) -> bool {
        !self.donor() && self.governing().covers(at)
    }

    /// Whether the person stays valid from `from` until `to`.
    pub fn is_valid_throughout(&self, from: Timestamp, to: Timestamp) -> bool {
        !self.donor() && self.governing().covers_span(from, to)
    }

    /// Until when the membership is paid (the parent's for a child).
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.governing().valid_until()
    }

    /// On a donor tier, or the child of someone who is.
    pub fn is_donor(&self) -> bool {
        self.donor()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::model::Payment;
    use crate::restrictions::Restrictions;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn paid(from: &str, to: &str) -> Payment {
        Payment {
            paid_on: at(from),
            expires_on: at(to),
        }
    }

    fn member(membership: Membership, parent: Option<Membership>) -> Member {
        Member {
            id: 1,
            name: "Ada".into(),
            membership,
            parent,
            restrictions: Restrictions::default(),
            inductions: HashMap::new(),
            group_things: HashSet::new(),
        }
    }

    fn paying(payments: Vec<Payment>) -> Membership {
        Membership {
            donor: false,
            payments,
        }
    }

    #[test]
    fn a_payment_covering_now_makes_a_member_valid_inclusive_of_both_ends() {
        let m = member(
            paying(vec![paid("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]),
            None,
        );
        assert!(m.is_valid(at("2026-01-01T00:00:00Z")));
        assert!(m.is_valid(at("2026-02-01T00:00:00Z")));
        assert!(!m.is_valid(at("2026-02-01T00:00:01Z")));
        assert!(
            !m.is_valid(at("2025-12-31T23:59:59Z")),
            "a payment starting later does not count yet"
        );
        assert_eq!(m.valid_until(), Some(at("2026-02-01T00:00:00Z")));
    }

    #[test]
    fn no_payments_is_not_valid() {
        let m = member(Membership::default(), None);
        assert!(!m.is_valid(at("2026-01-20T10:00:00Z")));
        assert_eq!(m.valid_until(), None);
    }

    #[test]
    fn donors_are_never_valid() {
        let mut membership = paying(vec![paid("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]);
        membership.donor = true;
        let m = member(membership, None);
        assert!(!m.is_valid(at("2026-06-01T00:00:00Z")));
        assert!(m.is_donor());
    }

    #[test]
    fn children_follow_their_parent() {
        let parent = paying(vec![paid("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]);
        let child = member(Membership::default(), Some(parent.clone()));
        assert!(child.is_valid(at("2026-01-15T00:00:00Z")));
        assert!(!child.is_valid(at("2026-03-01T00:00:00Z")));
        assert_eq!(child.valid_until(), Some(at("2026-02-01T00:00:00Z")));
        let donor_parent = Membership {
            donor: true,
            ..parent
        };
        assert!(
            !member(Membership::default(), Some(donor_parent)).is_valid(at("2026-01-15T00:00:00Z"))
        );
    }

    #[test]
    fn spans_must_be_covered_without_gaps() {
        let m = member(
            paying(vec![
                paid("2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z"),
                paid("2026-01-10T00:00:00Z", "2026-01-20T00:00:00Z"),
                paid("2026-01-21T00:00:00Z", "2026-02-01T00:00:00Z"),
            ]),
            None,
        );
        assert!(m.is_valid_throughout(at("2026-01-05T00:00:00Z"), at("2026-01-19T00:00:00Z")));
        assert!(!m.is_valid_throughout(at("2026-01-19T00:00:00Z"), at("2026-01-22T00:00:00Z")));
    }
}
