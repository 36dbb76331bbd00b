//! Server-side web sessions, keyed by the SHA-256 of the random key the cookie carries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::web_sessions;

pub fn load(
    conn: &mut PgConnection,
    key_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<serde_json::Value>> {
    web_sessions::table
        .filter(web_sessions::key_hash.eq(key_hash))
        .filter(web_sessions::expires_at.gt(now))
        .select(web_sessions::state)
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut PgConnection,
    key_hash: &[u8],
    user_id: Option<i64>,
    state: &serde_json::Value,
    expires_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::key_hash.eq(key_hash),
            web_sessions::user_id.eq(user_id),
            web_sessions::state.eq(state),
            web_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// Replaces a session's state; 0 when the session no longer exists (logged out elsewhere, expired).
pub fn update(
    conn: &mut PgConnection,
    key_hash: &[u8],
    user_id: Option<i64>,
    state: &serde_json::Value,
    expires_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(web_sessions::table.find(key_hash))
        .set((
            web_sessions::user_id.eq(user_id),
            web_sessions::state.eq(state),
            web_sessions::expires_at.eq(expires_at),
            web_sessions::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

pub fn extend(
    conn: &mut PgConnection,
    key_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(web_sessions::table.find(key_hash))
        .set(web_sessions::expires_at.eq(expires_at))
        .execute(conn)
}

pub fn delete(conn: &mut PgConnection, key_hash: &[u8]) -> QueryResult<usize> {
    diesel::delete(web_sessions::table.find(key_hash)).execute(conn)
}

/// Ends every session of a person (password changed, account disabled).
pub fn delete_for_user(conn: &mut PgConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(user_id))).execute(conn)
}

/// Deletes up to `limit` expired sessions, so the table does not grow with abandoned visits.
pub fn purge_expired(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<usize> {
    use diesel::sql_types::{BigInt, Timestamptz};
    diesel::sql_query("DELETE FROM web_sessions WHERE key_hash IN (SELECT key_hash FROM web_sessions WHERE expires_at <= $1 LIMIT $2)")
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(limit)
        .execute(conn)
}
