//! Email verification: a single-use link, valid 24 hours, mailed at registration, at the next login of an
//! account made before addresses were verified, and again on request. Unverified people use their own
//! workspaces; they join no other (see `usecases::team`).

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use diesel::QueryResult;

use crate::auth::token::LinkToken;
use crate::db::models::User;
use crate::db::queries;
use crate::i18n::Lang;
use crate::mail;

/// How long a verification link works.
pub const VALID_FOR_HOURS: i64 = 24;

/// A new link on request is sent no sooner than this after the previous one.
pub const RESEND_AFTER_SECONDS: i64 = 60;

/// Why a link is being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// Registration, or the person asked again: sent unless one went out in the last minute.
    Asked,
    /// A login of an unverified account: sent unless one went out in the last day.
    Login,
}

/// Makes a link for the person's address and queues its mail, inside the caller's transaction; `false`
/// when one was sent too recently for this occasion.
pub fn send_link(
    conn: &mut PgConnection,
    public_url: &str,
    user: &User,
    fallback: Lang,
    occasion: Occasion,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let wait = match occasion {
        Occasion::Asked => Duration::seconds(RESEND_AFTER_SECONDS),
        Occasion::Login => Duration::hours(VALID_FOR_HOURS),
    };
    if queries::email_verifications::latest(conn, user.id)?.is_some_and(|at| now - at < wait) {
        return Ok(false);
    }
    let link = LinkToken::generate();
    queries::email_verifications::create(
        conn,
        user.id,
        &user.email,
        &link.hash,
        now + Duration::hours(VALID_FOR_HOURS),
    )?;
    let lang = user.lang().unwrap_or(fallback);
    let plain = mail::message::Plain {
        lang,
        greeting: lang.t_with("mail.hello", "name", &user.display_name),
        paragraphs: vec![
            lang.t_with("mail.verify_body", "email", &user.email),
            lang.t_with("mail.verify_valid", "hours", &VALID_FOR_HOURS.to_string()),
            lang.t("mail.verify_ignore").into_owned(),
        ],
        action: lang.t("mail.verify_action").into_owned(),
        link: format!(
            "{}/email/verify/{}",
            public_url.trim_end_matches('/'),
            link.token
        ),
    };
    mail::queue(
        conn,
        &plain.email(
            None,
            &user.email,
            crate::domain::mail::MailKind::EmailVerification,
            lang.t("mail.verify_subject").into_owned(),
        ),
    )?;
    Ok(true)
}
