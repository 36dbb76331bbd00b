//! Accounts of people: registering (a person, their first workspace, which they own, and the mail that
//! verifies their address, in one step), the site admin the operator creates or promotes from the command
//! line, the verification link sent again and used, and the interface language a person keeps. Registration and `create-admin` share one rule for a new
//! account: the same name, address and password checks (a password may not hold the address or the name),
//! the same hashing, and one address per account.

use chrono::Utc;
use diesel::Connection as _;
use diesel::PgConnection;

use crate::auth::password;
use crate::auth::token;
use crate::auth::verification::{self, Occasion};
use crate::db::DbPool;
use crate::db::models::{NewAuditEvent, NewUser, User, Workspace};
use crate::db::queries;
use crate::domain::{DisplayName, EmailAddress, Invalid, NewPassword, WorkspaceName};
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::mail;
use crate::state::AppState;

/// A new account's name, address and password, each checked by its rule.
pub struct NewAccount {
    pub name: DisplayName,
    pub email: EmailAddress,
    pub password: NewPassword,
}

/// Another account already has the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailTaken;

impl NewAccount {
    /// Parses what the person typed; every refusal comes with its field (`display_name`, `email`,
    /// `password`), in that order. The password may not hold the address or the name as typed.
    ///
    /// # Errors
    /// Each field that breaks its rule.
    pub fn parse(
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<NewAccount, Vec<(&'static str, Invalid)>> {
        let parsed_name = DisplayName::parse(name);
        let parsed_email = EmailAddress::parse(email);
        let parsed_password = NewPassword::parse(password, &[email, name]);
        match (parsed_name, parsed_email, parsed_password) {
            (Ok(name), Ok(email), Ok(password)) => Ok(NewAccount {
                name,
                email,
                password,
            }),
            (name, email, password) => Err([
                ("display_name", name.err()),
                ("email", email.err()),
                ("password", password.err()),
            ]
            .into_iter()
            .filter_map(|(field, invalid)| invalid.map(|invalid| (field, invalid)))
            .collect()),
        }
    }
}

/// An account with its password hashed, ready to be stored.
struct HashedAccount {
    name: DisplayName,
    email: EmailAddress,
    hash: String,
}

/// Hashes the account's password (off the async threads).
async fn hash(account: NewAccount) -> Result<HashedAccount, AppError> {
    let hash = password::hash_blocking(account.password.expose().to_owned()).await?;
    Ok(HashedAccount {
        name: account.name,
        email: account.email,
        hash,
    })
}

/// Stores the account; `None` when the address is taken.
fn insert(
    conn: &mut PgConnection,
    account: &HashedAccount,
    locale: Option<&str>,
    is_admin: bool,
    email_verified_at: Option<chrono::DateTime<Utc>>,
) -> diesel::QueryResult<Option<User>> {
    queries::users::insert(
        conn,
        &NewUser {
            email: account.email.as_str(),
            display_name: account.name.as_str(),
            password_hash: &account.hash,
            locale,
            is_admin,
            email_verified_at,
        },
    )
}

/// Registers a person with their first workspace (they own it), in the page's language, and mails the
/// link that verifies their address.
///
/// # Errors
/// When the database or the hashing fails.
pub async fn register(
    state: &AppState,
    account: NewAccount,
    workspace_name: WorkspaceName,
    lang: Lang,
    ip: &str,
) -> Result<Result<(User, Workspace), EmailTaken>, AppError> {
    let account = hash(account).await?;
    let ip = ip.to_owned();
    let public_url = state.settings.public_url.clone();
    let created = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = insert(conn, &account, Some(lang.code()), false, None)? else {
                return Ok(Err(EmailTaken));
            };
            let workspace =
                queries::workspaces::create_with_owner(conn, &workspace_name, lang, user.id)?;
            verification::send_link(conn, &public_url, &user, lang, Occasion::Asked, Utc::now())?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "user.registered",
                    Some(user.id),
                    Some(workspace.id),
                    Some(&ip),
                ),
            )?;
            Ok(Ok((user, workspace)))
        })
    })
    .await?;
    if created.is_ok() {
        mail::deliver_soon(&state.pool, &state.mailer);
    }
    Ok(created)
}

/// Makes the person with this address a site admin, if they have an account; whether they had one.
///
/// # Errors
/// When the database fails.
pub async fn promote_admin(pool: &DbPool, email: &EmailAddress) -> Result<bool, AppError> {
    let email = email.clone();
    with_db(pool, move |conn| {
        let Some(user) = queries::users::find_by_email(conn, email.as_str())? else {
            return Ok(false);
        };
        queries::users::set_admin(conn, user.id, true)?;
        queries::audit::record(
            conn,
            &NewAuditEvent::new("admin.granted_by_cli", None, None, None)
                .with_details(serde_json::json!({ "user_id": user.id })),
        )?;
        Ok(true)
    })
    .await
}

/// Creates a site admin from the command line, verified already (the operator vouches for the address
/// they type).
///
/// # Errors
/// When the database or the hashing fails.
pub async fn create_admin(
    pool: &DbPool,
    account: NewAccount,
) -> Result<Result<User, EmailTaken>, AppError> {
    let account = hash(account).await?;
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = insert(conn, &account, None, true, Some(Utc::now()))? else {
                return Ok(Err(EmailTaken));
            };
            queries::audit::record(
                conn,
                &NewAuditEvent::new("admin.created_by_cli", None, None, None)
                    .with_details(serde_json::json!({ "user_id": user.id })),
            )?;
            Ok(Ok(user))
        })
    })
    .await
}

/// Sends the person a verification link when the occasion allows one now, and delivers it at once;
/// whether one was sent.
///
/// # Errors
/// When the database cannot be reached.
pub async fn send_verification(
    state: &AppState,
    user: User,
    lang: Lang,
    occasion: Occasion,
) -> Result<bool, AppError> {
    let public_url = state.settings.public_url.clone();
    let sent = with_db(&state.pool, move |conn| {
        Ok(verification::send_link(
            conn,
            &public_url,
            &user,
            lang,
            occasion,
            Utc::now(),
        )?)
    })
    .await?;
    if sent {
        mail::deliver_soon(&state.pool, &state.mailer);
    }
    Ok(sent)
}

/// Whether a verification link (the token from its URL) is still good: unused and not expired.
///
/// # Errors
/// When the database cannot be reached.
pub async fn verification_link_works(pool: &DbPool, token: &str) -> Result<bool, AppError> {
    let hash = token::hash(token);
    with_db(pool, move |conn| {
        Ok(queries::email_verifications::is_valid(
            conn,
            &hash,
            Utc::now(),
        )?)
    })
    .await
}

/// Uses a verification link: the address it was sent to is verified, with an audit event, in one
/// transaction; false when the link is used, expired or unknown (nothing changes).
///
/// # Errors
/// When the database cannot be reached.
pub async fn confirm_email(pool: &DbPool, token: &str, ip: &str) -> Result<bool, AppError> {
    let hash = token::hash(token);
    let ip = ip.to_owned();
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user_id) = queries::email_verifications::consume(conn, &hash, Utc::now())?
            else {
                return Ok(false);
            };
            let event = NewAuditEvent::new("user.email_verified", Some(user_id), None, Some(&ip));
            queries::audit::record(conn, &event)?;
            Ok(true)
        })
    })
    .await
}

/// Keeps the interface language a person chose on their account.
///
/// # Errors
/// When the database cannot be reached.
pub async fn set_language(pool: &DbPool, user_id: i64, lang: Lang) -> Result<(), AppError> {
    with_db(pool, move |conn| {
        queries::users::set_locale(conn, user_id, lang.code())?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_account_refuses_a_password_made_of_its_address_and_name() {
        let refused = NewAccount::parse("ninabeats", "ninabeats@example.com", "ninabeats")
            .err()
            .expect("a password made of the address is refused");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, "password");
        assert_eq!(refused[0].1.key, "errors.password_too_common");
    }

    #[test]
    fn a_new_account_names_every_field_it_refuses_in_form_order() {
        let refused = NewAccount::parse("", "not an address", "short")
            .err()
            .expect("three bad fields");
        assert_eq!(
            refused.iter().map(|(field, _)| *field).collect::<Vec<_>>(),
            ["display_name", "email", "password"]
        );
    }

    #[test]
    fn a_sound_new_account_is_parsed() {
        let account = NewAccount::parse("Ada", "ada@example.com", "correct horse battery staple")
            .unwrap_or_else(|_| panic!("a sound account parses"));
        assert_eq!(account.email.as_str(), "ada@example.com");
        assert_eq!(account.name.as_str(), "Ada");
    }
}
