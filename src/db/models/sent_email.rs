//! A mail as it is queued in `sent_emails`, before the mail module delivers it.

use crate::domain::mail::MailKind;

/// A message ready to queue.
#[derive(Debug, Clone)]
pub struct Email {
    pub workspace_id: Option<i64>,
    pub recipient: String,
    pub kind: MailKind,
    pub language: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}
