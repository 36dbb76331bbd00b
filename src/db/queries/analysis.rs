//! What lead analysis reads and writes: the leads with new interactions, their interactions and
//! workspace policy, the analysis results and drafts, the runs, and the leases that keep a scheduled
//! job to one instance at a time.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{Lead, LeadAnalysis};
use crate::db::queries::counts;
use crate::db::schema::{
    analysis_runs, interactions, job_leases, leads, suggested_messages, workspaces,
};
use crate::domain::draft::{DraftSource, DraftStatus};
use crate::domain::interaction::Kind;
use crate::domain::runs::AnalysisTrigger;
use crate::i18n::Lang;

/// A workspace's analysis policy.
#[derive(Debug, Clone, Queryable)]
pub struct Policy {
    pub workspace_id: i64,
    pub language: Lang,
    pub draft_score: i16,
    pub score_half_life_days: i16,
}

/// Up to `limit` leads whose interactions changed since their last analysis (all of them when
/// `all_leads`, for the daily rescoring), in one workspace or across all (the scheduler).
pub fn to_analyse(
    conn: &mut PgConnection,
    workspace_id: Option<i64>,
    after_id: i64,
    limit: i64,
    all_leads: bool,
) -> QueryResult<Vec<Lead>> {
    let mut query = leads::table
        .filter(leads::id.gt(after_id))
        .order(leads::id)
        .limit(limit)
        .select(Lead::as_select())
        .into_boxed();
    if !all_leads {
        query = query.filter(leads::analysed_interactions.ne(leads::interactions_count));
    }
    if let Some(workspace_id) = workspace_id {
        query = query.filter(leads::workspace_id.eq(workspace_id));
    }
    query.load(conn)
}

/// An interaction as analysis reads it.
#[derive(Debug, Clone, Queryable)]
pub struct InteractionRow {
    pub lead_id: i64,
    pub kind: Kind,
    pub text: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// The counted interactions of these leads (`counts::counted`: the creator's own replies are not
/// scored); each row names its workspace, so no lead crosses over.
pub fn interactions_of(
    conn: &mut PgConnection,
    leads: &[(i64, i64)],
) -> QueryResult<Vec<InteractionRow>> {
    let workspace_ids: Vec<i64> = leads.iter().map(|(w, _)| *w).collect();
    let lead_ids: Vec<i64> = leads.iter().map(|(_, l)| *l).collect();
    interactions::table
        .filter(interactions::workspace_id.eq_any(&workspace_ids))
        .filter(interactions::lead_id.eq_any(&lead_ids))
        .filter(counts::counted())
        .order((interactions::lead_id, interactions::occurred_at))
        .select((
            interactions::lead_id,
            interactions::kind,
            interactions::text,
            interactions::occurred_at,
        ))
        .load(conn)
}

pub fn policies(conn: &mut PgConnection, workspace_ids: &[i64]) -> QueryResult<Vec<Policy>> {
    workspaces::table
        .filter(workspaces::id.eq_any(workspace_ids))
        .select((
            workspaces::id,
            workspaces::language,
            workspaces::draft_score,
            workspaces::score_half_life_days,
        ))
        .load(conn)
}

pub fn record(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
    analysis: &LeadAnalysis,
) -> QueryResult<()> {
    diesel::update(
        leads::table
            .filter(leads::workspace_id.eq(workspace_id))
            .filter(leads::id.eq(lead_id)),
    )
    .set(analysis)
    .execute(conn)?;
    Ok(())
}

/// Writes a new score (the daily rescoring: decay only, no new analysis).
pub fn rescore(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
    score: i16,
    explanation: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(
        leads::table
            .filter(leads::workspace_id.eq(workspace_id))
            .filter(leads::id.eq(lead_id)),
    )
    .set((
        leads::score.eq(score),
        leads::score_explanation.eq(explanation),
        leads::scored_at.eq(Utc::now()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Adds a pending draft unless the lead already has one; `true` when it was added.
pub fn add_draft(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
    body: &str,
    language: &str,
    source: DraftSource,
) -> QueryResult<bool> {
    let added = diesel::insert_into(suggested_messages::table)
        .values((
            suggested_messages::workspace_id.eq(workspace_id),
            suggested_messages::lead_id.eq(lead_id),
            suggested_messages::body.eq(body),
            suggested_messages::language.eq(language),
            suggested_messages::source.eq(source),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(added > 0)
}

/// The lead's pending draft, if any.
pub fn pending_draft(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_id: i64,
) -> QueryResult<Option<String>> {
    suggested_messages::table
        .filter(suggested_messages::workspace_id.eq(workspace_id))
        .filter(suggested_messages::lead_id.eq(lead_id))
        .filter(suggested_messages::status.eq(DraftStatus::Pending))
        .select(suggested_messages::body)
        .first(conn)
        .optional()
}

/// An analysis run as the admin page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct RunLine {
    pub id: i64,
    pub trigger: AnalysisTrigger,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub leads_analysed: i32,
    pub drafts_created: i32,
    pub ai_requests: i32,
    pub ai_prompt_tokens: i32,
    pub ai_completion_tokens: i32,
    pub ai_fallbacks: i32,
    pub error: Option<String>,
}

/// The latest runs, newest first (site-wide: for admins).
pub fn recent_runs(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<RunLine>> {
    analysis_runs::table
        .order(analysis_runs::started_at.desc())
        .limit(limit)
        .select((
            analysis_runs::id,
            analysis_runs::trigger,
            analysis_runs::started_at,
            analysis_runs::finished_at,
            analysis_runs::leads_analysed,
            analysis_runs::drafts_created,
            analysis_runs::ai_requests,
            analysis_runs::ai_prompt_tokens,
            analysis_runs::ai_completion_tokens,
            analysis_runs::ai_fallbacks,
            analysis_runs::error,
        ))
        .load(conn)
}

/// Totals since `since`: leads analysed, AI requests, tokens (prompt + completion) and fallbacks.
pub fn totals_since(conn: &mut PgConnection, since: DateTime<Utc>) -> QueryResult<[i64; 4]> {
    use diesel::dsl::sum;
    type Sums = (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let (leads, requests, prompt, completion, fallbacks): Sums = analysis_runs::table
        .filter(analysis_runs::started_at.ge(since))
        .select((
            sum(analysis_runs::leads_analysed),
            sum(analysis_runs::ai_requests),
            sum(analysis_runs::ai_prompt_tokens),
            sum(analysis_runs::ai_completion_tokens),
            sum(analysis_runs::ai_fallbacks),
        ))
        .first(conn)?;
    Ok([
        leads.unwrap_or(0),
        requests.unwrap_or(0),
        prompt.unwrap_or(0) + completion.unwrap_or(0),
        fallbacks.unwrap_or(0),
    ])
}

pub fn start_run(conn: &mut PgConnection, trigger: AnalysisTrigger) -> QueryResult<i64> {
    diesel::insert_into(analysis_runs::table)
        .values(analysis_runs::trigger.eq(trigger))
        .returning(analysis_runs::id)
        .get_result(conn)
}

/// What a run did, written when it ends.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = analysis_runs)]
pub struct RunCounts {
    pub finished_at: Option<DateTime<Utc>>,
    pub leads_analysed: i32,
    pub drafts_created: i32,
    pub ai_requests: i32,
    pub ai_prompt_tokens: i32,
    pub ai_completion_tokens: i32,
    pub ai_fallbacks: i32,
    pub error: Option<String>,
}

pub fn finish_run(conn: &mut PgConnection, id: i64, counts: &RunCounts) -> QueryResult<()> {
    diesel::update(analysis_runs::table.filter(analysis_runs::id.eq(id)))
        .set(counts)
        .execute(conn)?;
    Ok(())
}

/// Takes the lease of job `name` for `minutes` unless it is held, by anyone: a holder already
/// running the job does not start it a second time; `true` when taken.
pub fn take_lease(
    conn: &mut PgConnection,
    name: &str,
    holder: &str,
    minutes: i64,
) -> QueryResult<bool> {
    let taken = diesel::sql_query(
        "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, now() + make_interval(mins => $3)) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
         WHERE job_leases.until < now()",
    )
    .bind::<diesel::sql_types::Text, _>(name)
    .bind::<diesel::sql_types::Text, _>(holder)
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(minutes).unwrap_or(i32::MAX))
    .execute(conn)?;
    Ok(taken > 0)
}

/// Who holds the lease of job `name` now, and until when; `None` when nobody does.
pub fn current_lease(
    conn: &mut PgConnection,
    name: &str,
) -> QueryResult<Option<(String, DateTime<Utc>)>> {
    job_leases::table
        .filter(job_leases::name.eq(name))
        .filter(job_leases::until.gt(diesel::dsl::now))
        .select((job_leases::holder, job_leases::until))
        .first(conn)
        .optional()
}

pub fn release_lease(conn: &mut PgConnection, name: &str, holder: &str) -> QueryResult<()> {
    diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(name))
            .filter(job_leases::holder.eq(holder)),
    )
    .set(job_leases::until.eq(Utc::now()))
    .execute(conn)?;
    Ok(())
}
