//! Lead analysis as a job: after each sync (that workspace's leads with new interactions), every ten
//! minutes as a catch-up, and once a day to let scores decay. Each pass scores the leads, writes what the
//! analyzer says, drafts a message for leads whose score reaches the workspace's threshold (one pending
//! draft at most, none for refused leads; from the workspace's default template when it has one for the
//! lead's type or for any type in the lead's language, else the analyzer's own draft), and records what
//! it did.

use std::collections::HashMap;

use chrono::Utc;

use crate::ai::{Analysis, Analyzer as _, InteractionInput, LeadInput, Usage, drafts};
use crate::db::models::{Lead, LeadAnalysis, MessageTemplate};
use crate::db::queries::analysis::{self, Policy, RunCounts};
use crate::db::queries::templates;
use crate::domain::draft::DraftSource;
use crate::domain::interaction::Kind;
use crate::domain::lead_status::LeadStatus;
use crate::domain::runs::AnalysisTrigger;
use crate::domain::scoring::{self, ScoringPolicy};
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;

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
    trigger: AnalysisTrigger,
) -> Result<Summary, AppError> {
    pass(state, workspace_id, trigger, false).await
}

/// Scores every lead again (interactions fade with time); analyses nothing.
pub async fn rescore_all(state: &AppState) -> Result<Summary, AppError> {
    pass(state, None, AnalysisTrigger::DailyRescore, true).await
}

async fn pass(
    state: &AppState,
    workspace_id: Option<i64>,
    trigger: AnalysisTrigger,
    rescore_only: bool,
) -> Result<Summary, AppError> {
    let run_id = with_db(&state.pool, move |conn| {
        Ok(analysis::start_run(conn, trigger)?)
    })
    .await?;
    let mut summary = Summary::default();
    let mut after = 0;
    let outcome: Result<(), AppError> = async {
        loop {
            let leads = with_db(&state.pool, move |conn| {
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
    with_db(&state.pool, move |conn| {
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
    let (rows, policies, defaults) = with_db(&state.pool, move |conn| {
        let defaults = if rescore_only {
            Vec::new()
        } else {
            templates::defaults_of(conn, &workspace_ids)?
        };
        Ok((
            analysis::interactions_of(conn, &keys)?,
            analysis::policies(conn, &workspace_ids)?,
            defaults,
        ))
    })
    .await?;
    let mut by_lead: HashMap<i64, Vec<InteractionInput>> = HashMap::new();
    for row in rows {
        by_lead
            .entry(row.lead_id)
            .or_default()
            .push(InteractionInput {
                kind: row.kind,
                text: row.text,
                occurred_at: row.occurred_at,
            });
    }
    let mut summary = Summary::default();
    for policy in policies {
        let group: Vec<&Lead> = leads
            .iter()
            .filter(|l| l.workspace_id == policy.workspace_id)
            .collect();
        let defaults: Vec<&MessageTemplate> = defaults
            .iter()
            .filter(|t| t.workspace_id == policy.workspace_id)
            .collect();
        let done =
            workspace_batch(state, &policy, &group, &by_lead, &defaults, rescore_only).await?;
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
    defaults: &[&MessageTemplate],
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
            platform: lead.platform,
            interactions: by_lead.get(&lead.id).cloned().unwrap_or_default(),
        })
        .collect();
    let language = policy.language;
    let analysed = state.analyzer.analyze(&inputs, language).await;
    let draft_score = policy.draft_score;
    let writes: Vec<Write> = leads
        .iter()
        .zip(&scores)
        .zip(analysed.analyses.iter().zip(&inputs))
        .map(|((lead, scored), (analysis, input))| {
            let score = i16::from(scored.score);
            let wants_draft = score >= draft_score && lead.status != LeadStatus::Refused;
            let draft = wants_draft.then(|| draft_for(analysis, input, defaults));
            let write = LeadAnalysis {
                lead_type: Some(analysis.lead_type),
                confidence: Some(analysis.confidence),
                score,
                score_explanation: Some(explanation_json(scored)),
                intent: analysis.intent,
                phone: analysis.phone.clone(),
                email: analysis.email.clone(),
                language: Some(analysis.language),
                reasoning: analysis.reasoning.clone(),
                analysed_by: Some(analysis.source),
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
    let drafts = with_db(&state.pool, move |conn| {
        use diesel::Connection as _;
        conn.transaction(|conn| {
            let mut drafts = 0;
            for write in &writes {
                let id = write.lead_id;
                analysis::record(conn, workspace_id, id, &write.analysis)?;
                if let Some((body, language, source)) = &write.draft
                    && analysis::add_draft(conn, workspace_id, id, body, language, *source)?
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
    draft: Option<(String, &'static str, DraftSource)>,
}

/// A lead's draft as (body, language, source): the workspace's default template for the lead's type
/// in the lead's language, else its default for any type in that language, else the analyzer's draft.
fn draft_for(
    analysis: &Analysis,
    lead: &LeadInput,
    defaults: &[&MessageTemplate],
) -> (String, &'static str, DraftSource) {
    let lang = analysis.language;
    let template = [Some(analysis.lead_type), None]
        .into_iter()
        .find_map(|wanted| {
            defaults
                .iter()
                .find(|t| t.language == lang && t.lead_type == wanted)
        });
    if let Some(template) = template {
        match drafts::render(&template.body, |name| drafts::variable(lead, lang, name)) {
            Ok(body) => return (body, lang.code(), DraftSource::Template),
            // Bodies are checked when saved; a variable removed since then must not stop drafting.
            Err(unknown) => tracing::warn!(
                template_id = template.id,
                variable = %unknown.0,
                "a template names an unknown variable; the analyzer's draft is used"
            ),
        }
    }
    (
        analysis.draft.clone(),
        lang.code(),
        DraftSource::from(analysis.source),
    )
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
    with_db(&state.pool, move |conn| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::{LeadType, Source};
    use crate::i18n::Lang;

    fn analysis(lead_type: LeadType, language: Lang) -> Analysis {
        Analysis {
            lead_type,
            confidence: 0.9,
            intent: None,
            phone: None,
            email: None,
            language,
            draft: "the analyzer's draft".into(),
            reasoning: None,
            source: Source::BuiltIn,
        }
    }

    fn template(id: i64, lead_type: Option<&str>, language: &str, body: &str) -> MessageTemplate {
        MessageTemplate {
            id,
            workspace_id: 1,
            name: format!("t{id}"),
            lead_type: lead_type.map(|t| LeadType::parse(t).unwrap()),
            language: Lang::stored(language).unwrap(),
            body: body.into(),
            is_default: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            updated_by: None,
        }
    }

    fn nina() -> LeadInput {
        LeadInput {
            handle: "nina".into(),
            display_name: Some("Nina".into()),
            platform: crate::domain::platform::Platform::DEFAULT,
            interactions: vec![InteractionInput {
                kind: Kind::Comment,
                text: Some("how much?".into()),
                occurred_at: Utc::now(),
            }],
        }
    }

    #[test]
    fn a_default_for_the_lead_type_wins_over_one_for_any_type_in_the_lead_language() {
        let artist = template(1, Some("artist"), "en", "Artist {display_name}");
        let any = template(2, None, "en", "Any {handle}");
        let french = template(3, Some("artist"), "fr", "Artiste {display_name}");
        let defaults = [&any, &french, &artist];

        let for_artist = draft_for(&analysis(LeadType::Artist, Lang::En), &nina(), &defaults);
        let for_fan = draft_for(
            &analysis(LeadType::EngagedFan, Lang::En),
            &nina(),
            &defaults,
        );

        assert_eq!(
            for_artist,
            ("Artist Nina".into(), "en", DraftSource::Template)
        );
        assert_eq!(for_fan, ("Any @nina".into(), "en", DraftSource::Template));
    }

    #[test]
    fn without_a_default_in_the_lead_language_the_analyzer_draft_is_kept() {
        let french = template(3, None, "fr", "Salut {display_name}");
        let broken = template(4, Some("curious"), "en", "Hi {first_name}");

        let drafted = draft_for(
            &analysis(LeadType::Artist, Lang::En),
            &nina(),
            &[&french, &broken],
        );
        let unknown = draft_for(&analysis(LeadType::Curious, Lang::En), &nina(), &[&broken]);

        assert_eq!(
            drafted,
            ("the analyzer's draft".into(), "en", DraftSource::BuiltIn)
        );
        assert_eq!(
            unknown.2,
            DraftSource::BuiltIn,
            "an unknown variable falls back"
        );
    }
}
