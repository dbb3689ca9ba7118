//! The treasurer's operations, shared by the command line, the daily job and the admin API:
//! turning statement files into stored lines (with the member each credit names), and the
//! payment run over every member with its stale-feed guard.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use offimic_bank::{Format, Statement};
use offimic_dues::payment_run::{Action, Feed};
use offimic_store::{BankLine, MemberStatus, RunSettings, StatementImport, StoreResult};

use crate::app::AppState;
use crate::config::PaymentsConfig;

/// A statement format as the command line and the API name it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatementFormat {
    Ofx,
    Camt053,
    Barclays,
    Csv,
}

impl From<StatementFormat> for offimic_bank::Format {
    fn from(format: StatementFormat) -> Self {
        match format {
            StatementFormat::Ofx => offimic_bank::Format::Ofx,
            StatementFormat::Camt053 => offimic_bank::Format::Camt053,
            StatementFormat::Barclays => offimic_bank::Format::BarclaysCsv,
            StatementFormat::Csv => offimic_bank::Format::Csv,
        }
    }
}

/// Parses one statement file. `format` is detected from the content when not given.
pub fn parse_statement(
    source: &str,
    bytes: &[u8],
    format: Option<Format>,
    config: &PaymentsConfig,
    at: Timestamp,
) -> Result<StatementImport, String> {
    let format = format.or_else(|| offimic_bank::detect(bytes)).ok_or_else(|| {
        format!("{source}: not a statement offimic recognises (OFX, camt.053 or Barclays CSV); name the format for other CSV files")
    })?;
    let statement = offimic_bank::parse(bytes, format, config.csv.as_ref())
        .map_err(|error| format!("{source}: {error}"))?;
    Ok(StatementImport {
        source: source.to_owned(),
        format: statement.format.name().to_owned(),
        lines: lines(&statement, &config.reference_prefix),
        at,
    })
}

/// The statement's lines with their identities and members. A line the bank gave an id is
/// known by it (per account); one without is known by date, amount, text and how many
/// identical lines came before it in the file, so that overlapping statements match up while
/// two equal payments on one day both count.
fn lines(statement: &Statement, prefix: &str) -> Vec<BankLine> {
    let account = statement.account.as_deref().unwrap_or("");
    let mut seen: HashMap<String, usize> = HashMap::new();
    statement
        .lines
        .iter()
        .map(|line| {
            let dedupe_key = match &line.bank_id {
                Some(id) => format!("id:{account}:{id}"),
                None => {
                    let text = line.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let base = format!(
                        "line:{account}:{}:{}:{}",
                        line.posted.strftime("%Y-%m-%d"),
                        line.amount_p,
                        text.to_uppercase()
                    );
                    let count = seen.entry(base.clone()).or_default();
                    *count += 1;
                    format!("{base}#{count}")
                }
            };
            BankLine {
                dedupe_key,
                bank_id: line.bank_id.clone(),
                posted: line.posted,
                amount_p: line.amount_p,
                text: line.text.clone(),
                member: offimic_bank::member_reference(&line.text, prefix),
            }
        })
        .collect()
}

/// Whether a person's membership is valid: donors never are, children follow their parent,
/// everyone else needs a payment covering now.
pub fn is_valid(status: &MemberStatus, parent: Option<&MemberStatus>) -> bool {
    match (status.parent_id, parent) {
        (Some(_), Some(parent)) => is_valid(parent, None),
        (Some(_), None) => false,
        (None, _) => !status.tier.is_some_and(|t| t.donor) && status.paid_now,
    }
}

/// What a person pays a month at `now`, in pence.
pub fn dues(status: &MemberStatus, now: Timestamp) -> f64 {
    offimic_dues::Member {
        tier: status.tier,
        is_child: status.parent_id.is_some(),
        concession: &status.concession,
        dob: status.dob.as_deref(),
        payment_override_p: status.payment_override_p,
        voucher_start: status
            .voucher_code
            .as_deref()
            .filter(|code| !code.is_empty())
            .and(status.voucher_start),
    }
    .dues(now)
}

/// What a payment run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RunReport {
    pub members: usize,
    pub payments: usize,
    pub paid_p: i64,
    pub emails: usize,
    pub donors: usize,
    pub returned: usize,
    /// Whether the bank feed was stale, and when the last statement came.
    pub stale: bool,
    pub last_import: Option<Timestamp>,
    /// Members whose first payment could not open the door (no such thing).
    pub door_missing: Vec<i64>,
    /// Members the run failed for; the others were still processed.
    pub failures: Vec<(i64, String)>,
}

impl RunReport {
    /// One line for the operator.
    pub fn summary(&self, door: &str) -> String {
        let mut text = format!(
            "payment run: {} members, {} payments (£{:.2}), {} emails, {} moved to donor, {} back from donor",
            self.members,
            self.payments,
            self.paid_p as f64 / 100.0,
            self.emails,
            self.donors,
            self.returned
        );
        if self.stale {
            let since = self.last_import.map_or("never".to_owned(), |at| {
                at.strftime("%Y-%m-%d %H:%M UTC").to_string()
            });
            text += &format!(
                "; the bank feed is stale (last statement imported: {since}), so no member was moved to donor and no reminder was sent"
            );
        }
        if !self.door_missing.is_empty() {
            text += &format!(
                "; no thing is named {door:?}, so {} first payments could not open the door",
                self.door_missing.len()
            );
        }
        if !self.failures.is_empty() {
            text += &format!("; {} members failed", self.failures.len());
        }
        text
    }
}

/// Runs the payment run for every adult member as of `now`, one transaction per member.
pub async fn run_payments(state: &AppState, now: Timestamp) -> StoreResult<RunReport> {
    let config = &state.config.payments;
    let last_import = state.store.last_statement_import().await?;
    let window = SignedDuration::from_hours(24 * i64::from(config.stale_after_days));
    let stale = last_import.is_none_or(|at| at + window < now);
    let settings = RunSettings {
        now,
        feed: if stale { Feed::Stale } else { Feed::Fresh },
        door: &config.door,
    };
    let mail = state.mail.clone();
    let compose = move |draft: &offimic_store::EmailDraft| mail.compose(draft);
    let mut report = RunReport {
        stale,
        last_import,
        ..RunReport::default()
    };
    for person in state.store.payment_run_members().await? {
        report.members += 1;
        let run = match state.store.run_payment(person, settings, &compose).await {
            Ok(run) => run,
            Err(error) => {
                tracing::error!(person, %error, "payment run failed for this member");
                report.failures.push((person, error.to_string()));
                continue;
            }
        };
        if run.door_missing {
            report.door_missing.push(person);
        }
        for action in &run.actions {
            match action {
                Action::Pay { amount_p, .. } => {
                    report.payments += 1;
                    report.paid_p += amount_p;
                }
                Action::Email { .. } => report.emails += 1,
                Action::Donorify { .. } => report.donors += 1,
                Action::RevertTier { .. } => report.returned += 1,
                Action::StartVoucher(_) | Action::DropEmail(_) | Action::OpenDoor => {}
            }
        }
    }
    if report.emails > 0 {
        state.mail.queued.notify_one();
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(text: &str, bank_id: Option<&str>) -> offimic_bank::StatementLine {
        offimic_bank::StatementLine {
            bank_id: bank_id.map(str::to_owned),
            posted: "2026-01-18T00:00:00Z".parse().unwrap(),
            amount_p: 3000,
            text: text.into(),
        }
    }

    #[test]
    fn equal_lines_without_ids_are_told_apart_by_position() {
        let statement = Statement {
            format: Format::BarclaysCsv,
            account: Some("20-00-00 12345678".into()),
            lines: vec![
                statement("J SMITH  SM0042", None),
                statement("J SMITH SM0042", None),
                statement("A N OTHER", Some("FIT-1")),
            ],
        };
        let lines = lines(&statement, "SM");
        assert_eq!(lines[0].member, Some(42));
        assert_eq!(lines[2].member, None);
        assert!(lines[0].dedupe_key.ends_with("#1"));
        assert!(
            lines[1].dedupe_key.ends_with("#2"),
            "whitespace does not make lines differ"
        );
        assert_eq!(lines[2].dedupe_key, "id:20-00-00 12345678:FIT-1");
    }
}
