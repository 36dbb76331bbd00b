//! The Graph client against a local HTTP server that speaks the contract: a table of answers by method,
//! path and (optionally) one query parameter, and a record of every request it received.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, HttpServer, http::StatusCode as Status, web};
use chrono::{TimeZone as _, Utc};
use secrecy::{ExposeSecret as _, SecretString};

use super::*;

const APP_SECRET: &str = "app-secret-5ecret";
const TOKEN: &str = "IGAAtoken-long-lived-0123456789";
const SHORT: &str = "IGQshort-lived-token-9876";

/// One answer of the peer.
#[derive(Clone)]
struct Rule {
    method: &'static str,
    path: &'static str,
    /// Answer only when this query parameter has this value (`after`, to tell pages apart).
    query: Option<(&'static str, &'static str)>,
    status: u16,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, &'static str)>,
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "the answer tables read best with `json!` values written inline"
)]
fn rule(method: &'static str, path: &'static str, status: u16, body: serde_json::Value) -> Rule {
    Rule {
        method,
        path,
        query: None,
        status,
        content_type: "application/json",
        body: body.to_string(),
        headers: Vec::new(),
    }
}

fn ok(method: &'static str, path: &'static str, body: serde_json::Value) -> Rule {
    rule(method, path, 200, body)
}

fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> serde_json::Value {
    serde_json::json!({"error": {"message": message, "type": "OAuthException", "code": code,
        "error_subcode": subcode, "fbtrace_id": "A1b2"}})
}

/// A request the peer received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: HashMap<String, String>,
    content_type: String,
    body: String,
}

struct Table {
    rules: Vec<Rule>,
    seen: Mutex<Vec<Seen>>,
}

async fn answer(request: HttpRequest, body: web::Bytes, table: web::Data<Table>) -> HttpResponse {
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(request.query_string()).unwrap_or_default();
    table.seen.lock().unwrap().push(Seen {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        query: query.clone(),
        content_type: request
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let found = table.rules.iter().find(|r| {
        r.method == request.method().as_str()
            && r.path == request.path()
            && r.query
                .is_none_or(|(name, value)| query.get(name).map(String::as_str) == Some(value))
    });
    let Some(rule) = found else {
        return HttpResponse::NotFound().json(graph_error(100, Some(33), "no such object"));
    };
    let mut response = HttpResponse::build(Status::from_u16(rule.status).unwrap());
    response.content_type(rule.content_type);
    for (name, value) in &rule.headers {
        response.insert_header((*name, *value));
    }
    response.body(rule.body.clone())
}

/// The local peer: Instagram's API host under `/api`, its Graph host under `/graph` (as the demo does).
struct Peer {
    base: String,
    table: web::Data<Table>,
}

impl Peer {
    fn start(rules: Vec<Rule>) -> Self {
        let table = web::Data::new(Table {
            rules,
            seen: Mutex::default(),
        });
        let data = table.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .default_service(web::to(answer))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            table,
        }
    }

    fn settings(&self) -> Settings {
        Settings {
            authorize_url: format!("{}/oauth/authorize", self.base),
            api_url: format!("{}/api", self.base),
            graph_url: format!("{}/graph", self.base),
            app: Some(App {
                id: "app-1".into(),
                secret: SecretString::from(APP_SECRET),
                verify_token: SecretString::from("verify"),
            }),
        }
    }

    fn graph(&self) -> Graph {
        Graph::new(&self.settings()).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.table.seen.lock().unwrap().clone()
    }
}

fn token() -> SecretString {
    SecretString::from(TOKEN)
}

fn query(seen: &Seen, name: &str) -> Option<String> {
    seen.query.get(name).cloned()
}

fn form(seen: &Seen) -> HashMap<String, String> {
    serde_urlencoded::from_str(&seen.body).unwrap()
}

#[tokio::test]
async fn a_code_is_exchanged_for_a_short_lived_token_then_a_long_lived_one() {
    let peer = Peer::start(vec![
        ok(
            "POST",
            "/api/oauth/access_token",
            serde_json::json!({"data": [{"access_token": SHORT, "user_id": "app-scoped-7",
                "permissions": "instagram_business_basic,instagram_business_manage_comments,instagram_business_manage_messages"}]}),
        ),
        ok(
            "GET",
            "/graph/access_token",
            serde_json::json!({"access_token": TOKEN, "token_type": "bearer", "expires_in": 5_183_944}),
        ),
    ]);
    let graph = peer.graph();

    let short = graph
        .exchange_code(
            "AQBcode-1#_",
            "https://app.example/oauth/instagram/callback",
        )
        .await
        .unwrap();
    let long = graph.long_lived(&short.token).await.unwrap();

    assert_eq!(short.token.expose_secret(), SHORT);
    assert_eq!(short.user_id, "app-scoped-7");
    assert_eq!(short.permissions.len(), 3);
    assert_eq!(short.permissions[2], "instagram_business_manage_messages");
    assert_eq!(long.token.expose_secret(), TOKEN);
    assert_eq!(long.expires_in, 5_183_944);
    let seen = peer.seen();
    let exchange = form(&seen[0]);
    assert_eq!(seen[0].content_type, "application/x-www-form-urlencoded");
    assert_eq!(exchange["client_id"], "app-1");
    assert_eq!(exchange["client_secret"], APP_SECRET);
    assert_eq!(exchange["grant_type"], "authorization_code");
    assert_eq!(
        exchange["redirect_uri"],
        "https://app.example/oauth/instagram/callback"
    );
    assert_eq!(exchange["code"], "AQBcode-1", "the trailing #_ is dropped");
    assert_eq!(
        query(&seen[1], "grant_type").as_deref(),
        Some("ig_exchange_token")
    );
    assert_eq!(
        query(&seen[1], "client_secret").as_deref(),
        Some(APP_SECRET)
    );
    assert_eq!(query(&seen[1], "access_token").as_deref(), Some(SHORT));
}

#[tokio::test]
async fn the_flat_exchange_answer_is_read_as_well() {
    let peer = Peer::start(vec![ok(
        "POST",
        "/api/oauth/access_token",
        serde_json::json!({"access_token": SHORT, "user_id": 17_841_400_000_000_001_u64,
            "permissions": ["instagram_business_basic"]}),
    )]);

    let short = peer.graph().exchange_code("c", "https://r").await.unwrap();

    assert_eq!(short.user_id, "17841400000000001");
    assert_eq!(short.permissions, ["instagram_business_basic"]);
}

#[tokio::test]
async fn a_used_code_is_a_dead_credential_with_the_platform_s_message() {
    let peer = Peer::start(vec![rule(
        "POST",
        "/api/oauth/access_token",
        400,
        graph_error(100, None, "This authorization code has been used"),
    )]);

    let error = peer
        .graph()
        .exchange_code("used-code", "https://r")
        .await
        .unwrap_err();

    assert_eq!(
        error,
        ApiError::TokenDead {
            message: "This authorization code has been used".into()
        }
    );
}

#[tokio::test]
async fn without_the_app_s_credentials_no_code_is_exchanged() {
    let peer = Peer::start(Vec::new());
    let mut settings = peer.settings();
    settings.app = None;

    let error = Graph::new(&settings)
        .unwrap()
        .exchange_code("c", "https://r")
        .await
        .unwrap_err();

    assert!(matches!(error, ApiError::NotConfigured(_)), "{error:?}");
    assert!(peer.seen().is_empty());
}

#[tokio::test]
async fn a_long_lived_token_is_refreshed_and_a_revoked_one_is_dead() {
    let peer = Peer::start(vec![
        Rule {
            query: Some(("access_token", TOKEN)),
            ..ok(
                "GET",
                "/graph/refresh_access_token",
                serde_json::json!({"access_token": "IGAArefreshed", "token_type": "bearer", "expires_in": 5_184_000}),
            )
        },
        rule(
            "GET",
            "/graph/refresh_access_token",
            400,
            graph_error(190, Some(458), "The user has not authorized application"),
        ),
    ]);
    let graph = peer.graph();

    let refreshed = graph.refresh(&token()).await.unwrap();
    let revoked = graph
        .refresh(&SecretString::from("IGAArevoked"))
        .await
        .unwrap_err();

    assert_eq!(refreshed.token.expose_secret(), "IGAArefreshed");
    assert_eq!(refreshed.expires_in, 5_184_000);
    assert_eq!(
        query(&peer.seen()[0], "grant_type").as_deref(),
        Some("ig_refresh_token")
    );
    assert!(revoked.is_token_dead(), "{revoked:?}");
}

#[tokio::test]
async fn error_190_means_the_token_is_dead() {
    let peer = Peer::start(vec![rule(
        "GET",
        "/graph/v24.0/me",
        400,
        graph_error(
            190,
            Some(463),
            "Error validating access token: Session has expired on Friday.",
        ),
    )]);

    let error = peer.graph().me(&token()).await.unwrap_err();

    assert!(error.is_token_dead());
    assert!(!error.is_throttle());
    assert_eq!(
        error.to_string(),
        "Instagram no longer accepts the access: Error validating access token: Session has expired on Friday."
    );
}

#[tokio::test]
async fn throttling_codes_are_told_apart_from_refusals() {
    let peer = Peer::start(vec![
        rule(
            "GET",
            "/graph/v24.0/me",
            400,
            graph_error(4, None, "Application request limit reached"),
        ),
        rule(
            "GET",
            "/graph/v24.0/me/media",
            400,
            graph_error(613, None, "Calls to this api have exceeded the rate limit."),
        ),
        rule(
            "GET",
            "/graph/v24.0/me/conversations",
            400,
            graph_error(
                80002,
                None,
                "There have been too many calls to this Instagram account.",
            ),
        ),
        Rule {
            content_type: "text/plain",
            body: "slow down".into(),
            ..rule("GET", "/graph/v24.0/17841", 429, serde_json::Value::Null)
        },
        rule(
            "POST",
            "/graph/v24.0/me/messages",
            400,
            graph_error(
                10,
                Some(2_534_022),
                "This message is sent outside of allowed window.",
            ),
        ),
    ]);
    let graph = peer.graph();

    let on_me = graph.me(&token()).await.unwrap_err();
    let on_media = graph.media(&token(), None).await.unwrap_err();
    let on_conversations = graph.conversations(&token(), None).await.unwrap_err();
    let on_person = graph.person(&token(), "17841").await.unwrap_err();
    let outside_the_window = graph
        .send_message(&token(), "17841", "hello")
        .await
        .unwrap_err();

    assert_eq!(
        on_me,
        ApiError::Throttled {
            code: 4,
            message: "Application request limit reached".into()
        }
    );
    assert!(
        matches!(on_media, ApiError::Throttled { code: 613, .. }),
        "{on_media:?}"
    );
    assert!(
        matches!(on_conversations, ApiError::Throttled { code: 80002, .. }),
        "{on_conversations:?}"
    );
    assert!(
        matches!(on_person, ApiError::Throttled { code: 429, .. }),
        "{on_person:?}"
    );
    assert_eq!(
        outside_the_window,
        ApiError::Refused {
            code: 10,
            subcode: Some(2_534_022),
            message: "This message is sent outside of allowed window.".into()
        }
    );
    assert!(!outside_the_window.is_throttle() && !outside_the_window.is_token_dead());
}

#[tokio::test]
async fn a_server_fault_with_an_html_body_is_unavailable_and_junk_in_a_200_is_unexpected() {
    let peer = Peer::start(vec![
        Rule {
            content_type: "text/html",
            body: "<html><body>Sorry, something went wrong.</body></html>".into(),
            ..rule("GET", "/graph/v24.0/me", 500, serde_json::Value::Null)
        },
        Rule {
            content_type: "text/html",
            body: "<html>not json</html>".into(),
            ..ok("GET", "/graph/v24.0/me/media", serde_json::Value::Null)
        },
        ok(
            "GET",
            "/graph/refresh_access_token",
            serde_json::json!({"access_token": 42}),
        ),
    ]);
    let graph = peer.graph();

    let fault = graph.me(&token()).await.unwrap_err();
    let junk = graph.media(&token(), None).await.unwrap_err();
    let wrong_shape = graph.refresh(&token()).await.unwrap_err();

    assert_eq!(
        fault,
        ApiError::Unavailable {
            status: 500,
            message: "HTTP 500 Internal Server Error without an error body".into()
        }
    );
    assert!(fault.is_transient());
    assert!(matches!(junk, ApiError::Unexpected(_)), "{junk:?}");
    assert!(!junk.is_transient());
    let ApiError::Unexpected(what) = wrong_shape else {
        panic!("unexpected, not {wrong_shape:?}");
    };
    assert!(
        !what.contains("42"),
        "no value of a token answer is quoted: {what}"
    );
}

#[tokio::test]
async fn an_unreachable_host_is_unreachable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let peer = Peer::start(Vec::new());
    let mut settings = peer.settings();
    settings.graph_url = format!("http://127.0.0.1:{port}");

    let error = Graph::new(&settings)
        .unwrap()
        .me(&token())
        .await
        .unwrap_err();

    assert!(matches!(error, ApiError::Unreachable(_)), "{error:?}");
    assert!(error.is_transient());
    assert!(!error.to_string().contains(TOKEN), "{error}");
}

#[tokio::test]
async fn the_profile_is_read_with_its_professional_id() {
    let peer = Peer::start(vec![ok(
        "GET",
        "/graph/v24.0/me",
        serde_json::json!({"id": "app-scoped-7", "user_id": "17841400000000001",
            "username": "studio.nova.demo", "name": "Studio Nova", "account_type": "BUSINESS",
            "profile_picture_url": "https://cdn.example/p.jpg"}),
    )]);

    let profile = peer.graph().me(&token()).await.unwrap();

    assert_eq!(
        profile,
        Profile {
            user_id: "17841400000000001".into(),
            username: "studio.nova.demo".into(),
            name: Some("Studio Nova".into()),
            account_type: Some("BUSINESS".into()),
            profile_picture_url: Some("https://cdn.example/p.jpg".into()),
        }
    );
    let seen = &peer.seen()[0];
    assert_eq!(
        query(seen, "fields").as_deref(),
        Some("user_id,username,name,account_type,profile_picture_url")
    );
    assert_eq!(query(seen, "access_token").as_deref(), Some(TOKEN));
}

#[tokio::test]
async fn subscribing_and_unsubscribing_go_through_the_subscribed_apps_edge() {
    let peer = Peer::start(vec![
        ok(
            "POST",
            "/graph/v24.0/me/subscribed_apps",
            serde_json::json!({"success": true}),
        ),
        ok(
            "DELETE",
            "/graph/v24.0/me/subscribed_apps",
            serde_json::json!({"success": false}),
        ),
    ]);
    let graph = peer.graph();

    graph.subscribe(&token()).await.unwrap();
    let unsubscribed = graph.unsubscribe(&token()).await;

    assert!(
        matches!(unsubscribed, Err(ApiError::Unexpected(_))),
        "{unsubscribed:?}"
    );
    let seen = peer.seen();
    assert_eq!(
        query(&seen[0], "subscribed_fields").as_deref(),
        Some("comments,messages")
    );
    assert_eq!(seen[1].method, "DELETE");
    assert_eq!(query(&seen[1], "access_token").as_deref(), Some(TOKEN));
}

#[tokio::test]
async fn media_are_read_page_by_page() {
    let media = |id: &str| {
        serde_json::json!({"id": id, "caption": "new beat", "media_type": "VIDEO",
            "media_product_type": "REELS", "permalink": "https://www.instagram.com/reel/x/",
            "timestamp": "2017-08-31T18:10:30+0000", "comments_count": 3, "like_count": 12})
    };
    let peer = Peer::start(vec![
        Rule {
            query: Some(("after", "cursor-1")),
            ..ok(
                "GET",
                "/graph/v24.0/me/media",
                serde_json::json!({"data": [media("m3")],
                "paging": {"cursors": {"before": "b2", "after": "cursor-2"}}}),
            )
        },
        ok(
            "GET",
            "/graph/v24.0/me/media",
            serde_json::json!({"data": [media("m1"), media("m2")],
            "paging": {"cursors": {"before": "b1", "after": "cursor-1"},
                "next": format!("https://graph.instagram.com/v24.0/me/media?access_token={TOKEN}&after=cursor-1")}}),
        ),
    ]);
    let graph = peer.graph();

    let first = graph.media(&token(), None).await.unwrap();
    let last = graph.media(&token(), first.after.as_deref()).await.unwrap();

    assert_eq!(first.items.len(), 2);
    assert_eq!(first.after.as_deref(), Some("cursor-1"));
    assert_eq!(last.items[0].id, "m3");
    assert_eq!(last.after, None, "no next page");
    assert_eq!(
        Some(first.items[0].timestamp),
        Utc.with_ymd_and_hms(2017, 8, 31, 18, 10, 30).single()
    );
    assert_eq!(first.items[0].media_product_type.as_deref(), Some("REELS"));
    let seen = peer.seen();
    assert_eq!(query(&seen[0], "limit").as_deref(), Some("25"));
    assert_eq!(query(&seen[0], "after"), None);
    assert_eq!(query(&seen[1], "after").as_deref(), Some("cursor-1"));
}

#[tokio::test]
async fn comments_and_their_replies_are_read_page_by_page() {
    let comment = |id: &str, text: &str, replies: serde_json::Value| {
        serde_json::json!({"id": id, "text": text, "username": "jane", "timestamp": "2025-08-21T12:28:00+0000",
            "like_count": 1, "from": {"id": "4410", "username": "jane"}, "replies": replies})
    };
    let peer = Peer::start(vec![
        Rule {
            query: Some(("after", "c-2")),
            ..ok(
                "GET",
                "/graph/v24.0/media-1/comments",
                serde_json::json!({
                "data": [comment("c3", "still there?", serde_json::json!({"data": []}))],
                "paging": {"cursors": {"before": "c-2b", "after": "c-3"}}}),
            )
        },
        ok(
            "GET",
            "/graph/v24.0/media-1/comments",
            serde_json::json!({
            "data": [
                comment("c1", "price?", serde_json::json!({"data": [
                    {"id": "r1", "text": "DM sent", "username": "studio.nova.demo",
                        "timestamp": "2025-08-21T12:30:00+0000", "from": {"id": "1784", "username": "studio.nova.demo"}},
                    {"id": "r2", "text": "thanks", "username": "jane", "timestamp": "2025-08-21T12:31:00+0000",
                        "from": {"id": "4410", "username": "jane"}, "parent_id": "c1"}
                ]})),
                {"id": "c2", "text": "🔥", "timestamp": "2025-08-21T12:40:00+0000"}
            ],
            "paging": {"cursors": {"before": "c-1b", "after": "c-2"}, "next": "https://graph.instagram.com/next"}}),
        ),
    ]);
    let graph = peer.graph();

    let first = graph.comments(&token(), "media-1", None).await.unwrap();
    let last = graph
        .comments(&token(), "media-1", first.after.as_deref())
        .await
        .unwrap();

    let ids: Vec<&str> = first.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "r1", "r2", "c2"]);
    let parents: Vec<Option<&str>> = first.items.iter().map(|c| c.parent_id.as_deref()).collect();
    assert_eq!(parents, [None, Some("c1"), Some("c1"), None]);
    assert!(first.items.iter().all(|c| c.media_id == "media-1"));
    assert_eq!(
        first.items[0].from.as_ref().map(|f| f.id.as_str()),
        Some("4410")
    );
    assert_eq!(first.items[3].username, None);
    assert_eq!(first.after.as_deref(), Some("c-2"));
    assert_eq!(last.items.len(), 1);
    assert_eq!(last.after, None);
    let seen = peer.seen();
    assert!(
        query(&seen[0], "fields")
            .is_some_and(|f| f.contains("replies{id,text,username,timestamp,from,parent_id}"))
    );
    assert_eq!(query(&seen[0], "limit").as_deref(), Some("50"));
}

#[tokio::test]
async fn conversations_come_with_their_latest_messages() {
    let peer = Peer::start(vec![ok(
        "GET",
        "/graph/v24.0/me/conversations",
        serde_json::json!({"data": [{"id": "t1", "updated_time": "2025-10-24T06:28:14+0000",
        "messages": {"data": [
            {"id": "aWdfmid2", "created_time": "2025-10-24T06:28:14+0000",
                "from": {"id": "1784", "username": "studio.nova.demo"},
                "to": {"data": [{"id": "4410", "username": "jane"}]}, "message": "hi Jane"},
            {"id": "aWdfmid1", "created_time": "2025-10-24T06:20:00+0000",
                "from": {"id": "4410", "username": "jane"},
                "to": {"data": [{"id": "1784", "username": "studio.nova.demo"}]}, "message": "how much for a beat?"},
            {"id": "aWdfmid0", "created_time": "2025-10-24T06:19:00+0000",
                "from": {"id": "4410", "username": "jane"}, "to": {"data": [{"id": "1784"}]}}
        ]}}]}),
    )]);

    let page = peer.graph().conversations(&token(), None).await.unwrap();

    let conversation = &page.items[0];
    assert_eq!(conversation.id, "t1");
    assert_eq!(conversation.messages.len(), 3);
    assert_eq!(
        conversation.messages[1].from.username.as_deref(),
        Some("jane")
    );
    assert_eq!(conversation.messages[1].to[0].id, "1784");
    assert_eq!(conversation.messages[1].text, "how much for a beat?");
    assert_eq!(
        conversation.messages[2].text, "",
        "an attachment has no text"
    );
    assert_eq!(page.after, None);
    let seen = &peer.seen()[0];
    assert_eq!(query(seen, "platform").as_deref(), Some("instagram"));
    assert_eq!(
        query(seen, "fields").as_deref(),
        Some("id,updated_time,messages.limit(20){id,created_time,from,to,message}")
    );
}

#[tokio::test]
async fn a_person_is_read_by_their_scoped_id() {
    let peer = Peer::start(vec![ok(
        "GET",
        "/graph/v24.0/4410",
        serde_json::json!({"id": "4410", "name": "Jane Doe", "username": "jane"}),
    )]);

    let person = peer.graph().person(&token(), "4410").await.unwrap();

    assert_eq!(
        person,
        Person {
            id: "4410".into(),
            username: "jane".into(),
            name: Some("Jane Doe".into())
        }
    );
    assert_eq!(
        query(&peer.seen()[0], "fields").as_deref(),
        Some("name,username")
    );
}

#[tokio::test]
async fn a_message_and_a_private_reply_are_sent_as_json() {
    let peer = Peer::start(vec![ok(
        "POST",
        "/graph/v24.0/me/messages",
        serde_json::json!({"recipient_id": "4410", "message_id": "aWdfsent"}),
    )]);
    let graph = peer.graph();

    let message = graph
        .send_message(&token(), "4410", "Salut !")
        .await
        .unwrap();
    let reply = graph
        .private_reply(&token(), "c1", "Je t'écris en privé")
        .await
        .unwrap();

    assert_eq!(message.message_id, "aWdfsent");
    assert_eq!(reply.message_id, "aWdfsent");
    let seen = peer.seen();
    assert_eq!(seen[0].content_type, "application/json");
    let first: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    let second: serde_json::Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(
        first,
        serde_json::json!({"recipient": {"id": "4410"}, "message": {"text": "Salut !"}})
    );
    assert_eq!(
        second,
        serde_json::json!({"recipient": {"comment_id": "c1"}, "message": {"text": "Je t'écris en privé"}})
    );
}

#[tokio::test]
async fn an_id_is_escaped_as_one_path_segment() {
    let peer = Peer::start(Vec::new());

    let error = peer
        .graph()
        .person(&token(), "../me?x=1")
        .await
        .unwrap_err();

    assert!(
        matches!(error, ApiError::Refused { code: 100, .. }),
        "{error:?}"
    );
    assert_eq!(peer.seen()[0].path, "/graph/v24.0/..%2Fme%3Fx=1");
}

/// A log sink shared with the test.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn the_access_token_never_appears_in_an_error_or_debug_output() {
    let usage = r#"{"1784":[{"type":"instagram","call_count":81,"total_cputime":10,"total_time":12,"estimated_time_to_regain_access":0}]}"#;
    let peer = Peer::start(vec![
        Rule {
            headers: vec![
                ("X-Business-Use-Case-Usage", usage),
                ("X-App-Usage", r#"{"call_count":5}"#),
            ],
            ..ok(
                "GET",
                "/graph/v24.0/me",
                serde_json::json!({"user_id": "1784", "username": "studio"}),
            )
        },
        rule(
            "GET",
            "/graph/v24.0/me/media",
            400,
            graph_error(
                100,
                None,
                &format!("Invalid token {TOKEN} for secret {APP_SECRET}"),
            ),
        ),
        ok(
            "POST",
            "/api/oauth/access_token",
            serde_json::json!({"data": [{"access_token": SHORT, "user_id": "7"}]}),
        ),
        ok(
            "GET",
            "/graph/access_token",
            serde_json::json!({"access_token": TOKEN, "expires_in": 60}),
        ),
    ]);
    let logs = Logs::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let graph = peer.graph();

    graph.me(&token()).await.unwrap();
    let error = graph.media(&token(), None).await.unwrap_err();
    let short = graph.exchange_code("code-1", "https://r").await.unwrap();
    let long = graph.long_lived(&short.token).await.unwrap();

    let outputs = [
        error.to_string(),
        format!("{error:?}"),
        format!("{short:?}"),
        format!("{long:?}"),
        format!("{graph:?}"),
        logs.text(),
    ];
    for output in &outputs {
        assert!(!output.contains(TOKEN), "the token shows in {output}");
        assert!(!output.contains(SHORT), "the short token shows in {output}");
        assert!(!output.contains(APP_SECRET), "the secret shows in {output}");
    }
    assert_eq!(
        error.to_string(),
        "Instagram refused the request (code 100): Invalid token [hidden] for secret [hidden]"
    );
    let logged = logs.text();
    assert!(
        logged.contains("call_count\\\":81") || logged.contains("call_count\":81"),
        "{logged}"
    );
    assert!(
        logged.contains("the usage is high"),
        "81 % is worth telling: {logged}"
    );
    assert!(
        logged.contains("/graph/v24.0/me?fields="),
        "the URL is logged: {logged}"
    );
}
