//! The scheduler: apalis-cron workers in the `serve` process, one per job of `JOBS` (the one list of
//! scheduled jobs). Every run is recorded; no job runs twice at once on an instance, and a job runs once
//! across app instances (collection by claiming accounts, the others by a lease); a failing job is
//! recorded and never stops the others.

pub mod inbox;

use std::str::FromStr as _;

use actix_web::web;
use anyhow::anyhow;
use apalis::prelude::{BoxDynError, Data, WorkerBuilder};
use apalis_cron::{CronScheduler, Tick};
use chrono::Utc;

use crate::db::models::SyncRun;
use crate::db::queries;
use crate::domain::runs::AnalysisTrigger;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::usecases::job_runs::{self, Lease};
use crate::usecases::{analysis as analyze, sync};

/// A scheduled job: its name, its cron schedule (seconds first) and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub name: &'static str,
    pub schedule: &'static str,
    pub about: &'static str,
}

/// Every scheduled job, in one place. Each run is recorded in `job_runs`; all but collection run on
/// one instance at a time (a lease in `job_leases`); collection runs on every instance (a lease per
/// instance) and claims accounts one by one. A failing job is recorded and the others go on.
pub const JOBS: [Job; 8] = [
    Job {
        name: "collect",
        schedule: "0 * * * * *",
        about: "syncs the accounts that are due",
    },
    Job {
        name: "analyse",
        schedule: "30 */10 * * * *",
        about: "analyses leads with new interactions a sync did not analyse",
    },
    Job {
        name: "rescore",
        schedule: "0 0 4 * * *",
        about: "scores every lead again (interactions fade)",
    },
    Job {
        name: "mail",
        schedule: "15 * * * * *",
        about: "delivers queued mail and retries temporary failures",
    },
    Job {
        name: "expiry-reminders",
        schedule: "45 */15 * * * *",
        about: "reminds owners of accounts still expired a day after the alert",
    },
    Job {
        name: "instagram-tokens",
        schedule: "0 7 * * * *",
        about: "refreshes Instagram access tokens before they expire",
    },
    Job {
        name: "cleanup",
        schedule: "0 30 3 * * *",
        about: "deletes interactions past each workspace's retention, run records older than 30 days, mail older than 90, processed webhook deliveries older than 7",
    },
    Job {
        name: "instagram-backfill",
        schedule: "20 */30 * * * *",
        about: "catches up Instagram comments and messages a webhook may have missed",
    },
];

/// The job named `name`.
#[must_use]
pub fn job(name: &str) -> Option<&'static Job> {
    JOBS.iter().find(|j| j.name == name)
}

/// When `job` runs next after `now`.
#[must_use]
pub fn next_run(job: &Job, now: chrono::DateTime<Utc>) -> Option<chrono::DateTime<Utc>> {
    cron::Schedule::from_str(job.schedule)
        .ok()?
        .after(&now)
        .next()
}

/// Runs the scheduler's workers, one per job, until the process stops.
///
/// # Errors
/// When a schedule cannot be built or a worker stops with an error.
pub async fn run(state: web::Data<AppState>) -> anyhow::Result<()> {
    let mut workers = Vec::new();
    for job in &JOBS {
        workers.push(
            WorkerBuilder::new(job.name)
                .backend(CronScheduler::new(cron::Schedule::from_str(job.schedule)?))
                .data(state.clone())
                .data(job)
                .build(tick)
                .run(),
        );
    }
    futures_util::future::try_join_all(workers)
        .await
        .map(|_| ())
        .map_err(|e| anyhow!("the scheduler stopped: {e}"))
}

async fn tick(
    _tick: Tick,
    state: Data<web::Data<AppState>>,
    job: Data<&'static Job>,
) -> Result<(), BoxDynError> {
    run_recorded(&state, &job).await;
    Ok(())
}

/// Runs `job` now (its lease permitting) and records the run; answers the run's id when it ran.
pub async fn run_recorded(state: &AppState, job: &Job) -> Option<i64> {
    let run_id = match start_run(state, job).await {
        Ok(Some(id)) => id,
        Ok(None) => return None,
        Err(error) => {
            tracing::warn!(job = job.name, ?error, "a job could not start");
            return None;
        }
    };
    finish_run(state, job, run_id).await;
    Some(run_id)
}

/// The lease a run of `job` takes: the job's own, or for collection (which runs on every instance
/// and claims accounts) this instance's, so no instance runs a job twice at once. Collection runs
/// every minute: a lease lost with its process must not stop it for long.
#[must_use]
pub fn lease(job: &Job, instance: &str) -> Lease {
    if job.name == "collect" {
        Lease {
            name: format!("collect@{instance}"),
            minutes: sync::LEASE_MINUTES.into(),
        }
    } else {
        Lease {
            name: job.name.to_owned(),
            minutes: 60,
        }
    }
}

/// Takes the job's lease and records the start of a run: the run's id, or `None` when the lease is
/// held (the job runs already, on this instance or another).
///
/// # Errors
/// When the database cannot be reached.
pub async fn start_run(state: &AppState, job: &Job) -> Result<Option<i64>, AppError> {
    let lease = lease(job, &state.instance);
    job_runs::start(&state.pool, job.name, &state.instance, lease).await
}

/// Does the work of a run `start_run` began, records how it ended and gives the lease back.
pub async fn finish_run(state: &AppState, job: &Job, run_id: i64) {
    let name = job.name;
    let outcome = perform(state, name).await;
    match &outcome {
        Ok(summary) => tracing::info!(job = name, %summary, "job done"),
        Err(error) => tracing::warn!(job = name, ?error, "job failed"),
    }
    let holder = state.instance.clone();
    let lease = lease(job, &holder).name;
    let recorded = with_db(&state.pool, move |conn| {
        let (summary, error) = match outcome {
            Ok(summary) => (Some(summary), None),
            Err(error) => (None, Some(format!("{error:?}"))),
        };
        queries::jobs::finish(conn, run_id, summary.as_deref(), error.as_deref())?;
        queries::analysis::release_lease(conn, &lease, &holder)?;
        Ok(())
    })
    .await;
    if let Err(error) = recorded {
        tracing::warn!(job = name, ?error, "a job's run could not be recorded");
    }
}

/// What each job does; answers a summary for its run record.
async fn perform(state: &AppState, name: &str) -> Result<String, AppError> {
    let now = Utc::now();
    match name {
        "collect" => run_due(state).await.map(|n| format!("{n} accounts synced")),
        "analyse" => analyze::analyse_pending(state, None, AnalysisTrigger::Schedule)
            .await
            .map(|s| format!("{} leads analysed, {} drafts", s.leads, s.drafts)),
        "rescore" => analyze::rescore_all(state)
            .await
            .map(|s| format!("{} leads rescored", s.leads)),
        "mail" => crate::mail::deliver_due(&state.pool, &state.mailer, 100)
            .await
            .map(|n| format!("{n} emails sent")),
        "expiry-reminders" => {
            let public_url = state.settings.public_url.clone();
            let queued = with_db(&state.pool, move |conn| {
                Ok(crate::mail::alerts::remind_expired(conn, &public_url, now)?)
            })
            .await?;
            let sent = crate::mail::deliver_due(&state.pool, &state.mailer, 100).await?;
            Ok(format!("{queued} reminders queued, {sent} emails sent"))
        }
        "instagram-tokens" => crate::usecases::instagram::tokens::refresh_due(state)
            .await
            .map(|run| run.to_string()),
        "cleanup" => {
            with_db(&state.pool, move |conn| {
                let interactions = queries::jobs::apply_retention(conn, now)?;
                let records = queries::jobs::clean_up(conn, now)?;
                Ok(format!(
                    "{interactions} interactions past retention and {records} old records deleted"
                ))
            })
            .await
        }
        "instagram-backfill" => crate::usecases::instagram::backfill::backfill_all(state)
            .await
            .map(|pass| pass.to_string()),
        other => Err(AppError::Internal(anyhow!("no job is named {other}"))),
    }
}

/// One scheduler tick: closes runs abandoned by a stopped process, claims the accounts that are due
/// (at most as many as this instance reads at once) and syncs them. A tick that finds the previous
/// one still running leaves the accounts to the next tick. Answers how many syncs ran.
///
/// # Errors
/// When the accounts cannot be claimed, or when every sync it ran failed (each failure is also on
/// its own sync's record).
pub async fn run_due(state: &AppState) -> Result<usize, AppError> {
    let Ok(_busy) = state.collecting.try_lock() else {
        return Ok(0);
    };
    let limit = i64::try_from(state.settings.sync.concurrency).unwrap_or(1);
    let scheduled = crate::platforms::scheduled();
    let runs = with_db(&state.pool, move |conn| {
        let abandoned = Utc::now() - chrono::Duration::minutes(sync::LEASE_MINUTES.into());
        queries::syncs::close_abandoned(conn, abandoned)?;
        let due = queries::syncs::claim_due(conn, &scheduled, limit, sync::LEASE_MINUTES)?;
        due.into_iter()
            .map(|account| {
                queries::syncs::start(
                    conn,
                    account.workspace_id,
                    account.id,
                    crate::domain::runs::SyncTrigger::Schedule,
                )
                .map_err(AppError::from)
            })
            .collect::<Result<Vec<SyncRun>, AppError>>()
    })
    .await?;
    let count = runs.len();
    let failures: Vec<sync::NotSynced> =
        futures_util::future::join_all(runs.into_iter().map(|run| sync::perform(state, run)))
            .await
            .into_iter()
            .filter_map(Result::err)
            .collect();
    // A sync that waited for a browser did not fail: it runs again at the next round.
    if count > 0 && failures.len() == count && !failures.iter().any(|f| f.waited) {
        let keys: Vec<&str> = failures.iter().map(|f| f.key).collect();
        return Err(AppError::Internal(anyhow!(
            "every sync failed ({count}): {}",
            keys.join(", ")
        )));
    }
    Ok(count)
}
