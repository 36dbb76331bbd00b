//! Sync runs and the collection schedule: which accounts are due, claimed once across app instances.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Text};

use crate::db::models::{SyncOutcome, SyncRun};
use crate::db::schema::{social_accounts, sync_runs};
use crate::domain::platform::Platform;
use crate::domain::runs::{SyncPhase, SyncStatus, SyncTrigger};

/// An account picked for a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Due {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub workspace_id: i64,
}

/// Claims up to `limit` active accounts of `platforms` (those that collect on a schedule, as the registry
/// says) whose sync is due, pushing their next sync `lease_minutes`
/// ahead so no other instance takes them; the sync sets the real next time when it ends. Rows another
/// transaction is claiming are skipped, so two instances never claim one account. This is the one query
/// that looks across workspaces: it returns ids only, and each sync then works inside its workspace.
pub fn claim_due(
    conn: &mut PgConnection,
    platforms: &[Platform],
    limit: i64,
    lease_minutes: i32,
) -> QueryResult<Vec<Due>> {
    let platforms: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
    diesel::sql_query(
        "UPDATE social_accounts SET next_sync_at = now() + make_interval(mins => $2) \
         WHERE id IN (SELECT id FROM social_accounts \
                      WHERE status = 'active' AND platform = ANY($3) AND next_sync_at <= now() \
                      ORDER BY next_sync_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, workspace_id",
    )
    .bind::<BigInt, _>(limit)
    .bind::<Integer, _>(lease_minutes)
    .bind::<Array<Text>, _>(platforms)
    .load(conn)
}

/// Claims one account for a sync now ("Sync now"); `false` when a sync of it is already running.
pub fn claim_now(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    lease_minutes: i32,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(account_id))
            .select(social_accounts::id)
            .for_update()
            .first::<i64>(conn)?;
        if running(conn, workspace_id, account_id)?.is_some() {
            return Ok(false);
        }
        diesel::update(social_accounts::table.filter(social_accounts::id.eq(account_id)))
            .set(
                social_accounts::next_sync_at
                    .eq(Utc::now() + chrono::Duration::minutes(lease_minutes.into())),
            )
            .execute(conn)?;
        Ok(true)
    })
}

/// Records the start of a run.
pub fn start(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    trigger: SyncTrigger,
) -> QueryResult<SyncRun> {
    diesel::insert_into(sync_runs::table)
        .values((
            sync_runs::workspace_id.eq(workspace_id),
            sync_runs::account_id.eq(account_id),
            sync_runs::trigger.eq(trigger),
        ))
        .returning(SyncRun::as_returning())
        .get_result(conn)
}

/// What a running sync is doing, for its progress display.
pub fn set_progress(
    conn: &mut PgConnection,
    run_id: i64,
    phase: SyncPhase,
    rows_read: i32,
) -> QueryResult<()> {
    diesel::update(sync_runs::table.filter(sync_runs::id.eq(run_id)))
        .filter(sync_runs::finished_at.is_null())
        .set((
            sync_runs::phase.eq(phase),
            sync_runs::rows_read.eq(rows_read),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn finish(conn: &mut PgConnection, run_id: i64, outcome: &SyncOutcome) -> QueryResult<()> {
    diesel::update(sync_runs::table.filter(sync_runs::id.eq(run_id)))
        .set(outcome)
        .execute(conn)?;
    Ok(())
}

/// Writes what a sync means for its account: when it runs next, its failure streak and its status.
pub fn reschedule(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    next_sync_at: DateTime<Utc>,
    succeeded: bool,
) -> QueryResult<()> {
    let target = social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .filter(social_accounts::id.eq(account_id));
    if succeeded {
        diesel::update(target)
            .set((
                social_accounts::next_sync_at.eq(next_sync_at),
                social_accounts::last_synced_at.eq(Utc::now()),
                social_accounts::consecutive_failures.eq(0),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                social_accounts::next_sync_at.eq(next_sync_at),
                social_accounts::consecutive_failures.eq(social_accounts::consecutive_failures + 1),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Makes the account due at the next round, its failure streak untouched (its sync found no browser).
pub fn due_now(conn: &mut PgConnection, workspace_id: i64, account_id: i64) -> QueryResult<()> {
    diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(account_id)),
    )
    .set(social_accounts::next_sync_at.eq(Utc::now()))
    .execute(conn)?;
    Ok(())
}

/// The run of the account still under way, if any.
pub fn running(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
) -> QueryResult<Option<SyncRun>> {
    sync_runs::table
        .filter(sync_runs::workspace_id.eq(workspace_id))
        .filter(sync_runs::account_id.eq(account_id))
        .filter(sync_runs::finished_at.is_null())
        .select(SyncRun::as_select())
        .first(conn)
        .optional()
}

/// The workspace's run `id` (`None` when it is another workspace's).
pub fn find(conn: &mut PgConnection, workspace_id: i64, id: i64) -> QueryResult<Option<SyncRun>> {
    sync_runs::table
        .filter(sync_runs::workspace_id.eq(workspace_id))
        .filter(sync_runs::id.eq(id))
        .select(SyncRun::as_select())
        .first(conn)
        .optional()
}

/// The latest run of each of the workspace's accounts.
pub fn latest_per_account(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Vec<SyncRun>> {
    sync_runs::table
        .filter(sync_runs::workspace_id.eq(workspace_id))
        .distinct_on(sync_runs::account_id)
        .order((sync_runs::account_id, sync_runs::started_at.desc()))
        .select(SyncRun::as_select())
        .load(conn)
}

/// The account's runs, newest first.
pub fn history(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    limit: i64,
) -> QueryResult<Vec<SyncRun>> {
    sync_runs::table
        .filter(sync_runs::workspace_id.eq(workspace_id))
        .filter(sync_runs::account_id.eq(account_id))
        .order(sync_runs::started_at.desc())
        .limit(limit)
        .select(SyncRun::as_select())
        .load(conn)
}

/// Closes runs left open by a process that stopped mid-sync.
pub fn close_abandoned(conn: &mut PgConnection, older_than: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        sync_runs::table
            .filter(sync_runs::finished_at.is_null())
            .filter(sync_runs::started_at.lt(older_than)),
    )
    .set((
        sync_runs::status.eq(SyncStatus::Failed),
        sync_runs::phase.eq(SyncPhase::Done),
        sync_runs::finished_at.eq(Utc::now()),
        sync_runs::error_key.eq("sync.error_interrupted"),
    ))
    .execute(conn)
}
