//! Admin: the scheduled jobs (schedule, purpose, next and last run), their run history, and "Run now".

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::queries;
use crate::db::queries::jobs::JobRun;
use crate::error::AppError;
use crate::error::with_db;
use crate::jobs::{self, JOBS, Job};
use crate::state::AppState;
use crate::usecases::job_runs::{self, RunNow};
use crate::web::extract::{Htmx, SiteAdmin};
use crate::web::render::{self, Chrome, FlashKind};

/// A job with its next and last run.
pub struct JobLine {
    job: &'static Job,
    next_run: Option<DateTime<Utc>>,
    last: Option<JobRun>,
}

#[derive(Template)]
#[template(path = "pages/admin/jobs.html")]
pub struct JobsPage {
    ctx: Chrome,
    jobs: Vec<JobLine>,
    /// The job the history is filtered by ("" for all).
    job: String,
    runs: Vec<JobRun>,
    next: Option<i64>,
}

impl JobsPage {
    /// How long a run took, in the units people read at a glance.
    fn took(run: &JobRun) -> String {
        let ms = run.duration().num_milliseconds().max(0);
        match ms {
            0..1_000 => format!("{ms} ms"),
            1_000..60_000 => format!("{}.{} s", ms / 1000, ms % 1000 / 100),
            _ => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
        }
    }
}

/// `GET /admin/jobs?job=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = jobs::job(query.job.trim()).map(|j| j.name);
    let before = query.before;
    let (latest, runs) = with_db(&state.pool, move |conn| {
        Ok((
            queries::jobs::latest_per_job(conn)?,
            queries::jobs::history(conn, filter, before, PAGE_SIZE)?,
        ))
    })
    .await?;
    let now = Utc::now();
    let jobs = JOBS
        .iter()
        .map(|job| JobLine {
            job,
            next_run: jobs::next_run(job, now),
            last: latest.iter().find(|r| r.job == job.name).cloned(),
        })
        .collect();
    let next = next_cursor(runs.len(), runs.last().map(|r| r.id));
    render::html(
        StatusCode::OK,
        &JobsPage {
            ctx: admin.chrome,
            jobs,
            job: filter.unwrap_or_default().to_owned(),
            runs,
            next,
        },
    )
}

/// `POST /admin/jobs/{name}/run`: takes the job's lease and records the run's start before answering,
/// then does the work in the background and comes back to the jobs page. When the lease is held (the
/// job runs already, on this instance or another) nothing starts and the page says who holds it.
pub async fn run_now(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    htmx: Htmx,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let job = jobs::job(&name).ok_or(AppError::NotFound)?;
    let (instance, lease) = (&state.instance, jobs::lease(job, &state.instance));
    let who = (admin.user.id, admin.ip.clone());
    let outcome = job_runs::run_now(&state.pool, who, job.name, instance, lease).await?;
    let (kind, text) = run_message(&admin.chrome, job, &outcome);
    render::flash(&admin.session, kind, text);
    let back = if let RunNow::Started(run_id) = outcome {
        let state = state.clone();
        actix_web::rt::spawn(async move { jobs::finish_run(&state, job, run_id).await });
        format!("/admin/jobs?job={}", job.name)
    } else {
        "/admin/jobs".to_owned()
    };
    Ok(render::redirect(htmx.0, &back))
}

/// What "Run now" says: started, or who holds the job's lease.
fn run_message(chrome: &Chrome, job: &Job, outcome: &RunNow) -> (FlashKind, String) {
    let text = match outcome {
        RunNow::Started(_) => {
            return (
                FlashKind::Success,
                chrome.t_with("admin.job_started", "job", job.name),
            );
        }
        RunNow::RunningHere => chrome.t_with("admin.job_running_here", "job", job.name),
        RunNow::HeldElsewhere { holder, until } => chrome
            .t_with("admin.job_lease_held", "job", job.name)
            .replace("%{holder}", holder)
            .replace("%{until}", &chrome.datetime(until)),
        RunNow::JustEnded => chrome.t_with("admin.job_just_ran", "job", job.name),
    };
    (FlashKind::Error, text)
}
