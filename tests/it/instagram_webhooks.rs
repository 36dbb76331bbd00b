//! Instagram's webhook: the subscription check, signed deliveries kept in the inbox and acknowledged at
//! once, and the worker that turns them into interactions (idempotent, echoes outgoing, unknown accounts
//! and malformed bodies kept and visible to admins, replayable).

use vistaflow::platforms::instagram::{self, webhook};
use vistaflow::usecases::instagram::inbox;

use crate::admin::site_admin;
use crate::harness::TestApp;

/// The professional account id the tests' connected account has.
const ACCOUNT: &str = "17841400000000001";

fn app() -> TestApp {
    TestApp::spawn_with(&[
        ("INSTAGRAM_APP_ID", "test-app"),
        ("INSTAGRAM_APP_SECRET", "test-secret"),
        ("INSTAGRAM_WEBHOOK_VERIFY_TOKEN", "test-verify"),
    ])
}

/// A workspace with an Instagram account connected (as the OAuth flow leaves it): answers the
/// workspace's id.
async fn connected(app: &TestApp) -> i64 {
    app.registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    let workspace = app.number("SELECT id FROM workspaces WHERE slug = 'studio-nova'");
    app.sql(&format!(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via, external_id) \
         VALUES ({workspace}, 'instagram', 'studio.nova', 'active', 'oauth', '{ACCOUNT}')"
    ));
    workspace
}

async fn post(app: &TestApp, body: &str, signature: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/webhooks/instagram", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await.expect("POST /webhooks/instagram")
}

async fn deliver(app: &TestApp, body: &str) -> reqwest::Response {
    post(
        app,
        body,
        Some(&webhook::signature_header(b"test-secret", body.as_bytes())),
    )
    .await
}

fn comment(id: &str, username: &str, text: &str) -> String {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1765000000,"changes":[{{"field":"comments","value":{{"id":"{id}","from":{{"id":"9{id}","username":"{username}"}},"text":"{text}","media":{{"id":"18100000000000001","media_product_type":"FEED"}}}}}}]}}]}}"#
    )
}

fn message(mid: &str, sender: &str, recipient: &str, text: &str, echo: bool) -> String {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"{ACCOUNT}","time":1765000000123,"messaging":[{{"sender":{{"id":"{sender}"}},"recipient":{{"id":"{recipient}"}},"timestamp":1765000000100,"message":{{"mid":"{mid}","text":"{text}","is_echo":{echo}}}}}]}}]}}"#
    )
}

#[tokio::test]
async fn the_subscription_check_answers_the_challenge_only_for_the_right_token() {
    let app = app();
    let client = reqwest::Client::new();
    let check = |mode: &str, token: &str| {
        client
            .get(format!(
                "{}/webhooks/instagram?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444",
                app.address
            ))
            .send()
    };

    let ok = check("subscribe", "test-verify").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    assert_eq!(check("subscribe", "wrong").await.unwrap().status(), 403);
    assert_eq!(
        check("unsubscribe", "test-verify").await.unwrap().status(),
        403
    );
}

#[tokio::test]
async fn a_delivery_with_a_wrong_or_missing_signature_is_refused_and_nothing_is_stored() {
    let app = app();
    let body = comment("17900000000000001", "nina", "price?");

    let wrong = webhook::signature_header(b"another-secret", body.as_bytes());
    assert_eq!(post(&app, &body, Some(&wrong)).await.status(), 403);
    assert_eq!(post(&app, &body, None).await.status(), 403);
    assert_eq!(post(&app, &body, Some("sha256=zz")).await.status(), 403);

    assert_eq!(app.number("SELECT count(*) FROM webhook_deliveries"), 0);
}

#[tokio::test]
async fn a_signed_comment_is_acknowledged_at_once_then_becomes_its_leads_interaction() {
    let app = app();
    let workspace = connected(&app).await;

    let answer = deliver(
        &app,
        &comment("17900000000000001", "Nina.Beats", "how much for a beat?"),
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE status = 'received'"),
        1,
        "kept before it is processed"
    );

    let drained = inbox::drain(&app.state).await.unwrap();

    assert_eq!((drained.processed, drained.events), (1, 1));
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM interactions WHERE workspace_id = {workspace} AND platform = 'instagram' \
             AND kind = 'comment' AND actor_handle = 'nina.beats' AND external_id = '17900000000000001' \
             AND text = 'how much for a beat?' AND occurred_at = to_timestamp(1765000000)"
        )),
        1
    );
    assert_eq!(
        app.number(&format!(
            "SELECT interactions_count FROM leads WHERE workspace_id = {workspace} AND platform = 'instagram' AND handle = 'nina.beats'"
        )),
        1
    );
    assert_eq!(
        app.number(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'processed' AND events = 1"
        ),
        1
    );
}

#[tokio::test]
async fn the_same_comment_delivered_again_is_stored_once() {
    let app = app();
    connected(&app).await;
    let body = comment("17900000000000002", "nina", "price?");

    for _ in 0..3 {
        assert_eq!(deliver(&app, &body).await.status(), 200);
    }
    inbox::drain(&app.state).await.unwrap();
    assert_eq!(deliver(&app, &body).await.status(), 200);
    inbox::drain(&app.state).await.unwrap();

    assert_eq!(app.number("SELECT count(*) FROM interactions"), 1);
    assert_eq!(app.number("SELECT interactions_count FROM leads"), 1);
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE status = 'processed'"),
        4
    );
}

#[tokio::test]
async fn an_echo_is_the_creators_own_message_and_does_not_count_for_the_person() {
    let app = app();
    let workspace = connected(&app).await;
    let person = "6100000000000001";
    app.sql(&format!(
        "INSERT INTO platform_people (account_id, workspace_id, external_id, handle) \
         SELECT id, {workspace}, '{person}', 'nina' FROM social_accounts"
    ));

    deliver(
        &app,
        &message(
            "aWdfZAA1",
            person,
            ACCOUNT,
            "hi! is the beat still free?",
            false,
        ),
    )
    .await;
    deliver(
        &app,
        &message("aWdfZAA2", ACCOUNT, person, "yes it is", true),
    )
    .await;
    inbox::drain(&app.state).await.unwrap();

    assert_eq!(
        app.number("SELECT count(*) FROM interactions WHERE actor_handle = 'nina' AND kind = 'message' AND direction = 'incoming' AND actor_external_id = '6100000000000001'"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM interactions WHERE actor_handle = 'nina' AND kind = 'message' AND direction = 'outgoing'"),
        1
    );
    assert_eq!(
        app.number("SELECT interactions_count FROM leads WHERE handle = 'nina'"),
        1
    );
}

#[tokio::test]
async fn a_delivery_for_an_account_no_workspace_connected_is_kept_and_ignored() {
    let app = app();
    connected(&app).await;
    let body = comment("17900000000000003", "nina", "hello").replace(ACCOUNT, "17841499999999999");

    deliver(&app, &body).await;
    let drained = inbox::drain(&app.state).await.unwrap();

    assert_eq!(
        (drained.processed, drained.ignored, drained.events),
        (1, 1, 0)
    );
    assert_eq!(app.number("SELECT count(*) FROM interactions"), 0);
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE status = 'processed' AND ignored_events = 1"),
        1
    );
}

#[tokio::test]
async fn a_signed_but_malformed_body_is_kept_failed_listed_for_admins_and_replayable() {
    let app = app();
    connected(&app).await;
    let admin = site_admin(&app).await;

    assert_eq!(
        deliver(&app, "{\"object\":\"instagram\",\"entry\":")
            .await
            .status(),
        200
    );
    let drained = inbox::drain(&app.state).await.unwrap();
    assert_eq!(drained.failed, 1);

    let page = admin.get("/admin/deliveries?status=failed").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("#delivery-rows tbody tr").len(), 1);
    assert!(
        !page.text("#delivery-rows .error").is_empty(),
        "the failure says why"
    );
    let id = app.number("SELECT id FROM webhook_deliveries");

    let replayed = admin
        .post(&format!("/admin/deliveries/{id}/replay"), &[])
        .await;
    assert_eq!(replayed.status, 200);
    assert_eq!(
        app.number("SELECT count(*) FROM webhook_deliveries WHERE status = 'received'"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM audit_events WHERE action = 'delivery.replayed'"),
        1
    );
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_before_it_is_stored() {
    let app = app();
    let body = comment("1", "nina", &"x".repeat(inbox::MAX_BODY_BYTES));

    let answer = deliver(&app, &body).await;

    assert_eq!(answer.status(), 413);
    assert_eq!(app.number("SELECT count(*) FROM webhook_deliveries"), 0);
}

#[tokio::test]
async fn without_the_apps_variables_the_webhook_answers_nothing_and_the_accounts_page_says_what_to_set()
 {
    let app = TestApp::spawn();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    let body = comment("1", "nina", "hi");

    let answer = post(
        &app,
        &body,
        Some(&webhook::signature_header(b"", body.as_bytes())),
    )
    .await;

    assert_eq!(answer.status(), 404);
    let page = nova.get("/w/studio-nova/accounts").await;
    let hint = page.text("#instagram-not-configured");
    for variable in [
        instagram::APP_ID_VARIABLE,
        instagram::APP_SECRET_VARIABLE,
        instagram::VERIFY_TOKEN_VARIABLE,
    ] {
        assert!(hint.contains(variable), "{hint}");
    }
    assert!(!page.has("#connect-instagram-button"));
}
