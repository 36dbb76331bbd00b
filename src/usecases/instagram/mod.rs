//! Instagram's use cases: connecting an account through the consent screen (`connect`), the inbox of
//! signed webhook deliveries and the worker that turns them into interactions (`inbox`), keeping tokens
//! alive and marking accounts whose token died (`tokens`), and the account's token, sealed with the
//! keyring under Instagram's own purpose.

pub mod connect;
pub mod inbox;
pub mod tokens;

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
