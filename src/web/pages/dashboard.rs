//! A workspace's dashboard: figures counted from the database and what to do next.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::db::models::SocialAccount;
use crate::db::queries;
use crate::db::queries::audit::AuditLine;
use crate::db::queries::dashboard::WorkspaceCounts;
use crate::domain::account::AccountStatus;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::InWorkspace;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/dashboard/index.html")]
pub struct DashboardPage {
    ctx: Chrome,
    counts: WorkspaceCounts,
    recent: Vec<AuditLine>,
    accounts: Vec<SocialAccount>,
}

impl DashboardPage {
    /// The expired accounts, for the banner.
    fn expired(&self) -> Vec<&SocialAccount> {
        self.accounts
            .iter()
            .filter(|a| a.status() == AccountStatus::Expired)
            .collect()
    }
}

/// `GET /w/{slug}/`
pub async fn show(
    member: InWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let workspace_id = member.workspace.id;
    let (counts, recent, accounts) = with_db(&state.pool, move |conn| {
        let counts = queries::dashboard::counts(conn, workspace_id, Utc::now())?;
        let recent = queries::audit::list(conn, Some(workspace_id), None, None, 8)?;
        let accounts = queries::accounts::list(conn, workspace_id)?;
        Ok((counts, recent, accounts))
    })
    .await?;
    render::html(
        StatusCode::OK,
        &DashboardPage {
            ctx: member.chrome,
            counts,
            recent,
            accounts,
        },
    )
}
