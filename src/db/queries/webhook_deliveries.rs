//! The inbox of webhook deliveries: one insert to receive, claimed in batches by the worker with
//! `FOR UPDATE SKIP LOCKED` (two workers never take the same rows), listed and replayed by admins.
//! Deliveries belong to no workspace until they are read: only the worker and the admin pages see them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{ClaimedDelivery, WebhookDelivery};
use crate::db::schema::webhook_deliveries;
use crate::domain::delivery::DeliveryStatus;
use crate::domain::platform::Platform;

/// Keeps a signed delivery's raw body; answers its id.
pub fn insert(conn: &mut PgConnection, platform: Platform, body: &[u8]) -> QueryResult<i64> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::platform.eq(platform),
            webhook_deliveries::body.eq(body),
        ))
        .returning(webhook_deliveries::id)
        .get_result(conn)
}

/// Locks up to `limit` deliveries that are due, the longest due first, for the caller's transaction
/// (in the order of the partial index on waiting deliveries, so processed rows are never scanned).
pub fn claim(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<ClaimedDelivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Received))
        .filter(webhook_deliveries::retry_at.le(now))
        .order((
            webhook_deliveries::retry_at.asc(),
            webhook_deliveries::id.asc(),
        ))
        .limit(limit)
        .select(ClaimedDelivery::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
}

/// Marks deliveries processed, each with its events read and ignored: `(id, events, ignored)`.
pub fn mark_processed(
    conn: &mut PgConnection,
    done: &[(i64, i32, i32)],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    if done.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = done.iter().map(|d| d.0).collect();
    let events: Vec<i32> = done.iter().map(|d| d.1).collect();
    let ignored: Vec<i32> = done.iter().map(|d| d.2).collect();
    diesel::sql_query(
        "UPDATE webhook_deliveries SET status = 'processed', events = d.events, \
            ignored_events = d.ignored, attempts = attempts + 1, error = NULL, processed_at = $4 \
         FROM unnest($1, $2, $3) AS d(id, events, ignored) WHERE webhook_deliveries.id = d.id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(ids)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Integer>, _>(events)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Integer>, _>(ignored)
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `retry_at` is `None`.
pub fn mark_attempt_failed(
    conn: &mut PgConnection,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let status = if retry_at.is_some() {
        DeliveryStatus::Received
    } else {
        DeliveryStatus::Failed
    };
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::error.eq(error),
            webhook_deliveries::retry_at.eq(retry_at.unwrap_or(now)),
            webhook_deliveries::processed_at.eq(retry_at.is_none().then_some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a delivery back in the queue (an admin's replay); `false` when there is no such delivery.
pub fn replay(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<bool> {
    let updated = diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Received),
            webhook_deliveries::retry_at.eq(now),
            webhook_deliveries::attempts.eq(0),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Deliveries newest first, of one status or all, older than the cursor `before` (an id).
pub fn list(
    conn: &mut PgConnection,
    status: Option<DeliveryStatus>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<WebhookDelivery>> {
    let mut query = webhook_deliveries::table
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(WebhookDelivery::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status));
    }
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::id.lt(before));
    }
    query.load(conn)
}

/// How many deliveries there are of each status.
pub fn counts(conn: &mut PgConnection) -> QueryResult<Vec<(DeliveryStatus, i64)>> {
    webhook_deliveries::table
        .group_by(webhook_deliveries::status)
        .select((webhook_deliveries::status, diesel::dsl::count_star()))
        .load(conn)
}

/// A delivery's raw body, for an admin who looks into a failure.
pub fn body(conn: &mut PgConnection, id: i64) -> QueryResult<Option<Vec<u8>>> {
    webhook_deliveries::table
        .find(id)
        .select(webhook_deliveries::body)
        .first(conn)
        .optional()
}

/// Deletes processed deliveries received before `before` (failed ones stay until replayed).
pub fn delete_processed_before(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Processed))
            .filter(webhook_deliveries::received_at.lt(before)),
    )
    .execute(conn)
}

/// Makes waiting deliveries due now (the names they waited for are known).
pub fn retry_now(conn: &mut PgConnection, ids: &[i64], now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(ids))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Received)),
    )
    .set(webhook_deliveries::retry_at.eq(now))
    .execute(conn)
}
