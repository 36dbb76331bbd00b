//! Connecting Instagram through the demo network's consent screen, as a creator does: the state is
//! checked (single use, this session), the account is stored with its sealed token and subscribed,
//! declines and duplicates are said in words, disconnecting unsubscribes; and a comment written on
//! the demo reaches the Leads through the signed webhook.

use chrono::Utc;
use vistaflow::demo::activity::{Event, Kind};
use vistaflow::usecases::instagram::inbox;

use crate::harness::{TestApp, logs};
use crate::instagram_support::{
    NOVA, NOVA_ID, callback_path, connect, consent, open_consent, query,
};

#[tokio::test]
async fn connecting_instagram_goes_through_the_consent_screen_and_stores_the_account_with_a_sealed_token()
 {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;

    let consent_url = open_consent(&nova).await;
    assert_eq!(
        query(&consent_url, "client_id").as_deref(),
        Some("demo-instagram-app")
    );
    assert_eq!(
        query(&consent_url, "scope").as_deref(),
        Some(
            "instagram_business_basic,instagram_business_manage_comments,instagram_business_manage_messages"
        )
    );
    assert_eq!(
        query(&consent_url, "redirect_uri"),
        Some(format!("{}/oauth/instagram/callback", app.address))
    );
    let callback = consent(&consent_url, NOVA, "allow").await;
    let page = nova.get(&callback_path(&callback)).await;

    assert_eq!(page.path(), "/w/studio-nova/accounts");
    assert!(
        page.text(".flash").contains("@studio.nova.demo"),
        "{}",
        page.text(".flash")
    );
    assert!(page.has("#accounts"));
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE platform = 'instagram' AND handle = '{NOVA}' \
             AND external_id = '{NOVA_ID}' AND connected_via = 'oauth' AND status = 'active' \
             AND session_expires_at > now() + interval '50 days'"
        )),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM account_secrets WHERE purpose = 'instagram_token'"),
        1
    );
    assert!(
        app.demo
            .as_ref()
            .unwrap()
            .network
            .instagram()
            .is_subscribed(0)
    );
    assert_eq!(
        app.number("SELECT count(*) FROM audit_events WHERE action = 'account.connected' AND details->>'via' = 'oauth'"),
        1
    );
}

#[tokio::test]
async fn a_callback_is_taken_once_and_only_in_the_session_that_opened_it() {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    let other = app
        .registered("Lina", "lina@example.com", "Lina Beats")
        .await;

    let consent_url = open_consent(&nova).await;
    let callback = callback_path(&consent(&consent_url, NOVA, "allow").await);
    let foreign = other.get(&callback).await;
    assert!(
        foreign.text(".flash").contains("another session"),
        "{}",
        foreign.body
    );

    let again = nova.get(&callback).await;
    assert!(
        again.text(".flash").contains("already used"),
        "{}",
        again.body
    );
    let unknown = nova
        .get("/oauth/instagram/callback?code=abc&state=never-issued")
        .await;
    assert!(
        unknown.text(".flash").contains("not one VistaFlow opened"),
        "{}",
        unknown.body
    );
    let missing = nova.get("/oauth/instagram/callback?code=abc").await;
    assert!(missing.text(".flash").contains("not one VistaFlow opened"));

    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 0);
}

#[tokio::test]
async fn declining_on_the_consent_screen_connects_nothing_and_says_how_to_try_again() {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;

    let consent_url = open_consent(&nova).await;
    let callback = consent(&consent_url, NOVA, "deny").await;
    assert_eq!(query(&callback, "error").as_deref(), Some("access_denied"));
    let page = nova.get(&callback_path(&callback)).await;

    assert_eq!(page.path(), "/w/studio-nova/accounts");
    assert!(
        page.text(".flash").contains("declined"),
        "{}",
        page.text(".flash")
    );
    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 0);
}

#[tokio::test]
async fn the_same_instagram_account_twice_in_a_workspace_is_refused() {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;

    connect(&app, &nova, NOVA).await;
    let second = connect(&app, &nova, NOVA).await;

    assert!(
        second.text(".flash").contains("already connected"),
        "{}",
        second.text(".flash")
    );
    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 1);
}

#[tokio::test]
async fn disconnecting_unsubscribes_the_app_and_deletes_the_token() {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    connect(&app, &nova, NOVA).await;
    let id = app.number("SELECT id FROM social_accounts");

    let page = nova
        .post(&format!("/w/studio-nova/accounts/{id}/disconnect"), &[])
        .await;

    assert_eq!(page.status, 200);
    assert!(
        !app.demo
            .as_ref()
            .unwrap()
            .network
            .instagram()
            .is_subscribed(0)
    );
    assert_eq!(app.number("SELECT count(*) FROM account_secrets"), 0);
    assert_eq!(
        app.number("SELECT count(*) FROM social_accounts WHERE status = 'disconnected'"),
        1
    );
}

#[tokio::test]
async fn a_comment_written_on_the_demo_reaches_the_leads_through_the_signed_webhook() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap();
    demo.network.pause_audience(Some(Utc::now()));
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    connect(&app, &nova, NOVA).await;

    demo.network.add_event(
        NOVA,
        Event {
            at: Utc::now(),
            person: 3,
            kind: Kind::Comment,
            text: Some("how much for a custom beat?".to_owned()),
        },
    );
    let mut stored = 0;
    for _ in 0..50 {
        inbox::drain(&app.state).await.unwrap();
        stored = app.number(
            "SELECT count(*) FROM interactions WHERE platform = 'instagram' AND kind = 'comment' \
             AND text = 'how much for a custom beat?' AND external_id IS NOT NULL",
        );
        if stored > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    assert_eq!(stored, 1, "{}", logs());
    let leads = nova.get("/w/studio-nova/leads?platform=instagram").await;
    assert_eq!(leads.status, 200);
    // The backfill at connect stored the account's earlier comments too: this one has its own lead.
    assert_eq!(
        app.number(
            "SELECT count(*) FROM leads l JOIN interactions i ON i.lead_id = l.id \
             WHERE l.platform = 'instagram' AND i.text = 'how much for a custom beat?'"
        ),
        1
    );
}

#[tokio::test]
async fn check_now_asks_instagram_and_a_revoked_access_makes_the_account_expired() {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    connect(&app, &nova, NOVA).await;
    let id = app.number("SELECT id FROM social_accounts");

    let active = nova
        .post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;
    assert_eq!(
        app.number("SELECT count(*) FROM social_accounts WHERE status = 'active'"),
        1,
        "{}",
        active.text(".flash")
    );

    app.demo
        .as_ref()
        .unwrap()
        .network
        .instagram()
        .revoke_tokens(0);
    let page = nova
        .post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;

    assert_eq!(
        app.number(
            "SELECT count(*) FROM social_accounts WHERE status = 'expired' \
             AND status_reason = 'accounts.reason_token_dead'"
        ),
        1
    );
    assert!(
        page.text(&format!("#account-{id} .reason"))
            .contains("reconnect")
    );
    assert!(page.has(&format!("#reconnect-instagram-{id}")));
}

#[tokio::test]
async fn erasing_an_instagram_lead_forgets_the_name_behind_their_id_too() {
    let app = TestApp::spawn_with_demo();
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    connect(&app, &nova, NOVA).await;
    let workspace = app.number("SELECT id FROM workspaces");
    app.sql(&format!(
        "INSERT INTO leads (workspace_id, platform, handle, first_seen_at, last_interaction_at) \
         VALUES ({workspace}, 'instagram', 'nina', now(), now())"
    ));
    app.sql(&format!(
        "INSERT INTO platform_people (account_id, workspace_id, external_id, handle) \
         SELECT id, {workspace}, '610', 'nina' FROM social_accounts"
    ));
    let lead = app.number("SELECT id FROM leads WHERE handle = 'nina'");

    nova.post(
        &format!("/w/studio-nova/leads/{lead}/erase"),
        &[("confirm", "yes")],
    )
    .await;

    assert_eq!(
        app.number("SELECT count(*) FROM platform_people WHERE handle = 'nina'"),
        0
    );
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'nina'"),
        0
    );
}

#[tokio::test]
async fn a_creator_connects_a_demo_instagram_account_in_a_real_browser() {
    let app = TestApp::spawn_with_demo();
    let chrome = crate::chrome::Chrome::start().await;
    crate::review::register(&chrome, &format!("{}/register", app.address)).await;
    chrome
        .driver
        .goto(format!("{}/w/studio-nova/accounts", app.address))
        .await
        .unwrap();

    chrome.click("#connect-instagram-button").await;
    chrome.wait_for_path("/instagram/oauth/authorize").await;
    chrome.click("button[name=decision][value=allow]").await;
    chrome.wait_for_path("/w/studio-nova/accounts").await;

    chrome
        .wait_for_text_containing(".flash", "@studio.nova.demo is connected")
        .await;
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE platform = 'instagram' AND external_id = '{NOVA_ID}'"
        )),
        1
    );
    chrome.quit().await;
}
