//! Admin: every workspace, with its member count.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::queries;
use crate::db::queries::workspaces::WorkspaceListing;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::SiteAdmin;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/admin/workspaces.html")]
pub struct WorkspacesPage {
    ctx: Chrome,
    q: String,
    workspaces: Vec<WorkspaceListing>,
    next: Option<i64>,
}

/// `GET /admin/workspaces?q=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (search, before) = (query.search(), query.before);
    let workspaces = with_db(&state.pool, move |conn| {
        Ok(queries::workspaces::search(
            conn,
            search.as_deref(),
            before,
            PAGE_SIZE,
        )?)
    })
    .await?;
    let next = next_cursor(workspaces.len(), workspaces.last().map(|w| w.id));
    render::html(
        StatusCode::OK,
        &WorkspacesPage {
            ctx: admin.chrome,
            q: query.q.clone(),
            workspaces,
            next,
        },
    )
}
