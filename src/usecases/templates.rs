//! Message templates as the Templates page works on them: the workspace's templates, the leads a
//! preview can be shown on, the one chosen, and the template being edited.

use crate::db::DbPool;
use crate::db::models::{Lead, MessageTemplate};
use crate::db::queries;
use crate::error::AppError;
use crate::error::with_db;

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
