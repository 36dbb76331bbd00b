//! A workspace's settings: its name, the language of generated messages, the lead score thresholds and
//! half-life; leaving the workspace.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection as _;
use serde::Deserialize;

use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::domain::WorkspaceName;
use crate::domain::role::check_leave;
use crate::domain::scoring::Thresholds;
use crate::error::AppError;
use crate::error::with_db;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub name: String,
    pub language: String,
    pub targetable_score: String,
    pub hot_score: String,
    pub draft_score: String,
    pub score_half_life_days: String,
    /// Days interactions are kept; empty keeps them all.
    pub retention_days: String,
    pub quota_per_hour: String,
    pub quota_per_day: String,
    /// A checkbox: present ("on") when plain members may export contact details.
    pub members_export_contacts: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/settings/index.html")]
pub struct SettingsPage {
    ctx: Chrome,
    form: SettingsForm,
    can_edit: bool,
    errors: FormErrors,
}

/// `GET /w/{slug}/settings`
pub async fn show(member: InWorkspace) -> Result<HttpResponse, AppError> {
    let ws = &member.workspace;
    let form = SettingsForm {
        name: ws.name.clone(),
        language: ws.language.clone(),
        targetable_score: ws.targetable_score.to_string(),
        hot_score: ws.hot_score.to_string(),
        draft_score: ws.draft_score.to_string(),
        score_half_life_days: ws.score_half_life_days.to_string(),
        retention_days: ws.retention_days.map(|d| d.to_string()).unwrap_or_default(),
        quota_per_hour: ws.quota_per_hour.to_string(),
        quota_per_day: ws.quota_per_day.to_string(),
        members_export_contacts: ws.members_export_contacts.then(|| "on".to_owned()),
    };
    render::html(
        StatusCode::OK,
        &SettingsPage {
            ctx: member.chrome,
            form,
            can_edit: member.role.manages_members(),
            errors: FormErrors::default(),
        },
    )
}

/// `POST /w/{slug}/settings` (owners and admins)
pub async fn update(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let InWorkspace {
        session,
        user,
        workspace,
        chrome,
        ip,
        ..
    } = member;
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", WorkspaceName::parse(&form.name));
    let language = Lang::from_code(&form.language);
    if language.is_none() {
        errors.add("language", "errors.language_invalid");
    }
    let thresholds = match Thresholds::parse(
        &form.targetable_score,
        &form.hot_score,
        &form.draft_score,
        &form.score_half_life_days,
    ) {
        Ok(thresholds) => Some(thresholds),
        Err(refused) => {
            for (field, key) in refused {
                errors.add(field, key);
            }
            None
        }
    };
    let retention = match form.retention_days.trim() {
        "" => Some(None),
        text => match text.parse::<i16>() {
            Ok(days) if (30..=3650).contains(&days) => Some(Some(days)),
            _ => {
                errors.add("retention_days", "errors.retention_range");
                None
            }
        },
    };
    let quotas = parse_quotas(&form.quota_per_hour, &form.quota_per_day);
    if quotas.is_none() {
        errors.add("quota_per_hour", "errors.quota_range");
    }
    let (Some(name), Some(language), Some(thresholds), Some(retention), Some(quotas)) =
        (name, language, thresholds, retention, quotas)
    else {
        return render::invalid(&SettingsPage {
            ctx: chrome,
            form,
            can_edit: true,
            errors,
        });
    };
    let members_export = form.members_export_contacts.is_some();
    with_db(&state.pool, move |conn| {
        queries::workspaces::update_settings(conn, workspace.id, &name, language, thresholds)?;
        queries::workspaces::set_retention(conn, workspace.id, retention)?;
        queries::workspaces::set_quotas(conn, workspace.id, quotas)?;
        queries::workspaces::set_members_export_contacts(conn, workspace.id, members_export)?;
        let event = NewAuditEvent::new(
            "workspace.updated",
            Some(user.id),
            Some(workspace.id),
            Some(&ip),
        );
        Ok(queries::audit::record(
            conn,
            &event.with_details(serde_json::json!({
                "name": name.as_str(), "language": language.code(),
                "targetable_score": thresholds.targetable, "hot_score": thresholds.hot,
                "draft_score": thresholds.draft, "score_half_life_days": thresholds.half_life_days,
                "quota_per_hour": quotas.0, "quota_per_day": quotas.1,
                "members_export_contacts": members_export,
            })),
        )?)
    })
    .await?;
    render::flash(&session, FlashKind::Success, chrome.t("settings.saved"));
    Ok(render::redirect(htmx.0, &chrome.ws_url("settings")))
}

/// The outreach quotas (per hour, per day), when both are in range.
fn parse_quotas(per_hour: &str, per_day: &str) -> Option<(i16, i16)> {
    let hour = per_hour
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|h| (0..=1000).contains(h))?;
    let day = per_day
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|d| (0..=10_000).contains(d))?;
    Some((hour, day))
}

/// `POST /w/{slug}/leave`: anyone but the last owner may leave.
pub async fn leave(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
) -> Result<HttpResponse, AppError> {
    let InWorkspace {
        session,
        user,
        workspace,
        chrome,
        ip,
        ..
    } = member;
    let workspace_id = workspace.id;
    let refused = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let roles = queries::memberships::lock_roles(conn, workspace_id)?;
            let role = roles
                .iter()
                .find(|(id, _)| *id == user.id)
                .map(|(_, role)| *role)
                .ok_or(AppError::NotFound)?;
            if let Err(refusal) = check_leave(role, queries::memberships::owners(&roles)) {
                return Ok(Some(refusal));
            }
            queries::memberships::remove(conn, workspace_id, user.id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new("member.left", Some(user.id), Some(workspace_id), Some(&ip)),
            )?;
            Ok(None)
        })
    })
    .await?;
    if let Some(refusal) = refused {
        render::flash(&session, FlashKind::Error, chrome.t(refusal.key()));
        return Ok(render::redirect(htmx.0, &chrome.ws_url("settings")));
    }
    render::flash(
        &session,
        FlashKind::Success,
        chrome.t_with("settings.left", "name", &workspace.name),
    );
    Ok(render::redirect(htmx.0, "/workspaces"))
}
