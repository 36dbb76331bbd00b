//! A workspace's settings: its name, the language of generated messages, the lead score thresholds and
//! half-life, how long interactions are kept, the outreach quotas and who may export contact details.

use diesel::Connection as _;

use crate::db::queries;
use crate::domain::WorkspaceName;
use crate::domain::scoring::Thresholds;
use crate::error::{AppError, with_db};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::usecases::Actor;

/// Every setting of a workspace, parsed.
#[derive(Debug, Clone)]
pub struct WorkspaceSettings {
    pub name: WorkspaceName,
    pub language: Lang,
    pub thresholds: Thresholds,
    /// Days interactions are kept; `None` keeps them all.
    pub retention_days: Option<i16>,
    /// Outreach quotas: (per hour, per day).
    pub quotas: (i16, i16),
    /// Whether plain members may export contact details.
    pub members_export_contacts: bool,
}

/// Saves the actor's workspace's settings and audits the change. Owners and admins only: the caller
/// checks the role before parsing the form.
///
/// # Errors
/// When the database fails.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    settings: WorkspaceSettings,
) -> Result<(), AppError> {
    let (actor, workspace_id) = (actor.clone(), actor.workspace_id);
    let WorkspaceSettings {
        name,
        language,
        thresholds,
        retention_days,
        quotas,
        members_export_contacts: members_export,
    } = settings;
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            queries::workspaces::update_settings(conn, workspace_id, &name, language, thresholds)?;
            queries::workspaces::set_retention(conn, workspace_id, retention_days)?;
            queries::workspaces::set_quotas(conn, workspace_id, quotas)?;
            queries::workspaces::set_members_export_contacts(conn, workspace_id, members_export)?;
            let details = serde_json::json!({
                "name": name.as_str(), "language": language.code(),
                "targetable_score": thresholds.targetable, "hot_score": thresholds.hot,
                "draft_score": thresholds.draft, "score_half_life_days": thresholds.half_life_days,
                "quota_per_hour": quotas.0, "quota_per_day": quotas.1,
                "members_export_contacts": members_export,
            });
            queries::audit::record(
                conn,
                &actor.event("workspace.updated").with_details(details),
            )?;
            Ok(())
        })
    })
    .await
}
