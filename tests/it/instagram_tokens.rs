//! Instagram tokens stay alive, against the demo peer: the hourly job refreshes a token a day old
//! within 15 days of its expiry and leaves fresh ones alone; a revoked token makes the account expired
//! with the reason in words and mails its owner a link to the Instagram reconnect button; throttling
//! leaves the account and its token as they were; a dead token found while naming a message's sender
//! expires the account the same way.

use chrono::Duration;
use vistaflow::demo::instagram::Peer;
use vistaflow::jobs;
use vistaflow::platforms::instagram::{DEMO_APP_SECRET, webhook};
use vistaflow::usecases::instagram::inbox;
use vistaflow::usecases::instagram::tokens::{self, Refreshed};

use crate::harness::{Browser, TestApp, logs};
use crate::instagram_support::{NOVA, NOVA_ID, callback_path, connect, consent, consent_link};

/// Nova's place in the demo's accounts.
const NOVA_INDEX: usize = 0;

fn peer(app: &TestApp) -> &Peer {
    app.demo.as_ref().unwrap().network.instagram()
}

/// The first column of the first row of `query`, as text.
fn text(app: &TestApp, query: &str) -> String {
    use diesel::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let rows: Vec<Row> = diesel::sql_query(format!("SELECT ({query})::text AS t"))
        .load(&mut app.db.connect())
        .expect("running test SQL");
    rows[0].t.clone()
}

/// Nova's workspace with its Instagram account connected through the consent screen: the owner's
/// browser and the account's id.
async fn connected(app: &TestApp) -> (Browser, i64) {
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    connect(app, &nova, NOVA).await;
    let id = app.number("SELECT id FROM social_accounts WHERE platform = 'instagram'");
    (nova, id)
}

/// Makes the account's token a day old and ten days from its expiry, here and on the demo.
fn make_due(app: &TestApp, id: i64) {
    app.sql(&format!(
        "UPDATE social_accounts SET session_expires_at = now() + interval '10 days', \
         token_refreshed_at = now() - interval '25 hours' WHERE id = {id}"
    ));
    peer(app).age_tokens(NOVA_INDEX, Duration::hours(25));
}

/// The account's sealed token, as stored.
fn sealed(app: &TestApp, id: i64) -> String {
    text(
        app,
        &format!("SELECT md5(ciphertext) FROM account_secrets WHERE account_id = {id}"),
    )
}

fn token_refreshed_at(app: &TestApp, id: i64) -> String {
    text(
        app,
        &format!("SELECT token_refreshed_at FROM social_accounts WHERE id = {id}"),
    )
}

#[tokio::test]
async fn the_hourly_job_refreshes_a_token_a_day_old_within_fifteen_days_of_its_expiry() {
    let app = TestApp::spawn_with_demo();
    let (_nova, id) = connected(&app).await;
    make_due(&app, id);
    let (before, issued) = (sealed(&app, id), peer(&app).live_tokens(NOVA_INDEX));

    let job = jobs::job("instagram-tokens").expect("the job is in JOBS");
    let ran = jobs::run_recorded(&app.state, job).await;

    assert!(ran.is_some(), "{}", logs());
    assert_eq!(job.schedule, "0 7 * * * *");
    assert_eq!(
        text(
            &app,
            "SELECT summary FROM job_runs WHERE job = 'instagram-tokens'"
        ),
        "tokens: 1 refreshed, 0 expired, 0 throttled, 0 failed"
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {id} AND status = 'active' \
             AND session_expires_at > now() + interval '50 days' \
             AND token_refreshed_at > now() - interval '1 minute'"
        )),
        1
    );
    assert_ne!(sealed(&app, id), before, "the new token is stored");
    assert_eq!(
        peer(&app).live_tokens(NOVA_INDEX),
        issued + 1,
        "Instagram issued a new token"
    );
}

#[tokio::test]
async fn a_fresh_token_and_one_far_from_its_expiry_are_left_alone() {
    let app = TestApp::spawn_with_demo();
    let (_nova, id) = connected(&app).await;
    let (before, issued) = (sealed(&app, id), peer(&app).live_tokens(NOVA_INDEX));

    let fresh = tokens::refresh_due(&app.state).await.unwrap();
    app.sql(&format!(
        "UPDATE social_accounts SET token_refreshed_at = now() - interval '25 hours' WHERE id = {id}"
    ));
    peer(&app).age_tokens(NOVA_INDEX, Duration::hours(25));
    let a_day_old = token_refreshed_at(&app, id);
    let far_from_expiry = tokens::refresh_due(&app.state).await.unwrap();

    assert_eq!(fresh, Refreshed::default());
    assert_eq!(far_from_expiry, Refreshed::default());
    assert_eq!(sealed(&app, id), before);
    assert_eq!(token_refreshed_at(&app, id), a_day_old);
    assert_eq!(
        peer(&app).live_tokens(NOVA_INDEX),
        issued,
        "no refresh was asked"
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {id} AND status = 'active' \
             AND session_expires_at > now() + interval '50 days'"
        )),
        1
    );
}

#[tokio::test]
async fn a_revoked_token_makes_the_account_expired_and_mails_a_link_to_the_instagram_reconnect_button()
 {
    let app = TestApp::spawn_with_demo();
    let (nova, id) = connected(&app).await;
    make_due(&app, id);
    peer(&app).revoke_tokens(NOVA_INDEX);

    let first = tokens::refresh_due(&app.state).await.unwrap();
    let second = tokens::refresh_due(&app.state).await.unwrap();

    assert_eq!(
        first,
        Refreshed {
            expired: 1,
            ..Refreshed::default()
        },
        "{}",
        logs()
    );
    assert_eq!(
        second,
        Refreshed::default(),
        "an expired account is not due"
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {id} AND status = 'expired' \
             AND status_reason = 'accounts.reason_token_dead'"
        )),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE kind = 'account_expired'"),
        1
    );
    let subject = text(
        &app,
        "SELECT subject FROM sent_emails WHERE kind = 'account_expired'",
    );
    assert_eq!(
        subject,
        "Your Instagram account @studio.nova.demo needs to be reconnected"
    );
    let body = text(
        &app,
        "SELECT body_text FROM sent_emails WHERE kind = 'account_expired'",
    );
    assert!(
        body.contains("Reconnect @studio.nova.demo on Instagram"),
        "{body}"
    );
    assert!(
        !body.contains("cookies") && !body.contains("TikTok"),
        "no pasted-session wording for an Instagram account: {body}"
    );

    let link = body
        .lines()
        .find(|l| l.starts_with("http"))
        .expect("a link")
        .trim();
    let path = &link[app.address.len()..];
    let page = nova.get(path.split('#').next().unwrap()).await;
    assert_eq!(page.path(), "/w/studio-nova/accounts");
    assert!(
        page.has(&format!(
            "#account-{id} button#reconnect-instagram-{id}[autofocus]"
        )),
        "the link opens the Accounts page with the Instagram reconnect button in focus: {path}"
    );
    assert!(!page.has(&format!("#account-{id} details.reconnect")));
    assert_eq!(
        page.text(&format!("#account-{id} .reason")),
        "Instagram no longer accepts VistaFlow's access: reconnect the account."
    );

    let started = nova
        .raw_post(
            &format!("/w/studio-nova/accounts/{id}/reconnect-instagram"),
            &[],
        )
        .await;
    let callback = consent(&consent_link(started).await, NOVA, "allow").await;
    nova.get(&callback_path(&callback)).await;
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {id} AND status = 'active' \
             AND expiry_alerted_at IS NULL"
        )),
        1,
        "one click and the consent screen reconnect it"
    );
}

#[tokio::test]
async fn throttling_leaves_the_account_active_and_its_token_as_it_was_until_the_next_run() {
    let app = TestApp::spawn_with_demo();
    let (_nova, id) = connected(&app).await;
    make_due(&app, id);
    let (before, refreshed_at) = (sealed(&app, id), token_refreshed_at(&app, id));
    peer(&app).throttle(NOVA_INDEX, Some(613));

    let throttled = tokens::refresh_due(&app.state).await.unwrap();

    assert_eq!(
        throttled,
        Refreshed {
            throttled: 1,
            ..Refreshed::default()
        }
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {id} AND status = 'active' \
             AND status_reason IS NULL AND consecutive_failures = 0"
        )),
        1
    );
    assert_eq!(sealed(&app, id), before);
    assert_eq!(token_refreshed_at(&app, id), refreshed_at);
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE kind LIKE 'account_expired%'"),
        0,
        "no mail for a throttled refresh"
    );

    peer(&app).throttle(NOVA_INDEX, None);
    let next_run = tokens::refresh_due(&app.state).await.unwrap();
    assert_eq!(next_run.refreshed, 1);
}

#[tokio::test]
async fn a_dead_token_found_while_naming_a_message_sender_makes_the_account_expired_too() {
    let app = TestApp::spawn_with_demo();
    app.demo
        .as_ref()
        .unwrap()
        .network
        .pause_audience(Some(chrono::Utc::now()));
    let (_nova, id) = connected(&app).await;
    peer(&app).revoke_tokens(NOVA_INDEX);
    let body = format!(
        r#"{{"object":"instagram","entry":[{{"id":"{NOVA_ID}","time":1765000000123,"messaging":[{{"sender":{{"id":"6100000000000042"}},"recipient":{{"id":"{NOVA_ID}"}},"timestamp":1765000000100,"message":{{"mid":"aWdfZAA42","text":"hi","is_echo":false}}}}]}}]}}"#
    );
    let signature = webhook::signature_header(DEMO_APP_SECRET.as_bytes(), body.as_bytes());
    let delivered = reqwest::Client::new()
        .post(format!("{}/webhooks/instagram", app.address))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status(), 200);

    inbox::drain(&app.state).await.unwrap();

    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {id} AND status = 'expired' \
             AND status_reason = 'accounts.reason_token_dead'"
        )),
        1,
        "{}",
        logs()
    );
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE kind = 'account_expired'"),
        1
    );
}
