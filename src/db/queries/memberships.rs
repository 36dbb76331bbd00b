//! Queries on memberships: who is in a workspace and with which role.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::NewMembership;
use crate::db::schema::{memberships, users};
use crate::domain::Role;

/// A member as shown on the workspace's settings page (the fields in the order `list` selects them).
#[derive(Debug, Clone, Queryable)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

pub fn list(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Vec<Member>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .order((memberships::created_at.asc(), users::id.asc()))
        .select((
            users::id,
            users::email,
            users::display_name,
            memberships::role,
            memberships::created_at,
        ))
        .load(conn)
}

/// Who holds which role in a workspace, as read under the membership lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Seat {
    pub user_id: i64,
    pub role: Role,
}

/// Locks the workspace's memberships for this transaction and returns every seat, so that two
/// concurrent role changes cannot both remove "the other" owner.
pub fn lock_roles(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Vec<Seat>> {
    memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .select((memberships::user_id, memberships::role))
        .for_update()
        .load(conn)
}

/// How many owners a locked seat list holds.
#[must_use]
pub fn owners(seats: &[Seat]) -> i64 {
    i64::try_from(seats.iter().filter(|seat| seat.role == Role::Owner).count()).unwrap_or(i64::MAX)
}

/// The role of `user_id` among locked seats, if they have one.
#[must_use]
pub fn role_of(seats: &[Seat], user_id: i64) -> Option<Role> {
    seats
        .iter()
        .find(|seat| seat.user_id == user_id)
        .map(|seat| seat.role)
}

/// Whether the person with this email is a member of the workspace.
pub fn has_member_with_email(
    conn: &mut PgConnection,
    workspace_id: i64,
    email: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .inner_join(users::table)
            .filter(memberships::workspace_id.eq(workspace_id))
            .filter(users::email.eq(email)),
    ))
    .get_result(conn)
}

pub fn add(
    conn: &mut PgConnection,
    workspace_id: i64,
    user_id: i64,
    role: Role,
) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values(&NewMembership {
            workspace_id,
            user_id,
            role: role.as_str(),
        })
        .on_conflict_do_nothing()
        .execute(conn)
}

pub fn set_role(
    conn: &mut PgConnection,
    workspace_id: i64,
    user_id: i64,
    role: Role,
) -> QueryResult<usize> {
    diesel::update(memberships::table.find((workspace_id, user_id)))
        .set(memberships::role.eq(role.as_str()))
        .execute(conn)
}

pub fn remove(conn: &mut PgConnection, workspace_id: i64, user_id: i64) -> QueryResult<usize> {
    diesel::delete(memberships::table.find((workspace_id, user_id))).execute(conn)
}

/// The role of `user_id` in the workspace, if they are a member.
pub fn role(conn: &mut PgConnection, workspace_id: i64, user_id: i64) -> QueryResult<Option<Role>> {
    memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::role)
        .first(conn)
        .optional()
}
