//! The Templates page: the workspace's message templates (a default per lead type and language), the
//! form that creates or edits one with a live preview on a real lead, and delete. Owners and admins
//! change templates; members see them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::ai::{InteractionInput, LeadInput, LeadType, drafts};
use crate::db::models::{Lead, MessageTemplate};
use crate::domain::interaction::Kind;
use crate::domain::message_template::{self, Refusal, TemplateInput};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::usecases;
use crate::usecases::templates::Workbench;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind};

/// The characters of a body the list shows.
const EXCERPT: usize = 90;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateForm {
    pub name: String,
    /// A lead type, or empty for any type.
    pub lead_type: String,
    pub language: String,
    pub body: String,
    /// "yes" makes it the default for its lead type and language.
    pub is_default: String,
    /// The lead the preview is shown on.
    pub lead_id: String,
    /// "preview" when the form's Preview button sent it (without JavaScript): nothing is stored.
    pub intent: String,
}

impl TemplateForm {
    fn of(template: &MessageTemplate) -> Self {
        Self {
            name: template.name.clone(),
            lead_type: template
                .lead_type
                .map(LeadType::as_str)
                .unwrap_or_default()
                .to_owned(),
            language: template.language.code().to_owned(),
            body: template.body.clone(),
            is_default: if template.is_default { "yes" } else { "no" }.to_owned(),
            ..Self::default()
        }
    }

    fn is_default(&self) -> bool {
        self.is_default == "yes"
    }

    fn parse(&self) -> Result<TemplateInput, Vec<Refusal>> {
        message_template::parse(
            &self.name,
            &self.lead_type,
            &self.language,
            &self.body,
            self.is_default(),
        )
    }
}

/// What the preview shows.
pub enum Outcome {
    /// No body yet.
    Empty,
    /// The body is refused (an unknown variable, too long): why.
    Refused(String),
    Text(String),
}

/// A template's body filled in for one lead.
pub struct Preview {
    /// The lead it is shown on; none: a sample person (the workspace has no lead yet).
    lead: Option<Lead>,
    outcome: Outcome,
}

#[derive(Template)]
#[template(path = "pages/templates/_preview.html")]
pub struct PreviewFragment {
    ctx: Chrome,
    preview: Preview,
}

#[derive(Template)]
#[template(path = "pages/templates/index.html")]
pub struct TemplatesPage {
    ctx: Chrome,
    templates: Vec<MessageTemplate>,
    can_manage: bool,
    /// The template being edited (the form posts to its address); none for a new one.
    editing: Option<MessageTemplate>,
    form: TemplateForm,
    /// Refusals of the form as (field, message).
    errors: Vec<(&'static str, String)>,
    /// The leads the preview can be shown on, highest score first.
    leads: Vec<Lead>,
    preview: Preview,
}

impl TemplatesPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, message)| message.as_str())
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(t) => self.ctx.ws_url(&format!("templates/{}", t.id)),
            None => self.ctx.ws_url("templates"),
        }
    }

    fn lead_type_name(&self, lead_type: Option<&LeadType>) -> String {
        lead_type.map_or_else(
            || self.ctx.t("templates.any_type").into_owned(),
            |t| self.ctx.t_in("lead.type", t.as_str()).into_owned(),
        )
    }

    fn excerpt(body: &str) -> String {
        let mut chars = body.chars();
        let excerpt: String = chars.by_ref().take(EXCERPT).collect();
        if chars.next().is_some() {
            format!("{excerpt}…")
        } else {
            excerpt
        }
    }

    /// A variable as a body writes it: `{handle}`.
    fn placeholder(name: &str) -> String {
        format!("{{{name}}}")
    }

    fn is_selected(&self, lead: &Lead) -> bool {
        self.preview.lead.as_ref().is_some_and(|l| l.id == lead.id)
    }
}

/// What the variables read from a lead: who they are and the kinds of interaction they did (one of each
/// is all `{interaction}` needs).
fn lead_input(lead: &Lead) -> LeadInput {
    LeadInput {
        handle: lead.handle.clone(),
        display_name: lead.display_name.clone(),
        platform: lead.platform,
        interactions: lead
            .kind_counts
            .done()
            .into_iter()
            .map(|(kind, _)| InteractionInput {
                kind,
                text: None,
                occurred_at: lead.last_interaction_at,
            })
            .collect(),
    }
}

/// The person a preview is shown on when the workspace has no lead yet.
fn sample_lead() -> LeadInput {
    LeadInput {
        handle: "sample.fan".into(),
        display_name: Some("Alex".into()),
        platform: crate::domain::platform::Platform::DEFAULT,
        interactions: vec![InteractionInput {
            kind: Kind::Comment,
            text: None,
            occurred_at: chrono::Utc::now(),
        }],
    }
}

/// Fills `form`'s body for `lead` (or the sample person) with the one renderer drafts use.
fn preview(form: &TemplateForm, lead: Option<Lead>, workspace_language: Lang, ui: Lang) -> Preview {
    let lang = Lang::from_code(&form.language).unwrap_or(workspace_language);
    let input = lead.as_ref().map_or_else(sample_lead, lead_input);
    let outcome = if message_template::normalise_body(&form.body).is_empty() {
        Outcome::Empty
    } else {
        match message_template::parse_body(&form.body) {
            Ok(body) => match drafts::render(&body, |name| drafts::variable(&input, lang, name)) {
                Ok(text) => Outcome::Text(text),
                Err(unknown) => Outcome::Refused(Refusal::UnknownVariable(unknown.0).message(ui)),
            },
            Err(refusal) => Outcome::Refused(refusal.message(ui)),
        }
    };
    Preview { lead, outcome }
}

/// Everything the page shows, read in one database call: the templates, the leads to preview on and
/// the one chosen (`lead_id`, else the highest score), and the template being edited (404 if none).
async fn page(
    state: &AppState,
    member: InWorkspace,
    editing: Option<i64>,
    form: Option<TemplateForm>,
    errors: Vec<(&'static str, String)>,
) -> Result<TemplatesPage, AppError> {
    let chosen = form.as_ref().and_then(|f| f.lead_id.parse::<i64>().ok());
    let Workbench {
        templates,
        leads,
        lead,
        editing,
    } = usecases::templates::workbench(&state.pool, member.workspace.id, editing, chosen).await?;
    let form = form.unwrap_or_else(|| {
        editing.as_ref().map_or_else(
            || TemplateForm {
                language: member.workspace.language.code().to_owned(),
                is_default: "no".into(),
                ..TemplateForm::default()
            },
            TemplateForm::of,
        )
    });
    let preview = preview(&form, lead, member.workspace.language, member.chrome.lang);
    Ok(TemplatesPage {
        can_manage: member.role.manages_members(),
        ctx: member.chrome,
        templates,
        editing,
        form,
        errors,
        leads,
        preview,
    })
}

fn field_errors(refused: &[Refusal], lang: Lang) -> Vec<(&'static str, String)> {
    refused
        .iter()
        .map(|r| (r.field(), r.message(lang)))
        .collect()
}

/// The form again: 200 with the preview when its Preview button sent it, else 422 with the refusals.
async fn form_again(
    state: &AppState,
    member: InWorkspace,
    editing: Option<i64>,
    form: TemplateForm,
    refused: &[Refusal],
) -> Result<HttpResponse, AppError> {
    let errors = field_errors(refused, member.chrome.lang);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render::html(
        status,
        &page(state, member, editing, Some(form), errors).await?,
    )
}

/// `GET /w/{slug}/templates`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    render::html(
        StatusCode::OK,
        &page(&state, member, None, None, Vec::new()).await?,
    )
}

/// `GET /w/{slug}/templates/{id}`: the template in the form (read only for members).
pub async fn edit(
    member: InWorkspace,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().1;
    render::html(
        StatusCode::OK,
        &page(&state, member, Some(id), None, Vec::new()).await?,
    )
}

/// `POST /w/{slug}/templates`
pub async fn create(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<TemplateForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let form = form.into_inner();
    let input = match form.parse() {
        Ok(input) if form.intent != "preview" => input,
        Ok(_) => return form_again(&state, member, None, form, &[]).await,
        Err(refused) => return form_again(&state, member, None, form, &refused).await,
    };
    let created = usecases::templates::create(&state.pool, &member.actor(), input).await?;
    let text = member
        .chrome
        .t_with("templates.created", "name", &created.name);
    render::flash(&member.session, FlashKind::Success, text);
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("templates")))
}

/// `POST /w/{slug}/templates/{id}`
pub async fn update(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<TemplateForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let (id, form) = (path.into_inner().1, form.into_inner());
    let input = match form.parse() {
        Ok(input) if form.intent != "preview" => input,
        Ok(_) => return form_again(&state, member, Some(id), form, &[]).await,
        Err(refused) => return form_again(&state, member, Some(id), form, &refused).await,
    };
    let updated = usecases::templates::update(&state.pool, &member.actor(), id, input).await?;
    let text = member
        .chrome
        .t_with("templates.saved", "name", &updated.name);
    render::flash(&member.session, FlashKind::Success, text);
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("templates")))
}

/// `POST /w/{slug}/templates/{id}/delete`
pub async fn delete(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let id = path.into_inner().1;
    let deleted = usecases::templates::delete(&state.pool, &member.actor(), id).await?;
    let text = member
        .chrome
        .t_with("templates.deleted", "name", &deleted.name);
    render::flash(&member.session, FlashKind::Success, text);
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("templates")))
}

/// `POST /w/{slug}/templates/preview`: the preview fragment for htmx (the form as typed, nothing
/// stored); a plain request gets the whole page with it.
pub async fn preview_fragment(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<TemplateForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    if !htmx.0 {
        return form_again(&state, member, None, form, &[]).await;
    }
    let chosen = form.lead_id.parse::<i64>().ok();
    let lead = usecases::templates::preview_lead(&state.pool, member.workspace.id, chosen).await?;
    let preview = preview(&form, lead, member.workspace.language, member.chrome.lang);
    render::html(
        StatusCode::OK,
        &PreviewFragment {
            ctx: member.chrome,
            preview,
        },
    )
}
