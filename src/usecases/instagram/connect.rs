//! Connecting an Instagram account through Meta's consent screen. `begin` issues a state bound to the
//! person's session (a nonce the session keeps), their workspace and, for a reconnection, the account;
//! it is stored hashed, lives ten minutes and is taken once. `finish` checks it, then exchanges the code
//! for a short-lived token and that for a long-lived one, reads the professional account (keyed on its
//! `user_id`), subscribes the app to its comments and messages, and stores the account with its sealed
//! token in one transaction. `unsubscribe` is disconnection's side.

use chrono::{DateTime, Duration, Utc};
use diesel::Connection as _;
use secrecy::SecretString;
use subtle::ConstantTimeEq as _;

use crate::auth::token::{LinkToken, hash};
use crate::db::models::{AccountCheck, NewOAuthState, NewSocialAccount, SocialAccount};
use crate::db::queries;
use crate::domain::account::{AccountStatus, ConnectedVia};
use crate::domain::platform::Platform;
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::platforms::instagram::{self, api};
use crate::state::AppState;
use crate::usecases::Actor;

/// How long a consent screen may stay open.
pub const STATE_MINUTES: i64 = 10;

/// The path Meta sends the person back to.
pub const CALLBACK_PATH: &str = "/oauth/instagram/callback";

/// Why nothing was connected; each says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The app's variables are not set.
    NotConfigured,
    /// The person said no on the consent screen.
    Denied,
    /// The callback came without a state, or with one never issued.
    UnknownState,
    /// The state was used already (a reload, a replayed link).
    ReusedState,
    /// More than ten minutes went by.
    ExpiredState,
    /// The state was issued to another session or person.
    ForeignState,
    /// The person may not connect accounts in the workspace (any more).
    NotAllowed,
    /// The callback carried no code.
    MissingCode,
    /// Instagram refused a step, in its own words.
    Platform(String),
    /// This Instagram account is connected in the workspace already.
    AlreadyConnected(String),
    /// A reconnection came back with another Instagram account.
    WrongAccount { expected: String, found: String },
}

impl Refusal {
    /// The message shown to the person, in their language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        let key = match self {
            Refusal::NotConfigured => "instagram.refused_not_configured",
            Refusal::Denied => "instagram.refused_denied",
            Refusal::UnknownState => "instagram.refused_unknown_state",
            Refusal::ReusedState => "instagram.refused_reused_state",
            Refusal::ExpiredState => "instagram.refused_expired_state",
            Refusal::ForeignState => "instagram.refused_foreign_state",
            Refusal::NotAllowed => "instagram.refused_not_allowed",
            Refusal::MissingCode => "instagram.refused_missing_code",
            Refusal::Platform(said) => {
                return lang.t_with("instagram.refused_platform", "said", said);
            }
            Refusal::AlreadyConnected(handle) => {
                return lang.t_with(
                    "instagram.refused_duplicate",
                    "handle",
                    &format!("@{handle}"),
                );
            }
            Refusal::WrongAccount { expected, found } => {
                return lang
                    .t_with(
                        "instagram.refused_wrong_account",
                        "expected",
                        &format!("@{expected}"),
                    )
                    .replace("%{found}", &format!("@{found}"));
            }
        };
        lang.t(key).into_owned()
    }
}

/// A consent screen to open: where to send the person, and the nonce their session keeps.
#[derive(Debug, Clone)]
pub struct Started {
    pub authorize_url: String,
    pub session_nonce: String,
}

/// Where Meta sends the person back, on this app.
#[must_use]
pub fn redirect_uri(public_url: &str) -> String {
    format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'))
}

/// The consent screen's address for `state`.
#[must_use]
pub fn authorize_url(
    settings: &instagram::Settings,
    app: &instagram::App,
    redirect: &str,
    state: &str,
) -> String {
    let query = serde_urlencoded::to_string([
        ("force_reauth", "true"),
        ("client_id", app.id.as_str()),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", instagram::SCOPES),
        ("state", state),
    ])
    .unwrap_or_default();
    format!("{}?{query}", settings.authorize_url)
}

/// Opens a consent screen for the actor's workspace (to reconnect `account_id` when given).
pub async fn begin(
    state: &AppState,
    actor: &Actor,
    account_id: Option<i64>,
) -> Result<Result<Started, Refusal>, AppError> {
    let settings = &state.settings.platforms.instagram;
    let Some(app) = settings.app.as_ref() else {
        return Ok(Err(Refusal::NotConfigured));
    };
    if !actor.role.manages_members() {
        return Ok(Err(Refusal::NotAllowed));
    }
    // The state and the session's nonce are kept as link tokens are: only their hashes are stored.
    let (oauth_state, nonce) = (LinkToken::generate(), LinkToken::generate());
    let (state_hash, session_hash) = (oauth_state.hash, nonce.hash);
    let (oauth_state, nonce) = (oauth_state.token, nonce.token);
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    let expires_at = Utc::now() + Duration::minutes(STATE_MINUTES);
    with_db(&state.pool, move |conn| {
        if let Some(id) = account_id {
            queries::accounts::find(conn, workspace_id, id)?.ok_or(AppError::NotFound)?;
        }
        queries::oauth_states::insert(
            conn,
            &NewOAuthState {
                state_hash: &state_hash,
                platform: Platform::Instagram,
                workspace_id,
                user_id,
                session_hash: &session_hash,
                account_id,
                expires_at,
            },
        )?;
        Ok(())
    })
    .await?;
    let redirect = redirect_uri(&state.settings.public_url);
    Ok(Ok(Started {
        authorize_url: authorize_url(settings, app, &redirect, &oauth_state),
        session_nonce: nonce,
    }))
}

/// What Meta's redirect carried.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_reason: Option<String>,
}

/// The workspace a callback was for (to send the person back to its Accounts page), and what came of it.
#[derive(Debug)]
pub struct Finished {
    pub workspace_id: Option<i64>,
    pub outcome: Result<SocialAccount, Refusal>,
}

/// Checks the state, then connects (or reconnects) the account the person consented with.
pub async fn finish(
    state: &AppState,
    user_id: i64,
    ip: &str,
    session_nonce: Option<String>,
    callback: Callback,
) -> Result<Finished, AppError> {
    let flow = match take_state(state, user_id, session_nonce, callback.state.as_deref()).await? {
        Ok(flow) => flow,
        Err(refusal) => {
            return Ok(Finished {
                workspace_id: None,
                outcome: Err(refusal),
            });
        }
    };
    let outcome = connect(state, &flow, ip, &callback).await?;
    Ok(Finished {
        workspace_id: Some(flow.workspace_id),
        outcome,
    })
}

/// A state that checked out.
#[derive(Debug, Clone, Copy)]
#[expect(
    clippy::struct_field_names,
    reason = "three ids, named as their columns"
)]
struct Flow {
    workspace_id: i64,
    user_id: i64,
    account_id: Option<i64>,
}

async fn take_state(
    state: &AppState,
    user_id: i64,
    session_nonce: Option<String>,
    oauth_state: Option<&str>,
) -> Result<Result<Flow, Refusal>, AppError> {
    let Some(oauth_state) = oauth_state.filter(|s| !s.is_empty()) else {
        return Ok(Err(Refusal::UnknownState));
    };
    let state_hash = hash(oauth_state);
    let now = Utc::now();
    with_db(&state.pool, move |conn| {
        let Some(found) = queries::oauth_states::take(conn, &state_hash, now)? else {
            return Ok(Err(Refusal::UnknownState));
        };
        let same_session =
            session_nonce.is_some_and(|nonce| bool::from(hash(&nonce).ct_eq(&found.session_hash)));
        let refusal = if found.platform != Platform::Instagram {
            Some(Refusal::UnknownState)
        } else if found.used_at.is_some() {
            Some(Refusal::ReusedState)
        } else if found.user_id != user_id || !same_session {
            Some(Refusal::ForeignState)
        } else if found.expires_at < now {
            Some(Refusal::ExpiredState)
        } else if !queries::memberships::role(conn, found.workspace_id, user_id)?
            .is_some_and(crate::domain::Role::manages_members)
        {
            Some(Refusal::NotAllowed)
        } else {
            None
        };
        Ok(match refusal {
            Some(refusal) => Err(refusal),
            None => Ok(Flow {
                workspace_id: found.workspace_id,
                user_id,
                account_id: found.account_id,
            }),
        })
    })
    .await
}

/// The account Instagram vouched for, with its long-lived token.
struct Consented {
    profile: api::Profile,
    token: SecretString,
    expires_at: DateTime<Utc>,
}

fn refused(error: &api::ApiError) -> Refusal {
    Refusal::Platform(error.to_string())
}

/// Exchanges the code, reads the account, subscribes the app, then stores it all.
async fn connect(
    state: &AppState,
    flow: &Flow,
    ip: &str,
    callback: &Callback,
) -> Result<Result<SocialAccount, Refusal>, AppError> {
    if callback.error.is_some() {
        tracing::info!(reason = ?callback.error_reason, "an Instagram consent was declined");
        return Ok(Err(Refusal::Denied));
    }
    let Some(code) = callback.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(Err(Refusal::MissingCode));
    };
    let consented = match consent(state, code).await? {
        Ok(consented) => consented,
        Err(refusal) => return Ok(Err(refusal)),
    };
    store(state, flow, ip, consented).await
}

async fn consent(state: &AppState, code: &str) -> Result<Result<Consented, Refusal>, AppError> {
    let settings = &state.settings.platforms.instagram;
    let graph = api::Graph::new(settings).map_err(|e| AppError::Internal(e.into()))?;
    let redirect = redirect_uri(&state.settings.public_url);
    let steps = async {
        let short = graph.exchange_code(code, &redirect).await?;
        let long = graph.long_lived(&short.token).await?;
        let profile = graph.me(&long.token).await?;
        graph.subscribe(&long.token).await?;
        Ok::<_, api::ApiError>(Consented {
            profile,
            expires_at: Utc::now() + Duration::seconds(long.expires_in),
            token: long.token,
        })
    };
    Ok(steps.await.map_err(|error| {
        tracing::info!(%error, "an Instagram connection was refused by the platform");
        refused(&error)
    }))
}

/// Stores the account (new, or the one reconnected) with its sealed token, in one transaction.
async fn store(
    state: &AppState,
    flow: &Flow,
    ip: &str,
    consented: Consented,
) -> Result<Result<SocialAccount, Refusal>, AppError> {
    let Flow {
        workspace_id,
        user_id,
        account_id,
    } = *flow;
    let keyring = state.settings.secret_keys.clone();
    let ip = ip.to_owned();
    let Consented {
        profile,
        token,
        expires_at,
    } = consented;
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let now = Utc::now();
            let existing = queries::accounts::find_by_external_id(
                conn,
                workspace_id,
                Platform::Instagram,
                &profile.user_id,
            )?;
            if let Some(wanted) = account_id
                && existing.as_ref().is_none_or(|e| e.id != wanted)
            {
                let expected = queries::accounts::find(conn, workspace_id, wanted)?
                    .map(|a| a.handle)
                    .unwrap_or_default();
                return Ok(Err(Refusal::WrongAccount {
                    expected,
                    found: profile.username.clone(),
                }));
            }
            let account = match (account_id, existing) {
                (None, Some(existing)) if existing.status() != AccountStatus::Disconnected => {
                    return Ok(Err(Refusal::AlreadyConnected(existing.handle)));
                }
                (_, Some(existing)) => {
                    let check = AccountCheck::new(AccountStatus::Active, None, Some(now));
                    queries::accounts::record_check(conn, workspace_id, existing.id, &check)?;
                    crate::mail::alerts::account_reconnected(conn, workspace_id, existing.id)?;
                    queries::accounts::find(conn, workspace_id, existing.id)?
                        .ok_or(AppError::NotFound)?
                }
                (_, None) => {
                    let new = NewSocialAccount {
                        workspace_id,
                        platform: Platform::Instagram,
                        handle: &profile.username,
                        display_name: profile.name.as_deref(),
                        status: AccountStatus::Active,
                        connected_via: ConnectedVia::OAuth,
                        session_expires_at: Some(expires_at),
                        last_checked_at: Some(now),
                        external_id: Some(&profile.user_id),
                    };
                    let Some(account) = queries::accounts::insert(conn, &new)? else {
                        return Ok(Err(Refusal::AlreadyConnected(profile.username.clone())));
                    };
                    account
                }
            };
            let ids = (workspace_id, account.id);
            super::store_token(conn, &keyring, ids, &token, expires_at)?;
            let action = if account_id.is_some() {
                "account.reconnected"
            } else {
                "account.connected"
            };
            let event = crate::db::models::NewAuditEvent::new(
                action,
                Some(user_id),
                Some(workspace_id),
                Some(&ip),
            )
            .with_details(serde_json::json!({
                "account_id": account.id,
                "handle": account.handle,
                "via": ConnectedVia::OAuth.as_str(),
            }));
            queries::audit::record(conn, &event)?;
            Ok(Ok(account))
        })
    })
    .await
}

/// Stops the app's subscription to the account's events (disconnection), as far as Instagram answers:
/// a dead token or an unreachable API is logged, and the disconnection goes on.
pub async fn unsubscribe(state: &AppState, account: &SocialAccount) -> Result<(), AppError> {
    let Some(token) = super::token(state, account.workspace_id, account.id).await? else {
        return Ok(());
    };
    let graph = api::Graph::new(&state.settings.platforms.instagram)
        .map_err(|e| AppError::Internal(e.into()))?;
    if let Err(error) = graph.unsubscribe(&token).await {
        tracing::info!(account = account.id, %error, "the Instagram subscription could not be removed");
    }
    Ok(())
}

/// The Accounts page of the workspace `workspace_id`.
pub async fn accounts_path(state: &AppState, workspace_id: i64) -> Result<String, AppError> {
    let workspace = with_db(&state.pool, move |conn| {
        Ok(queries::workspaces::find(conn, workspace_id)?)
    })
    .await?;
    Ok(format!("/w/{}/accounts", workspace.slug))
}
