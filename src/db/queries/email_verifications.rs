//! Email verification links, kept as hashes: created, used once within their day, and the person's
//! address marked verified.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{email_verifications, users};

pub fn create(
    conn: &mut PgConnection,
    user_id: i64,
    email: &str,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(email_verifications::table)
        .values((
            email_verifications::user_id.eq(user_id),
            email_verifications::email.eq(email),
            email_verifications::token_hash.eq(token_hash),
            email_verifications::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// When the person's newest link was made, if any (resending waits a little between links).
pub fn latest(conn: &mut PgConnection, user_id: i64) -> QueryResult<Option<DateTime<Utc>>> {
    email_verifications::table
        .filter(email_verifications::user_id.eq(user_id))
        .select(diesel::dsl::max(email_verifications::created_at))
        .first(conn)
}

/// Whether a token is unused, unexpired and still for the person's current address.
pub fn is_valid(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        email_verifications::table
            .inner_join(users::table)
            .filter(email_verifications::token_hash.eq(token_hash))
            .filter(email_verifications::used_at.is_null())
            .filter(email_verifications::expires_at.gt(now))
            .filter(email_verifications::email.eq(users::email)),
    ))
    .get_result(conn)
}

/// Uses the token, if it still is valid, and marks the address it was sent to verified: `Some(user)` for
/// the one caller that wins, `None` after (or when the person's address changed since).
pub fn consume(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Option<i64>> {
    let used: Option<(i64, String)> = diesel::update(
        email_verifications::table
            .filter(email_verifications::token_hash.eq(token_hash))
            .filter(email_verifications::used_at.is_null())
            .filter(email_verifications::expires_at.gt(now)),
    )
    .set(email_verifications::used_at.eq(now))
    .returning((email_verifications::user_id, email_verifications::email))
    .get_result(conn)
    .optional()?;
    let Some((user_id, email)) = used else {
        return Ok(None);
    };
    Ok(mark_verified(conn, user_id, &email, now)?.then_some(user_id))
}

/// Marks the person's address verified (the first time counts) if it still is `email`; false when it is
/// not (their address changed since the link was sent).
pub fn mark_verified(
    conn: &mut PgConnection,
    user_id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let person = users::table
        .filter(users::id.eq(user_id))
        .filter(users::email.eq(email));
    diesel::update(person.filter(users::email_verified_at.is_null()))
        .set(users::email_verified_at.eq(now))
        .execute(conn)?;
    diesel::select(diesel::dsl::exists(person)).get_result(conn)
}
