//! A plain message (greeting, paragraphs, one action link) in a text and an HTML part, for the mails
//! that need no layout of their own (invitations, password resets, the warning that someone is
//! guessing a password).

use askama::Template;

use super::Email;
use crate::domain::mail::MailKind;
use crate::i18n::Lang;

#[derive(Template)]
#[template(path = "email/message.txt")]
struct Text<'a> {
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct Html<'a> {
    lang: Lang,
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a str,
    link: &'a str,
}

/// What a plain message says.
#[derive(Debug, Clone)]
pub struct Plain {
    pub lang: Lang,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// The label of the action link, and the link.
    pub action: String,
    pub link: String,
}

impl Plain {
    /// The message, ready to queue.
    #[must_use]
    pub fn email(
        &self,
        workspace_id: Option<i64>,
        recipient: &str,
        kind: MailKind,
        subject: String,
    ) -> Email {
        let text = Text {
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            link: &self.link,
        };
        let html = Html {
            lang: self.lang,
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            link: &self.link,
        };
        Email {
            workspace_id,
            recipient: recipient.to_owned(),
            kind,
            language: self.lang,
            subject,
            text: text.render().unwrap_or_default(),
            html: html.render().unwrap_or_default(),
        }
    }
}

/// The warning to a person that someone elsewhere keeps failing to log in as them, in their language,
/// with a link to change their password.
#[must_use]
pub fn guessing_warning(lang: Lang, name: &str, recipient: &str, public_url: &str) -> Email {
    let plain = Plain {
        lang,
        greeting: lang.t_with("mail.hello", "name", name),
        paragraphs: vec![
            lang.t("mail.guessing_body").into_owned(),
            lang.t("mail.guessing_advice").into_owned(),
        ],
        action: lang.t("mail.guessing_action").into_owned(),
        link: format!("{}/account", public_url.trim_end_matches('/')),
    };
    plain.email(
        None,
        recipient,
        GUESSING_WARNING,
        lang.t("mail.guessing_subject").into_owned(),
    )
}

/// The kind of [`guessing_warning`] messages in the queue.
pub const GUESSING_WARNING: MailKind = MailKind::LoginWarning;
