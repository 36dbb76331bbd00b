//! Lead analysis: what an analyzer reads (a lead and its interactions), what it answers (type,
//! confidence, contact details, intent, language, a draft message), the `Analyzer` trait and its two
//! implementations: the built-in analyzer (rules, no network, deterministic) and an OpenAI-compatible
//! endpoint (batched, every field checked, falling back to the built-in one).

pub mod builtin;
pub mod drafts;
pub mod openai;

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::domain::analysis::Source;
use crate::domain::contact::Intent;
use crate::domain::interaction::Kind;
pub use crate::domain::lead_type::LeadType;
use crate::domain::platform::Platform;
use crate::i18n::Lang;

/// One interaction as an analyzer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionInput {
    pub kind: Kind,
    #[serde(default)]
    pub text: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// A lead as an analyzer sees it (also the line format of `vistaflow analyze --input`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadInput {
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default = "default_platform")]
    pub platform: Platform,
    pub interactions: Vec<InteractionInput>,
}

fn default_platform() -> Platform {
    Platform::DEFAULT
}

impl LeadInput {
    /// Everything the lead wrote, oldest first.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.interactions
            .iter()
            .filter_map(|i| i.text.as_deref())
            .filter(|t| !t.trim().is_empty())
    }

    /// How many interactions of `kind`.
    #[must_use]
    pub fn count(&self, kind: Kind) -> usize {
        self.interactions.iter().filter(|i| i.kind == kind).count()
    }
}

/// What an analyzer says about one lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub lead_type: LeadType,
    /// 0 to 1.
    pub confidence: f32,
    pub intent: Option<Intent>,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: Lang,
    /// A first message for the creator to review, in the lead's language.
    pub draft: String,
    /// Why, in the AI's words (the built-in analyzer gives none).
    pub reasoning: Option<String>,
    pub source: Source,
}

/// What talking to an AI endpoint cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub requests: u32,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub fallbacks: u32,
}

/// Analyses of a batch of leads, in the batch's order, and what they cost.
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    pub analyses: Vec<Analysis>,
    pub usage: Usage,
}

/// Something that analyses leads. Every lead given gets an analysis back, in the same order;
/// `language` is the one to write to leads whose own words do not tell (the workspace's).
pub trait Analyzer: Send + Sync {
    fn analyze(&self, leads: &[LeadInput], language: Lang)
    -> impl Future<Output = Analysed> + Send;
}

/// The analyzer the app runs: the built-in one, or an OpenAI-compatible endpoint when
/// `OPENAI_API_KEY` is set.
#[derive(Debug, Clone)]
pub enum Configured {
    BuiltIn(builtin::BuiltIn),
    OpenAi(openai::OpenAiAnalyzer),
}

impl Analyzer for Configured {
    async fn analyze(&self, leads: &[LeadInput], language: Lang) -> Analysed {
        match self {
            Configured::BuiltIn(analyzer) => analyzer.analyze(leads, language).await,
            Configured::OpenAi(analyzer) => analyzer.analyze(leads, language).await,
        }
    }
}

impl Configured {
    /// The OpenAI-compatible analyzer when it is configured, else the built-in one.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn from_settings(settings: Option<&openai::OpenAiSettings>) -> anyhow::Result<Self> {
        Ok(match settings {
            Some(settings) => Configured::OpenAi(openai::OpenAiAnalyzer::new(settings.clone())?),
            None => Configured::BuiltIn(builtin::BuiltIn),
        })
    }
}
