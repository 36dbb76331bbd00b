//! Message templates: what the Templates page works on (the workspace's templates, the leads a preview
//! can be shown on, the one chosen, the template being edited), and creating, changing and deleting a
//! template, each recorded in the audit trail in the same transaction.

use diesel::Connection as _;

use crate::db::DbPool;
use crate::db::models::{
    Lead, MessageTemplate, MessageTemplateChanges, NewAuditEvent, NewMessageTemplate,
};
use crate::db::queries;
use crate::domain::lead_type::LeadType;
use crate::domain::message_template::TemplateInput;
use crate::error::AppError;
use crate::error::with_db;
use crate::usecases::Actor;

/// The most leads the preview's select offers.
const PREVIEW_LEADS: i64 = 50;

/// What the Templates page works on.
pub struct Workbench {
    pub templates: Vec<MessageTemplate>,
    /// The leads a preview can be shown on, highest score first.
    pub leads: Vec<Lead>,
    /// The lead the preview is shown on: the one chosen, else the highest score (none without leads).
    pub lead: Option<Lead>,
    /// The template being edited.
    pub editing: Option<MessageTemplate>,
}

/// Reads the workspace's templates, the leads to preview on and the one `chosen` (else the highest
/// score), and the template `editing` (404 when it is not the workspace's), in one database call.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn workbench(
    pool: &DbPool,
    workspace_id: i64,
    editing: Option<i64>,
    chosen: Option<i64>,
) -> Result<Workbench, AppError> {
    with_db(pool, move |conn| {
        let leads = queries::templates::preview_leads(conn, workspace_id, PREVIEW_LEADS)?;
        let lead = match chosen {
            Some(id) => match leads.iter().find(|l| l.id == id) {
                Some(lead) => Some(lead.clone()),
                None => queries::leads::find(conn, workspace_id, id)?,
            },
            None => None,
        }
        .or_else(|| leads.first().cloned());
        let editing = match editing {
            Some(id) => {
                Some(queries::templates::find(conn, workspace_id, id)?.ok_or(AppError::NotFound)?)
            }
            None => None,
        };
        let templates = queries::templates::list(conn, workspace_id)?;
        Ok(Workbench {
            templates,
            leads,
            lead,
            editing,
        })
    })
    .await
}

/// The lead a live preview is shown on: the workspace's lead `chosen`, else its highest score (none
/// without leads).
///
/// # Errors
/// When the database cannot be reached.
pub async fn preview_lead(
    pool: &DbPool,
    workspace_id: i64,
    chosen: Option<i64>,
) -> Result<Option<Lead>, AppError> {
    with_db(pool, move |conn| {
        let found = match chosen {
            Some(id) => queries::leads::find(conn, workspace_id, id)?,
            None => None,
        };
        Ok(match found {
            Some(lead) => Some(lead),
            None => queries::templates::preview_leads(conn, workspace_id, 1)?.pop(),
        })
    })
    .await
}

/// The audit event of `action` on template `t`.
fn audit<'a>(actor: &'a Actor, action: &'a str, t: &MessageTemplate) -> NewAuditEvent<'a> {
    NewAuditEvent::new(
        action,
        Some(actor.user_id),
        Some(actor.workspace_id),
        Some(&actor.ip),
    )
    .with_details(serde_json::json!({
        "template_id": t.id, "name": t.name, "lead_type": t.lead_type,
        "language": t.language, "is_default": t.is_default,
    }))
}

/// Creates a template in the actor's workspace (the default for its type and language when it says
/// so, replacing the previous one).
///
/// # Errors
/// When the database cannot be reached.
pub async fn create(
    pool: &DbPool,
    actor: &Actor,
    input: TemplateInput,
) -> Result<MessageTemplate, AppError> {
    let actor = actor.clone();
    with_db(pool, move |conn| {
        let new = NewMessageTemplate {
            workspace_id: actor.workspace_id,
            name: &input.name,
            lead_type: input.lead_type.map(LeadType::as_str),
            language: input.language.code(),
            body: &input.body,
            is_default: input.is_default,
            updated_by: Some(actor.user_id),
        };
        conn.transaction(|conn| {
            let created = queries::templates::create(conn, &new)?;
            queries::audit::record(conn, &audit(&actor, "template.created", &created))?;
            Ok(created)
        })
    })
    .await
}

/// Rewrites the workspace's template `id` with `input`. 404 when it is not the workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn update(
    pool: &DbPool,
    actor: &Actor,
    id: i64,
    input: TemplateInput,
) -> Result<MessageTemplate, AppError> {
    let actor = actor.clone();
    with_db(pool, move |conn| {
        let changes = MessageTemplateChanges {
            name: &input.name,
            lead_type: input.lead_type.map(|t| t.as_str().to_owned()),
            language: input.language.code(),
            body: &input.body,
            is_default: input.is_default,
            updated_at: chrono::Utc::now(),
            updated_by: Some(actor.user_id),
        };
        conn.transaction(|conn| {
            let updated = queries::templates::update(conn, actor.workspace_id, id, &changes)?
                .ok_or(AppError::NotFound)?;
            queries::audit::record(conn, &audit(&actor, "template.updated", &updated))?;
            Ok(updated)
        })
    })
    .await
}

/// Deletes the workspace's template `id` and answers it. 404 when it is not the workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn delete(pool: &DbPool, actor: &Actor, id: i64) -> Result<MessageTemplate, AppError> {
    let actor = actor.clone();
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            let deleted = queries::templates::delete(conn, actor.workspace_id, id)?
                .ok_or(AppError::NotFound)?;
            queries::audit::record(conn, &audit(&actor, "template.deleted", &deleted))?;
            Ok(deleted)
        })
    })
    .await
}
