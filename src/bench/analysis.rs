//! Analysis budgets: built-in analyzer throughput (leads a second, scoring included).

use std::time::Instant;

use chrono::Utc;

use crate::ai::LeadInput;
use crate::ai::builtin::BuiltIn;
use crate::domain::scoring::{ScoringPolicy, score};
use crate::i18n::Lang;

/// The labelled set of the analyzer's tests, as varied input.
const LABELLED: &str = include_str!("../../tests/data/labelled_leads.jsonl");

/// Analyses and scores `leads` leads (the labelled set over and over) and reports leads a second.
///
/// # Errors
/// When the labelled set does not parse.
pub fn builtin(leads: usize) -> anyhow::Result<()> {
    #[derive(serde::Deserialize)]
    struct Labelled {
        lead: LeadInput,
    }
    let set: Vec<LeadInput> = LABELLED
        .lines()
        .map(|line| serde_json::from_str::<Labelled>(line).map(|l| l.lead))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(!set.is_empty(), "the labelled set is empty");
    let input: Vec<&LeadInput> = set.iter().cycle().take(leads.max(1)).collect();
    let now = Utc::now();
    let policy = ScoringPolicy::default();
    let start = Instant::now();
    let mut drafted = 0_usize;
    for lead in &input {
        let analysis = BuiltIn.analyse(lead, Lang::Fr);
        let events: Vec<_> = lead
            .interactions
            .iter()
            .map(|i| (i.kind, i.occurred_at))
            .collect();
        let scored = score(&events, now, &policy);
        drafted += usize::from(scored.score > 0) + analysis.draft.len().min(1);
    }
    let elapsed = start.elapsed();
    std::hint::black_box(drafted);
    let per_second =
        f64::from(u32::try_from(input.len()).unwrap_or(u32::MAX)) / elapsed.as_secs_f64();
    println!(
        "built-in analyzer: {} leads analysed and scored in {:.0} ms: {per_second:.0} leads a second (budget 10,000)",
        input.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    println!(
        "{}",
        serde_json::json!({"bench": "analyze", "leads": input.len(), "ms": elapsed.as_secs_f64() * 1000.0, "per_second": per_second})
    );
    Ok(())
}
