//! "Sync now" on the Accounts page and the progress of a sync, polled by htmx until the run ends.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::accounts::account;
use crate::db::models::{SocialAccount, SyncRun};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::sync;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind};

/// The collection cell of one account: its last (or running) sync and the "Sync now" button.
#[derive(Template)]
#[template(path = "pages/accounts/_sync.html")]
pub struct SyncCell {
    ctx: Chrome,
    account: SocialAccount,
    run: Option<SyncRun>,
}

async fn cell(
    state: &AppState,
    member: InWorkspace,
    account: SocialAccount,
) -> Result<SyncCell, AppError> {
    let run = sync::latest_run(state, &account).await?;
    Ok(SyncCell {
        ctx: member.chrome,
        account,
        run,
    })
}

/// `POST /w/{slug}/accounts/{id}/sync`: starts a sync now; htmx gets the cell that follows its progress.
pub async fn start(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let account = account(&state, &member, path.into_inner().1).await?;
    let started = sync::start_now(state.clone().into_inner(), &account).await?;
    if !htmx.0 {
        let (kind, key) = if started.is_some() {
            (FlashKind::Success, "sync.started")
        } else {
            (FlashKind::Error, "sync.already_running")
        };
        render::flash(&member.session, kind, member.chrome.t(key));
        return Ok(render::redirect(false, &member.chrome.ws_url("accounts")));
    }
    render::html(StatusCode::OK, &cell(&state, member, account).await?)
}

/// `GET /w/{slug}/accounts/{id}/sync`: the cell, as it is now (htmx polls it while a sync runs).
pub async fn show(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let account = account(&state, &member, path.into_inner().1).await?;
    if !htmx.0 {
        return Ok(render::redirect(false, &member.chrome.ws_url("accounts")));
    }
    render::html(StatusCode::OK, &cell(&state, member, account).await?)
}
