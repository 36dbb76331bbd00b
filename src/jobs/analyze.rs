//! Lead analysis as a job: after each sync (that workspace's leads with new interactions), every ten
//! minutes as a catch-up, and once a day to let scores decay. Each pass scores the leads, writes what the
//! analyzer says, drafts a message for leads whose score reaches the workspace's threshold (one pending
//! draft at most, none for refused leads), and records what it did.

use std::collections::HashMap;

use chrono::Utc;

use crate::ai::{Analyzer as _, InteractionInput, LeadInput, Usage};
use crate::app::AppState;
use crate::db::models::{Lead, LeadAnalysis};
use crate::db::queries::analysis::{self, Policy, RunCounts};
use crate::db::{self};
use crate::domain::interaction::Kind;
use crate::domain::scoring::{self, ScoringPolicy};
use crate::error::AppError;
use crate::i18n::Lang;

/// Leads read and analysed at a time.
const BATCH: i64 = 200;

/// What a pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub leads: usize,
    pub drafts: usize,
    pub usage: Usage,
}

fn clamp(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// Analyses the leads with new interactions (of one workspace, or of all) and records the pass.
pub async fn analyse_pending(
    state: &AppState,
    workspace_id: Option<i64>,
    trigger: &'static str,
) -> Result<Summary, AppError> {
    pass(state, workspace_id, trigger, false).await
}

/// Scores every lead again (interactions fade with time); analyses nothing.
pub async fn rescore_all(state: &AppState) -> Result<Summary, AppError> {
    pass(state, None, "daily_rescore", true).await
}

async fn pass(
    state: &AppState,
    workspace_id: Option<i64>,
    trigger: &'static str,
    rescore_only: bool,
) -> Result<Summary, AppError> {
    let run_id = db::run(&state.pool, move |conn| {
        Ok(analysis::start_run(conn, trigger)?)
    })
    .await?;
    let mut summary = Summary::default();
    let mut after = 0;
    let outcome: Result<(), AppError> = async {
        loop {
            let leads = db::run(&state.pool, move |conn| {
                Ok(analysis::to_analyse(
                    conn,
                    workspace_id,
                    after,
                    BATCH,
                    rescore_only,
                )?)
            })
            .await?;
            let Some(last) = leads.last() else {
                return Ok(());
            };
            after = last.id;
            let done = batch(state, leads, rescore_only).await?;
            summary.leads += done.leads;
            summary.drafts += done.drafts;
            summary.usage.requests += done.usage.requests;
            summary.usage.prompt_tokens += done.usage.prompt_tokens;
            summary.usage.completion_tokens += done.usage.completion_tokens;
            summary.usage.fallbacks += done.usage.fallbacks;
        }
    }
    .await;
    let counts = RunCounts {
        finished_at: Some(Utc::now()),
        leads_analysed: clamp(summary.leads),
        drafts_created: clamp(summary.drafts),
        ai_requests: clamp(summary.usage.requests),
        ai_prompt_tokens: clamp(summary.usage.prompt_tokens),
        ai_completion_tokens: clamp(summary.usage.completion_tokens),
        ai_fallbacks: clamp(summary.usage.fallbacks),
        error: outcome.as_ref().err().map(|e| format!("{e:?}")),
    };
    db::run(&state.pool, move |conn| {
        Ok(analysis::finish_run(conn, run_id, &counts)?)
    })
    .await?;
    outcome.map(|()| summary)
}

/// One batch of leads, grouped by workspace (each has its own language and thresholds).
async fn batch(
    state: &AppState,
    leads: Vec<Lead>,
    rescore_only: bool,
) -> Result<Summary, AppError> {
    let keys: Vec<(i64, i64)> = leads.iter().map(|l| (l.workspace_id, l.id)).collect();
    let mut workspace_ids: Vec<i64> = keys.iter().map(|(w, _)| *w).collect();
    workspace_ids.sort_unstable();
    workspace_ids.dedup();
    let (rows, policies) = db::run(&state.pool, move |conn| {
        Ok((
            analysis::interactions_of(conn, &keys)?,
            analysis::policies(conn, &workspace_ids)?,
        ))
    })
    .await?;
    let mut by_lead: HashMap<i64, Vec<InteractionInput>> = HashMap::new();
    for (lead_id, kind, text, occurred_at) in rows {
        if let Some(kind) = Kind::parse(&kind) {
            by_lead.entry(lead_id).or_default().push(InteractionInput {
                kind,
                text,
                occurred_at,
            });
        }
    }
    let mut summary = Summary::default();
    for policy in policies {
        let group: Vec<&Lead> = leads
            .iter()
            .filter(|l| l.workspace_id == policy.workspace_id)
            .collect();
        let done = workspace_batch(state, &policy, &group, &by_lead, rescore_only).await?;
        summary.leads += done.leads;
        summary.drafts += done.drafts;
        summary.usage = Usage {
            requests: summary.usage.requests + done.usage.requests,
            prompt_tokens: summary.usage.prompt_tokens + done.usage.prompt_tokens,
            completion_tokens: summary.usage.completion_tokens + done.usage.completion_tokens,
            fallbacks: summary.usage.fallbacks + done.usage.fallbacks,
        };
    }
    Ok(summary)
}

async fn workspace_batch(
    state: &AppState,
    policy: &Policy,
    leads: &[&Lead],
    by_lead: &HashMap<i64, Vec<InteractionInput>>,
    rescore_only: bool,
) -> Result<Summary, AppError> {
    let now = Utc::now();
    let scoring_policy = ScoringPolicy {
        half_life_days: f64::from(policy.score_half_life_days),
    };
    let scores: Vec<scoring::Scored> = leads
        .iter()
        .map(|lead| {
            let events: Vec<(Kind, chrono::DateTime<Utc>)> = by_lead
                .get(&lead.id)
                .map(|list| list.iter().map(|i| (i.kind, i.occurred_at)).collect())
                .unwrap_or_default();
            scoring::score(&events, now, &scoring_policy)
        })
        .collect();
    let workspace_id = policy.workspace_id;
    if rescore_only {
        return rescore(state, workspace_id, leads, &scores).await;
    }
    let inputs: Vec<LeadInput> = leads
        .iter()
        .map(|lead| LeadInput {
            handle: lead.handle.clone(),
            display_name: lead.display_name.clone(),
            platform: lead.platform.clone(),
            interactions: by_lead.get(&lead.id).cloned().unwrap_or_default(),
        })
        .collect();
    let language = Lang::from_code(&policy.language).unwrap_or_default();
    let analysed = state.analyzer.analyze(&inputs, language).await;
    let draft_score = policy.draft_score;
    let writes: Vec<Write> = leads
        .iter()
        .zip(&scores)
        .zip(&analysed.analyses)
        .map(|((lead, scored), analysis)| {
            let score = i16::from(scored.score);
            let wants_draft = score >= draft_score && lead.status != "refused";
            let draft = wants_draft.then(|| {
                (
                    analysis.draft.clone(),
                    analysis.language.code(),
                    analysis.source.as_str(),
                )
            });
            let write = LeadAnalysis {
                lead_type: Some(analysis.lead_type.as_str().to_owned()),
                confidence: Some(analysis.confidence),
                score,
                score_explanation: Some(explanation_json(scored)),
                intent: analysis.intent.map(|i| i.as_str().to_owned()),
                phone: analysis.phone.clone(),
                email: analysis.email.clone(),
                language: Some(analysis.language.code().to_owned()),
                reasoning: analysis.reasoning.clone(),
                analysed_by: Some(analysis.source.as_str().to_owned()),
                analysed_at: Some(now),
                analysed_interactions: lead.interactions_count,
                scored_at: Some(now),
            };
            Write {
                lead_id: lead.id,
                analysis: write,
                draft,
            }
        })
        .collect();
    let count = writes.len();
    let drafts = db::run(&state.pool, move |conn| {
        use diesel::Connection as _;
        conn.transaction(|conn| {
            let mut drafts = 0;
            for write in &writes {
                let id = write.lead_id;
                analysis::record(conn, workspace_id, id, &write.analysis)?;
                if let Some((body, language, source)) = &write.draft
                    && analysis::add_draft(conn, workspace_id, id, body, language, source)?
                {
                    drafts += 1;
                }
            }
            Ok(drafts)
        })
    })
    .await?;
    Ok(Summary {
        leads: count,
        drafts,
        usage: analysed.usage,
    })
}

/// What one analysis writes: the lead's fields, and a draft (body, language, source) when it earns one.
struct Write {
    lead_id: i64,
    analysis: LeadAnalysis,
    draft: Option<(String, &'static str, &'static str)>,
}

/// Writes new scores only (the daily pass: interactions fade, nothing new to analyse).
async fn rescore(
    state: &AppState,
    workspace_id: i64,
    leads: &[&Lead],
    scores: &[scoring::Scored],
) -> Result<Summary, AppError> {
    let explained: Vec<(i64, i16, serde_json::Value)> = leads
        .iter()
        .zip(scores)
        .map(|(lead, s)| (lead.id, i16::from(s.score), explanation_json(s)))
        .collect();
    let count = explained.len();
    db::run(&state.pool, move |conn| {
        use diesel::Connection as _;
        conn.transaction(|conn| {
            for (id, score, explanation) in &explained {
                analysis::rescore(conn, workspace_id, *id, *score, explanation)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(Summary {
        leads: count,
        ..Summary::default()
    })
}

fn explanation_json(scored: &scoring::Scored) -> serde_json::Value {
    serde_json::to_value(&scored.explanation).unwrap_or(serde_json::Value::Null)
}
