//! The Review page (batch validation): drafts waiting for review with their lead's context, edited in
//! place, approved or rejected one by one or many at once within each account's quota; then the approved
//! messages with a copy button and the lead's profile link, for the creator to send by hand, and "Mark as
//! sent". Nothing is ever sent from here.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::db::models::Workspace;
use crate::db::queries::review::{AccountQuota, Approval, PendingDraft, ReadyDraft, Refusal};
use crate::domain::platform::Platform;
use crate::domain::quota::Quota;
use crate::error::AppError;
use crate::platforms;
use crate::state::AppState;
use crate::usecases;
use crate::usecases::instagram::send::{self as instagram_send, Reply};
use crate::usecases::review::BatchAction;
use crate::web::extract::{Htmx, InWorkspace, repeated_ids};
use crate::web::render::{self, Chrome, Flash, FlashKind};

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
    replies: HashMap<i64, Reply>,
}

/// How a ready draft can go out on its platform, as the page offers it.
struct SendOption {
    /// `message`, `private_reply` or `by_hand`.
    kind: &'static str,
    /// Until when it can (or, by hand, when the messaging window closed).
    at: Option<DateTime<Utc>>,
}

impl ReviewPage {
    fn profile_url(&self, platform: Platform, handle: &str) -> String {
        platforms::profile_url(&self.platforms, platform, handle)
    }

    fn send_option(&self, id: i64) -> Option<SendOption> {
        self.replies.get(&id).map(|reply| match reply {
            Reply::Message { until, .. } => SendOption {
                kind: "message",
                at: Some(*until),
            },
            Reply::PrivateReply { until, .. } => SendOption {
                kind: "private_reply",
                at: Some(*until),
            },
            Reply::ByHand { closed_at } => SendOption {
                kind: "by_hand",
                at: *closed_at,
            },
        })
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

/// The page with the workspace's review and `chrome` (which carries the flash).
async fn page(
    state: &AppState,
    chrome: Chrome,
    workspace: &Workspace,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let quota = quota_of(workspace);
    let overview = usecases::review::overview(&state.pool, workspace.id, quota).await?;
    render::html(
        status,
        &ReviewPage {
            ctx: chrome,
            pending: overview.pending,
            total_pending: overview.total_pending,
            ready: overview.ready,
            quotas: overview.quotas,
            quota,
            platforms: state.settings.platforms.clone(),
            replies: overview.replies,
        },
    )
}

/// `GET /w/{slug}/review`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page(&state, member.chrome, &member.workspace, StatusCode::OK).await
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
    let (mut card, saved) =
        usecases::review::edit(&state.pool, workspace_id, id, parsed.ok()).await?;
    if !htmx.0 {
        let (kind, key) = error.map_or((FlashKind::Success, "review.saved"), |key| {
            (FlashKind::Error, key)
        });
        render::flash(&member.session, kind, member.chrome.t(key));
        let back = format!("{}#draft-{id}", member.chrome.ws_url("review"));
        return Ok(render::redirect(false, &back));
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
    let card = DraftCard {
        ctx: member.chrome,
        d: card,
        saved,
        error,
    };
    render::html(status, &card)
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

/// Comes back to the page saying what an approval did.
fn approved(member: &InWorkspace, htmx: bool, outcome: &Approval) -> HttpResponse {
    let (kind, text) = approval_message(&member.chrome, outcome);
    render::flash(&member.session, kind, text);
    let anchor = if outcome.approved.is_empty() {
        ""
    } else {
        "#ready"
    };
    render::redirect(htmx, &format!("{}{anchor}", member.chrome.ws_url("review")))
}

/// Comes back to the page saying how many drafts were rejected.
fn rejected(member: &InWorkspace, htmx: bool, count: usize) -> HttpResponse {
    let text = member
        .chrome
        .t_with("review.rejected", "count", &count.to_string());
    render::flash(&member.session, FlashKind::Success, text);
    render::redirect(htmx, &member.chrome.ws_url("review"))
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
    let body = if form.body.trim().is_empty() {
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
    let quota = quota_of(&member.workspace);
    let outcome =
        usecases::review::approve_one(&state.pool, &member.actor(), quota, id, body).await?;
    Ok(approved(&member, htmx.0, &outcome))
}

/// `POST /w/{slug}/review/{id}/reject`
pub async fn reject(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    let count = usecases::review::reject_one(&state.pool, &member.actor(), id).await?;
    Ok(rejected(&member, htmx.0, count))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BatchForm {
    action: String,
}

/// `POST /w/{slug}/review/batch`: approves (or rejects) the selected drafts (`ids`) in one step. An
/// action that is neither changes nothing: the page again, 422, saying so.
pub async fn batch(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    body: Bytes,
) -> Result<HttpResponse, AppError> {
    let form: BatchForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let Some(action) = BatchAction::parse(&form.action) else {
        let mut chrome = member.chrome;
        let text = chrome.t("review.batch_action_invalid").into_owned();
        chrome.flash = Some(Flash {
            kind: FlashKind::Error,
            text,
        });
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&state, chrome, &member.workspace, status).await;
    };
    let ids = repeated_ids(&body, "ids");
    if ids.is_empty() {
        let text = member.chrome.t("review.none_selected");
        render::flash(&member.session, FlashKind::Error, text);
        return Ok(render::redirect(htmx.0, &member.chrome.ws_url("review")));
    }
    let (pool, actor) = (&state.pool, member.actor());
    match action {
        BatchAction::Reject => {
            let count = usecases::review::reject(pool, &actor, ids).await?;
            Ok(rejected(&member, htmx.0, count))
        }
        BatchAction::Approve => {
            let quota = quota_of(&member.workspace);
            let outcome = usecases::review::approve_batch(pool, &actor, quota, ids).await?;
            Ok(approved(&member, htmx.0, &outcome))
        }
    }
}

/// `POST /w/{slug}/review/{id}/sent`: the creator sent it by hand; the lead, if new, becomes contacted.
pub async fn mark_sent(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    usecases::review::mark_sent(&state.pool, &member.actor(), id).await?;
    let text = member.chrome.t("review.marked_sent").into_owned();
    Ok(back_to_ready(&member, htmx.0, FlashKind::Success, text))
}

/// Comes back to the approved messages saying what happened to one.
fn back_to_ready(member: &InWorkspace, htmx: bool, kind: FlashKind, text: String) -> HttpResponse {
    render::flash(&member.session, kind, text);
    render::redirect(htmx, &format!("{}#ready", member.chrome.ws_url("review")))
}

/// `POST /w/{slug}/review/{id}/send-instagram`: one click sends one approved message on Instagram.
pub async fn send_on_instagram(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    let lang = member.chrome.lang;
    let (kind, text) = match instagram_send::send(&state, &member.actor(), id).await? {
        Ok(sent) if sent.private_reply => {
            (FlashKind::Success, lang.t("instagram.sent_private_reply"))
        }
        Ok(_) => (FlashKind::Success, lang.t("instagram.sent")),
        Err(refusal) => (FlashKind::Error, refusal.message(lang).into()),
    };
    Ok(back_to_ready(&member, htmx.0, kind, text.into_owned()))
}
