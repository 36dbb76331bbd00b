//! A workspace's settings: its name, the language of generated messages, the lead score thresholds and
//! half-life; leaving the workspace.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::WorkspaceName;
use crate::domain::scoring::Thresholds;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::usecases::settings::{self, WorkspaceSettings};
use crate::usecases::team;
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
        language: ws.language.code().to_owned(),
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

impl SettingsForm {
    /// Every setting parsed, or each refusal under its field.
    fn parse(&self) -> Result<WorkspaceSettings, FormErrors> {
        let mut errors = FormErrors::default();
        let name = errors.check("name", WorkspaceName::parse(&self.name));
        let language = Lang::from_code(&self.language);
        if language.is_none() {
            errors.add("language", "errors.language_invalid");
        }
        let thresholds = match Thresholds::parse(
            &self.targetable_score,
            &self.hot_score,
            &self.draft_score,
            &self.score_half_life_days,
        ) {
            Ok(thresholds) => Some(thresholds),
            Err(refused) => {
                for (field, key) in refused {
                    errors.add(field, key);
                }
                None
            }
        };
        let retention = match self.retention_days.trim() {
            "" => Some(None),
            text => match text.parse::<i16>() {
                Ok(days) if (30..=3650).contains(&days) => Some(Some(days)),
                _ => {
                    errors.add("retention_days", "errors.retention_range");
                    None
                }
            },
        };
        let quotas = parse_quotas(&self.quota_per_hour, &self.quota_per_day);
        if quotas.is_none() {
            errors.add("quota_per_hour", "errors.quota_range");
        }
        match (name, language, thresholds, retention, quotas) {
            (Some(name), Some(language), Some(thresholds), Some(retention_days), Some(quotas)) => {
                Ok(WorkspaceSettings {
                    name,
                    language,
                    thresholds,
                    retention_days,
                    quotas,
                    members_export_contacts: self.members_export_contacts.is_some(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// `POST /w/{slug}/settings` (owners and admins)
pub async fn update(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let form = form.into_inner();
    let parsed = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            return render::invalid(&SettingsPage {
                ctx: member.chrome,
                form,
                can_edit: true,
                errors,
            });
        }
    };
    settings::update(&state, &member.actor(), parsed).await?;
    let chrome = &member.chrome;
    render::flash(
        &member.session,
        FlashKind::Success,
        chrome.t("settings.saved"),
    );
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
    let (session, chrome) = (&member.session, &member.chrome);
    if let Err(refusal) = team::leave(&state, &member.actor()).await? {
        render::flash(session, FlashKind::Error, chrome.t(refusal.key()));
        return Ok(render::redirect(htmx.0, &chrome.ws_url("settings")));
    }
    render::flash(
        session,
        FlashKind::Success,
        chrome.t_with("settings.left", "name", &member.workspace.name),
    );
    Ok(render::redirect(htmx.0, "/workspaces"))
}
