//! The dashboard's figures, each counted from the database.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::{audit_events, interactions, invitations, leads, memberships};

#[derive(Debug, Clone, Copy, Default)]
pub struct WorkspaceCounts {
    pub members: i64,
    pub pending_invitations: i64,
    pub events_this_week: i64,
    pub interactions_this_week: i64,
    pub leads: i64,
}

pub fn counts(
    conn: &mut PgConnection,
    workspace_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<WorkspaceCounts> {
    let members = memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .count()
        .get_result(conn)?;
    let pending_invitations = invitations::table
        .filter(invitations::workspace_id.eq(workspace_id))
        .filter(invitations::expires_at.gt(now))
        .count()
        .get_result(conn)?;
    let events_this_week = audit_events::table
        .filter(audit_events::workspace_id.eq(workspace_id))
        .filter(audit_events::occurred_at.gt(now - Duration::days(7)))
        .count()
        .get_result(conn)?;
    let interactions_this_week = interactions::table
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(interactions::occurred_at.gt(now - Duration::days(7)))
        .count()
        .get_result(conn)?;
    let leads = leads::table
        .filter(leads::workspace_id.eq(workspace_id))
        .count()
        .get_result(conn)?;
    Ok(WorkspaceCounts {
        members,
        pending_invitations,
        events_this_week,
        interactions_this_week,
        leads,
    })
}
