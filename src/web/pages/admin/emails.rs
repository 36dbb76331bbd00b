//! Admin: the mail queue and log, newest first, by status. Message texts are never shown: a password
//! reset link sits in one until it is sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::queries;
use crate::db::queries::mail::EmailLine;
use crate::domain::mail::MailStatus;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::SiteAdmin;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/admin/emails.html")]
pub struct EmailsPage {
    ctx: Chrome,
    /// The status filter ("" for all).
    status: &'static str,
    /// The statuses a message can have, in the order the filter offers them.
    statuses: &'static [MailStatus],
    emails: Vec<EmailLine>,
    next: Option<i64>,
}

/// `GET /admin/emails?status=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = MailStatus::parse(query.status.trim());
    let before = query.before;
    let emails = with_db(&state.pool, move |conn| {
        Ok(queries::mail::list(conn, status, before, PAGE_SIZE)?)
    })
    .await?;
    let next = next_cursor(emails.len(), emails.last().map(|e| e.id));
    render::html(
        StatusCode::OK,
        &EmailsPage {
            ctx: admin.chrome,
            status: status.map_or("", MailStatus::as_str),
            statuses: MailStatus::ALL,
            emails,
            next,
        },
    )
}
