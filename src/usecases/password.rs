//! Passwords: asking for a reset link by email (the answer never says whether the address has an account,
//! nor whether the request was throttled: three an hour per email, twenty per client), resetting with that
//! link (single use, valid one hour), and changing one's own. A new password ends every session of the
//! person and voids every reset link they were sent.

use chrono::{Duration, Utc};
use diesel::Connection as _;

use crate::auth::password;
use crate::auth::token::{self, LinkToken};
use crate::db::models::{NewAuditEvent, User};
use crate::db::queries;
use crate::domain::throttle::{RESETS_PER_ADDRESS, RESETS_PER_EMAIL};
use crate::domain::{EmailAddress, Invalid, NewPassword};
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::mail;
use crate::state::AppState;

/// How long a reset link works.
pub const VALID_FOR_MINUTES: i64 = 60;

/// The throttles of reset requests (see their policies in `domain::throttle`).
const EMAIL_SCOPE: &str = "reset_email";
const ADDRESS_SCOPE: &str = "reset_address";

/// Why a password was not reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetRefusal {
    /// The link is unknown, used or expired.
    Gone,
    /// The new password breaks a rule.
    Password(Invalid),
}

/// Why one's own password was not changed: each field's refusal, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeRefusal {
    pub current_wrong: bool,
    pub new_password: Option<Invalid>,
}

/// Queues a reset link for `email` when it has an active account and neither it nor the client's address
/// asked too often. Every request counts and none tells the caller what happened.
///
/// # Errors
/// When the database fails.
pub async fn request_reset(
    state: &AppState,
    email: EmailAddress,
    ip: &str,
    fallback: Lang,
) -> Result<(), AppError> {
    let LinkToken { token, hash } = LinkToken::generate();
    let link = format!(
        "{}/password/reset/{token}",
        state.settings.public_url.trim_end_matches('/')
    );
    let ip = ip.to_owned();
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // Every request counts, for an address with an account or not, and a throttled one gets
            // the same answer as the others: the page tells nothing either way.
            let now = Utc::now();
            let per_email = queries::throttles::record_failure(
                conn,
                EMAIL_SCOPE,
                email.as_str(),
                &RESETS_PER_EMAIL,
                now,
            )?;
            let per_address = queries::throttles::record_failure(
                conn,
                ADDRESS_SCOPE,
                &ip,
                &RESETS_PER_ADDRESS,
                now,
            )?;
            if !RESETS_PER_EMAIL.allows(per_email) || !RESETS_PER_ADDRESS.allows(per_address) {
                return Ok(());
            }
            let Some(user) = queries::users::find_by_email(conn, email.as_str())? else {
                return Ok(());
            };
            if user.disabled_at.is_some() {
                return Ok(());
            }
            let expires = Utc::now() + Duration::minutes(VALID_FOR_MINUTES);
            queries::password_resets::create(conn, user.id, &hash, expires)?;
            mail::queue(conn, &reset_email(&user, fallback, link))?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "user.password_reset_requested",
                    Some(user.id),
                    None,
                    Some(&ip),
                ),
            )?;
            Ok(())
        })
    })
    .await?;
    mail::deliver_soon(&state.pool, &state.mailer);
    Ok(())
}

/// The mail with the reset link, in the person's language (or the page's when they chose none).
fn reset_email(user: &User, fallback: Lang, link: String) -> mail::Email {
    let lang = user.lang().unwrap_or(fallback);
    let plain = mail::message::Plain {
        lang,
        greeting: lang.t_with("mail.hello", "name", &user.display_name),
        paragraphs: vec![
            lang.t("mail.reset_body").into_owned(),
            lang.t("mail.reset_ignore").into_owned(),
        ],
        action: lang.t("mail.reset_action").into_owned(),
        link,
    };
    plain.email(
        None,
        &user.email,
        crate::domain::mail::MailKind::PasswordReset,
        lang.t("mail.reset_subject").into_owned(),
    )
}

/// Whether a reset link's token still works.
///
/// # Errors
/// When the database fails.
pub async fn reset_link_works(state: &AppState, token: &str) -> Result<bool, AppError> {
    let hash = token::hash(token);
    with_db(&state.pool, move |conn| {
        Ok(queries::password_resets::valid_user(conn, &hash, Utc::now())?.is_some())
    })
    .await
}

/// Sets a new password from a reset link: uses up the link and every other link of the person, ends
/// every session. Whoever uses the link first wins; a second use finds it spent.
///
/// # Errors
/// When the database or the hashing fails.
pub async fn reset(
    state: &AppState,
    token: &str,
    typed: &str,
    ip: &str,
) -> Result<Result<(), ResetRefusal>, AppError> {
    let hash = token::hash(token);
    let lookup = hash.clone();
    let user = with_db(&state.pool, move |conn| {
        let Some(user_id) = queries::password_resets::valid_user(conn, &lookup, Utc::now())? else {
            return Ok(None);
        };
        Ok(queries::users::find(conn, user_id)?)
    })
    .await?;
    let Some(user) = user else {
        return Ok(Err(ResetRefusal::Gone));
    };
    let new_password = match NewPassword::parse(typed, &[&user.email, &user.display_name]) {
        Ok(new_password) => new_password,
        Err(invalid) => return Ok(Err(ResetRefusal::Password(invalid))),
    };
    let new_hash = password::hash_blocking(new_password.expose().to_owned()).await?;
    let ip = ip.to_owned();
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user_id) = queries::password_resets::consume(conn, &hash, Utc::now())? else {
                return Ok(Err(ResetRefusal::Gone));
            };
            queries::users::set_password_hash(conn, user_id, &new_hash)?;
            queries::password_resets::void_for_user(conn, user_id, Utc::now())?;
            queries::sessions::delete_for_user(conn, user_id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new("user.password_reset", Some(user_id), None, Some(&ip)),
            )?;
            Ok(Ok(()))
        })
    })
    .await
}

/// Changes the person's own password once their current one is confirmed: ends every session of theirs
/// (the caller starts a fresh one) and voids their reset links, so one sent before cannot undo it.
///
/// # Errors
/// When the database or the hashing fails.
pub async fn change(
    state: &AppState,
    user: &User,
    ip: &str,
    current: &str,
    typed: &str,
) -> Result<Result<(), ChangeRefusal>, AppError> {
    let (current, stored) = (current.to_owned(), user.password_hash.clone());
    let current_ok = tokio::task::spawn_blocking(move || password::verify(&current, &stored))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let parsed = NewPassword::parse(typed, &[&user.email, &user.display_name]);
    let new_password = match parsed {
        Ok(new_password) if current_ok => new_password,
        parsed => {
            return Ok(Err(ChangeRefusal {
                current_wrong: !current_ok,
                new_password: parsed.err(),
            }));
        }
    };
    let hash = password::hash_blocking(new_password.expose().to_owned()).await?;
    let (user_id, ip) = (user.id, ip.to_owned());
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            queries::users::set_password_hash(conn, user_id, &hash)?;
            // A reset link sent before the change must not undo it.
            queries::password_resets::void_for_user(conn, user_id, Utc::now())?;
            queries::sessions::delete_for_user(conn, user_id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new("user.password_changed", Some(user_id), None, Some(&ip)),
            )?;
            Ok(())
        })
    })
    .await
    .map(Ok)
}
