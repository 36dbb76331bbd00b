//! Plain application state, shared by the handlers, the jobs and the CLI: the database pool, the
//! settings, the mailer, the browser pool, the analyzer and the QR logins under way. It holds values and
//! imports nothing above the service modules it stores (no page, job or use case), so everything can
//! import it without a cycle.

pub mod qr_logins;

use std::sync::Arc;

use crate::config::Settings;
use crate::db::DbPool;
use crate::scrape::BrowserPool;

/// What every request handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub browsers: Arc<BrowserPool>,
    /// QR logins under way in this process.
    pub qr_logins: qr_logins::QrLogins,
    /// Held while this process's collection tick runs (a slow tick is not run twice at once).
    pub collecting: tokio::sync::Mutex<()>,
    /// The lead analyzer: built-in, or an OpenAI-compatible endpoint.
    pub analyzer: crate::ai::Configured,
    /// This process's name as a holder of job leases.
    pub instance: String,
    pub mailer: crate::mail::Mailer,
    /// Wakes the webhook inbox's worker when a delivery was kept.
    pub inbox: tokio::sync::Notify,
}
