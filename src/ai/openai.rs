//! The OpenAI-compatible analyzer: leads in batches, one chat-completions request a batch, a JSON reply
//! checked field by field. Leads the reply misses or gets wrong are asked once more; then the built-in
//! analyzer answers for them and the fallback is counted. A 429 waits for its `Retry-After`.
//!
//! The request and reply are openai-api-rs's types; the HTTP exchange is our own reqwest call because
//! openai-api-rs's client drops the headers of error answers, and `Retry-After` lives there.

use std::collections::HashMap;
use std::time::Duration;

use openai_api_rs::v1::chat_completion::chat_completion::{
    ChatCompletionRequest, ChatCompletionResponse,
};
use openai_api_rs::v1::chat_completion::{ChatCompletionMessage, Content, MessageRole};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use super::builtin::BuiltIn;
use super::{Analysed, Analysis, Analyzer, LeadInput, LeadType, Source, Usage};
use crate::domain::contact::{self, Intent};
use crate::i18n::Lang;

/// Where the endpoint is and how to use it.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// The API's base, `/v1` included (`https://api.openai.com/v1`, `http://localhost:11434/v1`).
    pub base_url: String,
    pub api_key: SecretString,
    pub model: String,
    pub timeout: Duration,
    /// Leads per request (10 to 20).
    pub batch_size: usize,
    /// The longest a 429 may make us wait, whatever its `Retry-After` says.
    pub max_retry_wait: Duration,
}

#[derive(Debug, Clone)]
pub struct OpenAiAnalyzer {
    settings: OpenAiSettings,
    http: reqwest::Client,
    fallback: BuiltIn,
}

const SYSTEM_PROMPT: &str = "You classify people who interacted with a music creator's social media \
(a beatmaker selling beats). For each lead given, answer with one object in a JSON object \
{\"leads\": [...]}, same handles, with the fields: handle (as given), type (one of artist, beatmaker, \
potential_client, engaged_fan, curious, passive_observer, spam), confidence (0 to 1), intent (one of \
asking_price, interested, ready_to_buy, asking_info, collaboration, or null), phone (E.164 or null), \
email (or null), language (fr or en: the language the lead writes in), draft (a short, warm first \
message from the creator to the lead, in the lead's language, no promises of prices), reasoning (one \
sentence). Only facts present in the lead's own words.";

/// One lead as the reply gives it; every field is checked before use.
#[derive(Debug, Deserialize)]
struct ReplyLead {
    handle: Option<String>,
    #[serde(rename = "type")]
    lead_type: Option<String>,
    confidence: Option<f64>,
    intent: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    language: Option<String>,
    draft: Option<String>,
    reasoning: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Reply {
    leads: Vec<serde_json::Value>,
}

/// Why a request gave nothing usable.
#[derive(Debug)]
enum Failed {
    /// Asked to slow down, for this long.
    TooMany(Duration),
    Other(String),
}

impl OpenAiAnalyzer {
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(settings: OpenAiSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()?;
        Ok(Self {
            settings,
            http,
            fallback: BuiltIn,
        })
    }

    fn request(&self, leads: &[LeadInput]) -> ChatCompletionRequest {
        let payload = serde_json::json!({ "leads": leads });
        let mut request = ChatCompletionRequest::new(
            self.settings.model.clone(),
            vec![
                message(MessageRole::system, SYSTEM_PROMPT.to_owned()),
                message(MessageRole::user, payload.to_string()),
            ],
        );
        request.temperature = Some(0.0);
        request.response_format = Some(serde_json::json!({ "type": "json_object" }));
        request
    }

    /// One request (waiting out 429s, at most three times): the reply's leads by handle.
    async fn ask(
        &self,
        leads: &[LeadInput],
        usage: &mut Usage,
    ) -> Result<HashMap<String, Analysis>, String> {
        let body = self.request(leads);
        for _ in 0..3 {
            usage.requests += 1;
            match self.send(&body).await {
                Ok(response) => {
                    usage.prompt_tokens += u32::try_from(response.usage.prompt_tokens).unwrap_or(0);
                    usage.completion_tokens +=
                        u32::try_from(response.usage.completion_tokens).unwrap_or(0);
                    let content = response
                        .choices
                        .first()
                        .and_then(|c| c.message.content.clone())
                        .unwrap_or_default();
                    return Ok(checked(&content, leads));
                }
                Err(Failed::TooMany(wait)) => {
                    tracing::info!(
                        wait_ms = wait.as_millis(),
                        "the AI endpoint asked to slow down"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(Failed::Other(error)) => return Err(error),
            }
        }
        Err("the AI endpoint kept answering 429".to_owned())
    }

    async fn send(&self, body: &ChatCompletionRequest) -> Result<ChatCompletionResponse, Failed> {
        let url = format!(
            "{}/chat/completions",
            self.settings.base_url.trim_end_matches('/')
        );
        let response = self
            .http
            .post(url)
            .bearer_auth(self.settings.api_key.expose_secret())
            .json(body)
            .send()
            .await
            .map_err(|e| {
                Failed::Other(if e.is_timeout() {
                    "timed out".into()
                } else {
                    e.to_string()
                })
            })?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let seconds = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, self.settings.max_retry_wait.as_secs_f64());
            return Err(Failed::TooMany(Duration::from_secs_f64(seconds)));
        }
        if !status.is_success() {
            return Err(Failed::Other(format!("the AI endpoint answered {status}")));
        }
        response
            .json::<ChatCompletionResponse>()
            .await
            .map_err(|e| Failed::Other(format!("an unreadable reply: {e}")))
    }
}

fn message(role: MessageRole, text: String) -> ChatCompletionMessage {
    ChatCompletionMessage {
        role,
        content: Content::Text(text),
        name: None,
        tool_calls: None,
        tool_call_id: None,
    }
}

/// The reply's leads that pass every check, by handle (others are left out, to be asked again).
fn checked(content: &str, leads: &[LeadInput]) -> HashMap<String, Analysis> {
    let Ok(reply) = serde_json::from_str::<Reply>(content) else {
        return HashMap::new();
    };
    reply
        .leads
        .into_iter()
        .filter_map(|value| serde_json::from_value::<ReplyLead>(value).ok())
        .filter_map(|reply| {
            let handle = reply.handle.clone()?.trim_start_matches('@').to_lowercase();
            let lead = leads
                .iter()
                .find(|l| l.handle.eq_ignore_ascii_case(&handle))?;
            Some((lead.handle.clone(), one(reply)?))
        })
        .collect()
}

/// One lead's reply, when every field holds up.
fn one(reply: ReplyLead) -> Option<Analysis> {
    let lead_type = LeadType::parse(reply.lead_type.as_deref()?)?;
    let confidence = reply.confidence.filter(|c| (0.0..=1.0).contains(c))?;
    let intent = match reply.intent.as_deref() {
        None | Some("" | "null") => None,
        Some(text) => Some(Intent::parse(text)?),
    };
    // A phone or an email must read as one, and is kept in its normal form.
    let phone = match reply.phone.as_deref().filter(|p| !p.trim().is_empty()) {
        None => None,
        Some(text) => Some(contact::phones(text).into_iter().next()?),
    };
    let email = match reply.email.as_deref().filter(|e| !e.trim().is_empty()) {
        None => None,
        Some(text) => Some(contact::emails(text).into_iter().next()?),
    };
    let language = Lang::from_code(reply.language.as_deref()?)?;
    let draft = reply
        .draft
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty() && d.chars().count() <= 1_000)?;
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a confidence between 0 and 1 fits an f32"
    )]
    let confidence = confidence as f32;
    Some(Analysis {
        lead_type,
        confidence,
        intent,
        phone,
        email,
        language,
        draft,
        reasoning: reply.reasoning.filter(|r| !r.trim().is_empty()),
        source: Source::Ai,
    })
}

impl Analyzer for OpenAiAnalyzer {
    async fn analyze(&self, leads: &[LeadInput], language: Lang) -> Analysed {
        let mut usage = Usage::default();
        let mut analyses = Vec::with_capacity(leads.len());
        for batch in leads.chunks(self.settings.batch_size.clamp(1, 20)) {
            let mut found = self.ask(batch, &mut usage).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "an AI request failed");
                HashMap::new()
            });
            let missing: Vec<LeadInput> = batch
                .iter()
                .filter(|l| !found.contains_key(&l.handle))
                .cloned()
                .collect();
            if !missing.is_empty() {
                // Asked once more; what is still missing then comes from the built-in analyzer.
                if let Ok(again) = self.ask(&missing, &mut usage).await {
                    found.extend(again);
                }
            }
            for lead in batch {
                analyses.push(found.remove(&lead.handle).unwrap_or_else(|| {
                    usage.fallbacks += 1;
                    Analysis {
                        source: Source::Fallback,
                        ..self.fallback.analyse(lead, language)
                    }
                }));
            }
        }
        Analysed { analyses, usage }
    }
}
