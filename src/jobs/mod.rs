//! The scheduler: apalis-cron workers in the `serve` process. Every minute the collection job claims the
//! accounts that are due (once across app instances, in PostgreSQL) and syncs them, a few at once.

pub mod sync;

use std::str::FromStr as _;

use actix_web::web;
use anyhow::anyhow;
use apalis::prelude::{BoxDynError, Data, WorkerBuilder};
use apalis_cron::{CronScheduler, Tick};
use chrono::Utc;

use crate::app::AppState;
use crate::db::models::SyncRun;
use crate::db::{self, queries};
use crate::error::AppError;

/// Every minute, at second 0.
const COLLECT_SCHEDULE: &str = "0 * * * * *";

/// Runs the scheduler until the process stops.
///
/// # Errors
/// When the schedule cannot be built or the worker stops with an error.
pub async fn run(state: web::Data<AppState>) -> anyhow::Result<()> {
    let schedule = cron::Schedule::from_str(COLLECT_SCHEDULE)?;
    WorkerBuilder::new("collect")
        .backend(CronScheduler::new(schedule))
        .data(state)
        .build(collect_tick)
        .run()
        .await
        .map_err(|e| anyhow!("the collection scheduler stopped: {e}"))
}

async fn collect_tick(_tick: Tick, state: Data<web::Data<AppState>>) -> Result<(), BoxDynError> {
    run_due(&state).await;
    Ok(())
}

/// One scheduler tick: closes runs abandoned by a stopped process, claims the accounts that are due
/// (at most as many as this instance reads at once) and syncs them. A tick that finds the previous
/// one still running leaves the accounts to the next tick. Answers how many syncs ran.
pub async fn run_due(state: &AppState) -> usize {
    let Ok(_busy) = state.collecting.try_lock() else {
        return 0;
    };
    let limit = i64::try_from(state.settings.sync.concurrency).unwrap_or(1);
    let claimed = db::run(&state.pool, move |conn| {
        let abandoned = Utc::now() - chrono::Duration::minutes(sync::LEASE_MINUTES.into());
        queries::syncs::close_abandoned(conn, abandoned)?;
        let due = queries::syncs::claim_due(conn, limit, sync::LEASE_MINUTES)?;
        due.into_iter()
            .map(|account| {
                queries::syncs::start(conn, account.workspace_id, account.id, "schedule")
                    .map_err(AppError::from)
            })
            .collect::<Result<Vec<SyncRun>, AppError>>()
    })
    .await;
    let runs = match claimed {
        Ok(runs) => runs,
        Err(error) => {
            tracing::warn!(?error, "the collection job could not claim accounts");
            return 0;
        }
    };
    let count = runs.len();
    futures_util::future::join_all(runs.into_iter().map(|run| sync::perform(state, run))).await;
    count
}

/// "Sync now": claims the account and records a run, then syncs it in the background. Answers the run
/// to follow, or `None` when a sync of the account is already under way.
pub async fn start_now(
    state: web::Data<AppState>,
    workspace_id: i64,
    account_id: i64,
) -> Result<Option<SyncRun>, AppError> {
    let run = db::run(&state.pool, move |conn| {
        if !queries::syncs::claim_now(conn, workspace_id, account_id, sync::LEASE_MINUTES)? {
            return Ok(None);
        }
        Ok(Some(queries::syncs::start(
            conn,
            workspace_id,
            account_id,
            "manual",
        )?))
    })
    .await?;
    if let Some(run) = run.clone() {
        actix_web::rt::spawn(async move {
            let _ = sync::perform(&state, run).await;
        });
    }
    Ok(run)
}
