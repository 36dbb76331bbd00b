//! One login attempt: throttles checked first, the password verified, failures counted, nothing revealed
//! about whether the email exists.

use chrono::{DateTime, Utc};
use diesel::PgConnection;

use crate::auth::password;
use crate::db::models::{NewAuditEvent, User};
use crate::db::queries::{audit, throttles, users};
use crate::domain::EmailAddress;
use crate::domain::throttle::{self, PER_ACCOUNT, PER_ADDRESS};
use crate::error::AppError;

pub const ACCOUNT_SCOPE: &str = "account";
pub const ADDRESS_SCOPE: &str = "address";

#[derive(Debug)]
pub enum LoginOutcome {
    LoggedIn(User),
    /// Wrong email or password, or a disabled account: one message for all.
    Refused,
    /// Too many failures: try again in this many seconds.
    Throttled(i64),
}

/// Runs a login attempt on one connection (a blocking call: it includes the Argon2 verification).
///
/// # Errors
/// Database failures only; every refusal is an `Ok` outcome.
pub fn attempt(
    conn: &mut PgConnection,
    email: &EmailAddress,
    password_input: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, AppError> {
    let account_state = throttles::get(conn, ACCOUNT_SCOPE, email.as_str())?;
    let address_state = throttles::get(conn, ADDRESS_SCOPE, ip)?;
    let wait = [
        throttle::seconds_left(account_state, now),
        throttle::seconds_left(address_state, now),
    ]
    .into_iter()
    .flatten()
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
            throttles::clear(conn, ACCOUNT_SCOPE, email.as_str())?;
            audit::record(
                conn,
                &NewAuditEvent::new("user.login", Some(user.id), None, Some(ip)),
            )?;
            Ok(LoginOutcome::LoggedIn(user))
        }
        user => {
            throttles::record_failure(conn, ACCOUNT_SCOPE, email.as_str(), &PER_ACCOUNT, now)?;
            throttles::record_failure(conn, ADDRESS_SCOPE, ip, &PER_ADDRESS, now)?;
            let event = NewAuditEvent::new("user.login_failed", user.map(|u| u.id), None, Some(ip));
            audit::record(
                conn,
                &event.with_details(serde_json::json!({ "email": email.as_str() })),
            )?;
            Ok(LoginOutcome::Refused)
        }
    }
}
