//! Admin: the audit trail, newest first, filterable by action.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::queries;
use crate::db::queries::audit::AuditLine;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::SiteAdmin;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/admin/audit.html")]
pub struct AuditPage {
    ctx: Chrome,
    action: String,
    events: Vec<AuditLine>,
    next: Option<i64>,
}

/// `GET /admin/audit?action=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let action: String = query.action.trim().chars().take(64).collect();
    let (filter, before) = ((!action.is_empty()).then(|| action.clone()), query.before);
    let events = with_db(&state.pool, move |conn| {
        Ok(queries::audit::list(
            conn,
            None,
            filter.as_deref(),
            before,
            PAGE_SIZE,
        )?)
    })
    .await?;
    let next = next_cursor(events.len(), events.last().map(|e| e.id));
    render::html(
        StatusCode::OK,
        &AuditPage {
            ctx: admin.chrome,
            action,
            events,
            next,
        },
    )
}
