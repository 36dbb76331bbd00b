//! Keeping Instagram access tokens alive. A long-lived token lasts 60 days and can be refreshed once it
//! is a day old: `refresh_due` refreshes every token at least 24 hours old and within 15 days of its
//! expiry (or past it), storing the new one sealed with its expiry in one transaction. A dead token
//! (code 190, a refused refresh) makes the account expired through `token_died`, which any other caller
//! that finds a dead token uses too; throttling and passing trouble leave the account for the next run.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use diesel::Connection as _;

use crate::db::models::{AccountCheck, SocialAccount};
use crate::db::queries;
use crate::domain::account::AccountStatus;
use crate::domain::platform::Platform;
use crate::error::{AppError, with_db};
use crate::mail;
use crate::platforms::instagram::api::{self, ApiError, LongLived};
use crate::state::AppState;

/// Instagram refreshes a token only once it is this old.
pub const REFRESH_AFTER_HOURS: i64 = 24;
/// A token is refreshed when it expires within this many days.
pub const REFRESH_WITHIN_DAYS: i64 = 15;
/// The most tokens one run refreshes (the soonest to expire first); the next run takes the rest.
pub const BATCH: i64 = 500;
/// The reason an account with a dead token shows (a translation key).
pub const REASON_TOKEN_DEAD: &str = "accounts.reason_token_dead";
/// The throttling code that limits the whole app, not one account: the run stops there.
const APP_THROTTLE_CODE: i64 = 4;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Tokens refreshed and stored.
    pub refreshed: usize,
    /// Accounts whose token was dead, now expired (their owners are mailed).
    pub expired: usize,
    /// Refreshes Instagram asked to slow down on; tried again at the next run.
    pub throttled: usize,
    /// Refreshes that failed otherwise (Instagram unreachable, a token that cannot be opened...);
    /// tried again at the next run.
    pub failed: usize,
}

impl fmt::Display for Refreshed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tokens: {} refreshed, {} expired, {} throttled, {} failed",
            self.refreshed, self.expired, self.throttled, self.failed
        )
    }
}

/// How one account's refresh went.
enum Outcome {
    Refreshed,
    Expired,
    Throttled {
        app_wide: bool,
    },
    Failed,
    /// The account was disconnected or expired meanwhile: nothing stored.
    Gone,
}

/// Refreshes every Instagram token that is due, in every workspace.
///
/// # Errors
/// When the database cannot be reached or the API client cannot be built; one account's failure is
/// counted, logged and left for the next run.
pub async fn refresh_due(state: &AppState) -> Result<Refreshed, AppError> {
    let now = Utc::now();
    let refreshed_before = now - Duration::hours(REFRESH_AFTER_HOURS);
    let expiring_before = now + Duration::days(REFRESH_WITHIN_DAYS);
    let due = with_db(&state.pool, move |conn| {
        Ok(queries::accounts::tokens_due(
            conn,
            Platform::Instagram,
            refreshed_before,
            expiring_before,
            now,
            BATCH,
        )?)
    })
    .await?;
    if due.is_empty() {
        return Ok(Refreshed::default());
    }
    let graph = api::Graph::new(&state.settings.platforms.instagram)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("the Instagram client")))?;
    let mut run = Refreshed::default();
    for (done, account) in due.iter().enumerate() {
        match refresh_one(state, &graph, account).await? {
            Outcome::Refreshed => run.refreshed += 1,
            Outcome::Expired => run.expired += 1,
            Outcome::Throttled { app_wide } => {
                run.throttled += 1;
                if app_wide {
                    tracing::info!(
                        left = due.len() - done - 1,
                        "Instagram limits the app's calls: the other refreshes wait for the next run"
                    );
                    break;
                }
            }
            Outcome::Failed => run.failed += 1,
            Outcome::Gone => {}
        }
    }
    if run.expired > 0
        && let Err(error) = mail::deliver_due(&state.pool, &state.mailer, 20).await
    {
        tracing::warn!(
            ?error,
            "queued mail could not be delivered now; the mail job retries"
        );
    }
    Ok(run)
}

async fn refresh_one(
    state: &AppState,
    graph: &api::Graph,
    account: &SocialAccount,
) -> Result<Outcome, AppError> {
    let Some(token) = super::token(state, account.workspace_id, account.id).await? else {
        tracing::warn!(
            account = account.id,
            "an Instagram token due for a refresh is missing or cannot be opened"
        );
        return Ok(Outcome::Failed);
    };
    match graph.refresh(&token).await {
        Ok(fresh) => store(state, account, fresh).await,
        Err(error) if error.is_token_dead() => {
            let marked = token_died(state, account, &error.to_string()).await?;
            Ok(if marked {
                Outcome::Expired
            } else {
                Outcome::Gone
            })
        }
        Err(ApiError::Throttled { code, message }) => {
            tracing::info!(
                account = account.id,
                code,
                %message,
                "Instagram asked to slow down: the token is refreshed at the next run"
            );
            Ok(Outcome::Throttled {
                app_wide: code == APP_THROTTLE_CODE,
            })
        }
        Err(error) if error.is_transient() => {
            tracing::info!(account = account.id, %error, "an Instagram token could not be refreshed now: the next run tries again");
            Ok(Outcome::Failed)
        }
        Err(error) => {
            tracing::warn!(account = account.id, %error, "an Instagram token could not be refreshed");
            Ok(Outcome::Failed)
        }
    }
}

/// Seals and stores the new token with its expiry, unless the account was disconnected or expired
/// while Instagram answered.
async fn store(
    state: &AppState,
    account: &SocialAccount,
    fresh: LongLived,
) -> Result<Outcome, AppError> {
    let (workspace_id, account_id) = (account.workspace_id, account.id);
    let expires_at: DateTime<Utc> = Utc::now() + Duration::seconds(fresh.expires_in);
    let keyring = state.settings.secret_keys.clone();
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let still_used = queries::accounts::find_for_update(conn, workspace_id, account_id)?
                .is_some_and(|a| in_use(a.status()));
            if !still_used {
                return Ok(Outcome::Gone);
            }
            let ids = (workspace_id, account_id);
            super::store_token(conn, &keyring, ids, &fresh.token, expires_at)?;
            Ok(Outcome::Refreshed)
        })
    })
    .await
}

fn in_use(status: AccountStatus) -> bool {
    matches!(status, AccountStatus::Active | AccountStatus::Failing)
}

/// Instagram no longer accepts the account's token (`message` is its word, logged): the account
/// becomes expired with the reason in words and its owners and admins get the expiry mail, queued in
/// the same transaction (once per expiry). A disconnected account stays disconnected. Answers whether
/// the account was marked.
///
/// # Errors
/// When the database cannot be reached.
pub async fn token_died(
    state: &AppState,
    account: &SocialAccount,
    message: &str,
) -> Result<bool, AppError> {
    let (workspace_id, account_id) = (account.workspace_id, account.id);
    let public_url = state.settings.public_url.clone();
    let marked = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(found) = queries::accounts::find_for_update(conn, workspace_id, account_id)?
            else {
                return Ok(false);
            };
            if found.status() == AccountStatus::Disconnected {
                return Ok(false);
            }
            let now = Utc::now();
            let check =
                AccountCheck::new(AccountStatus::Expired, Some(REASON_TOKEN_DEAD), Some(now));
            queries::accounts::record_check(conn, workspace_id, account_id, &check)?;
            mail::alerts::account_expired(conn, workspace_id, account_id, &public_url, now)?;
            Ok(true)
        })
    })
    .await?;
    if marked {
        tracing::warn!(
            account = account_id,
            workspace = workspace_id,
            %message,
            "Instagram refused the account's token: the account is expired until it is reconnected"
        );
    }
    Ok(marked)
}
