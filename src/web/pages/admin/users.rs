//! Admin: find people, disable or enable them, make them site admins or not.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::queries;
use crate::db::queries::users::UserListing;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::usecases;
use crate::usecases::admin::{Refusal, UserChange};
use crate::web::extract::{Htmx, SiteAdmin};
use crate::web::render::{self, Chrome, FlashKind};

#[derive(Template)]
#[template(path = "pages/admin/users.html")]
pub struct UsersPage {
    ctx: Chrome,
    me: i64,
    q: String,
    users: Vec<UserListing>,
    next: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BackTo {
    pub next: String,
}

/// `GET /admin/users?q=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (search, before) = (query.search(), query.before);
    let users = with_db(&state.pool, move |conn| {
        Ok(queries::users::search(
            conn,
            search.as_deref(),
            before,
            PAGE_SIZE,
        )?)
    })
    .await?;
    let next = next_cursor(users.len(), users.last().map(|u| u.user.id));
    render::html(
        StatusCode::OK,
        &UsersPage {
            ctx: admin.chrome,
            me: admin.user.id,
            q: query.q.clone(),
            users,
            next,
        },
    )
}

/// `POST /admin/users/{id}/{change}` with `change` one of `disable` (which also ends every session of
/// that person), `enable`, `admin`, `revoke-admin`.
pub async fn change(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(i64, String)>,
    back: web::Form<BackTo>,
) -> Result<HttpResponse, AppError> {
    let (target, change) = path.into_inner();
    let change = UserChange::parse(&change).ok_or(AppError::NotFound)?;
    let back_to = render::local_path(Some(&back.next))
        .filter(|p| p.starts_with("/admin/users"))
        .unwrap_or_else(|| "/admin/users".to_owned());
    let who = (admin.user.id, admin.ip.clone());
    let (kind, key) = match usecases::admin::change_user(&state.pool, who, target, change).await? {
        Ok(()) => (FlashKind::Success, "admin.saved"),
        Err(Refusal::NotYourself) => (FlashKind::Error, "admin.not_yourself"),
    };
    render::flash(&admin.session, kind, admin.chrome.t(key));
    Ok(render::redirect(htmx.0, &back_to))
}
