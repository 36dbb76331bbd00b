//! The scheduler: apalis-cron workers in the `serve` process. Every minute the collection job claims the
//! accounts that are due (once across app instances, in PostgreSQL) and syncs them, a few at once.

pub mod analyze;
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

/// Collection: every minute, at second 0.
const COLLECT_SCHEDULE: &str = "0 * * * * *";
/// Analysis catch-up (leads with new interactions a sync did not analyse): every ten minutes.
const ANALYSE_SCHEDULE: &str = "30 */10 * * * *";
/// Scores fade with time: rescored every day at 04:00 UTC.
const RESCORE_SCHEDULE: &str = "0 0 4 * * *";

/// Runs the scheduler's workers until the process stops.
///
/// # Errors
/// When a schedule cannot be built or a worker stops with an error.
pub async fn run(state: web::Data<AppState>) -> anyhow::Result<()> {
    let collect = WorkerBuilder::new("collect")
        .backend(CronScheduler::new(cron::Schedule::from_str(
            COLLECT_SCHEDULE,
        )?))
        .data(state.clone())
        .build(collect_tick)
        .run();
    let analyse = WorkerBuilder::new("analyse")
        .backend(CronScheduler::new(cron::Schedule::from_str(
            ANALYSE_SCHEDULE,
        )?))
        .data(state.clone())
        .build(analyse_tick)
        .run();
    let rescore = WorkerBuilder::new("rescore")
        .backend(CronScheduler::new(cron::Schedule::from_str(
            RESCORE_SCHEDULE,
        )?))
        .data(state)
        .build(rescore_tick)
        .run();
    tokio::try_join!(collect, analyse, rescore)
        .map(|_| ())
        .map_err(|e| anyhow!("the scheduler stopped: {e}"))
}

async fn collect_tick(_tick: Tick, state: Data<web::Data<AppState>>) -> Result<(), BoxDynError> {
    run_due(&state).await;
    Ok(())
}

async fn analyse_tick(_tick: Tick, state: Data<web::Data<AppState>>) -> Result<(), BoxDynError> {
    once(
        &state,
        "analyse",
        analyze::analyse_pending(&state, None, "schedule"),
    )
    .await;
    Ok(())
}

async fn rescore_tick(_tick: Tick, state: Data<web::Data<AppState>>) -> Result<(), BoxDynError> {
    once(&state, "rescore", analyze::rescore_all(&state)).await;
    Ok(())
}

/// Runs `job` if this instance gets its lease (one instance at a time across the app); a failure is
/// logged and the scheduler goes on.
async fn once<T: std::fmt::Debug>(
    state: &AppState,
    name: &'static str,
    job: impl std::future::Future<Output = Result<T, AppError>>,
) {
    let holder = state.instance.clone();
    let lease = {
        let holder = holder.clone();
        db::run(&state.pool, move |conn| {
            Ok(queries::analysis::take_lease(conn, name, &holder, 60)?)
        })
        .await
    };
    match lease {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(job = name, ?error, "a job's lease could not be taken");
            return;
        }
    }
    match job.await {
        Ok(done) => tracing::info!(job = name, ?done, "job done"),
        Err(error) => tracing::warn!(job = name, ?error, "job failed"),
    }
    let released = db::run(&state.pool, move |conn| {
        Ok(queries::analysis::release_lease(conn, name, &holder)?)
    })
    .await;
    if let Err(error) = released {
        tracing::warn!(job = name, ?error, "a job's lease could not be released");
    }
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
