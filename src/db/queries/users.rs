//! Queries on people: find, create, change password, language, admin flags, admin search.

use chrono::Utc;
use diesel::prelude::*;

use crate::db::models::{Membership, NewUser, User, Workspace};
use crate::db::schema::{memberships, users, workspaces};
use crate::domain::Role;

pub fn find(conn: &mut PgConnection, user_id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(user_id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A person's workspaces, each with their role in it.
pub type Memberships = Vec<(Workspace, Role)>;

/// The person and their workspaces with their role in each, by name: one query for someone with a
/// workspace (what every page of a signed-in person needs), a second for someone without.
pub fn with_workspaces(
    conn: &mut PgConnection,
    user_id: i64,
) -> QueryResult<Option<(User, Memberships)>> {
    let rows: Vec<(User, Workspace, Membership)> = memberships::table
        .inner_join(users::table)
        .inner_join(workspaces::table)
        .filter(memberships::user_id.eq(user_id))
        .order((workspaces::name.asc(), workspaces::id.asc()))
        .select((
            User::as_select(),
            Workspace::as_select(),
            Membership::as_select(),
        ))
        .load(conn)?;
    let Some(user) = rows.first().map(|(user, _, _)| user.clone()) else {
        return Ok(find(conn, user_id)?.map(|user| (user, Vec::new())));
    };
    let workspaces = rows
        .into_iter()
        .map(|(_, workspace, membership)| {
            let role = membership.role();
            (workspace, role)
        })
        .collect();
    Ok(Some((user, workspaces)))
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Inserts a person; `None` when the email is already registered.
pub fn insert(conn: &mut PgConnection, new: &NewUser<'_>) -> QueryResult<Option<User>> {
    diesel::insert_into(users::table)
        .values(new)
        .on_conflict(users::email)
        .do_nothing()
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
}

pub fn set_password_hash(conn: &mut PgConnection, user_id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

pub fn set_locale(conn: &mut PgConnection, user_id: i64, locale: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::locale.eq(locale))
        .execute(conn)
}

pub fn set_admin(conn: &mut PgConnection, user_id: i64, is_admin: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::is_admin.eq(is_admin),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

pub fn set_disabled(conn: &mut PgConnection, user_id: i64, disabled: bool) -> QueryResult<usize> {
    let disabled_at = disabled.then(Utc::now);
    diesel::update(users::table.find(user_id))
        .set((
            users::disabled_at.eq(disabled_at),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

/// A person as listed on the admin page, with how many workspaces they belong to.
#[derive(Debug, Clone)]
pub struct UserListing {
    pub user: User,
    pub workspaces: i64,
}

/// People whose email or name contains `search`, newest first, `limit` at a time after `before_id`.
pub fn search(
    conn: &mut PgConnection,
    search: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<UserListing>> {
    let mut query = users::table.into_boxed();
    if let Some(text) = search {
        let pattern = super::like_pattern(text);
        query = query.filter(
            users::email
                .ilike(pattern.clone())
                .or(users::display_name.ilike(pattern)),
        );
    }
    if let Some(before) = before_id {
        query = query.filter(users::id.lt(before));
    }
    let found: Vec<User> = query
        .order(users::id.desc())
        .limit(limit)
        .select(User::as_select())
        .load(conn)?;
    let ids: Vec<i64> = found.iter().map(|u| u.id).collect();
    let counts: Vec<(i64, i64)> = memberships::table
        .filter(memberships::user_id.eq_any(&ids))
        .group_by(memberships::user_id)
        .select((memberships::user_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|user| {
            let workspaces = counts
                .iter()
                .find(|(id, _)| *id == user.id)
                .map_or(0, |(_, n)| *n);
            UserListing { user, workspaces }
        })
        .collect())
}
