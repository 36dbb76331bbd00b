//! Queries on invitations: create, list for a workspace or for an invited address, accept, decline, revoke.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{Invitation, NewInvitation};
use crate::db::schema::{invitations, workspaces};

/// Stores an invitation; `None` when this address already has a pending one for the workspace.
pub fn create(conn: &mut PgConnection, new: &NewInvitation<'_>) -> QueryResult<Option<Invitation>> {
    diesel::insert_into(invitations::table)
        .values(new)
        .on_conflict((invitations::workspace_id, invitations::email))
        .do_nothing()
        .returning(Invitation::as_returning())
        .get_result(conn)
        .optional()
}

pub fn list_for_workspace(
    conn: &mut PgConnection,
    workspace_id: i64,
) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::workspace_id.eq(workspace_id))
        .order(invitations::created_at.desc())
        .select(Invitation::as_select())
        .load(conn)
}

/// An invitation addressed to someone, with the workspace's name.
#[derive(Debug, Clone)]
pub struct ReceivedInvitation {
    pub id: i64,
    pub workspace_name: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
}

/// The unexpired invitations addressed to `email`.
pub fn list_for_email(
    conn: &mut PgConnection,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ReceivedInvitation>> {
    let rows: Vec<(i64, String, String, DateTime<Utc>)> = invitations::table
        .inner_join(workspaces::table)
        .filter(invitations::email.eq(email))
        .filter(invitations::expires_at.gt(now))
        .order(invitations::created_at.desc())
        .select((
            invitations::id,
            workspaces::name,
            invitations::role,
            invitations::expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, workspace_name, role, expires_at)| ReceivedInvitation {
                id,
                workspace_name,
                role,
                expires_at,
            },
        )
        .collect())
}

/// The unexpired invitation `id` if it is addressed to `email` (anyone else gets `None`).
pub fn find_for_email(
    conn: &mut PgConnection,
    id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::id.eq(id))
        .filter(invitations::email.eq(email))
        .filter(invitations::expires_at.gt(now))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut PgConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(invitations::table.find(id)).execute(conn)
}

/// Deletes the workspace's invitation `id`; 0 when it is not this workspace's.
pub fn revoke(conn: &mut PgConnection, workspace_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::workspace_id.eq(workspace_id)),
    )
    .execute(conn)
}

/// The unexpired invitation whose email carried this token, with its workspace's name.
pub fn find_by_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<(Invitation, String)>> {
    invitations::table
        .inner_join(workspaces::table)
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::expires_at.gt(now))
        .select((Invitation::as_select(), workspaces::name))
        .first(conn)
        .optional()
}

/// Uses up the unexpired invitation whose email carried this token: `Some` for the one caller that wins.
pub fn take_by_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<Invitation>> {
    diesel::delete(
        invitations::table
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::expires_at.gt(now)),
    )
    .returning(Invitation::as_returning())
    .get_result(conn)
    .optional()
}
