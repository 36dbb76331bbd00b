//! Connecting by QR code: a browser session opens the platform's QR login page, the creator scans the
//! code with their phone, and once that browser is logged in its cookies are captured, checked and
//! sealed. A login lives at most five minutes, can be cancelled (by the person who started it or a
//! manager of the workspace), and its browser session always ends. One login at a time per workspace,
//! and at most `QR_LOGIN_MAX` in this process, in browser sessions of their own (never those of syncs).
//! Logins are kept in this process's memory: with several instances, the load balancer must send a
//! creator's polling to the instance that started the login (sticky sessions).

use std::sync::Arc;

use thirtyfour::WebDriver;

use super::{CheckedSession, ConnectedVia, Refusal, replace_session, store_new_account};
use crate::db::models::SocialAccount;
use crate::domain::platform::Platform;
use crate::platforms;
use crate::state::AppState;

pub use crate::state::qr_logins::{LIFETIME, QrLogin, QrLogins, QrRefusal, QrStatus};

/// Starts a QR login on `platform` for the workspace, for a new account or to reconnect `reconnecting`
/// (then only that same account's scan is accepted); its browser work runs in the background.
///
/// # Errors
/// When the workspace has a QR login under way, or every QR login session is in use.
pub fn start(
    state: Arc<AppState>,
    platform: Platform,
    workspace_id: i64,
    actor: i64,
    ip: String,
    reconnecting: Option<SocialAccount>,
) -> Result<Arc<QrLogin>, QrRefusal> {
    let login = Arc::new(QrLogin::new(workspace_id, actor));
    let slot = state.qr_logins.insert(login.clone(), &state.browsers)?;
    let running = login.clone();
    actix_web::rt::spawn(async move {
        let outcome = state
            .browsers
            .run_in(slot, |driver| watch(&state, platform, &running, driver))
            .await;
        let status = match outcome {
            Ok(None) if running.is_cancelled() => QrStatus::Cancelled,
            Ok(None) => QrStatus::Expired,
            Ok(Some(checked)) => {
                let handle = checked.handle.as_str().to_owned();
                let stored = match &reconnecting {
                    Some(account) => replace_session(&state, account, actor, &ip, checked)
                        .await
                        .map(|refused| refused.map_or(Ok(()), Err)),
                    None => store_new_account(
                        &state,
                        workspace_id,
                        actor,
                        &ip,
                        checked,
                        ConnectedVia::Qr,
                    )
                    .await
                    .map(|stored| stored.map(|_| ())),
                };
                match stored {
                    Ok(Ok(())) => QrStatus::Connected { handle },
                    Ok(Err(Refusal::AlreadyConnected(_))) => QrStatus::Failed {
                        reason: "accounts.qr_failed_duplicate",
                    },
                    Ok(Err(Refusal::WrongAccount { .. })) => QrStatus::Failed {
                        reason: "accounts.qr_failed_wrong_account",
                    },
                    Ok(Err(_)) | Err(_) => QrStatus::Failed {
                        reason: "accounts.qr_failed",
                    },
                }
            }
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "a QR login failed");
                QrStatus::Failed {
                    reason: "accounts.qr_failed_browser",
                }
            }
        };
        running.set(status);
    });
    Ok(login)
}

/// Shows the QR code, then waits for the browser to be logged in; `None` when cancelled or expired.
async fn watch(
    state: &AppState,
    platform: Platform,
    login: &QrLogin,
    driver: WebDriver,
) -> anyhow::Result<Option<CheckedSession>> {
    let session = platforms::qr_login(
        &state.settings.platforms,
        platform,
        driver,
        state.settings.demo,
        |image, phone_link| login.show(image, phone_link),
        || login.seconds_left() > 0 && !login.is_cancelled(),
    )
    .await?;
    Ok(session.map(|(jar, handle, display_name)| CheckedSession {
        platform,
        jar,
        handle,
        display_name,
    }))
}
