//! The audit trail: record an event, list a workspace's recent ones, page through all of them (admins).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{AuditEvent, NewAuditEvent};
use crate::db::schema::{audit_events, users, workspaces};

pub fn record(conn: &mut PgConnection, event: &NewAuditEvent<'_>) -> QueryResult<usize> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
}

/// Records an event and gives its id, for details known only later (the rows an export wrote).
pub fn record_returning_id(conn: &mut PgConnection, event: &NewAuditEvent<'_>) -> QueryResult<i64> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .returning(audit_events::id)
        .get_result(conn)
}

/// Adds `details` (a JSON object) to the recorded event `id`.
pub fn add_details(
    conn: &mut PgConnection,
    id: i64,
    details: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::sql_query("UPDATE audit_events SET details = details || $1 WHERE id = $2")
        .bind::<diesel::sql_types::Jsonb, _>(details)
        .bind::<diesel::sql_types::BigInt, _>(id)
        .execute(conn)
}

/// The client address of the person's latest login or registration, if any was recorded.
pub fn last_login_ip(conn: &mut PgConnection, user_id: i64) -> QueryResult<Option<String>> {
    Ok(audit_events::table
        .filter(audit_events::actor_user_id.eq(user_id))
        .filter(audit_events::action.eq_any(["user.login", "user.registered"]))
        .order(audit_events::occurred_at.desc())
        .select(audit_events::ip_address)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// An event with the names it refers to, for display.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: Option<String>,
    pub workspace: Option<String>,
    pub action: String,
    pub details: String,
    pub ip_address: Option<String>,
}

fn to_line((event, actor, workspace): (AuditEvent, Option<String>, Option<String>)) -> AuditLine {
    let details = match &event.details {
        serde_json::Value::Object(map) if map.is_empty() => String::new(),
        other => other.to_string(),
    };
    AuditLine {
        id: event.id,
        occurred_at: event.occurred_at,
        actor,
        workspace,
        action: event.action,
        details,
        ip_address: event.ip_address,
    }
}

/// Events newest first, optionally of one workspace and one action, `limit` at a time after `before_id`.
pub fn list(
    conn: &mut PgConnection,
    workspace_id: Option<i64>,
    action: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditLine>> {
    let mut query = audit_events::table
        .left_join(users::table)
        .left_join(workspaces::table)
        .into_boxed();
    if let Some(id) = workspace_id {
        query = query.filter(audit_events::workspace_id.eq(id));
    }
    if let Some(action) = action {
        query = query.filter(audit_events::action.eq(action.to_owned()));
    }
    if let Some(before) = before_id {
        query = query.filter(audit_events::id.lt(before));
    }
    let rows: Vec<(AuditEvent, Option<String>, Option<String>)> = query
        .order(audit_events::id.desc())
        .limit(limit)
        .select((
            AuditEvent::as_select(),
            users::email.nullable(),
            workspaces::slug.nullable(),
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(to_line).collect())
}
