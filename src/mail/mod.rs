//! Mail: every message is queued in `sent_emails` (recipient, kind, language, both parts), then
//! delivered by SMTP (`SMTP_URL`) or, in development without it, written as `.eml` files under
//! `var/mail`. Temporary failures are retried with a growing delay; permanent ones are recorded.
//! No secret ever goes into a message.

pub mod alerts;
pub mod message;

use anyhow::Context as _;
use chrono::{Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
};

use crate::db::{DbPool, queries};
use crate::domain::mail::MailStatus;
use crate::error::AppError;
use crate::error::with_db;

/// How many times a message is tried before it is given up.
pub const MAX_ATTEMPTS: i32 = 5;

/// The longest one send may take, all SMTP steps together (each step also has its own 20 s limit);
/// a send still going then is abandoned and retried later.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_mins(1);

/// How long a claimed message is left to its sender: five times [`SEND_TIMEOUT`], so a message is
/// never claimed again while the send that claimed it can still succeed.
const CLAIM_SECONDS: i32 = 300;

/// Where messages go.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// The app's mail sender.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Files(_) => "files",
        };
        f.debug_struct("Mailer")
            .field("transport", &how)
            .finish_non_exhaustive()
    }
}

/// Why a delivery failed, and whether trying again later may help.
#[derive(Debug)]
pub struct DeliveryError {
    pub temporary: bool,
    pub message: String,
}

pub use crate::db::models::sent_email::Email;

impl Mailer {
    /// SMTP when `smtp_url` is set (`smtp://user:pass@host:port`, `smtps://...`), else files in `mail_dir`.
    ///
    /// # Errors
    /// When the URL or the sender address is malformed, or the directory cannot be made.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        mail_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("MAIL_FROM {from:?} is not an address"))?;
        let transport = if let Some(url) = smtp_url {
            Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is malformed")?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            )
        } else {
            std::fs::create_dir_all(mail_dir)
                .with_context(|| format!("creating {}", mail_dir.display()))?;
            Transport::Files(AsyncFileTransport::<Tokio1Executor>::new(mail_dir))
        };
        Ok(Self { transport, from })
    }

    /// Sends one message now.
    ///
    /// # Errors
    /// A [`DeliveryError`] saying whether a later try may succeed.
    pub async fn deliver(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: &str,
    ) -> Result<(), DeliveryError> {
        let permanent = |message: String| DeliveryError {
            temporary: false,
            message,
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| permanent(format!("the recipient is not an address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                text.to_owned(),
                html.to_owned(),
            ))
            .map_err(|e| permanent(format!("the message could not be built: {e}")))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| DeliveryError {
                        temporary: !e.is_permanent(),
                        message: e.to_string(),
                    })
            }
            Transport::Files(files) => {
                files
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| DeliveryError {
                        temporary: true,
                        message: e.to_string(),
                    })
            }
        }
    }
}

/// Queues a message (inside the caller's transaction); `deliver_due` sends it.
pub fn queue(conn: &mut diesel::PgConnection, email: &Email) -> diesel::QueryResult<i64> {
    queries::mail::insert(conn, email)
}

/// Delivers what is queued in the background, now (the mail job would within a minute).
pub fn deliver_soon(pool: &DbPool, mailer: &Mailer) {
    let (pool, mailer) = (pool.clone(), mailer.clone());
    actix_web::rt::spawn(async move {
        if let Err(error) = deliver_due(&pool, &mailer, 20).await {
            tracing::warn!(
                ?error,
                "queued mail could not be delivered now; the mail job retries"
            );
        }
    });
}

/// Delivers the queued messages that are due, up to `limit`; answers how many were sent. Each message
/// is claimed on its own right before it is sent (see [`queries::mail::claim_next`]), so several
/// senders at once, on one instance or many, send each message once.
pub async fn deliver_due(pool: &DbPool, mailer: &Mailer, limit: i64) -> Result<usize, AppError> {
    let mut sent = 0;
    for _ in 0..limit {
        let claimed = with_db(pool, move |conn| {
            Ok(queries::mail::claim_next(conn, CLAIM_SECONDS)?)
        })
        .await?;
        let Some(email) = claimed else { break };
        let outcome = tokio::time::timeout(
            SEND_TIMEOUT,
            mailer.deliver(
                &email.recipient,
                &email.subject,
                &email.body_text,
                &email.body_html,
            ),
        )
        .await
        .unwrap_or_else(|_| {
            Err(DeliveryError {
                temporary: true,
                message: format!("the send took longer than {} s", SEND_TIMEOUT.as_secs()),
            })
        });
        let attempts = email.attempts + 1;
        let (status, next, error) = match outcome {
            Ok(()) => {
                sent += 1;
                (MailStatus::Sent, None, None)
            }
            Err(failure) if failure.temporary && attempts < MAX_ATTEMPTS => {
                // 1, 4, 9, 16 minutes.
                let wait = Duration::minutes(i64::from(attempts * attempts));
                (
                    MailStatus::Pending,
                    Some(Utc::now() + wait),
                    Some(failure.message),
                )
            }
            Err(failure) => (MailStatus::Failed, None, Some(failure.message)),
        };
        if let Some(error) = &error {
            tracing::warn!(email_id = email.id, kind = %email.kind, attempts, %error, "an email was not delivered");
        }
        let id = email.id;
        with_db(pool, move |conn| {
            Ok(queries::mail::record_attempt(
                conn,
                id,
                status,
                attempts,
                next,
                error.as_deref(),
            )?)
        })
        .await?;
    }
    Ok(sent)
}
