//! Scheduled job runs, and the clean-up: old run records and mail, and interactions past their
//! workspace's retention.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Timestamptz};

use crate::db::queries::counts;
use crate::db::schema::{analysis_runs, job_leases, job_runs, sent_emails, sync_runs};
use crate::domain::runs::JobStatus;

/// A job run as the admin page lists it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = job_runs, check_for_backend(diesel::pg::Pg))]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: JobStatus,
    pub summary: Option<String>,
    pub error: Option<String>,
}

pub fn start(conn: &mut PgConnection, job: &str, instance: &str) -> QueryResult<i64> {
    diesel::insert_into(job_runs::table)
        .values((job_runs::job.eq(job), job_runs::instance.eq(instance)))
        .returning(job_runs::id)
        .get_result(conn)
}

pub fn finish(
    conn: &mut PgConnection,
    id: i64,
    summary: Option<&str>,
    error: Option<&str>,
) -> QueryResult<()> {
    diesel::update(job_runs::table.filter(job_runs::id.eq(id)))
        .set((
            job_runs::finished_at.eq(Utc::now()),
            job_runs::status.eq(if error.is_some() {
                JobStatus::Failed
            } else {
                JobStatus::Succeeded
            }),
            job_runs::summary.eq(summary),
            job_runs::error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

impl JobRun {
    /// How long the run took (so far, while it runs).
    #[must_use]
    pub fn duration(&self) -> chrono::Duration {
        self.finished_at.unwrap_or_else(Utc::now) - self.started_at
    }
}

/// A page of the run history, newest first, of one job or of all; `before_id` is the keyset cursor.
pub fn history(
    conn: &mut PgConnection,
    job: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<JobRun>> {
    let mut query = job_runs::table
        .order(job_runs::id.desc())
        .limit(limit)
        .select(JobRun::as_select())
        .into_boxed();
    if let Some(job) = job {
        query = query.filter(job_runs::job.eq(job.to_owned()));
    }
    if let Some(before) = before_id {
        query = query.filter(job_runs::id.lt(before));
    }
    query.load(conn)
}

/// The latest run of each job that has run.
pub fn latest_per_job(conn: &mut PgConnection) -> QueryResult<Vec<JobRun>> {
    job_runs::table
        .distinct_on(job_runs::job)
        .order((job_runs::job, job_runs::started_at.desc()))
        .select(JobRun::as_select())
        .load(conn)
}

/// A lead touched by the retention clean-up.
#[derive(QueryableByName)]
struct Touched {
    #[diesel(sql_type = BigInt)]
    lead_id: i64,
}

/// Deletes the interactions older than their workspace's retention, recounts the leads that lost some,
/// and deletes the leads left with none; answers how many interactions went.
pub fn apply_retention(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let touched: Vec<Touched> = diesel::sql_query(
            "DELETE FROM interactions i USING workspaces w \
             WHERE i.workspace_id = w.id AND w.retention_days IS NOT NULL \
               AND i.occurred_at < $1 - make_interval(days => w.retention_days::int) \
             RETURNING i.lead_id",
        )
        .bind::<Timestamptz, _>(now)
        .load(conn)?;
        let mut leads: Vec<i64> = touched.iter().map(|t| t.lead_id).collect();
        leads.sort_unstable();
        leads.dedup();
        if !leads.is_empty() {
            counts::recount(conn, counts::Scope::Leads(&leads), false)?;
            diesel::sql_query(
                "DELETE FROM leads WHERE id = ANY($1) \
                 AND NOT EXISTS (SELECT 1 FROM interactions WHERE lead_id = leads.id)",
            )
            .bind::<Array<BigInt>, _>(&leads)
            .execute(conn)?;
        }
        Ok(touched.len())
    })
}

/// Deletes run records older than 30 days, mail older than 90 and leases over for a day (each app
/// process leaves one for its collection); answers how many rows went.
pub fn clean_up(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let runs_before = now - Duration::days(30);
    Ok(
        diesel::delete(job_runs::table.filter(job_runs::started_at.lt(runs_before)))
            .execute(conn)?
            + diesel::delete(sync_runs::table.filter(sync_runs::started_at.lt(runs_before)))
                .execute(conn)?
            + diesel::delete(
                analysis_runs::table.filter(analysis_runs::started_at.lt(runs_before)),
            )
            .execute(conn)?
            + diesel::delete(
                sent_emails::table.filter(sent_emails::created_at.lt(now - Duration::days(90))),
            )
            .execute(conn)?
            + diesel::delete(
                job_leases::table.filter(job_leases::until.lt(now - Duration::days(1))),
            )
            .execute(conn)?
            // Processed webhook bodies hold people's words: kept a week for replays, then deleted.
            + crate::db::queries::webhook_deliveries::delete_processed_before(
                conn,
                now - Duration::days(7),
            )?
            + crate::db::queries::oauth_states::delete_expired(conn, now - Duration::days(1))?,
    )
}
