//! Throttles (logins, reset requests), one row per scope and subject: read, count a failure or a
//! request (atomically), clear after a success.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::LoginThrottle;
use crate::db::schema::login_throttles;
use crate::domain::throttle::{ThrottlePolicy, ThrottleState};

pub fn get(
    conn: &mut PgConnection,
    scope: &str,
    subject: &str,
) -> QueryResult<Option<ThrottleState>> {
    let row: Option<LoginThrottle> = login_throttles::table
        .find((scope, subject))
        .select(LoginThrottle::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(|r| r.state()))
}

/// Counts one failure under `policy`; the row is locked so concurrent failures all count.
pub fn record_failure(
    conn: &mut PgConnection,
    scope: &str,
    subject: &str,
    policy: &ThrottlePolicy,
    now: DateTime<Utc>,
) -> QueryResult<ThrottleState> {
    conn.transaction(|conn| {
        let previous: Option<LoginThrottle> = login_throttles::table
            .find((scope, subject))
            .select(LoginThrottle::as_select())
            .for_update()
            .first(conn)
            .optional()?;
        let state = policy.after_failure(previous.map(|p| p.state()), now);
        let row = LoginThrottle {
            scope: scope.to_owned(),
            subject: subject.to_owned(),
            failures: state.failures,
            window_started_at: state.window_started_at,
            blocked_until: state.blocked_until,
        };
        diesel::insert_into(login_throttles::table)
            .values(&row)
            .on_conflict((login_throttles::scope, login_throttles::subject))
            .do_update()
            .set(&row)
            .execute(conn)?;
        Ok(state)
    })
}

pub fn clear(conn: &mut PgConnection, scope: &str, subject: &str) -> QueryResult<usize> {
    diesel::delete(login_throttles::table.find((scope, subject))).execute(conn)
}
