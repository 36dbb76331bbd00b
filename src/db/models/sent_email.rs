//! A mail as it is queued in `sent_emails`, before the mail module delivers it.

use crate::domain::mail::MailKind;
use crate::i18n::Lang;

/// A message ready to queue.
#[derive(Debug, Clone)]
pub struct Email {
    pub workspace_id: Option<i64>,
    pub recipient: String,
    pub kind: MailKind,
    pub language: Lang,
    pub subject: String,
    pub text: String,
    pub html: String,
}
