//! A run of a scheduled job, however it starts (the scheduler's tick or a site admin's "Run now"): the
//! run takes the job's lease and records its start, or, when the lease is held, says who holds it. The
//! job's work and its schedule stay with the scheduler (`jobs`), which names the lease a run takes.

use chrono::{DateTime, Utc};
use diesel::{Connection as _, PgConnection, QueryResult};

use crate::db::DbPool;
use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::error::AppError;
use crate::error::with_db;

/// The lease a run takes: its name (the job's own, or one per instance) and how long it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub minutes: i64,
}

/// Takes `lease` for this instance (`holder`) and records the start of a run of `job`: the run's id,
/// or `None` when the lease is held (the job runs already, on this instance or another).
///
/// # Errors
/// When the database cannot be reached.
pub async fn start(
    pool: &DbPool,
    job: &'static str,
    holder: &str,
    lease: Lease,
) -> Result<Option<i64>, AppError> {
    let holder = holder.to_owned();
    with_db(pool, move |conn| Ok(begin(conn, job, &holder, &lease)?)).await
}

/// Takes the lease and records the run's start on `conn`: the run's id, or `None` when it is held.
fn begin(
    conn: &mut PgConnection,
    job: &str,
    holder: &str,
    lease: &Lease,
) -> QueryResult<Option<i64>> {
    if !queries::analysis::take_lease(conn, &lease.name, holder, lease.minutes)? {
        return Ok(None);
    }
    queries::jobs::start(conn, job, holder).map(Some)
}

/// What "Run now" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunNow {
    /// The run started (its id): its work is the caller's to do, in the background.
    Started(i64),
    /// The lease is held by this instance: the job runs here already.
    RunningHere,
    /// Another instance holds the lease until then.
    HeldElsewhere {
        holder: String,
        until: DateTime<Utc>,
    },
    /// The lease was given back between the two reads: the other run has just ended.
    JustEnded,
}

/// A site admin's "Run now" of `job` from this instance (`holder`): the run starts (with the audit
/// event `admin.job_run`), or nothing starts and the answer says who holds the lease.
///
/// # Errors
/// When the database cannot be reached.
pub async fn run_now(
    pool: &DbPool,
    (admin, ip): (i64, String),
    job: &'static str,
    holder: &str,
    lease: Lease,
) -> Result<RunNow, AppError> {
    let (name, by) = (lease.name.clone(), holder.to_owned());
    // The lease, the run's start and the audit event are one transaction: an audit that fails leaves
    // no run holding the lease without its work.
    let started = with_db(pool, move |conn| {
        conn.transaction(|conn| {
            let Some(run_id) = begin(conn, job, &by, &lease)? else {
                return Ok(None);
            };
            let event = NewAuditEvent::new("admin.job_run", Some(admin), None, Some(&ip));
            let details = serde_json::json!({ "job": job, "run": run_id });
            queries::audit::record(conn, &event.with_details(details))?;
            Ok(Some(run_id))
        })
    })
    .await?;
    let Some(run_id) = started else {
        let held = with_db(pool, move |conn| {
            Ok(queries::analysis::current_lease(conn, &name)?)
        })
        .await?;
        return Ok(match held {
            Some((by, _)) if by == holder => RunNow::RunningHere,
            Some((holder, until)) => RunNow::HeldElsewhere { holder, until },
            None => RunNow::JustEnded,
        });
    };
    Ok(RunNow::Started(run_id))
}
