//! One login attempt: throttles checked first, the password verified, failures counted, nothing revealed
//! about whether the email exists. Failures count per (account, client address) pair first, so a
//! stranger elsewhere cannot lock the owner out; per account from everywhere under a high ceiling; and
//! per client address. An owner whose account is being guessed at from elsewhere is told by email.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;

use crate::auth::password;
use crate::db::models::{NewAuditEvent, User};
use crate::db::queries::{audit, mail as mail_queue, throttles, users};
use crate::domain::EmailAddress;
use crate::domain::throttle::{self, GUESSING_ELSEWHERE, PER_ACCOUNT, PER_ADDRESS, PER_PAIR};
use crate::error::AppError;
use crate::mail;

pub const PAIR_SCOPE: &str = "account_address";
pub const ACCOUNT_SCOPE: &str = "account";
pub const ADDRESS_SCOPE: &str = "address";
/// Failures on an account from addresses other than the one it was last used from.
pub const ELSEWHERE_SCOPE: &str = "account_elsewhere";

#[derive(Debug)]
pub enum LoginOutcome {
    LoggedIn(User),
    /// Wrong email or password, or a disabled account: one message for all. `warned` when this
    /// failure queued the owner's warning (to deliver it now).
    Refused {
        warned: bool,
    },
    /// Too many failures: try again in this many seconds.
    Throttled(i64),
}

/// The subject of the (account, address) throttle.
fn pair(email: &EmailAddress, ip: &str) -> String {
    format!("{} {ip}", email.as_str())
}

/// Runs a login attempt on one connection (a blocking call: it includes the Argon2 verification).
/// `public_url` is for the link in the owner's warning.
///
/// # Errors
/// Database failures only; every refusal is an `Ok` outcome.
pub fn attempt(
    conn: &mut PgConnection,
    email: &EmailAddress,
    password_input: &str,
    ip: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, AppError> {
    let pair = pair(email, ip);
    let wait = [
        throttles::get(conn, PAIR_SCOPE, &pair)?,
        throttles::get(conn, ACCOUNT_SCOPE, email.as_str())?,
        throttles::get(conn, ADDRESS_SCOPE, ip)?,
    ]
    .into_iter()
    .filter_map(|state| throttle::seconds_left(state, now))
    .max();
    if let Some(seconds) = wait {
        return Ok(LoginOutcome::Throttled(seconds));
    }

    let user = users::find_by_email(conn, email.as_str())?;
    let verified = match &user {
        Some(user) => password::verify(password_input, &user.password_hash) && !user.is_disabled(),
        None => password::verify_dummy(password_input),
    };

    match user {
        Some(user) if verified => {
            // Only this pair's count goes: a success here says nothing about the other addresses.
            throttles::clear(conn, PAIR_SCOPE, &pair)?;
            audit::record(
                conn,
                &NewAuditEvent::new("user.login", Some(user.id), None, Some(ip)),
            )?;
            Ok(LoginOutcome::LoggedIn(user))
        }
        user => {
            throttles::record_failure(conn, PAIR_SCOPE, &pair, &PER_PAIR, now)?;
            throttles::record_failure(conn, ACCOUNT_SCOPE, email.as_str(), &PER_ACCOUNT, now)?;
            throttles::record_failure(conn, ADDRESS_SCOPE, ip, &PER_ADDRESS, now)?;
            let warned = match &user {
                Some(user) => warn_if_guessed(conn, user, ip, public_url, now)?,
                None => false,
            };
            let event = NewAuditEvent::new("user.login_failed", user.map(|u| u.id), None, Some(ip));
            audit::record(
                conn,
                &event.with_details(serde_json::json!({ "email": email.as_str() })),
            )?;
            Ok(LoginOutcome::Refused { warned })
        }
    }
}

/// Counts a failure on `user`'s account from an address other than the one they last used, and at
/// the threshold of [`GUESSING_ELSEWHERE`] queues their warning, unless one went in the last day.
/// Answers whether it queued one.
fn warn_if_guessed(
    conn: &mut PgConnection,
    user: &User,
    ip: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if audit::last_login_ip(conn, user.id)?.as_deref() == Some(ip) {
        return Ok(false);
    }
    let elsewhere =
        throttles::record_failure(conn, ELSEWHERE_SCOPE, &user.email, &GUESSING_ELSEWHERE, now)?;
    if elsewhere.failures != GUESSING_ELSEWHERE.free_failures
        || mail_queue::queued_since(
            conn,
            &user.email,
            mail::message::GUESSING_WARNING,
            now - Duration::days(1),
        )?
    {
        return Ok(false);
    }
    let lang = user.lang().unwrap_or_default();
    mail::queue(
        conn,
        &mail::message::guessing_warning(lang, &user.display_name, &user.email, public_url),
    )?;
    Ok(true)
}
