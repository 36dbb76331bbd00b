//! Logging in: one attempt checked against the throttles and the password (see `auth::login`), the
//! owner's warning delivered when the failure queued one, and the verification link of an account made
//! before addresses were verified sent at its login (one a day at most). The person is logged in either
//! way, so nobody is locked out; starting the session is the page's part. Logging out is recorded.

use chrono::Utc;

use crate::auth::login::{self, LoginOutcome};
use crate::auth::verification::Occasion;
use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::domain::EmailAddress;
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::mail;
use crate::state::AppState;
use crate::usecases::registration;

/// Tries to log in with `email` and `password` from `ip`; `lang` is the page's language, for a mail to a
/// person who chose none.
///
/// # Errors
/// When the database fails; every refusal is an `Ok` outcome.
pub async fn log_in(
    state: &AppState,
    email: EmailAddress,
    password: String,
    ip: &str,
    lang: Lang,
) -> Result<LoginOutcome, AppError> {
    let (ip, public_url) = (ip.to_owned(), state.settings.public_url.clone());
    let outcome = with_db(&state.pool, move |conn| {
        login::attempt(conn, &email, &password, &ip, &public_url, Utc::now())
    })
    .await?;
    match &outcome {
        LoginOutcome::LoggedIn(user) if !user.is_verified() => {
            registration::send_verification(state, user.clone(), lang, Occasion::Login).await?;
        }
        LoginOutcome::Refused { warned: true } => mail::deliver_soon(&state.pool, &state.mailer),
        _ => {}
    }
    Ok(outcome)
}

/// Records that the person logged out; the page ends the session.
///
/// # Errors
/// When the database fails.
pub async fn log_out(state: &AppState, user_id: i64, ip: &str) -> Result<(), AppError> {
    let ip = ip.to_owned();
    with_db(&state.pool, move |conn| {
        queries::audit::record(
            conn,
            &NewAuditEvent::new("user.logout", Some(user_id), None, Some(&ip)),
        )?;
        Ok(())
    })
    .await
}
