//! Instagram's use cases: connecting an account through the consent screen (`connect`), the inbox of
//! signed webhook deliveries and the worker that turns them into interactions (`inbox`), the backfill
//! that reads recent comments and messages through the Graph API (`backfill`), the one mapping of
//! their events to interactions (`events`), and the account's token, sealed with the keyring under
//! Instagram's own purpose.

pub mod backfill;
pub mod connect;
mod events;
pub mod inbox;

use secrecy::{ExposeSecret as _, SecretString};

use crate::crypto::Purpose;
use crate::db::queries;
use crate::domain::platform::Platform;
use crate::error::{AppError, with_db};
use crate::state::AppState;
use crate::usecases::accounts::context;

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
    Ok(opened.ok().and_then(|plain| {
        std::str::from_utf8(plain.expose_secret())
            .ok()
            .map(|t| SecretString::from(t.to_owned()))
    }))
}
