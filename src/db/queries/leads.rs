//! Queries on leads (one per person per platform in a workspace), always within one workspace.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{Interaction, Lead, SuggestedMessage};
use crate::db::queries::interactions;
use crate::db::schema::interactions as interactions_table;
use crate::db::schema::{lead_notes, lead_status_changes, leads, suggested_messages, users};
use crate::domain::lead_status::LeadStatus;

/// The workspace's lead `id`; `None` when it is another workspace's (the caller answers 404).
pub fn find(conn: &mut PgConnection, workspace_id: i64, id: i64) -> QueryResult<Option<Lead>> {
    leads::table
        .filter(leads::workspace_id.eq(workspace_id))
        .filter(leads::id.eq(id))
        .select(Lead::as_select())
        .first(conn)
        .optional()
}

/// The lead's interactions, newest first, at most `limit`.
pub fn timeline(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
    limit: i64,
) -> QueryResult<Vec<Interaction>> {
    interactions_table::table
        .filter(interactions_table::workspace_id.eq(workspace_id))
        .filter(interactions_table::lead_id.eq(lead_id))
        .order((
            interactions_table::occurred_at.desc(),
            interactions_table::id.desc(),
        ))
        .limit(limit)
        .select(Interaction::as_select())
        .load(conn)
}

/// A note as the lead's page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct NoteLine {
    pub id: i64,
    pub body: String,
    /// The author's display name (`None` once they were deleted).
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The lead's notes, newest first.
pub fn notes(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
) -> QueryResult<Vec<NoteLine>> {
    lead_notes::table
        .left_join(users::table)
        .filter(lead_notes::workspace_id.eq(workspace_id))
        .filter(lead_notes::lead_id.eq(lead_id))
        .order((lead_notes::created_at.desc(), lead_notes::id.desc()))
        .select((
            lead_notes::id,
            lead_notes::body,
            users::display_name.nullable(),
            lead_notes::created_at,
        ))
        .load(conn)
}

/// Adds a note to the workspace's lead; `false` when there is no such lead.
pub fn add_note(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
    author_id: i64,
    body: &str,
) -> QueryResult<bool> {
    if find(conn, workspace_id, lead_id)?.is_none() {
        return Ok(false);
    }
    diesel::insert_into(lead_notes::table)
        .values((
            lead_notes::workspace_id.eq(workspace_id),
            lead_notes::lead_id.eq(lead_id),
            lead_notes::author_id.eq(author_id),
            lead_notes::body.eq(body),
        ))
        .execute(conn)?;
    Ok(true)
}

/// A status change as the lead's page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct StatusLine {
    pub from_status: LeadStatus,
    pub to_status: LeadStatus,
    pub who: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// The lead's status changes, newest first.
pub fn status_history(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
) -> QueryResult<Vec<StatusLine>> {
    lead_status_changes::table
        .left_join(users::table)
        .filter(lead_status_changes::workspace_id.eq(workspace_id))
        .filter(lead_status_changes::lead_id.eq(lead_id))
        .order((
            lead_status_changes::changed_at.desc(),
            lead_status_changes::id.desc(),
        ))
        .select((
            lead_status_changes::from_status,
            lead_status_changes::to_status,
            users::display_name.nullable(),
            lead_status_changes::changed_at,
        ))
        .load(conn)
}

/// Sets the status of the workspace's leads among `lead_ids` that have another one, and records each
/// change with who made it; answers how many changed. Call it inside a transaction.
pub fn set_status(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_ids: &[i64],
    to: LeadStatus,
    by: Option<i64>,
) -> QueryResult<usize> {
    let changing: Vec<(i64, LeadStatus)> = leads::table
        .filter(leads::workspace_id.eq(workspace_id))
        .filter(leads::id.eq_any(lead_ids))
        .filter(leads::status.ne(to))
        .order(leads::id)
        .for_update()
        .select((leads::id, leads::status))
        .load(conn)?;
    if changing.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = changing.iter().map(|(id, _)| *id).collect();
    let now = Utc::now();
    diesel::update(leads::table.filter(leads::id.eq_any(&ids)))
        .set((leads::status.eq(to), leads::updated_at.eq(now)))
        .execute(conn)?;
    let history: Vec<_> = changing
        .iter()
        .map(|(id, from)| {
            (
                lead_status_changes::workspace_id.eq(workspace_id),
                lead_status_changes::lead_id.eq(*id),
                lead_status_changes::from_status.eq(*from),
                lead_status_changes::to_status.eq(to),
                lead_status_changes::changed_by.eq(by),
                lead_status_changes::changed_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(lead_status_changes::table)
        .values(&history)
        .execute(conn)?;
    Ok(changing.len())
}

/// The lead's drafts, newest first.
pub fn drafts(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
) -> QueryResult<Vec<SuggestedMessage>> {
    suggested_messages::table
        .filter(suggested_messages::workspace_id.eq(workspace_id))
        .filter(suggested_messages::lead_id.eq(lead_id))
        .order((
            suggested_messages::created_at.desc(),
            suggested_messages::id.desc(),
        ))
        .select(SuggestedMessage::as_select())
        .load(conn)
}

/// Erases the workspace's lead: their interactions, drafts, notes and status history go with the lead,
/// and the handle joins the suppression list so no sync brings them back. Answers the erased lead
/// (`None`: no such lead in this workspace). Call it inside a transaction.
pub fn erase(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
) -> QueryResult<Option<Lead>> {
    let Some(lead) = leads::table
        .filter(leads::workspace_id.eq(workspace_id))
        .filter(leads::id.eq(lead_id))
        .for_update()
        .select(Lead::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    interactions::suppress(conn, workspace_id, lead.platform, &lead.handle)?;
    crate::db::queries::platform_people::forget(conn, workspace_id, &lead.handle)?;
    diesel::delete(
        interactions_table::table
            .filter(interactions_table::workspace_id.eq(workspace_id))
            .filter(interactions_table::lead_id.eq(lead_id)),
    )
    .execute(conn)?;
    // Drafts, notes and status changes go with the lead (ON DELETE CASCADE).
    diesel::delete(leads::table.filter(leads::id.eq(lead_id))).execute(conn)?;
    Ok(Some(lead))
}
