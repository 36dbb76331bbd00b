//! The demo network's Instagram peer serves the endpoint contract: the consent screen, the token chain,
//! dead and throttled tokens, paged comments whose ids are those of the webhook deliveries, signed
//! deliveries, and the messaging windows. The demo runs alone here (no app, no database); a tiny local
//! HTTP server stands in for VistaFlow's webhook.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use hmac::{Hmac, Mac as _};
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use secrecy::SecretString;
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::mpsc;
use vistaflow::demo::DemoNetwork;
use vistaflow::demo::activity::{Event, Kind};
use vistaflow::demo::instagram::InstagramPeer;
use vistaflow::platforms::instagram::{DEMO_APP_ID, DEMO_APP_SECRET, SCOPES};

const REDIRECT: &str = "http://127.0.0.1:9/oauth/instagram/callback";
const NOVA: &str = "studio.nova.demo";

/// A demo network serving on a port of its own, and a client that does not follow redirects.
struct Peer {
    address: String,
    network: Arc<DemoNetwork>,
    http: reqwest::Client,
}

impl Peer {
    fn start(network: DemoNetwork) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let network = Arc::new(network);
        tokio::spawn(vistaflow::demo::serve(listener, network.clone()).unwrap());
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self {
            address,
            network,
            http,
        }
    }

    fn graph(&self, path: &str) -> String {
        format!("{}/instagram/graph/v24.0{path}", self.address)
    }

    /// Answers the consent screen for `username` with `decision` (allow or deny).
    async fn decide(&self, username: &str, decision: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/instagram/oauth/authorize", self.address))
            .form(&[
                ("client_id", DEMO_APP_ID),
                ("redirect_uri", REDIRECT),
                ("response_type", "code"),
                ("scope", SCOPES),
                ("state", "s-42"),
                ("username", username),
                ("decision", decision),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn code(&self, username: &str) -> String {
        let location = location(&self.decide(username, "allow").await);
        let url = url::Url::parse(&location).unwrap();
        url.query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap()
    }

    async fn exchange(&self, code: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/instagram/api/oauth/access_token", self.address))
            .form(&[
                ("client_id", DEMO_APP_ID),
                ("client_secret", DEMO_APP_SECRET),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
                ("code", code),
            ])
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn get(&self, url: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let response = self.http.get(url).query(query).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Connects `username` through the whole chain and returns its long-lived token.
    async fn long_lived_token(&self, username: &str) -> String {
        let (_, short) = self.exchange(&self.code(username).await).await;
        let short = short["data"][0]["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, long) = self
            .get(
                &format!("{}/instagram/graph/access_token", self.address),
                &[
                    ("grant_type", "ig_exchange_token"),
                    ("client_secret", DEMO_APP_SECRET),
                    ("access_token", &short),
                ],
            )
            .await;
        assert_eq!(status, 200, "{long}");
        long["access_token"].as_str().unwrap().to_owned()
    }

    async fn subscribe(&self, token: &str) {
        let response = self
            .http
            .post(self.graph("/me/subscribed_apps"))
            .query(&[
                ("subscribed_fields", "comments,messages"),
                ("access_token", token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    async fn send(&self, token: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.graph("/me/messages"))
            .query(&[("access_token", token)])
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A delivery the webhook received: its signature header and raw body.
struct Received {
    signature: String,
    body: Vec<u8>,
}

/// A local HTTP server that answers 200 to every POST and hands over what it received.
async fn webhook_receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/webhooks/instagram",
        listener.local_addr().unwrap().port()
    );
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut raw = Vec::new();
            let mut buffer = [0_u8; 8192];
            let (head_end, length) = loop {
                let n = stream.read(&mut buffer).await.unwrap();
                raw.extend_from_slice(&buffer[..n]);
                if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                    break (end + 4, length);
                }
            };
            while raw.len() < head_end + length {
                let n = stream.read(&mut buffer).await.unwrap();
                raw.extend_from_slice(&buffer[..n]);
            }
            let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
            let signature = head
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .starts_with("x-hub-signature-256:")
                        .then(|| l["x-hub-signature-256:".len()..].trim().to_owned())
                })
                .unwrap_or_default();
            let body = raw[head_end..head_end + length].to_vec();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await
                .unwrap();
            let _ = sender.send(Received { signature, body });
        }
    });
    (url, receiver)
}

/// A demo network whose simulated audience is still (the tests add what happens) and whose peer posts to
/// `webhook_url`.
fn quiet_network(webhook_url: String) -> DemoNetwork {
    let network = DemoNetwork::default().with_instagram(InstagramPeer {
        webhook_url,
        app_secret: SecretString::from(DEMO_APP_SECRET),
    });
    network.pause_audience(Some(Utc::now()));
    network
}

/// The first delivery whose body contains `needle` (the sender polls every two seconds).
async fn delivery_with(receiver: &mut mpsc::UnboundedReceiver<Received>, needle: &str) -> Received {
    let wait = async {
        loop {
            let delivery = receiver.recv().await.unwrap();
            if String::from_utf8_lossy(&delivery.body).contains(needle) {
                return delivery;
            }
        }
    };
    tokio::time::timeout(StdDuration::from_secs(15), wait)
        .await
        .expect("a delivery within 15 s")
}

fn expected_signature(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(DEMO_APP_SECRET.as_bytes()).unwrap();
    mac.update(body);
    let hex = mac
        .finalize()
        .into_bytes()
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    format!("sha256={hex}")
}

fn event(person: usize, kind: Kind, text: &str) -> Event {
    Event {
        at: Utc::now(),
        person,
        kind,
        text: Some(text.to_owned()),
    }
}

#[tokio::test]
async fn allowing_on_the_consent_screen_redirects_with_a_code_and_the_state() {
    let peer = Peer::start(DemoNetwork::default());

    let page = peer
        .http
        .get(format!("{}/instagram/oauth/authorize", peer.address))
        .query(&[
            ("force_reauth", "true"),
            ("client_id", DEMO_APP_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", "s-42"),
        ])
        .send()
        .await
        .unwrap();
    let html = Html::parse_document(&page.text().await.unwrap());
    let accounts: Vec<_> = html
        .select(&Selector::parse("input[name='username']").unwrap())
        .filter_map(|i| i.value().attr("value"))
        .collect();
    let allowed = peer.decide("lina.beats.demo", "allow").await;

    assert_eq!(accounts, ["studio.nova.demo", "lina.beats.demo"]);
    assert_eq!(allowed.status(), 302);
    let location = location(&allowed);
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")) && location.ends_with("&state=s-42#_"),
        "{location}"
    );
}

#[tokio::test]
async fn denying_on_the_consent_screen_redirects_with_access_denied_and_the_state() {
    let peer = Peer::start(DemoNetwork::default());

    let denied = peer.decide(NOVA, "deny").await;

    assert_eq!(denied.status(), 302);
    assert_eq!(
        location(&denied),
        format!(
            "{REDIRECT}?error=access_denied&error_reason=user_denied&error_description=Permissions+error&state=s-42"
        )
    );
}

#[tokio::test]
async fn a_bad_authorize_request_shows_an_error_page_and_never_redirects() {
    let peer = Peer::start(DemoNetwork::default());

    let response = peer
        .http
        .get(format!("{}/instagram/oauth/authorize", peer.address))
        .query(&[
            ("client_id", "another-app"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", SCOPES),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("client_id"));
}

#[tokio::test]
async fn an_authorization_code_is_exchanged_once() {
    let peer = Peer::start(DemoNetwork::default());
    let code = peer.code(NOVA).await;

    let (first_status, first) = peer.exchange(&code).await;
    let (second_status, second) = peer.exchange(&code).await;

    assert_eq!(first_status, 200, "{first}");
    assert_eq!(first["data"][0]["permissions"], SCOPES);
    assert!(
        first["data"][0]["access_token"]
            .as_str()
            .unwrap()
            .starts_with("IG")
    );
    assert_eq!(second_status, 400);
    assert_eq!(second["error"]["code"], 100);
    assert_eq!(second["error"]["type"], "OAuthException");
}

#[tokio::test]
async fn the_token_chain_reads_me_and_refreshes_a_long_lived_token_once_a_day_old() {
    let peer = Peer::start(DemoNetwork::default());
    let token = peer.long_lived_token("lina.beats.demo").await;
    let refresh_url = format!("{}/instagram/graph/refresh_access_token", peer.address);
    let refresh = [
        ("grant_type", "ig_refresh_token"),
        ("access_token", token.as_str()),
    ];

    let (_, me) = peer
        .get(
            &peer.graph("/me"),
            &[
                (
                    "fields",
                    "user_id,username,name,account_type,profile_picture_url",
                ),
                ("access_token", &token),
            ],
        )
        .await;
    let (too_young, _) = peer.get(&refresh_url, &refresh).await;
    peer.http
        .post(format!("{}/__demo/instagram/age", peer.address))
        .form(&[("username", "lina.beats.demo")])
        .send()
        .await
        .unwrap();
    let (refreshed_status, refreshed) = peer.get(&refresh_url, &refresh).await;

    assert_eq!(me["user_id"], "17841400000000002");
    assert_eq!(me["username"], "lina.beats.demo");
    assert_eq!(me["account_type"], "MEDIA_CREATOR");
    let picture = me["profile_picture_url"].as_str().unwrap();
    let svg = peer.http.get(picture).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert_eq!(too_young, 400);
    assert_eq!(refreshed_status, 200, "{refreshed}");
    assert_eq!(refreshed["token_type"], "bearer");
    assert_eq!(refreshed["expires_in"], 5_183_944);
}

#[tokio::test]
async fn an_expired_token_answers_190() {
    let peer = Peer::start(DemoNetwork::default());
    let token = peer.long_lived_token(NOVA).await;

    peer.http
        .post(format!("{}/__demo/instagram/expire", peer.address))
        .form(&[("username", NOVA)])
        .send()
        .await
        .unwrap();
    let (status, me) = peer
        .get(&peer.graph("/me"), &[("access_token", &token)])
        .await;
    let (_, refresh) = peer
        .get(
            &format!("{}/instagram/graph/refresh_access_token", peer.address),
            &[("grant_type", "ig_refresh_token"), ("access_token", &token)],
        )
        .await;

    assert_eq!(status, 400);
    assert_eq!(me["error"]["code"], 190);
    assert_eq!(refresh["error"]["code"], 190);
}

#[tokio::test]
async fn a_throttled_account_answers_the_throttling_code_until_it_is_cleared() {
    let peer = Peer::start(DemoNetwork::default());
    let token = peer.long_lived_token(NOVA).await;
    let throttle = |code: &'static str| {
        peer.http
            .post(format!("{}/__demo/instagram/throttle", peer.address))
            .form(&[("username", NOVA), ("code", code)])
            .send()
    };

    throttle("80002").await.unwrap();
    let (_, throttled) = peer
        .get(&peer.graph("/me"), &[("access_token", &token)])
        .await;
    throttle("").await.unwrap();
    let (status, _) = peer
        .get(&peer.graph("/me"), &[("access_token", &token)])
        .await;

    assert_eq!(throttled["error"]["code"], 80002);
    assert_eq!(status, 200);
}

#[tokio::test]
async fn comments_are_paged_with_stable_ids_equal_to_the_ids_the_sender_posts() {
    let (webhook, mut received) = webhook_receiver().await;
    let peer = Peer::start(quiet_network(webhook));
    let token = peer.long_lived_token(NOVA).await;
    peer.subscribe(&token).await;
    peer.network
        .add_event(NOVA, event(4, Kind::Comment, "how much for a custom beat?"));

    let delivery = delivery_with(&mut received, "how much for a custom beat?").await;
    let body: Value = serde_json::from_slice(&delivery.body).unwrap();
    let value = &body["entry"][0]["changes"][0]["value"];
    let (comment_id, media_id) = (
        value["id"].as_str().unwrap().to_owned(),
        value["media"]["id"].as_str().unwrap().to_owned(),
    );
    let mut ids = Vec::new();
    let mut first_page = Vec::new();
    let mut pages = 0;
    let mut next = Some(format!(
        "{}?limit=5&access_token={token}",
        peer.graph(&format!("/{media_id}/comments"))
    ));
    while let Some(url) = next {
        let page: Value = peer
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for comment in page["data"].as_array().unwrap() {
            if pages == 0 {
                first_page.push(comment["id"].clone());
            }
            ids.push(comment["id"].as_str().unwrap().to_owned());
            for reply in comment["replies"]["data"].as_array().unwrap() {
                ids.push(reply["id"].as_str().unwrap().to_owned());
            }
        }
        next = page["paging"]["next"].as_str().map(str::to_owned);
        pages += 1;
    }
    let again: Value = peer
        .get(
            &peer.graph(&format!("/{media_id}/comments")),
            &[("limit", "5"), ("access_token", &token)],
        )
        .await
        .1;

    assert_eq!(body["object"], "instagram");
    assert_eq!(body["entry"][0]["id"], "17841400000000001");
    assert!(comment_id.chars().all(|c| c.is_ascii_digit()));
    assert!(pages > 1, "{pages} page(s)");
    assert!(ids.contains(&comment_id), "{comment_id} not in {ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "an id came twice");
    let again_ids: Vec<Value> = again["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(again_ids, first_page);
    assert!(
        again["data"][0]["timestamp"]
            .as_str()
            .unwrap()
            .ends_with("+0000")
    );
}

#[tokio::test]
async fn a_delivery_the_sender_posts_carries_a_valid_signature_and_the_mid_of_the_conversation() {
    let (webhook, mut received) = webhook_receiver().await;
    let peer = Peer::start(quiet_network(webhook));
    let token = peer.long_lived_token(NOVA).await;
    peer.subscribe(&token).await;
    peer.network.add_event(
        NOVA,
        event(7, Kind::Message, "hi, are you free for a session?"),
    );

    let delivery = delivery_with(&mut received, "are you free for a session?").await;
    let body: Value = serde_json::from_slice(&delivery.body).unwrap();
    let (_, conversations) = peer
        .get(
            &peer.graph("/me/conversations"),
            &[("platform", "instagram"), ("access_token", &token)],
        )
        .await;

    assert_eq!(delivery.signature, expected_signature(&delivery.body));
    let item = &body["entry"][0]["messaging"][0];
    assert!(body["entry"][0]["time"].as_i64().unwrap() > 1_000_000_000_000);
    let latest = &conversations["data"][0]["messages"]["data"][0];
    assert_eq!(latest["id"], item["message"]["mid"]);
    assert_eq!(latest["from"]["id"], item["sender"]["id"]);
    assert_eq!(latest["message"], "hi, are you free for a session?");
}

#[tokio::test]
async fn a_direct_message_is_refused_outside_the_24_hour_window() {
    let network = DemoNetwork::new(2026, Utc::now() - Duration::days(10));
    network.pause_audience(Some(Utc::now() - Duration::days(9)));
    network.add_event(NOVA, event(5, Kind::Message, "still looking for a mix?"));
    let peer = Peer::start(network);
    let token = peer.long_lived_token(NOVA).await;
    let (_, conversations) = peer
        .get(
            &peer.graph("/me/conversations"),
            &[("access_token", &token)],
        )
        .await;
    let sender_of = |thread: &Value| thread["messages"]["data"][0]["from"]["id"].clone();
    let recent = sender_of(&conversations["data"][0]);
    let old = sender_of(&conversations["data"][1]);
    let message = |to: &Value| serde_json::json!({ "recipient": { "id": to }, "message": { "text": "Hello!" } });

    let (inside, sent) = peer.send(&token, &message(&recent)).await;
    let (outside, refused) = peer.send(&token, &message(&old)).await;

    assert_eq!(inside, 200, "{sent}");
    assert_eq!(sent["recipient_id"], recent);
    assert_eq!(outside, 400);
    assert_eq!(refused["error"]["code"], 10);
    assert_eq!(refused["error"]["error_subcode"], 2_534_022);
}

#[tokio::test]
async fn a_comment_gets_one_private_reply() {
    let peer = Peer::start(DemoNetwork::default());
    let token = peer.long_lived_token(NOVA).await;
    let (_, media) = peer
        .get(&peer.graph("/me/media"), &[("access_token", &token)])
        .await;
    let media_id = media["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, comments) = peer
        .get(
            &peer.graph(&format!("/{media_id}/comments")),
            &[("access_token", &token)],
        )
        .await;
    let reply = serde_json::json!({
        "recipient": { "comment_id": comments["data"][0]["id"] },
        "message": { "text": "Sent you the price list!" },
    });

    let (first, _) = peer.send(&token, &reply).await;
    let (second, refused) = peer.send(&token, &reply).await;

    assert_eq!(first, 200);
    assert_eq!(second, 400);
    assert_eq!(refused["error"]["code"], 10);
}

#[tokio::test]
async fn the_control_page_sends_a_delivery_with_a_wrong_signature_and_lists_it() {
    let (webhook, mut received) = webhook_receiver().await;
    let peer = Peer::start(quiet_network(webhook));

    peer.http
        .post(format!("{}/__demo/instagram/wrong-signature", peer.address))
        .send()
        .await
        .unwrap();
    let delivery = delivery_with(&mut received, "This is an example.").await;
    tokio::time::sleep(StdDuration::from_millis(100)).await;
    let page = peer
        .http
        .get(format!("{}/__demo", peer.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert!(delivery.signature.starts_with("sha256="));
    assert_ne!(delivery.signature, expected_signature(&delivery.body));
    let html = Html::parse_document(&page);
    let rows: Vec<String> = html
        .select(&Selector::parse("table[data-demo='instagram-deliveries'] tr td").unwrap())
        .map(|td| td.text().collect())
        .collect();
    assert!(
        rows.iter().any(|t| t.starts_with("wrong signature")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|t| t == "200"), "{rows:?}");
}

#[tokio::test]
async fn the_consent_screen_speaks_french_when_the_demo_does() {
    let peer = Peer::start(DemoNetwork::default());
    peer.network.set_french(true);

    let page = peer
        .http
        .get(format!("{}/instagram/oauth/authorize", peer.address))
        .query(&[
            ("client_id", DEMO_APP_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", SCOPES),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let html = Html::parse_document(&page);
    let permissions: Vec<String> = html
        .select(&Selector::parse("ul[data-demo='permissions'] li").unwrap())
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(
        permissions,
        [
            "voir votre profil",
            "gérer vos commentaires",
            "gérer vos messages"
        ]
    );
}
