//! Account status and alerts after a sync: the run's record, the account's next sync (its interval
//! with jitter, or a backoff after failures), and for an expired or blocked session the account's status
//! with the expiry alert queued in the same transaction.

use chrono::{DateTime, Duration, Utc};
use rand::Rng as _;

use super::{Failure, Summary};
use crate::db::models::{AccountCheck, SyncOutcome, SyncRun};
use crate::db::queries;
use crate::domain::account::AccountStatus;
use crate::domain::runs::{SyncPhase, SyncStatus};
use crate::error::with_db;
use crate::mail;
use crate::state::AppState;

/// The longest wait after failures, however many in a row.
const MAX_BACKOFF_MINUTES: i64 = 360;

pub(super) fn clamp(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Records how a run ended, sets the account's next sync and, for an expired or blocked session, its
/// status (queuing the expiry alert in the same transaction); a waiting run leaves the failure streak
/// as it was and makes the account due now. Answers the status change, if any.
pub(super) async fn record(
    state: &AppState,
    run: &SyncRun,
    outcome: &Result<Summary, Failure>,
) -> Option<AccountStatus> {
    let (workspace_id, account_id, run_id) = (run.workspace_id, run.account_id, run.id);
    let record = match outcome {
        Ok(summary) => SyncOutcome {
            status: SyncStatus::Succeeded,
            phase: SyncPhase::Done,
            finished_at: Some(Utc::now()),
            rows_read: clamp(summary.rows_read),
            new_interactions: clamp(summary.ingested.new),
            unknown_rows: clamp(summary.unknown_rows),
            page_reads: i32::try_from(summary.cost.page_reads).unwrap_or(i32::MAX),
            round_trips: i32::try_from(summary.cost.round_trips).unwrap_or(i32::MAX),
            error_key: None,
            error_detail: None,
        },
        Err(failure) => SyncOutcome {
            status: failure.status,
            phase: SyncPhase::Done,
            finished_at: Some(Utc::now()),
            rows_read: run.rows_read,
            new_interactions: 0,
            unknown_rows: 0,
            page_reads: 0,
            round_trips: 0,
            error_key: Some(failure.key),
            error_detail: failure.detail.clone(),
        },
    };
    let account_change = match outcome {
        Err(Failure {
            status: SyncStatus::Expired,
            ..
        }) => Some((AccountStatus::Expired, "accounts.reason_expired")),
        Err(Failure {
            status: SyncStatus::Blocked,
            ..
        }) => Some((AccountStatus::Blocked, "accounts.reason_blocked")),
        _ => None,
    };
    let succeeded = outcome.is_ok();
    let waiting = matches!(outcome, Err(failure) if failure.is_waiting());
    let min_interval = state.settings.sync.min_interval_minutes;
    let public_url = state.settings.public_url.clone();
    let recorded = with_db(&state.pool, move |conn| {
        use diesel::Connection as _;
        conn.transaction(|conn| {
            let account = queries::accounts::find(conn, workspace_id, account_id)?;
            let failures = account.as_ref().map_or(0, |a| a.consecutive_failures);
            let interval = account.as_ref().map_or(3, |a| a.sync_interval_minutes);
            let next = next_sync_at(
                Utc::now(),
                interval.into(),
                min_interval,
                if succeeded { 0 } else { failures + 1 },
            );
            queries::syncs::finish(conn, run_id, &record)?;
            if waiting {
                queries::syncs::due_now(conn, workspace_id, account_id)?;
            } else {
                queries::syncs::reschedule(conn, workspace_id, account_id, next, succeeded)?;
            }
            if let Some((status, reason)) = account_change {
                let check = AccountCheck::new(status, Some(reason), Some(Utc::now()));
                queries::accounts::record_check(conn, workspace_id, account_id, &check)?;
                if status == AccountStatus::Expired {
                    mail::alerts::account_expired(
                        conn,
                        workspace_id,
                        account_id,
                        &public_url,
                        Utc::now(),
                    )?;
                }
            }
            Ok(())
        })
    })
    .await;
    if let Err(error) = recorded {
        tracing::error!(account_id, ?error, "a sync's outcome could not be recorded");
    }
    account_change.map(|(status, _)| status)
}

/// When to read an account next: its interval (never under the minimum) give or take a fifth, so
/// accounts spread out; doubled for each failure in a row, up to six hours.
#[must_use]
pub fn next_sync_at(
    now: DateTime<Utc>,
    interval_minutes: i64,
    min_interval_minutes: i64,
    failures: i32,
) -> DateTime<Utc> {
    let base = interval_minutes.max(min_interval_minutes).max(1) * 60;
    let backoff = base
        .saturating_mul(1_i64 << failures.clamp(0, 10))
        .min(MAX_BACKOFF_MINUTES * 60);
    let jitter = rand::rng().random_range(-(base / 5)..=(base / 5));
    now + Duration::seconds((backoff + jitter).max(min_interval_minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_sync_follows_the_interval_with_some_jitter_and_never_under_the_minimum() {
        let now = Utc::now();
        for _ in 0..50 {
            let next = next_sync_at(now, 3, 1, 0);
            let minutes = (next - now).num_seconds();
            assert!((144..=216).contains(&minutes), "{minutes}s");
        }
        assert!(next_sync_at(now, 1, 5, 0) - now >= Duration::minutes(5));
    }

    #[test]
    fn failures_in_a_row_back_off_up_to_six_hours() {
        let now = Utc::now();
        let after_three = next_sync_at(now, 3, 1, 3) - now;
        assert!(
            after_three >= Duration::minutes(24 - 5) && after_three <= Duration::minutes(24 + 5)
        );
        let after_many = next_sync_at(now, 3, 1, 30) - now;
        assert!(after_many <= Duration::minutes(360 + 1));
    }
}
