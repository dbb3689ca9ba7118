//! The directors' membership report (Swindon's `membership_status_update`): every person gets
//! flags (valid, child, concession or full, their tier, ex-member, overdue, recently expired),
//! every ordered triple of a person's flags is counted, and a short text sums it up.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

/// What the report needs to know about one person.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPerson {
    pub id: i64,
    pub name: String,
    pub is_child: bool,
    pub valid: bool,
    pub concession: bool,
    pub tier: String,
    pub ended: bool,
    pub valid_until: Option<Timestamp>,
    /// What the person pays a month, in pence.
    pub dues_p: f64,
}

/// Counts by flag triple, the income the valid members bring, and who left recently.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub counts: BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>,
    pub income_p: f64,
    /// People whose membership ran out in the 27 days before yesterday, without leaving.
    pub recent_expired: Vec<i64>,
    pub text: String,
}

impl Report {
    fn count(&self, a: &str, b: &str, c: &str) -> u64 {
        self.counts
            .get(a)
            .and_then(|m| m.get(b))
            .and_then(|m| m.get(c))
            .copied()
            .unwrap_or(0)
    }
}

fn flags(person: &ReportPerson, now: Timestamp) -> Vec<String> {
    let mut flags = Vec::new();
    if person.valid {
        flags.push("valid_members".to_owned());
    }
    if person.is_child {
        flags.push("child".to_owned());
    } else {
        flags.push(
            if person.concession {
                "concession"
            } else {
                "full"
            }
            .to_owned(),
        );
        flags.push(person.tier.clone());
        if person.ended && !person.valid {
            flags.push("ex_members".to_owned());
        }
        if !person.ended && !person.valid {
            flags.push("overdue_members".to_owned());
        }
        flags.push("adult".to_owned());
        flags.push("count".to_owned());
    }
    let yesterday = now - SignedDuration::from_hours(24);
    let window_start = yesterday - SignedDuration::from_hours(24 * 27);
    if !person.ended
        && person
            .valid_until
            .is_some_and(|until| until >= window_start && until <= yesterday)
    {
        flags.push("recent_expired".to_owned());
    }
    flags
}

/// The report as of `now`; `tiers` are the tier names in the order the text lists them.
pub fn membership_report(people: &[ReportPerson], tiers: &[String], now: Timestamp) -> Report {
    let mut report = Report::default();
    for person in people {
        let flags = flags(person, now);
        for a in &flags {
            for b in &flags {
                for c in &flags {
                    *report
                        .counts
                        .entry(a.clone())
                        .or_default()
                        .entry(b.clone())
                        .or_default()
                        .entry(c.clone())
                        .or_default() += 1;
                }
            }
        }
        if person.valid {
            report.income_p += person.dues_p;
        }
        if flags.iter().any(|f| f == "recent_expired") {
            report.recent_expired.push(person.id);
        }
    }
    let mut text = format!(
        "\nCurrent Total Members: {}\n",
        report.count("valid_members", "adult", "count")
    );
    for tier in tiers {
        text += &format!(
            "{:<15.15}: {:>3} full, {:>3} concession\n",
            tier,
            report.count("valid_members", tier, "full"),
            report.count("valid_members", tier, "concession"),
        );
    }
    text += &format!("Income expected: £{:.2}\n", report.income_p / 100.0);
    text += &format!("Left this month: {}\n", report.recent_expired.len());
    report.text = text;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-20T10:00:00Z".parse().unwrap()
    }

    fn person(id: i64, valid: bool, tier: &str) -> ReportPerson {
        ReportPerson {
            id,
            name: format!("Person {id}"),
            is_child: false,
            valid,
            concession: false,
            tier: tier.into(),
            ended: false,
            valid_until: None,
            dues_p: 3000.0,
        }
    }

    #[test]
    fn flags_are_counted_in_every_triple() {
        let mut student = person(2, true, "Standard");
        student.concession = true;
        student.dues_p = 1500.0;
        let mut lapsed = person(3, false, "Standard");
        lapsed.valid_until = Some("2026-01-10T00:00:00Z".parse().unwrap());
        let mut left = person(4, false, "Weekend");
        left.ended = true;
        let mut child = person(5, true, "");
        child.is_child = true;
        child.dues_p = 0.0;
        let people = [person(1, true, "Standard"), student, lapsed, left, child];
        let report = membership_report(&people, &["Standard".into(), "Weekend".into()], now());

        assert_eq!(report.count("valid_members", "adult", "count"), 2);
        assert_eq!(report.count("valid_members", "Standard", "full"), 1);
        assert_eq!(report.count("concession", "valid_members", "Standard"), 1);
        assert_eq!(report.count("child", "child", "child"), 1);
        assert_eq!(
            report.count("overdue_members", "overdue_members", "overdue_members"),
            1
        );
        assert_eq!(report.count("ex_members", "Weekend", "adult"), 1);
        assert_eq!(report.recent_expired, [3]);
        assert_eq!(report.income_p, 4500.0);
        assert_eq!(
            report.text,
            "\nCurrent Total Members: 2\n\
             Standard       :   1 full,   1 concession\n\
             Weekend        :   0 full,   0 concession\n\
             Income expected: £45.00\n\
             Left this month: 1\n"
        );
    }

    #[test]
    fn recently_expired_means_within_the_27_days_before_yesterday() {
        let at = |text: &str| Some(text.parse().unwrap());
        let mut edge = person(1, false, "Standard");
        edge.valid_until = at("2025-12-23T10:00:00Z");
        let mut too_old = person(2, false, "Standard");
        too_old.valid_until = at("2025-12-23T09:59:59Z");
        let mut today = person(3, false, "Standard");
        today.valid_until = at("2026-01-19T10:00:01Z");
        let report = membership_report(&[edge, too_old, today], &[], now());
        assert_eq!(report.recent_expired, [1]);
    }
}
