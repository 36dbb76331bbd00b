//! Scheduled job runs, and the clean-up of old run records and mail.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::{analysis_runs, job_runs, sent_emails, sync_runs};

/// A job run as the admin page lists it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = job_runs, check_for_backend(diesel::pg::Pg))]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
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
                "failed"
            } else {
                "succeeded"
            }),
            job_runs::summary.eq(summary),
            job_runs::error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// The latest runs, newest first, of one job or of all.
pub fn recent(conn: &mut PgConnection, job: Option<&str>, limit: i64) -> QueryResult<Vec<JobRun>> {
    let mut query = job_runs::table
        .order(job_runs::started_at.desc())
        .limit(limit)
        .select(JobRun::as_select())
        .into_boxed();
    if let Some(job) = job {
        query = query.filter(job_runs::job.eq(job.to_owned()));
    }
    query.load(conn)
}

/// Deletes run records older than 30 days and mail older than 90; answers how many rows went.
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
            .execute(conn)?,
    )
}
