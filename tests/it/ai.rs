//! The OpenAI-compatible analyzer against a local HTTP server that speaks the chat-completions protocol,
//! and the analysis job that uses it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::Utc;
use secrecy::SecretString;
use vistaflow::ai::openai::{OpenAiAnalyzer, OpenAiSettings};
use vistaflow::ai::{Analyzer as _, InteractionInput, LeadInput, LeadType, Source};
use vistaflow::db::queries;
use vistaflow::domain::contact::Intent;
use vistaflow::domain::interaction::Kind;
use vistaflow::domain::runs::AnalysisTrigger;
use vistaflow::i18n::Lang;

use crate::collection::{observed, sample, workspace_with_account};
use crate::harness::TestApp;

/// One scripted answer of the fake endpoint.
#[derive(Clone)]
enum Answer {
    /// A completion whose message content is this text.
    Content(String),
    /// A completion answering for every lead of the request (with these handles left out).
    Echo {
        leaving_out: Vec<String>,
    },
    TooMany {
        retry_after: u64,
    },
    Slow(Duration),
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    /// The handles of each request received.
    requests: Mutex<Vec<Vec<String>>>,
}

fn completion(content: &str) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "local",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140}
    }))
}

fn good_lead(handle: &str) -> serde_json::Value {
    serde_json::json!({
        "handle": handle, "type": "potential_client", "confidence": 0.9, "intent": "asking_price",
        "phone": "+33 6 12 34 56 78", "email": null, "language": "fr",
        "draft": format!("Salut @{handle} !"), "reasoning": "asks for a price"
    })
}

async fn chat(script: web::Data<Script>, body: web::Json<serde_json::Value>) -> HttpResponse {
    let user = body["messages"][1]["content"].as_str().unwrap_or_default();
    let payload: serde_json::Value = serde_json::from_str(user).unwrap_or_default();
    let handles: Vec<String> = payload["leads"]
        .as_array()
        .map(|leads| {
            leads
                .iter()
                .filter_map(|l| l["handle"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    script.requests.lock().unwrap().push(handles.clone());
    let answer = script
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Answer::Echo {
            leaving_out: Vec::new(),
        });
    match answer {
        Answer::Content(text) => completion(&text),
        Answer::Echo { leaving_out } => {
            let leads: Vec<_> = handles
                .iter()
                .filter(|h| !leaving_out.contains(h))
                .map(|h| good_lead(h))
                .collect();
            completion(&serde_json::json!({ "leads": leads }).to_string())
        }
        Answer::TooMany { retry_after } => HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", retry_after.to_string()))
            .json(serde_json::json!({"error": {"message": "slow down", "type": "rate_limit"}})),
        Answer::Slow(delay) => {
            tokio::time::sleep(delay).await;
            completion("{\"leads\": []}")
        }
    }
}

/// A local chat-completions endpoint answering from `answers`, then echoing.
struct Endpoint {
    base_url: String,
    script: web::Data<Script>,
}

impl Endpoint {
    fn start(answers: Vec<Answer>) -> Self {
        let script = web::Data::new(Script {
            answers: Mutex::new(answers.into()),
            requests: Mutex::default(),
        });
        let data = script.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::JsonConfig::default().limit(4 * 1024 * 1024))
                .route("/v1/chat/completions", web::post().to(chat))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            script,
        }
    }

    fn requests(&self) -> Vec<Vec<String>> {
        self.script.requests.lock().unwrap().clone()
    }

    fn settings(&self, timeout: Duration) -> OpenAiSettings {
        OpenAiSettings {
            base_url: self.base_url.clone(),
            api_key: SecretString::from("test-key"),
            model: "local".into(),
            timeout,
            batch_size: 15,
            max_retry_wait: Duration::from_secs(5),
        }
    }

    fn analyzer(&self) -> OpenAiAnalyzer {
        OpenAiAnalyzer::new(self.settings(Duration::from_secs(5))).unwrap()
    }
}

fn leads(n: usize) -> Vec<LeadInput> {
    (0..n)
        .map(|i| LeadInput {
            handle: format!("fan.{i}"),
            display_name: Some(format!("Fan {i}")),
            platform: vistaflow::domain::platform::Platform::DEFAULT,
            interactions: vec![InteractionInput {
                kind: Kind::Comment,
                text: Some("c'est combien la prod ? 06 12 34 56 78".into()),
                occurred_at: Utc::now(),
            }],
        })
        .collect()
}

#[tokio::test]
async fn a_good_batch_is_one_request_and_every_field_is_taken() {
    let endpoint = Endpoint::start(vec![]);

    let analysed = endpoint.analyzer().analyze(&leads(3), Lang::En).await;

    assert_eq!(endpoint.requests().len(), 1);
    assert_eq!(analysed.analyses.len(), 3);
    let first = &analysed.analyses[0];
    assert_eq!(first.source, Source::Ai);
    assert_eq!(first.lead_type, LeadType::PotentialClient);
    assert_eq!(first.intent, Some(Intent::AskingPrice));
    assert_eq!(
        first.phone.as_deref(),
        Some("+33612345678"),
        "normalised to E.164"
    );
    assert_eq!(first.language, Lang::Fr);
    assert_eq!(first.draft, "Salut @fan.0 !");
    assert_eq!(
        (
            analysed.usage.requests,
            analysed.usage.prompt_tokens,
            analysed.usage.fallbacks
        ),
        (1, 100, 0)
    );
}

#[tokio::test]
async fn malformed_json_is_asked_again_once_then_the_built_in_analyzer_answers() {
    let endpoint = Endpoint::start(vec![
        Answer::Content("this is not json".into()),
        Answer::Content("{\"leads\": [{\"handle\": \"fan.0\"".into()),
    ]);

    let analysed = endpoint.analyzer().analyze(&leads(2), Lang::En).await;

    assert_eq!(endpoint.requests().len(), 2, "one retry, no more");
    assert!(
        analysed
            .analyses
            .iter()
            .all(|a| a.source == Source::Fallback)
    );
    assert_eq!(analysed.usage.fallbacks, 2);
    assert_eq!(
        analysed.analyses[0].phone.as_deref(),
        Some("+33612345678"),
        "the built-in analyzer still reads the phone"
    );
}

#[tokio::test]
async fn a_lead_missing_from_the_reply_is_asked_about_alone_and_a_bad_field_counts_as_missing() {
    let mut bad = good_lead("fan.2");
    bad["type"] = serde_json::json!("superfan");
    let first = serde_json::json!({ "leads": [good_lead("fan.0"), bad] }).to_string();
    let endpoint = Endpoint::start(vec![Answer::Content(first)]);

    let analysed = endpoint.analyzer().analyze(&leads(3), Lang::En).await;

    let requests = endpoint.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1], vec!["fan.1".to_owned(), "fan.2".to_owned()]);
    assert!(analysed.analyses.iter().all(|a| a.source == Source::Ai));
    assert_eq!(analysed.usage.fallbacks, 0);
}

#[tokio::test]
async fn a_429_waits_for_its_retry_after_then_succeeds() {
    let endpoint = Endpoint::start(vec![Answer::TooMany { retry_after: 1 }]);
    let started = Instant::now();

    let analysed = endpoint.analyzer().analyze(&leads(2), Lang::En).await;

    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(endpoint.requests().len(), 2);
    assert!(analysed.analyses.iter().all(|a| a.source == Source::Ai));
    assert_eq!(analysed.usage.requests, 2);
}

#[tokio::test]
async fn a_request_that_times_out_falls_back_to_the_built_in_analyzer() {
    let endpoint = Endpoint::start(vec![
        Answer::Slow(Duration::from_secs(3)),
        Answer::Slow(Duration::from_secs(3)),
    ]);
    let analyzer = OpenAiAnalyzer::new(endpoint.settings(Duration::from_millis(500))).unwrap();
    let started = Instant::now();

    let analysed = analyzer.analyze(&leads(2), Lang::En).await;

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "it did not wait for the slow answers"
    );
    assert!(
        analysed
            .analyses
            .iter()
            .all(|a| a.source == Source::Fallback)
    );
    assert_eq!(analysed.usage.fallbacks, 2);
}

#[tokio::test]
async fn a_hundred_leads_take_at_most_ten_requests() {
    let endpoint = Endpoint::start(vec![]);

    let analysed = endpoint.analyzer().analyze(&leads(100), Lang::En).await;

    let requests = endpoint.requests();
    assert!(requests.len() <= 10, "{} requests", requests.len());
    assert!(requests.iter().all(|r| (1..=20).contains(&r.len())));
    assert_eq!(analysed.analyses.len(), 100);
    assert!(analysed.analyses.iter().all(|a| a.source == Source::Ai));
}

#[tokio::test]
async fn the_analysis_job_asks_only_about_leads_with_new_interactions_and_drafts_once() {
    let endpoint = Endpoint::start(vec![]);
    let app = TestApp::spawn_with(&[
        ("OPENAI_API_KEY", "test-key"),
        ("OPENAI_BASE_URL", &endpoint.base_url),
        ("OPENAI_MODEL", "local"),
    ]);
    let source = workspace_with_account(&app);
    let now = Utc::now() - chrono::Duration::minutes(30);
    queries::interactions::ingest(&mut app.db.connect(), source, sample(now, 0)).unwrap();
    app.sql("UPDATE workspaces SET draft_score = 0");
    app.sql("UPDATE leads SET status = 'refused' WHERE handle = 'malik'");

    let first =
        vistaflow::usecases::analysis::analyse_pending(&app.state, None, AnalysisTrigger::Manual)
            .await
            .unwrap();

    assert_eq!((first.leads, first.usage.requests), (3, 1));
    assert_eq!(first.drafts, 2, "no draft for a refused lead");
    assert_eq!(app.number("SELECT count(*) FROM leads WHERE analysed_by = 'ai' AND lead_type = 'potential_client' AND phone = '+33612345678'"), 3);
    assert_eq!(
        app.number(
            "SELECT count(*) FROM suggested_messages WHERE status = 'pending' AND source = 'ai'"
        ),
        2
    );

    let again =
        vistaflow::usecases::analysis::analyse_pending(&app.state, None, AnalysisTrigger::Manual)
            .await
            .unwrap();

    assert_eq!(
        (again.leads, again.usage.requests),
        (0, 0),
        "nothing new, no request"
    );
    assert_eq!(endpoint.requests().len(), 1);

    let later = Utc::now();
    queries::interactions::ingest(
        &mut app.db.connect(),
        source,
        vec![observed(Kind::Share, "lea", None, "1m ago", later)],
    )
    .unwrap();
    let third =
        vistaflow::usecases::analysis::analyse_pending(&app.state, None, AnalysisTrigger::Manual)
            .await
            .unwrap();

    assert_eq!((third.leads, third.usage.requests), (1, 1));
    assert_eq!(endpoint.requests()[1], vec!["lea".to_owned()]);
    assert_eq!(third.drafts, 0, "lea already has a pending draft");
    assert_eq!(app.number("SELECT count(*) FROM suggested_messages"), 2);
    assert_eq!(
        app.number("SELECT sum(ai_requests) FROM analysis_runs WHERE finished_at IS NOT NULL"),
        2
    );
    let admin = crate::admin::site_admin(&app).await;
    let page = admin.get("/admin/analysis").await;
    assert_eq!(
        page.texts("#ai-totals tbody tr:first-child td"),
        ["4", "2", "280", "0"],
        "leads, requests, tokens and fallbacks of the last day"
    );
}
