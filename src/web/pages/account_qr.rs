//! Connecting an account by QR code: start, the page that shows the code and follows the scan
//! (htmx polls it), the code's image, and cancel. A login that cannot start now (one under way in the
//! workspace, or every QR session in use) is refused with a message on the Accounts page.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::error::AppError;
use crate::platforms::{self, Connection};
use crate::state::AppState;
use crate::usecases::accounts::qr::{self, QrLogin, QrRefusal, QrStatus};
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind};

#[derive(Template)]
#[template(path = "pages/accounts/qr.html")]
pub struct QrPage {
    ctx: Chrome,
    id: String,
    status: QrStatus,
    seconds_left: i64,
    has_image: bool,
    phone_link: Option<String>,
}

impl QrPage {
    fn waiting(&self) -> bool {
        self.status == QrStatus::Waiting
    }

    fn starting(&self) -> bool {
        self.status == QrStatus::Starting
    }

    fn failure(&self) -> Option<&'static str> {
        match self.status {
            QrStatus::Failed { reason } => Some(reason),
            QrStatus::Expired => Some("accounts.qr_expired"),
            QrStatus::Cancelled => Some("accounts.qr_cancelled"),
            _ => None,
        }
    }
}

fn login(
    state: &AppState,
    member: &InWorkspace,
    id: &str,
) -> Result<std::sync::Arc<QrLogin>, AppError> {
    state
        .qr_logins
        .find(member.workspace.id, id)
        .ok_or(AppError::NotFound)
}

/// Where a start leads: the login's page, or the Accounts page saying why it did not start.
fn started(
    member: &InWorkspace,
    htmx: Htmx,
    outcome: Result<std::sync::Arc<QrLogin>, QrRefusal>,
) -> HttpResponse {
    match outcome {
        Ok(login) => render::redirect(
            htmx.0,
            &member.chrome.ws_url(&format!("accounts/qr/{}", login.id)),
        ),
        Err(refusal) => {
            render::flash(
                &member.session,
                FlashKind::Error,
                member.chrome.t(refusal.key()),
            );
            render::redirect(htmx.0, &member.chrome.ws_url("accounts"))
        }
    }
}

/// `POST /w/{slug}/accounts/qr`
pub async fn start(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let platform = platforms::connecting_via(Connection::Qr).ok_or(AppError::NotFound)?;
    let outcome = qr::start(
        state.into_inner(),
        platform,
        member.workspace.id,
        member.user.id,
        member.ip.clone(),
        None,
    );
    Ok(started(&member, htmx, outcome))
}

/// `POST /w/{slug}/accounts/{id}/reconnect-qr`: a QR login that only this account's scan completes.
pub async fn reconnect(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let account = super::accounts::account(&state, &member, path.1).await?;
    let workspace_id = account.workspace_id;
    let outcome = qr::start(
        state.into_inner(),
        account.platform(),
        workspace_id,
        member.user.id,
        member.ip.clone(),
        Some(account),
    );
    Ok(started(&member, htmx, outcome))
}

/// `GET /w/{slug}/accounts/qr/{id}`: the code, a countdown, and the state of the scan. Once connected,
/// htmx is sent to the Accounts page.
pub async fn show(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let login = login(&state, &member, &path.1)?;
    let status = login.status();
    if let QrStatus::Connected { handle } = &status {
        render::flash(
            &member.session,
            FlashKind::Success,
            member
                .chrome
                .t_with("accounts.connected", "handle", &format!("@{handle}")),
        );
        return Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")));
    }
    let page = QrPage {
        id: login.id.clone(),
        seconds_left: login.seconds_left(),
        has_image: login.image().is_some(),
        phone_link: login.phone_link(),
        status,
        ctx: member.chrome,
    };
    render::html(StatusCode::OK, &page)
}

/// `GET /w/{slug}/accounts/qr/{id}/image`
pub async fn image(
    member: InWorkspace,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let png = login(&state, &member, &path.1)?
        .image()
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(png))
}

/// `POST /w/{slug}/accounts/qr/{id}/cancel`: the browser session ends at once. Only the person who
/// started the login or a manager of the workspace may cancel it.
pub async fn cancel(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let login = login(&state, &member, &path.1)?;
    if !login.cancellable_by(member.user.id, member.role.manages_members()) {
        return Err(AppError::Forbidden);
    }
    login.cancel();
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("accounts.qr_cancelled"),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")))
}
