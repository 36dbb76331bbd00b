//! A lead's page: who they are on the platform, their score with its explanation, contact details and
//! intent, what they did (counts per kind and the timeline), notes, status with its history, drafts;
//! and the person's rights: "Export this person's data" (JSON) and "Erase this person" (their data goes,
//! the handle joins the suppression list).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::{Interaction, Lead, SuggestedMessage};
use crate::db::queries::leads::{NoteLine, StatusLine};
use crate::domain::draft::DraftStatus;
use crate::domain::interaction::Kind;
use crate::domain::lead_status::LeadStatus;
use crate::domain::scoring::Explanation;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases;
use crate::usecases::leads::Person;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind};

/// The longest note kept.
const MAX_NOTE: usize = 5_000;

/// The most interactions the timeline shows.
const TIMELINE: i64 = 200;

#[derive(Template)]
#[template(path = "pages/leads/show.html")]
pub struct LeadPage {
    ctx: Chrome,
    lead: Lead,
    timeline: Vec<Interaction>,
    /// The person's profile on the platform.
    profile_url: String,
    /// Why the lead has its score (none before the first analysis).
    explanation: Option<Explanation>,
    /// Every draft, newest first.
    drafts: Vec<SuggestedMessage>,
    notes: Vec<NoteLine>,
    history: Vec<StatusLine>,
    /// The workspace's thresholds: (targetable, hot).
    thresholds: (i16, i16),
    /// Whether the visitor may erase the person (owners and admins).
    can_erase: bool,
    /// Whether the visitor may export the person's data (it holds their contact details).
    can_export: bool,
}

impl LeadPage {
    /// "hot", "targetable" or "cold", from the workspace's thresholds.
    fn heat(&self) -> &'static str {
        let (targetable, hot) = self.thresholds;
        if self.lead.score >= hot {
            "hot"
        } else if self.lead.score >= targetable {
            "targetable"
        } else {
            "cold"
        }
    }

    /// A number as the page shows it (one decimal).
    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "askama hands template values to methods by reference"
    )]
    fn points(value: &f64) -> String {
        format!("{value:.1}")
    }

    /// The draft waiting for review, if any.
    fn pending_draft(&self) -> Option<&SuggestedMessage> {
        self.drafts
            .iter()
            .find(|d| d.status == DraftStatus::Pending)
    }

    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "askama hands template values to methods by reference"
    )]
    fn is_status(&self, status: &LeadStatus) -> bool {
        self.lead.status == *status
    }

    /// Each kind with its count, the kinds they never did left out.
    fn counts(&self) -> Vec<(Kind, i32)> {
        self.lead.kind_counts.done()
    }
}

/// `GET /w/{slug}/leads/{id}`
pub async fn show(
    member: InWorkspace,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (workspace_id, id) = (member.workspace.id, path.into_inner().1);
    let Person {
        lead,
        timeline,
        drafts,
        notes,
        history,
    } = usecases::leads::person(&state.pool, workspace_id, id, TIMELINE).await?;
    let explanation = lead
        .score_explanation
        .clone()
        .and_then(|value| serde_json::from_value(value).ok());
    let thresholds = (
        member.workspace.targetable_score,
        member.workspace.hot_score,
    );
    render::html(
        StatusCode::OK,
        &LeadPage {
            can_erase: member.role.manages_members(),
            can_export: member.may_export_contacts(),
            ctx: member.chrome,
            profile_url: usecases::leads::profile_url(&state.settings.platforms, &lead),
            lead,
            timeline,
            explanation,
            drafts,
            notes,
            history,
            thresholds,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
}

/// `POST /w/{slug}/leads/{id}/status`
pub async fn update_status(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    let back = format!("{}/{id}", member.chrome.ws_url("leads"));
    let Some(status) = LeadStatus::parse(form.status.trim()) else {
        render::flash(
            &member.session,
            FlashKind::Error,
            member.chrome.t("errors.status_invalid"),
        );
        return Ok(render::redirect(htmx.0, &back));
    };
    usecases::leads::set_one_status(&state.pool, &member.actor(), id, status).await?;
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("lead.status_saved"),
    );
    Ok(render::redirect(htmx.0, &back))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub body: String,
}

/// `POST /w/{slug}/leads/{id}/notes`
pub async fn add_note(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    let back = format!("{}/{id}#notes", member.chrome.ws_url("leads"));
    let body = form.body.trim().to_owned();
    if body.is_empty() || body.chars().count() > MAX_NOTE {
        render::flash(
            &member.session,
            FlashKind::Error,
            member.chrome.t("errors.note_length"),
        );
        return Ok(render::redirect(htmx.0, &back));
    }
    usecases::leads::add_note(&state.pool, &member.actor(), id, body).await?;
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("lead.note_added"),
    );
    Ok(render::redirect(htmx.0, &back))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EraseForm {
    /// The box that says "I understand this cannot be undone".
    pub confirm: String,
}

/// `POST /w/{slug}/leads/{id}/erase` (owners and admins): the person's interactions, drafts, notes and
/// lead are deleted, and their handle is put on the suppression list.
pub async fn erase(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<EraseForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let id = path.into_inner().1;
    if form.confirm.trim().is_empty() {
        let back = format!("{}/{id}#erase", member.chrome.ws_url("leads"));
        render::flash(
            &member.session,
            FlashKind::Error,
            member.chrome.t("lead.erase_unconfirmed"),
        );
        return Ok(render::redirect(htmx.0, &back));
    }
    usecases::leads::erase_person(&state.pool, &member.actor(), id).await?;
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t("lead.erased"),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("leads")))
}

/// `GET /w/{slug}/leads/{id}/export.json`: everything VistaFlow holds about the person.
pub async fn export(
    member: InWorkspace,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    member.require_contact_export()?;
    let id = path.into_inner().1;
    let platforms = &state.settings.platforms;
    let export =
        usecases::leads::export_person(&state.pool, platforms, &member.actor(), id).await?;
    let name = export.file_name;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(export.document))
}
