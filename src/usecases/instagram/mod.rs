//! Instagram's use cases: connecting an account through the consent screen (`connect`), the inbox of
//! signed webhook deliveries and the worker that turns them into interactions (`inbox`), the backfill
//! that reads recent comments and messages through the Graph API (`backfill`), the one mapping of
//! their events to interactions (`events`), sending an approved draft with one click (`send`), keeping
//! tokens alive and marking accounts whose token died (`tokens`), and the account's token, sealed with
//! the keyring under Instagram's own purpose.

pub mod backfill;
pub mod connect;
mod events;
pub mod inbox;
pub mod send;
pub mod tokens;

use secrecy::{ExposeSecret as _, SecretString};

use crate::crypto::Purpose;
use crate::db::queries;
use crate::domain::platform::Platform;
use crate::error::{AppError, with_db};
use crate::state::AppState;
use crate::usecases::accounts::context;

/// Seals `token` for the account (bound to its workspace, itself and Instagram's purpose) and stores it
/// with its expiry, in the caller's transaction: at connection and at every refresh.
pub(crate) fn store_token(
    conn: &mut diesel::PgConnection,
    keyring: &crate::crypto::Keyring,
    (workspace_id, account_id): (i64, i64),
    token: &SecretString,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> diesel::QueryResult<()> {
    let sealed = keyring.seal(
        token.expose_secret().as_bytes(),
        &context(Platform::Instagram, workspace_id, account_id),
    );
    let purpose = Purpose::Credentials(Platform::Instagram);
    queries::accounts::store_secret(conn, workspace_id, account_id, purpose, &sealed)?;
    let now = chrono::Utc::now();
    queries::accounts::set_token_refreshed(conn, workspace_id, account_id, expires_at, now)?;
    Ok(())
}

/// The account's access token; `None` when it has none (disconnected) or it cannot be opened.
pub(crate) async fn token(
    state: &AppState,
    workspace_id: i64,
    account_id: i64,
) -> Result<Option<SecretString>, AppError> {
    let purpose = Purpose::Credentials(Platform::Instagram);
    let sealed = with_db(&state.pool, move |conn| {
        Ok(queries::accounts::secret(
            conn,
            workspace_id,
            account_id,
            purpose,
        )?)
    })
    .await?;
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let opened = state.settings.secret_keys.open(
        &sealed.sealed(),
        &context(Platform::Instagram, workspace_id, account_id),
    );
    let token = opened.ok().as_ref().and_then(token_text);
    if token.is_none() {
        tracing::warn!(account_id, "an Instagram token could not be opened");
    }
    Ok(token)
}

/// A token as it was sealed (its UTF-8 text); `None` when the bytes are no text.
fn token_text(plain: &secrecy::SecretSlice<u8>) -> Option<SecretString> {
    std::str::from_utf8(plain.expose_secret())
        .ok()
        .map(|t| SecretString::from(t.to_owned()))
}

/// What the Graph API says of an account's token now: active when it reads the account, expired when
/// the token is dead; a throttled or unreachable API leaves the account as it was.
pub(crate) async fn check(
    state: &AppState,
    account: &crate::db::models::SocialAccount,
    token: secrecy::SecretSlice<u8>,
) -> (crate::domain::account::AccountStatus, Option<&'static str>) {
    use crate::domain::account::AccountStatus;
    let unchanged = (account.status(), None);
    let Some(token) = token_text(&token) else {
        return (
            AccountStatus::Failing,
            Some("accounts.reason_secret_unreadable"),
        );
    };
    let graph =
        match crate::platforms::instagram::api::Graph::new(&state.settings.platforms.instagram) {
            Ok(graph) => graph,
            Err(error) => {
                tracing::warn!(%error, "the Instagram API client could not be built");
                return unchanged;
            }
        };
    match graph.me(&token).await {
        Ok(_) => (AccountStatus::Active, None),
        Err(error) if error.is_token_dead() => {
            (AccountStatus::Expired, Some("accounts.reason_token_dead"))
        }
        Err(error) => {
            tracing::info!(account = account.id, %error, "an Instagram token could not be checked now");
            unchanged
        }
    }
}
