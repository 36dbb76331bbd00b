//! Connecting social accounts: a pasted session is checked in a real browser before anything is stored;
//! its cookies are sealed with the keyring, bound to the workspace and the account; checks record what
//! the platform's own page says (a check that finds every browser busy records nothing).

pub mod qr;

use chrono::Utc;
use diesel::Connection as _;
use secrecy::ExposeSecret as _;

use crate::crypto::{Purpose, SecretContext};
use crate::db::models::{AccountCheck, NewAuditEvent, NewSocialAccount, SocialAccount};
use crate::db::queries;
use crate::domain::account::{AccountStatus, ConnectedVia, Handle};
use crate::domain::cookies::{CookieImportError, CookieJar};
use crate::domain::platform::Platform;
use crate::error::AppError;
use crate::error::with_db;
use crate::i18n::Lang;
use crate::mail;
use crate::platforms::{self, SessionState};
use crate::scrape::PoolBusy;
use crate::state::AppState;

/// Why a session was not connected; each says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Cookies(CookieImportError),
    Expired,
    Blocked,
    Unrecognised,
    AlreadyConnected(Handle),
    WrongAccount { expected: String, found: Handle },
    BrowserUnavailable,
}

impl Refusal {
    /// The message shown on the form, in the person's language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::Cookies(error) => cookie_message(lang, error),
            Refusal::Expired => lang.t("accounts.refused_expired").into_owned(),
            Refusal::Blocked => lang.t("accounts.refused_blocked").into_owned(),
            Refusal::Unrecognised => lang.t("accounts.refused_unrecognised").into_owned(),
            Refusal::AlreadyConnected(handle) => {
                lang.t_with("accounts.refused_duplicate", "handle", &handle.to_string())
            }
            Refusal::WrongAccount { expected, found } => lang
                .t_with(
                    "accounts.refused_wrong_account",
                    "expected",
                    &format!("@{expected}"),
                )
                .replace("%{found}", &found.to_string()),
            Refusal::BrowserUnavailable => lang.t("accounts.refused_browser").into_owned(),
        }
    }
}

/// A cookie refusal in words, with its details filled in (never a cookie's value).
#[must_use]
pub fn cookie_message(lang: Lang, error: &CookieImportError) -> String {
    let text = lang.t(error.key()).into_owned();
    let fill =
        |text: String, name: &str, value: String| text.replace(&format!("%{{{name}}}"), &value);
    match error {
        CookieImportError::HeaderPiece { position } => fill(text, "position", position.to_string()),
        CookieImportError::NetscapeFields { line, found } => fill(
            fill(text, "line", line.to_string()),
            "found",
            found.to_string(),
        ),
        CookieImportError::NetscapeExpiry { line } | CookieImportError::DevToolsRow { line } => {
            fill(text, "line", line.to_string())
        }
        CookieImportError::InvalidJson { line, column } => fill(
            fill(text, "line", line.to_string()),
            "column",
            column.to_string(),
        ),
        CookieImportError::JsonEntry { index, field } => fill(
            fill(text, "index", index.to_string()),
            "field",
            (*field).to_owned(),
        ),
        CookieImportError::NoCookiesForSite { found, site } => {
            fill(fill(text, "found", found.to_string()), "site", site.clone())
        }
        CookieImportError::NoSessionCookie { site } => fill(text, "site", site.clone()),
        CookieImportError::Expired { expired, site } => fill(
            fill(text, "date", expired.format("%Y-%m-%d").to_string()),
            "site",
            site.clone(),
        ),
        CookieImportError::Empty
        | CookieImportError::Unrecognised
        | CookieImportError::JsonNotCookies
        | CookieImportError::Placeholder => text,
    }
}

/// Records what happened to an account in the audit trail (its details never hold a secret).
fn audit(
    conn: &mut diesel::PgConnection,
    action: &str,
    actor: i64,
    workspace_id: i64,
    ip: &str,
    details: serde_json::Value,
) -> diesel::QueryResult<usize> {
    let event = NewAuditEvent::new(action, Some(actor), Some(workspace_id), Some(ip));
    queries::audit::record(conn, &event.with_details(details))
}

/// What an account's sealed credentials are bound to: its workspace, itself and its platform's purpose.
#[must_use]
pub fn context(platform: Platform, workspace_id: i64, account_id: i64) -> SecretContext {
    SecretContext {
        workspace_id,
        account_id,
        purpose: Purpose::Credentials(platform),
    }
}

/// Reads a pasted session for `platform` and checks it in a browser.
async fn read_and_check(
    state: &AppState,
    platform: Platform,
    pasted: &str,
) -> Result<CheckedSession, Refusal> {
    let platforms = &state.settings.platforms;
    let jar = platforms::parse_session(platforms, platform, pasted, Utc::now())
        .map_err(Refusal::Cookies)?;
    let checked = platforms::check_session(platforms, &state.browsers, platform, &jar)
        .await
        .map_err(|error| {
            tracing::warn!(
                error = format!("{error:#}"),
                "a session check could not run"
            );
            Refusal::BrowserUnavailable
        })?;
    match checked {
        SessionState::Active {
            handle,
            display_name,
        } => Ok(CheckedSession {
            platform,
            jar,
            handle,
            display_name,
        }),
        SessionState::Expired => Err(Refusal::Expired),
        SessionState::Blocked => Err(Refusal::Blocked),
        SessionState::Unrecognised => Err(Refusal::Unrecognised),
    }
}

/// Connects an account of `platform` from a pasted session; the handle comes from the account's own page.
pub async fn connect_with_cookies(
    state: &AppState,
    platform: Platform,
    workspace_id: i64,
    actor: i64,
    ip: &str,
    pasted: &str,
) -> Result<Result<SocialAccount, Refusal>, AppError> {
    match read_and_check(state, platform, pasted).await {
        Ok(checked) => {
            store_new_account(
                state,
                workspace_id,
                actor,
                ip,
                checked,
                ConnectedVia::Cookies,
            )
            .await
        }
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// A session the platform's own page vouched for.
pub struct CheckedSession {
    pub platform: Platform,
    pub jar: CookieJar,
    pub handle: Handle,
    pub display_name: Option<String>,
}

/// Stores a new account with its sealed session, in one transaction; refused when the handle is
/// already connected in the workspace.
pub async fn store_new_account(
    state: &AppState,
    workspace_id: i64,
    actor: i64,
    ip: &str,
    checked: CheckedSession,
    via: ConnectedVia,
) -> Result<Result<SocialAccount, Refusal>, AppError> {
    let CheckedSession {
        platform,
        jar,
        handle,
        display_name,
    } = checked;
    let keyring = state.settings.secret_keys.clone();
    let ip = ip.to_owned();
    let plaintext = serde_json::to_vec(&jar).map_err(|e| AppError::Internal(e.into()))?;
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let new = NewSocialAccount {
                workspace_id,
                platform,
                handle: handle.as_str(),
                display_name: display_name.as_deref(),
                status: AccountStatus::Active,
                connected_via: via,
                session_expires_at: jar.session_expires,
                last_checked_at: Some(Utc::now()),
                external_id: None,
            };
            let Some(account) = queries::accounts::insert(conn, &new)? else {
                return Ok(Err(Refusal::AlreadyConnected(handle.clone())));
            };
            let sealed = keyring.seal(&plaintext, &context(platform, workspace_id, account.id));
            let purpose = Purpose::Credentials(platform);
            queries::accounts::store_secret(conn, workspace_id, account.id, purpose, &sealed)?;
            let details = serde_json::json!({ "account_id": account.id, "handle": account.handle, "via": via.as_str() });
            audit(conn, "account.connected", actor, workspace_id, &ip, details)?;
            Ok(Ok(account))
        })
    })
    .await
}

/// Replaces an account's session with pasted cookies, when they are that same account's.
pub async fn reconnect_with_cookies(
    state: &AppState,
    account: &SocialAccount,
    actor: i64,
    ip: &str,
    pasted: &str,
) -> Result<Option<Refusal>, AppError> {
    match read_and_check(state, account.platform(), pasted).await {
        Ok(checked) => replace_session(state, account, actor, ip, checked).await,
        Err(refusal) => Ok(Some(refusal)),
    }
}

/// Gives an account a new session, when the session is that same account's (the page's handle decides).
pub async fn replace_session(
    state: &AppState,
    account: &SocialAccount,
    actor: i64,
    ip: &str,
    checked: CheckedSession,
) -> Result<Option<Refusal>, AppError> {
    let CheckedSession {
        platform,
        jar,
        handle,
        display_name,
    } = checked;
    if platform != account.platform() || !handle.as_str().eq_ignore_ascii_case(&account.handle) {
        return Ok(Some(Refusal::WrongAccount {
            expected: account.handle.clone(),
            found: handle,
        }));
    }
    let (workspace_id, account_id, ip) = (account.workspace_id, account.id, ip.to_owned());
    let plaintext = serde_json::to_vec(&jar).map_err(|e| AppError::Internal(e.into()))?;
    let sealed = state
        .settings
        .secret_keys
        .seal(&plaintext, &context(platform, workspace_id, account_id));
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            queries::accounts::store_secret(
                conn,
                workspace_id,
                account_id,
                Purpose::Credentials(platform),
                &sealed,
            )?;
            let check = AccountCheck::new(AccountStatus::Active, None, Some(Utc::now()));
            queries::accounts::record_check(conn, workspace_id, account_id, &check)?;
            mail::alerts::account_reconnected(conn, workspace_id, account_id)?;
            queries::accounts::set_session_expiry(
                conn,
                workspace_id,
                account_id,
                jar.session_expires,
            )?;
            queries::accounts::set_display_name(
                conn,
                workspace_id,
                account_id,
                display_name.as_deref(),
            )?;
            audit(
                conn,
                "account.reconnected",
                actor,
                workspace_id,
                &ip,
                serde_json::json!({ "account_id": account_id }),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(None)
}

/// Checks a connected account's stored session now and records what the page says. When every browser
/// is busy nothing is known about the session, so nothing is recorded: the answer is `PoolBusy`.
pub async fn check_now(
    state: &AppState,
    account: &SocialAccount,
) -> Result<Result<AccountStatus, PoolBusy>, AppError> {
    let (workspace_id, account_id, platform) =
        (account.workspace_id, account.id, account.platform());
    let secret = with_db(&state.pool, move |conn| {
        Ok(queries::accounts::secret(
            conn,
            workspace_id,
            account_id,
            Purpose::Credentials(platform),
        )?)
    })
    .await?;
    let (status, reason) = match secret {
        None => (
            AccountStatus::Disconnected,
            Some("accounts.reason_no_secret"),
        ),
        Some(secret) => match state.settings.secret_keys.open(
            &secret.sealed(),
            &context(platform, workspace_id, account_id),
        ) {
            Err(error) => {
                tracing::warn!(account_id, %error, "a stored session could not be opened");
                (
                    AccountStatus::Failing,
                    Some("accounts.reason_secret_unreadable"),
                )
            }
            Ok(token) if platform == Platform::Instagram => {
                crate::usecases::instagram::check(state, account, token).await
            }
            Ok(plaintext) => match serde_json::from_slice::<CookieJar>(plaintext.expose_secret()) {
                Err(_) => (
                    AccountStatus::Failing,
                    Some("accounts.reason_secret_unreadable"),
                ),
                Ok(jar) => match check_in_browser(state, account, &jar).await {
                    Ok(found) => found,
                    Err(busy) => return Ok(Err(busy)),
                },
            },
        },
    };
    let check = AccountCheck::new(status, reason, Some(Utc::now()));
    let public_url = state.settings.public_url.clone();
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            queries::accounts::record_check(conn, workspace_id, account_id, &check)?;
            if status == AccountStatus::Expired {
                mail::alerts::account_expired(
                    conn,
                    workspace_id,
                    account_id,
                    &public_url,
                    Utc::now(),
                )?;
            }
            Ok(())
        })
    })
    .await?;
    if status == AccountStatus::Expired
        && let Err(error) = mail::deliver_due(&state.pool, &state.mailer, 20).await
    {
        tracing::warn!(
            ?error,
            "queued mail could not be delivered now; the mail job retries"
        );
    }
    Ok(Ok(status))
}

/// The status a browser finds for `jar`, with the reason's key; `PoolBusy` when no browser was free.
async fn check_in_browser(
    state: &AppState,
    account: &SocialAccount,
    jar: &CookieJar,
) -> Result<(AccountStatus, Option<&'static str>), PoolBusy> {
    let account_id = account.id;
    let platforms = &state.settings.platforms;
    match platforms::check_session(platforms, &state.browsers, account.platform(), jar).await {
        Ok(SessionState::Active { .. }) => Ok((AccountStatus::Active, None)),
        Ok(SessionState::Expired) => Ok((AccountStatus::Expired, Some("accounts.reason_expired"))),
        Ok(SessionState::Blocked) => Ok((AccountStatus::Blocked, Some("accounts.reason_blocked"))),
        Ok(SessionState::Unrecognised) => {
            Ok((AccountStatus::Failing, Some("accounts.reason_unrecognised")))
        }
        Err(error) => match error.downcast::<PoolBusy>() {
            Ok(busy) => {
                tracing::info!(account_id, "a session check waits: every browser is busy");
                Err(busy)
            }
            Err(error) => {
                tracing::warn!(
                    account_id,
                    error = format!("{error:#}"),
                    "a session check could not run"
                );
                Ok((AccountStatus::Failing, Some("accounts.reason_browser")))
            }
        },
    }
}

/// The workspace's account `id`; `NotFound` when the workspace has none.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn find(state: &AppState, workspace_id: i64, id: i64) -> Result<SocialAccount, AppError> {
    with_db(&state.pool, move |conn| {
        queries::accounts::find(conn, workspace_id, id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// The workspace's accounts with the latest sync run of each, for the Accounts page.
///
/// # Errors
/// When the database cannot be reached.
pub async fn overview(
    state: &AppState,
    workspace_id: i64,
) -> Result<(Vec<SocialAccount>, Vec<crate::db::models::SyncRun>), AppError> {
    with_db(&state.pool, move |conn| {
        Ok((
            queries::accounts::list(conn, workspace_id)?,
            queries::syncs::latest_per_account(conn, workspace_id)?,
        ))
    })
    .await
}

/// Deletes the account's credentials and marks it disconnected (its history stays); an Instagram
/// account's subscription to its events is removed first.
pub async fn disconnect(
    state: &AppState,
    account: &SocialAccount,
    actor: i64,
    ip: &str,
) -> Result<(), AppError> {
    if account.platform() == Platform::Instagram {
        crate::usecases::instagram::connect::unsubscribe(state, account).await?;
    }
    let (workspace_id, account_id, ip) = (account.workspace_id, account.id, ip.to_owned());
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            queries::accounts::delete_secrets(conn, workspace_id, account_id)?;
            let check = AccountCheck::new(AccountStatus::Disconnected, None, None);
            queries::accounts::record_check(conn, workspace_id, account_id, &check)?;
            audit(
                conn,
                "account.disconnected",
                actor,
                workspace_id,
                &ip,
                serde_json::json!({ "account_id": account_id }),
            )?;
            Ok(())
        })
    })
    .await
}
