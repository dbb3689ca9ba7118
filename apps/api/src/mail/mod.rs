//! Member email: composing from templates, queueing in the outbox (`communications`), and
//! delivering. Everything that emails a member goes through [`MailService::queue`] or the
//! payment run's composer, so every email is in the outbox with its kind.

mod sender;
mod templates;

use std::collections::BTreeMap;

use jiff::Timestamp;
use offimic_store::{ComposedEmail, EmailDraft, Store, StoreResult};
use tokio::sync::Notify;

pub use sender::{DeliveryReport, Mailer};
pub use templates::{TemplateError, Templates};

use crate::config::ApiConfig;

/// Templates, the sender, and a bell that wakes the delivery job when something is queued.
pub struct MailService {
    templates: Templates,
    pub mailer: Mailer,
    pub queued: Notify,
    space: String,
    base_url: String,
    reference_prefix: String,
}

impl MailService {
    /// Compiles the templates and checks the addresses; errors are configuration errors.
    pub fn new(config: &ApiConfig) -> Result<Self, String> {
        let templates =
            Templates::load(config.email.templates_dir.as_deref()).map_err(|e| e.to_string())?;
        Ok(Self {
            templates,
            mailer: Mailer::new(&config.email)?,
            queued: Notify::new(),
            space: config.email.space_name.clone(),
            base_url: config.public_base(),
            reference_prefix: config.payments.reference_prefix.clone(),
        })
    }

    /// The bank reference a member pays with (`SM0042`).
    pub fn reference(&self, person: i64) -> String {
        format!("{}{person:04}", self.reference_prefix)
    }

    /// Renders a draft with the template its kind names (`inducted_on|LASER` uses
    /// `inducted_on`); a template that fails at run time still yields a readable email with
    /// the facts, and the failure is logged for the operator.
    pub fn compose(&self, draft: &EmailDraft) -> ComposedEmail {
        let mut context: BTreeMap<String, String> = draft.vars.iter().cloned().collect();
        context.insert("name".into(), draft.name.clone());
        context.insert("space".into(), self.space.clone());
        context.insert("url".into(), self.base_url.clone());
        context.insert("reference".into(), self.reference(draft.person));
        for (key, pence) in draft
            .vars
            .iter()
            .filter_map(|(k, v)| Some((k, v.parse::<f64>().ok()?)))
        {
            context
                .entry(format!("{key}_nice"))
                .or_insert_with(|| format!("£{:.2}", pence / 100.0));
        }
        let template = draft.kind.split('|').next().unwrap_or(&draft.kind);
        self.templates
            .compose(template, &context)
            .unwrap_or_else(|error| {
                tracing::error!(kind = %draft.kind, %error, "email template failed");
                ComposedEmail {
                    subject: draft.kind.replace('_', " "),
                    plain_text: context.iter().map(|(k, v)| format!("{k}: {v}\n")).collect(),
                    html: None,
                }
            })
    }

    /// Composes and queues an email of `kind` for `person` (or the directors), and wakes the
    /// sender. False when a non-forced email of that kind was already in the outbox.
    pub async fn queue(
        &self,
        store: &dyn Store,
        person: Option<(i64, &str)>,
        kind: &str,
        vars: Vec<(String, String)>,
        forced: bool,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (id, name) = person.unwrap_or((0, ""));
        let email = self.compose(&EmailDraft {
            person: id,
            name: name.to_owned(),
            kind: kind.to_owned(),
            vars,
        });
        let queued = store
            .queue_email(person.map(|(id, _)| id), kind, &email, forced, now)
            .await?;
        if queued {
            self.queued.notify_one();
        }
        Ok(queued)
    }
}
