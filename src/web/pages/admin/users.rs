//! Admin: find people, disable or enable them, make them site admins or not.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::db::queries::users::UserListing;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
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

#[derive(Clone, Copy)]
enum Change {
    Disable,
    Enable,
    GrantAdmin,
    RevokeAdmin,
}

impl Change {
    fn parse(path: &str) -> Option<Self> {
        match path {
            "disable" => Some(Change::Disable),
            "enable" => Some(Change::Enable),
            "admin" => Some(Change::GrantAdmin),
            "revoke-admin" => Some(Change::RevokeAdmin),
            _ => None,
        }
    }

    const fn action(self) -> &'static str {
        match self {
            Change::Disable => "admin.user_disabled",
            Change::Enable => "admin.user_enabled",
            Change::GrantAdmin => "admin.admin_granted",
            Change::RevokeAdmin => "admin.admin_revoked",
        }
    }
}

async fn apply(
    admin: SiteAdmin,
    state: &AppState,
    htmx: Htmx,
    target: i64,
    back: &BackTo,
    change: Change,
) -> Result<HttpResponse, AppError> {
    let back_to = render::local_path(Some(&back.next))
        .filter(|p| p.starts_with("/admin/users"))
        .unwrap_or_else(|| "/admin/users".to_owned());
    if target == admin.user.id && matches!(change, Change::Disable | Change::RevokeAdmin) {
        render::flash(
            &admin.session,
            FlashKind::Error,
            admin.chrome.t("admin.not_yourself"),
        );
        return Ok(render::redirect(htmx.0, &back_to));
    }
    let (actor, ip) = (admin.user.id, admin.ip.clone());
    with_db(&state.pool, move |conn| {
        let changed = match change {
            Change::Disable => queries::users::set_disabled(conn, target, true)
                .and_then(|n| queries::sessions::delete_for_user(conn, target).map(|_| n))?,
            Change::Enable => queries::users::set_disabled(conn, target, false)?,
            Change::GrantAdmin => queries::users::set_admin(conn, target, true)?,
            Change::RevokeAdmin => queries::users::set_admin(conn, target, false)?,
        };
        if changed == 0 {
            return Err(AppError::NotFound);
        }
        let event = NewAuditEvent::new(change.action(), Some(actor), None, Some(&ip));
        Ok(queries::audit::record(
            conn,
            &event.with_details(serde_json::json!({ "user_id": target })),
        )?)
    })
    .await?;
    render::flash(
        &admin.session,
        FlashKind::Success,
        admin.chrome.t("admin.saved"),
    );
    Ok(render::redirect(htmx.0, &back_to))
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
    let change = Change::parse(&change).ok_or(AppError::NotFound)?;
    apply(admin, &state, htmx, target, &back, change).await
}
