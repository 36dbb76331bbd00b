//! The Review page (batch validation): drafts waiting for review with their lead's context, edited in
//! place, approved or rejected one by one or many at once within each account's quota; then the approved
//! messages with a copy button and the lead's profile link, for the creator to send by hand, and "Mark as
//! sent". Nothing is ever sent from here.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::Connection as _;
use serde::Deserialize;

use crate::db::models::Workspace;
use crate::db::queries::review::{self, AccountQuota, Approval, PendingDraft, ReadyDraft, Refusal};
use crate::domain::platform::Platform;
use crate::domain::quota::Quota;
use crate::error::AppError;
use crate::error::with_db;
use crate::platforms;
use crate::state::AppState;
use crate::web::extract::{Htmx, InWorkspace, repeated_ids};
use crate::web::render::{self, Chrome, FlashKind};

/// The longest message kept.
pub const MAX_BODY: usize = 2_000;

/// The workspace's quota per account.
fn quota_of(workspace: &Workspace) -> Quota {
    Quota {
        per_hour: u32::try_from(workspace.quota_per_hour).unwrap_or(0),
        per_day: u32::try_from(workspace.quota_per_day).unwrap_or(0),
    }
}

#[derive(Template)]
#[template(path = "pages/review/index.html")]
pub struct ReviewPage {
    ctx: Chrome,
    pending: Vec<PendingDraft>,
    total_pending: i64,
    ready: Vec<ReadyDraft>,
    quotas: Vec<AccountQuota>,
    quota: Quota,
    platforms: platforms::Settings,
}

impl ReviewPage {
    fn profile_url(&self, platform: Platform, handle: &str) -> String {
        platforms::profile_url(&self.platforms, platform, handle)
    }
}

/// One draft's card, alone (after an edit in place).
#[derive(Template)]
#[template(path = "pages/review/_draft.html")]
pub struct DraftCard {
    ctx: Chrome,
    d: PendingDraft,
    saved: bool,
    error: Option<&'static str>,
}

/// `GET /w/{slug}/review`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let workspace_id = member.workspace.id;
    let quota = quota_of(&member.workspace);
    let (pending, total_pending, ready, quotas) = with_db(&state.pool, move |conn| {
        let pending = review::pending(conn, workspace_id, None)?;
        let total = review::pending_count(conn, workspace_id)?;
        let ready = review::ready(conn, workspace_id, None)?;
        let quotas = review::quotas(conn, workspace_id, quota, Utc::now())?;
        Ok((pending, total, ready, quotas))
    })
    .await?;
    render::html(
        StatusCode::OK,
        &ReviewPage {
            ctx: member.chrome,
            pending,
            total_pending,
            ready,
            quotas,
            quota,
            platforms: state.settings.platforms.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    pub body: String,
}

/// The message as written, or the key of what is wrong with it.
fn parse_body(body: &str) -> Result<String, &'static str> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY {
        Err("errors.message_length")
    } else {
        Ok(body.to_owned())
    }
}

/// `POST /w/{slug}/review/{id}`: saves an edited draft. htmx gets the card back in place.
pub async fn edit(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<DraftForm>,
) -> Result<HttpResponse, AppError> {
    let (workspace_id, id) = (member.workspace.id, path.into_inner().1);
    let parsed = parse_body(&form.body);
    let error = parsed.as_ref().err().copied();
    let (cards, saved) = with_db(&state.pool, move |conn| {
        let saved = match &parsed {
            Ok(body) => review::edit(conn, workspace_id, id, body)?,
            Err(_) => false,
        };
        Ok((review::pending(conn, workspace_id, Some(id))?, saved))
    })
    .await?;
    let mut card = cards.into_iter().next().ok_or(AppError::NotFound)?;
    if !htmx.0 {
        let (kind, key) = match error {
            Some(key) => (FlashKind::Error, key),
            None => (FlashKind::Success, "review.saved"),
        };
        render::flash(&member.session, kind, member.chrome.t(key));
        return Ok(render::redirect(
            false,
            &format!("{}#draft-{id}", member.chrome.ws_url("review")),
        ));
    }
    if error.is_some() {
        // Show what they typed, with the message, rather than the stored text.
        card.body.clone_from(&form.body);
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render::html(
        status,
        &DraftCard {
            ctx: member.chrome,
            d: card,
            saved,
            error,
        },
    )
}

/// The sentence that tells what an approval did.
fn approval_message(ctx: &Chrome, outcome: &Approval) -> (FlashKind, String) {
    let mut sentences = Vec::new();
    if !outcome.approved.is_empty() {
        sentences.push(ctx.t_with(
            "review.approved",
            "count",
            &outcome.approved.len().to_string(),
        ));
    }
    let mut quota_notes: Vec<String> = Vec::new();
    let mut no_account = 0;
    for (_, refusal) in &outcome.refused {
        match refusal {
            Refusal::QuotaFull {
                account_handle,
                next_slot,
            } => {
                let note = match next_slot {
                    Some(at) => ctx
                        .t_with("review.quota_full", "account", account_handle)
                        .replace("%{when}", &ctx.datetime(at)),
                    None => ctx.t_with("review.quota_zero", "account", account_handle),
                };
                if !quota_notes.contains(&note) {
                    quota_notes.push(note);
                }
            }
            Refusal::NoAccount => no_account += 1,
        }
    }
    let held = outcome.refused.len();
    if held > 0 {
        sentences.push(ctx.t_with("review.held", "count", &held.to_string()));
        sentences.extend(quota_notes);
        if no_account > 0 {
            sentences.push(ctx.t("review.no_account").into_owned());
        }
    }
    if sentences.is_empty() {
        sentences.push(ctx.t("review.nothing_to_approve").into_owned());
    }
    let kind = if held > 0 || outcome.approved.is_empty() {
        FlashKind::Error
    } else {
        FlashKind::Success
    };
    (kind, sentences.join(" "))
}

/// Approves `ids` within the quotas and comes back to the page with what happened.
/// `edit`, when given, is one draft's new text, saved in the same transaction (404 when that draft is
/// not the workspace's).
async fn approve_ids(
    member: &InWorkspace,
    state: &AppState,
    htmx: bool,
    ids: Vec<i64>,
    edit: Option<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (workspace_id, user_id) = (member.workspace.id, member.user.id);
    let quota = quota_of(&member.workspace);
    let outcome = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some((id, body)) = &edit {
                if !review::exists(conn, workspace_id, *id)? {
                    return Err(AppError::NotFound);
                }
                review::edit(conn, workspace_id, *id, body)?;
            }
            Ok(review::approve(
                conn,
                workspace_id,
                &ids,
                user_id,
                quota,
                Utc::now(),
            )?)
        })
    })
    .await?;
    let (kind, text) = approval_message(&member.chrome, &outcome);
    render::flash(&member.session, kind, text);
    let anchor = if outcome.approved.is_empty() {
        ""
    } else {
        "#ready"
    };
    Ok(render::redirect(
        htmx,
        &format!("{}{anchor}", member.chrome.ws_url("review")),
    ))
}

/// `POST /w/{slug}/review/{id}/approve`: saves the text as sent with it, then approves the draft.
pub async fn approve(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<DraftForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    let edit = if form.body.trim().is_empty() {
        // No text sent: the draft as stored; still 404 when it is not the workspace's.
        None
    } else {
        match parse_body(&form.body) {
            Ok(body) => Some(body),
            Err(key) => {
                render::flash(&member.session, FlashKind::Error, member.chrome.t(key));
                let back = format!("{}#draft-{id}", member.chrome.ws_url("review"));
                return Ok(render::redirect(htmx.0, &back));
            }
        }
    };
    if edit.is_none() {
        require_draft(&state, member.workspace.id, id).await?;
    }
    let edit = edit.map(|body| (id, body));
    approve_ids(&member, &state, htmx.0, vec![id], edit).await
}

/// `POST /w/{slug}/review/{id}/reject`
pub async fn reject(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    require_draft(&state, member.workspace.id, id).await?;
    reject_ids(&member, &state, htmx.0, vec![id]).await
}

/// 404 unless `id` is one of the workspace's drafts.
async fn require_draft(state: &AppState, workspace_id: i64, id: i64) -> Result<(), AppError> {
    let exists = with_db(&state.pool, move |conn| {
        Ok(review::exists(conn, workspace_id, id)?)
    })
    .await?;
    if exists {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn reject_ids(
    member: &InWorkspace,
    state: &AppState,
    htmx: bool,
    ids: Vec<i64>,
) -> Result<HttpResponse, AppError> {
    let (workspace_id, user_id) = (member.workspace.id, member.user.id);
    let rejected = with_db(&state.pool, move |conn| {
        Ok(review::reject(conn, workspace_id, &ids, user_id)?)
    })
    .await?;
    let text = member
        .chrome
        .t_with("review.rejected", "count", &rejected.to_string());
    render::flash(&member.session, FlashKind::Success, text);
    Ok(render::redirect(htmx, &member.chrome.ws_url("review")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BatchForm {
    action: String,
}

/// `POST /w/{slug}/review/batch`: approves (or rejects) the selected drafts (`ids`) in one step.
pub async fn batch(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    body: Bytes,
) -> Result<HttpResponse, AppError> {
    let form: BatchForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let ids = repeated_ids(&body, "ids");
    if ids.is_empty() {
        render::flash(
            &member.session,
            FlashKind::Error,
            member.chrome.t("review.none_selected"),
        );
        return Ok(render::redirect(htmx.0, &member.chrome.ws_url("review")));
    }
    match form.action.as_str() {
        "reject" => reject_ids(&member, &state, htmx.0, ids).await,
        _ => approve_ids(&member, &state, htmx.0, ids, None).await,
    }
}

/// `POST /w/{slug}/review/{id}/sent`: the creator sent it by hand; the lead, if new, becomes contacted.
pub async fn mark_sent(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (workspace_id, id, user_id) = (member.workspace.id, path.into_inner().1, member.user.id);
    let marked = with_db(&state.pool, move |conn| {
        Ok(conn.transaction(|conn| review::mark_sent(conn, workspace_id, id, user_id))?)
    })
    .await?;
    if !marked {
        return Err(AppError::NotFound);
    }
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("review.marked_sent"),
    );
    Ok(render::redirect(
        htmx.0,
        &format!("{}#ready", member.chrome.ws_url("review")),
    ))
}
