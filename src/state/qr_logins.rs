//! The QR logins under way in this process: each one's status, its code's picture and who started it.
//! One at a time per workspace, and at most `QR_LOGIN_MAX` in the process (the browser pool's login
//! slots). Kept in memory: with several instances, a creator's polling must reach the instance that
//! started the login (sticky sessions).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

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
    /// A login of `workspace_id` started by `started_by`, now.
    #[must_use]
    pub fn new(workspace_id: i64, started_by: i64) -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
            workspace_id,
            started_by,
            started_at: Utc::now(),
            progress: Mutex::new(Progress {
                status: QrStatus::Starting,
                image: None,
                phone_link: None,
            }),
            cancelled: AtomicBool::new(false),
        }
    }

    /// The code is on screen (with the demo phone's link on the demo network): waiting for the scan.
    pub fn show(&self, image: Vec<u8>, phone_link: Option<String>) {
        let mut progress = self.progress();
        progress.image = Some(image);
        progress.phone_link = phone_link;
        progress.status = QrStatus::Waiting;
    }

    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

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

    pub fn set(&self, status: QrStatus) {
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
    pub fn insert(&self, login: Arc<QrLogin>, browsers: &BrowserPool) -> Result<Slot, QrRefusal> {
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
