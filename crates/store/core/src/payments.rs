//! Who has paid: bank statements as imported, the member ledger (balances, debits), the daily
//! payment run applied one member per transaction, and the email outbox's delivery state.

use async_trait::async_trait;
use jiff::Timestamp;
use offimic_dues::payment_run::{Action, Feed};

use crate::StoreResult;

/// One statement line, ready to store: the server has parsed it and looked for a member
/// reference in its text.
#[derive(Debug, Clone, PartialEq)]
pub struct BankLine {
    /// What makes the line unique across statements: the bank's transaction id when it has
    /// one, else its date, amount, text and position among identical lines.
    pub dedupe_key: String,
    pub bank_id: Option<String>,
    pub posted: Timestamp,
    pub amount_p: i64,
    pub text: String,
    /// The member the reference names, if any (it may not exist).
    pub member: Option<i64>,
}

/// A parsed statement file to record.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementImport {
    /// Where it came from (the file name).
    pub source: String,
    /// `OFX`, `camt.053`, …
    pub format: String,
    pub lines: Vec<BankLine>,
    pub at: Timestamp,
}

/// What importing one statement changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementSummary {
    /// Lines in the file.
    pub lines: usize,
    /// Lines not seen in an earlier statement.
    pub new_lines: usize,
    /// New credits put on a member's balance, and their sum.
    pub credited: usize,
    pub credited_p: i64,
    /// New credits no member could be found for.
    pub unmatched: usize,
    /// New lines matching a credit already on the member's ledger (same day and amount, not
    /// from any statement: history brought over from an earlier system), linked, not credited.
    pub already_credited: usize,
}

/// A credit that is on no member's balance yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedCredit {
    pub id: i64,
    pub posted: Timestamp,
    pub amount_p: i64,
    pub text: String,
    pub source: String,
    pub imported_at: Timestamp,
}

/// The result of giving an unmatched credit to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditAssignment {
    Assigned { balance_p: i64 },
    NoSuchCredit,
    AlreadyAssigned,
    NoSuchPerson,
}

/// One ledger entry: positive credits, negative debits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub added_on: Timestamp,
    pub amount_p: i64,
    pub reason: String,
}

/// An email the payment run wants written: the outbox composes it from the type's templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailDraft {
    pub person: i64,
    pub name: String,
    pub kind: String,
    pub vars: Vec<(String, String)>,
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposedEmail {
    pub subject: String,
    pub plain_text: String,
    pub html: Option<String>,
}

/// Renders an email inside the run's transaction (no I/O).
pub type Composer = dyn Fn(&EmailDraft) -> ComposedEmail + Send + Sync;

/// What the run did for one member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRun {
    pub person: i64,
    pub actions: Vec<Action>,
    /// The door thing was not found, so a first payment could not confirm door access.
    pub door_missing: bool,
}

/// The run's settings.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings<'a> {
    pub now: Timestamp,
    pub feed: Feed,
    /// The thing a first payment opens (Swindon's "The Door").
    pub door: &'a str,
}

/// What the admin and the membership report need to know about a person.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberStatus {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub email: Option<String>,
    pub created_at: Timestamp,
    pub end_date: Option<Timestamp>,
    pub concession: String,
    pub dob: Option<String>,
    pub tier_id: Option<i64>,
    pub tier_name: Option<String>,
    pub tier: Option<offimic_dues::TierPrice>,
    pub payment_override_p: Option<f64>,
    pub voucher_code: Option<String>,
    pub voucher_start: Option<Timestamp>,
    /// The latest expiry of any payment.
    pub valid_until: Option<Timestamp>,
    /// Whether some payment covers the moment asked about.
    pub paid_now: bool,
    /// The last payment: paid on, expires on, amount.
    pub last_payment: Option<(Timestamp, Timestamp, i64)>,
}

/// An email waiting to go out, claimed by one sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub id: i64,
    /// None for reports to the directors.
    pub person: Option<i64>,
    pub to: Option<String>,
    pub name: String,
    pub kind: String,
    pub subject: String,
    pub plain_text: String,
    pub html: Option<String>,
    pub attempts: i64,
}

/// How sending a claimed email ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent(Timestamp),
    /// Try again at `retry_at`.
    Retry {
        error: String,
        retry_at: Timestamp,
    },
    /// Give up: it will never be sent.
    Failed(String),
}

/// A row of the outbox, for admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub person: Option<i64>,
    pub kind: String,
    pub status: String,
    pub subject: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Storage for money and member email.
#[async_trait]
pub trait PaymentStore {
    /// Records a statement in one transaction: new lines are kept, credits naming a member go
    /// on their balance, the rest wait for the treasurer. Lines seen before add nothing.
    async fn import_statement(&self, statement: &StatementImport) -> StoreResult<StatementSummary>;

    /// When the last statement that brought new lines was imported.
    async fn last_statement_import(&self) -> StoreResult<Option<Timestamp>>;

    /// Credits on no member's balance, oldest first.
    async fn unmatched_credits(&self) -> StoreResult<Vec<UnmatchedCredit>>;

    /// Puts an unmatched credit on `person`'s balance.
    async fn assign_credit(
        &self,
        credit: i64,
        person: i64,
        at: Timestamp,
    ) -> StoreResult<CreditAssignment>;

    /// The people the payment run looks at: adults (children follow their parent).
    async fn payment_run_members(&self) -> StoreResult<Vec<i64>>;

    /// Plans and applies today's payment run for one member in one transaction.
    async fn run_payment(
        &self,
        person: i64,
        settings: RunSettings<'_>,
        compose: &Composer,
    ) -> StoreResult<MemberRun>;

    /// The sum of a member's ledger, in pence.
    async fn balance(&self, person: i64) -> StoreResult<i64>;

    /// Takes `amount_p` from a member's balance unless it would fall below `floor_p`; the new
    /// balance, or `None` when there is not enough money.
    async fn debit(
        &self,
        person: i64,
        amount_p: i64,
        reason: &str,
        floor_p: i64,
        at: Timestamp,
    ) -> StoreResult<Option<i64>>;

    /// The newest `count` ledger entries.
    async fn ledger(&self, person: i64, count: u32) -> StoreResult<Vec<LedgerEntry>>;

    /// Every (person, payments-app key) pair.
    async fn login_tokens(&self) -> StoreResult<Vec<(i64, String)>>;

    /// The person's payments-app key, created when they have none.
    async fn ensure_login_token(&self, person: i64, fresh: &str) -> StoreResult<String>;

    /// One person's membership as of `now`.
    async fn member_status(&self, person: i64, now: Timestamp)
    -> StoreResult<Option<MemberStatus>>;

    /// Every person's membership as of `now`.
    async fn member_statuses(&self, now: Timestamp) -> StoreResult<Vec<MemberStatus>>;

    /// When an email of `kind` was last queued for `person`, if one is in the outbox.
    async fn last_email(&self, person: i64, kind: &str) -> StoreResult<Option<Timestamp>>;

    /// Queues an email (to the directors when there is no person); a `forced` one replaces earlier ones of the same kind, otherwise an
    /// existing one is kept and nothing is queued. True when queued.
    async fn queue_email(
        &self,
        person: Option<i64>,
        kind: &str,
        email: &ComposedEmail,
        forced: bool,
        at: Timestamp,
    ) -> StoreResult<bool>;

    /// Deletes every induction of the people whose membership ended between the two times.
    async fn remove_inductions_of_members_expired_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<u64>;

    /// Claims up to `limit` emails that are due, so that no other sender takes them. An email
    /// whose sender vanished (claimed long ago, never finished) is due again.
    async fn claim_outgoing(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<OutgoingEmail>>;

    /// Records how sending a claimed email ended.
    async fn finish_outgoing(&self, id: i64, delivery: &Delivery) -> StoreResult<()>;

    /// The newest outbox rows.
    async fn outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>>;
}
