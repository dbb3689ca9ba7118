//! Delivering the outbox: through SMTP when one is configured, otherwise as `.eml` files in a
//! directory, so that a fresh install needs no mail server. Each email is claimed by one
//! sender before it is sent (never sent twice); a failed send is retried with exponential
//! backoff until `max_attempts`, then marked failed with its error for the operator.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use offimic_store::{Delivery, OutgoingEmail, Store, StoreResult};

use crate::config::{EmailConfig, SmtpSecurity};

/// Emails handled per pass.
const BATCH: u32 = 100;
/// The first retry waits this long; each further one twice as long.
const FIRST_RETRY: SignedDuration = SignedDuration::from_secs(60);
/// The longest wait between attempts.
const LONGEST_RETRY: SignedDuration = SignedDuration::from_hours(6);
/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Directory(AsyncFileTransport<Tokio1Executor>),
}

/// The outbox's sender.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    cc: Vec<Mailbox>,
    directors: Vec<Mailbox>,
    max_attempts: u32,
}

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

fn mailbox(text: &str, what: &str) -> Result<Mailbox, String> {
    text.parse()
        .map_err(|e| format!("email.{what}: {text:?} is not an email address ({e})"))
}

impl Mailer {
    /// Checks the addresses and prepares the transport (creating the outbox directory).
    pub fn new(config: &EmailConfig) -> Result<Self, String> {
        let transport = match &config.smtp {
            Some(smtp) => {
                let builder = match smtp.security {
                    SmtpSecurity::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
                    SmtpSecurity::None => Ok(
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
                    ),
                }
                .map_err(|e| format!("email.smtp.host {:?}: {e}", smtp.host))?;
                let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Transport::Smtp(builder.build())
            }
            None => {
                let dir = config.outbox_dir();
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("email outbox {}: {e}", dir.display()))?;
                Transport::Directory(AsyncFileTransport::new(dir))
            }
        };
        Ok(Self {
            transport,
            from: mailbox(&config.from, "from")?,
            cc: config
                .cc
                .iter()
                .map(|a| mailbox(a, "cc"))
                .collect::<Result<_, _>>()?,
            directors: config
                .directors
                .iter()
                .map(|a| mailbox(a, "directors"))
                .collect::<Result<_, _>>()?,
            max_attempts: config.max_attempts.max(1),
        })
    }

    /// Sends every email that is due.
    pub async fn deliver_due(
        &self,
        store: &dyn Store,
        now: Timestamp,
    ) -> StoreResult<DeliveryReport> {
        let mut report = DeliveryReport::default();
        loop {
            let batch = store.claim_outgoing(now, BATCH).await?;
            let done = batch.len() < BATCH as usize;
            for email in batch {
                let delivery = self.deliver(&email, now).await;
                match &delivery {
                    Delivery::Sent(_) => report.sent += 1,
                    Delivery::Retry { error, .. } => {
                        tracing::warn!(id = email.id, kind = %email.kind, %error, "email not sent; will retry");
                        report.retried += 1;
                    }
                    Delivery::Failed(error) => {
                        tracing::error!(id = email.id, kind = %email.kind, %error, "email given up");
                        report.failed += 1;
                    }
                }
                store.finish_outgoing(email.id, &delivery).await?;
            }
            if done {
                return Ok(report);
            }
        }
    }

    async fn deliver(&self, email: &OutgoingEmail, now: Timestamp) -> Delivery {
        let message = match self.message(email) {
            Ok(message) => message,
            Err(error) => return Delivery::Failed(error),
        };
        let sent = match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Transport::Directory(files) => files
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        };
        match sent {
            Ok(()) => Delivery::Sent(now),
            Err(error) if email.attempts + 1 >= i64::from(self.max_attempts) => Delivery::Failed(
                format!("gave up after {} attempts: {error}", email.attempts + 1),
            ),
            Err(error) => Delivery::Retry {
                error,
                retry_at: now + retry_after(email.attempts),
            },
        }
    }

    fn message(&self, email: &OutgoingEmail) -> Result<Message, String> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(email.subject.clone());
        match (&email.to, email.person) {
            (Some(address), _) => {
                let address = address
                    .trim()
                    .parse()
                    .map_err(|e| format!("{address:?} is not an email address ({e})"))?;
                builder = builder.to(Mailbox::new(Some(email.name.clone()), address));
                for cc in &self.cc {
                    builder = builder.cc(cc.clone());
                }
            }
            (None, None) if !self.directors.is_empty() => {
                for director in &self.directors {
                    builder = builder.to(director.clone());
                }
            }
            (None, Some(person)) => return Err(format!("person {person} has no email address")),
            (None, None) => return Err("no directors are configured (email.directors)".into()),
        }
        let plain = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(email.plain_text.clone());
        let built = match &email.html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(plain)
                    .singlepart(SinglePart::html(html.clone())),
            ),
            None => builder.singlepart(plain),
        };
        built.map_err(|e| e.to_string())
    }
}

/// The wait before the next attempt after `attempts` failed ones.
fn retry_after(attempts: i64) -> SignedDuration {
    let doublings = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    let wait = FIRST_RETRY.as_secs().saturating_mul(1 << doublings);
    SignedDuration::from_secs(wait.min(LONGEST_RETRY.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_six_hours() {
        assert_eq!(retry_after(0), SignedDuration::from_secs(60));
        assert_eq!(retry_after(1), SignedDuration::from_secs(120));
        assert_eq!(retry_after(3), SignedDuration::from_secs(480));
        assert_eq!(retry_after(20), LONGEST_RETRY);
        assert_eq!(retry_after(-1), SignedDuration::from_secs(60));
    }
}
