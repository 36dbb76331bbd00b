//! Connecting by QR code: a browser session opens the platform's QR login page, the creator scans the
//! code with their phone, and once that browser is logged in its cookies are captured, checked and
//! sealed. A login lives at most five minutes, can be cancelled (by the person who started it or a
//! manager of the workspace), and its browser session always ends. One login at a time per workspace,
//! and at most `QR_LOGIN_MAX` in this process, in browser sessions of their own (never those of syncs).
//! Logins are kept in this process's memory: with several instances, the load balancer must send a
//! creator's polling to the instance that started the login (sticky sessions).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use thirtyfour::prelude::*;

use super::{CheckedSession, ConnectedVia, Refusal, replace_session, store_new_account};
use crate::app::AppState;
use crate::db::models::SocialAccount;
use crate::domain::cookies::{CookieJar, SESSION_COOKIES};
use crate::platforms::tiktok::{self, SessionState};
use crate::scrape::{BrowserPool, Slot};

/// How long a QR login waits for its scan.
pub const LIFETIME: Duration = Duration::from_mins(5);

/// Where a QR login stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrStatus {
    /// The browser is opening the login page.
    Starting,
    /// The QR code is on screen, waiting for the phone.
    Waiting,
    /// Logged in, checked and stored.
    Connected {
        handle: String,
    },
    /// It ended without an account; the key says why.
    Failed {
        reason: &'static str,
    },
    Expired,
    Cancelled,
}

impl QrStatus {
    #[must_use]
    pub fn is_over(&self) -> bool {
        !matches!(self, QrStatus::Starting | QrStatus::Waiting)
    }
}

#[derive(Debug)]
struct Progress {
    status: QrStatus,
    image: Option<Vec<u8>>,
    /// On the demo network only: the address of the demo phone that scans this code.
    phone_link: Option<String>,
}

/// Why a QR login was not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrRefusal {
    /// The workspace has one under way.
    WorkspaceBusy,
    /// Every QR login session of this instance is in use.
    AllBusy,
}

impl QrRefusal {
    /// The translation key of the message that says so.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            QrRefusal::WorkspaceBusy => "accounts.qr_busy_workspace",
            QrRefusal::AllBusy => "accounts.qr_busy_everywhere",
        }
    }
}

/// One QR login, owned by a workspace.
#[derive(Debug)]
pub struct QrLogin {
    pub id: String,
    pub workspace_id: i64,
    /// The user who started it.
    pub started_by: i64,
    pub started_at: DateTime<Utc>,
    progress: Mutex<Progress>,
    cancelled: AtomicBool,
}

impl QrLogin {
    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[must_use]
    pub fn status(&self) -> QrStatus {
        self.progress().status.clone()
    }

    #[must_use]
    pub fn image(&self) -> Option<Vec<u8>> {
        self.progress().image.clone()
    }

    #[must_use]
    pub fn phone_link(&self) -> Option<String> {
        self.progress().phone_link.clone()
    }

    /// Whole seconds before the code expires.
    #[must_use]
    pub fn seconds_left(&self) -> i64 {
        let lifetime = i64::try_from(LIFETIME.as_secs()).unwrap_or(300);
        (lifetime - (Utc::now() - self.started_at).num_seconds()).max(0)
    }

    /// Whether `user_id` may cancel it: its starter, or someone who manages the workspace.
    #[must_use]
    pub fn cancellable_by(&self, user_id: i64, manages_workspace: bool) -> bool {
        self.started_by == user_id || manages_workspace
    }

    /// Whether it still holds (or is about to hold) a browser session. A login far past its lifetime
    /// counts as ended even if its task never said so.
    fn is_live(&self) -> bool {
        !self.status().is_over()
            && Utc::now() - self.started_at
                < chrono::Duration::from_std(LIFETIME).unwrap_or_default()
                    + chrono::Duration::minutes(1)
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    fn set(&self, status: QrStatus) {
        self.progress().status = status;
    }
}

/// The QR logins under way in this process.
#[derive(Debug, Default)]
pub struct QrLogins {
    logins: Mutex<HashMap<String, Arc<QrLogin>>>,
}

impl QrLogins {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<QrLogin>>> {
        self.logins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The workspace's login `id` (another workspace's is not found).
    #[must_use]
    pub fn find(&self, workspace_id: i64, id: &str) -> Option<Arc<QrLogin>> {
        self.map()
            .get(id)
            .filter(|login| login.workspace_id == workspace_id)
            .cloned()
    }

    /// Registers `login` with a browser session of its own, unless its workspace has one under way or
    /// every QR login session is in use.
    fn insert(&self, login: Arc<QrLogin>, browsers: &BrowserPool) -> Result<Slot, QrRefusal> {
        let mut map = self.map();
        // Logins that ended more than a lifetime ago are forgotten.
        map.retain(|_, l| {
            !(l.status().is_over() && Utc::now() - l.started_at > chrono::Duration::seconds(600))
        });
        if map
            .values()
            .any(|l| l.workspace_id == login.workspace_id && l.is_live())
        {
            return Err(QrRefusal::WorkspaceBusy);
        }
        let slot = browsers.try_login_slot().ok_or(QrRefusal::AllBusy)?;
        map.insert(login.id.clone(), login);
        Ok(slot)
    }
}

/// Starts a QR login for the workspace, for a new account or to reconnect `reconnecting` (then only
/// that same account's scan is accepted); its browser work runs in the background.
///
/// # Errors
/// When the workspace has a QR login under way, or every QR login session is in use.
pub fn start(
    state: Arc<AppState>,
    workspace_id: i64,
    actor: i64,
    ip: String,
    reconnecting: Option<SocialAccount>,
) -> Result<Arc<QrLogin>, QrRefusal> {
    let login = Arc::new(QrLogin {
        id: uuid::Uuid::new_v4().simple().to_string(),
        workspace_id,
        started_by: actor,
        started_at: Utc::now(),
        progress: Mutex::new(Progress {
            status: QrStatus::Starting,
            image: None,
            phone_link: None,
        }),
        cancelled: AtomicBool::new(false),
    });
    let slot = state.qr_logins.insert(login.clone(), &state.browsers)?;
    let running = login.clone();
    actix_web::rt::spawn(async move {
        let outcome = state
            .browsers
            .run_in(slot, |driver| watch(&state, &running, driver))
            .await;
        let status = match outcome {
            Ok(None) if running.cancelled.load(Ordering::Relaxed) => QrStatus::Cancelled,
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
    login: &QrLogin,
    driver: WebDriver,
) -> anyhow::Result<Option<CheckedSession>> {
    let base = url::Url::parse(&state.settings.tiktok_base_url).context("TIKTOK_BASE_URL")?;
    let host = base.host_str().unwrap_or_default().to_owned();
    driver
        .goto(base.join("/login")?.as_str())
        .await
        .context("opening the login page")?;
    let code = driver
        .query(By::Css("[data-e2e='qr-code']"))
        .first()
        .await
        .context("finding the QR code")?;
    let image = code
        .screenshot_as_png()
        .await
        .context("capturing the QR code")?;
    let phone_link = if state.settings.demo {
        driver
            .find(By::Css("[data-e2e='qr-phone-link']"))
            .await
            .ok()
            .map(|link| async move { link.prop("href").await.ok().flatten() })
    } else {
        None
    };
    let phone_link = match phone_link {
        Some(read) => read.await,
        None => None,
    };
    {
        let mut progress = login.progress();
        progress.image = Some(image);
        progress.phone_link = phone_link;
        progress.status = QrStatus::Waiting;
    }
    while login.seconds_left() > 0 && !login.cancelled.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let cookies = tiktok::session::read_cookies(&driver, &host).await?;
        if !cookies
            .iter()
            .any(|c| SESSION_COOKIES.contains(&c.name.as_str()))
        {
            continue;
        }
        // Logged in: read the account's own page to name it.
        driver.goto(base.as_str()).await?;
        let page = tiktok::classify(
            driver.current_url().await?.as_str(),
            &driver.source().await?,
        );
        let cookies = tiktok::session::read_cookies(&driver, &host).await?;
        return match page {
            SessionState::Active {
                handle,
                display_name,
            } => Ok(Some(CheckedSession {
                jar: CookieJar::from_browser(cookies),
                handle,
                display_name,
            })),
            other => anyhow::bail!("after the scan the page was {other:?}"),
        };
    }
    Ok(None)
}
