//! OAuth states: written when a person opens a consent screen, taken once by the callback.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{NewOAuthState, OAuthState};
use crate::db::schema::oauth_states;

pub fn insert(conn: &mut PgConnection, new: &NewOAuthState<'_>) -> QueryResult<()> {
    diesel::insert_into(oauth_states::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Marks the state used and answers it as it was before (`used_at` then says whether it had already
/// been used); `None` when no such state was ever issued.
pub fn take(
    conn: &mut PgConnection,
    state_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<OAuthState>> {
    conn.transaction(|conn| {
        let found = oauth_states::table
            .find(state_hash)
            .select(OAuthState::as_select())
            .for_update()
            .first(conn)
            .optional()?;
        if found.as_ref().is_some_and(|s| s.used_at.is_none()) {
            diesel::update(oauth_states::table.find(state_hash))
                .set(oauth_states::used_at.eq(now))
                .execute(conn)?;
        }
        Ok(found)
    })
}

/// Deletes states that expired before `before`.
pub fn delete_expired(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(oauth_states::table.filter(oauth_states::expires_at.lt(before))).execute(conn)
}
