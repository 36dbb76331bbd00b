//! The site admins' pages (`/admin`): people, workspaces, the audit trail, and the operator's view
//! (scheduled jobs, account health, sent mail, the running configuration). Others get 404.

pub mod accounts;
pub mod analysis;
pub mod audit;
pub mod config;
pub mod deliveries;
pub mod emails;
pub mod jobs;
pub mod users;
pub mod workspaces;

use actix_web::HttpResponse;
use serde::Deserialize;

use crate::error::AppError;
use crate::web::extract::SiteAdmin;
use crate::web::render;

/// How many rows an admin list shows at a time.
pub const PAGE_SIZE: i64 = 50;

/// The query of an admin list: a search text, the keyset cursor, and each list's own filter (audit:
/// action; jobs: job; accounts and emails: status).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub before: Option<i64>,
    pub action: String,
    pub job: String,
    pub status: String,
}

impl ListQuery {
    /// The search text, if any (trimmed, at most 100 characters).
    #[must_use]
    pub fn search(&self) -> Option<String> {
        let text: String = self.q.trim().chars().take(100).collect();
        (!text.is_empty()).then_some(text)
    }
}

/// The cursor for the next page, when this page was full.
#[must_use]
pub fn next_cursor(len: usize, last_id: Option<i64>) -> Option<i64> {
    (i64::try_from(len).unwrap_or(0) == PAGE_SIZE)
        .then_some(last_id)
        .flatten()
}

/// `GET /admin`
pub async fn index(_admin: SiteAdmin) -> Result<HttpResponse, AppError> {
    Ok(render::redirect(false, "/admin/users"))
}
