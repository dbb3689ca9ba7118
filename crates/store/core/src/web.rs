//! What the web pages need: registration in one transaction, single-use login links and
//! sessions (both stored only as hashes), admins and the audit log of who saw whose personal
//! data, and people search for the admin console.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::StoreResult;

/// A newcomer (or their child) as the registration form gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub name: String,
    pub email: Option<String>,
    pub address: String,
    /// `YYYY-MM`.
    pub dob: Option<String>,
    pub tier_id: Option<i64>,
    pub concession: String,
    pub payment_override_p: Option<i64>,
    pub door_colour: String,
    pub opt_in: bool,
    pub how_found_us: Option<String>,
    pub voucher_code: Option<String>,
    pub github_user: Option<String>,
    /// A vehicle registration for the car park, normalised (upper case, letters and digits).
    pub plate: Option<String>,
    pub parent_id: Option<i64>,
    /// When the membership guide and the health-and-safety policy were accepted.
    pub guide_accepted_at: Option<Timestamp>,
    pub safety_accepted_at: Timestamp,
    pub at: Timestamp,
    /// The door thing (its induction waits for the first payment) and the health-and-safety
    /// thing (confirmed by registering), by name; missing things are skipped.
    pub door: String,
    pub safety_thing: String,
}

/// A tier newcomers may choose.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedTier {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub price: offimic_dues::TierPrice,
}

/// A person as the admin console lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSummary {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub tier: Option<String>,
    pub parent_id: Option<i64>,
    pub valid_until: Option<Timestamp>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub admin: i64,
    pub admin_name: String,
    pub action: String,
    pub subject: Option<i64>,
}

/// What a member may change about themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEdit {
    pub name: String,
    pub address: String,
    pub opt_in: bool,
    pub door_colour: String,
    pub payment_override_p: Option<i64>,
}

#[async_trait]
pub trait WebStore {
    /// Creates the person, their door induction (pending until the first payment) and their
    /// health-and-safety induction (confirmed), in one transaction; the new id.
    async fn register(&self, registration: &Registration) -> StoreResult<i64>;

    /// The tiers in use, for the registration form.
    async fn offered_tiers(&self) -> StoreResult<Vec<OfferedTier>>;

    /// Whether someone already registered with this address (case-insensitive).
    async fn email_taken(&self, email: &str) -> StoreResult<bool>;

    /// The adult who has not left with this address, for a login link.
    async fn login_candidate(&self, email: &str) -> StoreResult<Option<(i64, String)>>;

    async fn create_login_link(
        &self,
        hash: &str,
        person: i64,
        at: Timestamp,
        expires: Timestamp,
    ) -> StoreResult<()>;

    /// Uses a login link once: the person, if the link exists, is unused and has not expired.
    async fn use_login_link(&self, hash: &str, now: Timestamp) -> StoreResult<Option<i64>>;

    async fn create_session(
        &self,
        hash: &str,
        person: i64,
        at: Timestamp,
        expires: Timestamp,
    ) -> StoreResult<()>;

    /// The person a live session belongs to (who has not left).
    async fn session_person(&self, hash: &str, now: Timestamp) -> StoreResult<Option<i64>>;

    async fn delete_session(&self, hash: &str) -> StoreResult<()>;

    /// Makes the person with this email an admin; their id, or `None` when there is no one.
    async fn make_admin(&self, email: &str, at: Timestamp) -> StoreResult<Option<i64>>;

    async fn is_admin(&self, person: i64) -> StoreResult<bool>;

    async fn audit(
        &self,
        admin: i64,
        action: &str,
        subject: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<()>;

    async fn audit_log(&self, limit: u32) -> StoreResult<Vec<AuditEntry>>;

    /// People whose name, email or number matches `query`, as of `now`.
    async fn search_people(
        &self,
        query: &str,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<PersonSummary>>;

    /// Applies a member's edit of their own details.
    async fn edit_profile(&self, person: i64, edit: &ProfileEdit) -> StoreResult<()>;

    /// Marks the person's email as confirmed.
    async fn confirm_email(&self, person: i64, at: Timestamp) -> StoreResult<()>;

    /// Stores the token of the link that confirms a newcomer's email address.
    async fn create_email_confirmation(
        &self,
        token: &str,
        person: i64,
        at: Timestamp,
    ) -> StoreResult<()>;

    /// Uses an email confirmation link once: the person whose address it confirmed.
    async fn use_email_confirmation(&self, token: &str, at: Timestamp) -> StoreResult<Option<i64>>;

    /// The person's inductions waiting for their confirmation: (link token, thing id).
    async fn pending_confirmations(&self, person: i64) -> StoreResult<Vec<(String, String)>>;
}
