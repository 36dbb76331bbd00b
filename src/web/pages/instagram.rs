//! Connecting Instagram: "Connect Instagram" and "Reconnect on Instagram" open Meta's consent screen
//! (the session keeps the nonce its state is bound to) through a page of ours, and the callback finishes the connection and
//! sends the person back to their workspace's Accounts page with what happened, while the account's
//! recent comments and messages are read in the background.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::session_keys;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::instagram::backfill;
use crate::usecases::instagram::connect::{self, Callback, Started};
use crate::web::extract::{Htmx, InWorkspace, SignedIn};
use crate::web::render::{self, Chrome, FlashKind};

/// The page that leaves for Instagram: a form's answer may not redirect to another site (the content
/// security policy's `form-action 'self'`), so it is a page of ours that moves on by itself (a meta
/// refresh, or htmx's `HX-Redirect`) and has the link for a browser that does not.
#[derive(Template)]
#[template(path = "pages/accounts/to_instagram.html")]
pub struct ToInstagram {
    ctx: Chrome,
    url: String,
}

/// Sends the person to the consent screen, or back to the Accounts page saying why not.
fn open(
    member: InWorkspace,
    htmx: Htmx,
    started: Result<Started, connect::Refusal>,
) -> Result<HttpResponse, AppError> {
    let started = match started {
        Ok(started) => started,
        Err(refusal) => {
            let text = refusal.message(member.chrome.lang);
            render::flash(&member.session, FlashKind::Error, text);
            return Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")));
        }
    };
    let nonce = &started.session_nonce;
    if let Err(error) = member.session.insert(session_keys::INSTAGRAM_OAUTH, nonce) {
        tracing::warn!(%error, "the session could not keep the Instagram nonce");
    }
    let page = ToInstagram {
        ctx: member.chrome,
        url: started.authorize_url,
    };
    let mut response = render::html(StatusCode::OK, &page)?;
    if let Ok(value) = HeaderValue::from_str(&page.url) {
        let name = HeaderName::from_static("hx-redirect");
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

/// `POST /w/{slug}/accounts/instagram`
pub async fn connect(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
) -> Result<HttpResponse, AppError> {
    let started = connect::begin(&state, &member.actor(), None).await?;
    open(member, htmx, started)
}

/// `POST /w/{slug}/accounts/{id}/reconnect-instagram`
pub async fn reconnect(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let started = connect::begin(&state, &member.actor(), Some(path.into_inner().1)).await?;
    open(member, htmx, started)
}

/// `GET /oauth/instagram/callback?code=...&state=...` (or `?error=access_denied&...`)
pub async fn callback(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<Callback>,
) -> Result<HttpResponse, AppError> {
    let nonce = signed_in
        .session
        .remove_as::<String>(session_keys::INSTAGRAM_OAUTH)
        .and_then(Result::ok);
    let finished = connect::finish(
        &state,
        signed_in.user.id,
        &signed_in.ip,
        nonce,
        query.into_inner(),
    )
    .await?;
    if let Ok(account) = &finished.outcome {
        backfill::start(state.clone().into_inner(), account.workspace_id, account.id);
    }
    let lang = signed_in.chrome.lang;
    let (kind, text) = match &finished.outcome {
        Ok(account) => (
            FlashKind::Success,
            lang.t_with(
                "instagram.connected",
                "handle",
                &format!("@{}", account.handle),
            ),
        ),
        Err(refusal) => (FlashKind::Error, refusal.message(lang)),
    };
    render::flash(&signed_in.session, kind, text);
    let back = match finished.workspace_id {
        Some(id) => crate::usecases::instagram::connect::accounts_path(&state, id).await?,
        None => "/workspaces".to_owned(),
    };
    Ok(render::redirect(false, &back))
}
