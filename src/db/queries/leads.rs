//! Queries on leads (one per person per platform in a workspace), always within one workspace.

use diesel::prelude::*;

use crate::db::models::{Interaction, Lead};
use crate::db::schema::{interactions, leads};

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
    interactions::table
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(interactions::lead_id.eq(lead_id))
        .order((interactions::occurred_at.desc(), interactions::id.desc()))
        .limit(limit)
        .select(Interaction::as_select())
        .load(conn)
}
