//! Who is behind a platform's id (a message sender's scoped id), as the platform told it once, per
//! connected account.

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::schema::platform_people;

/// A person the platform described: their id, handle and display name.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Person {
    pub external_id: String,
    pub handle: String,
    pub display_name: Option<String>,
}

/// The known people among `ids`, for the account.
pub fn find(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    ids: &[&str],
) -> QueryResult<Vec<Person>> {
    platform_people::table
        .filter(platform_people::workspace_id.eq(workspace_id))
        .filter(platform_people::account_id.eq(account_id))
        .filter(platform_people::external_id.eq_any(ids))
        .select((
            platform_people::external_id,
            platform_people::handle,
            platform_people::display_name,
        ))
        .load(conn)
}

/// Remembers people (a newer description replaces an older one).
pub fn remember(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    people: &[Person],
) -> QueryResult<()> {
    let rows: Vec<_> = people
        .iter()
        .map(|p| {
            (
                platform_people::workspace_id.eq(workspace_id),
                platform_people::account_id.eq(account_id),
                platform_people::external_id.eq(&p.external_id),
                platform_people::handle.eq(&p.handle),
                platform_people::display_name.eq(p.display_name.as_deref()),
            )
        })
        .collect();
    diesel::insert_into(platform_people::table)
        .values(rows)
        .on_conflict((platform_people::account_id, platform_people::external_id))
        .do_update()
        .set((
            platform_people::handle.eq(excluded(platform_people::handle)),
            platform_people::display_name.eq(excluded(platform_people::display_name)),
            platform_people::fetched_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a person of the workspace (their erasure).
pub fn forget(conn: &mut PgConnection, workspace_id: i64, handle: &str) -> QueryResult<usize> {
    diesel::delete(
        platform_people::table
            .filter(platform_people::workspace_id.eq(workspace_id))
            .filter(platform_people::handle.eq(handle)),
    )
    .execute(conn)
}
