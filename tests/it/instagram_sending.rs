//! "Send on Instagram" on the Review page: one click sends one approved message into the person's
//! conversation within 24 hours of their message, or as the one private reply to their comment; outside
//! those windows only "copy and open profile" is offered, with the window's end shown.

use chrono::Utc;
use vistaflow::demo::activity::{Event, Kind};
use vistaflow::usecases::instagram::inbox;

use crate::harness::{TestApp, logs};
use crate::instagram_support::{NOVA, connect};

/// A demo person writes (a message or a comment) to the connected account; answers once it is stored.
async fn written(app: &TestApp, kind: Kind, text: &str) {
    let demo = app.demo.as_ref().unwrap();
    demo.network.add_event(
        NOVA,
        Event {
            at: Utc::now(),
            person: 5,
            kind,
            text: Some(text.to_owned()),
        },
    );
    for _ in 0..60 {
        inbox::drain(&app.state).await.unwrap();
        let stored = app.number(&format!(
            "SELECT count(*) FROM interactions WHERE text = '{text}' AND external_id IS NOT NULL"
        ));
        if stored > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("{text:?} never arrived\n{}", logs());
}

/// An approved draft to the lead who wrote `wrote`, from the account: answers its id.
fn approved(app: &TestApp, wrote: &str, body: &str) -> i64 {
    app.sql(&format!(
        "INSERT INTO suggested_messages (workspace_id, lead_id, body, language, source, status, account_id, approved_at) \
         SELECT DISTINCT l.workspace_id, l.id, '{body}', 'en', 'built_in', 'approved', i.account_id, now() \
         FROM leads l JOIN interactions i ON i.lead_id = l.id WHERE i.text = '{wrote}'"
    ));
    app.number(&format!(
        "SELECT id FROM suggested_messages WHERE body = '{body}'"
    ))
}

async fn ready_app() -> (TestApp, crate::harness::Browser) {
    let app = TestApp::spawn_with_demo();
    app.demo
        .as_ref()
        .unwrap()
        .network
        .pause_audience(Some(Utc::now()));
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    connect(&app, &nova, NOVA).await;
    (app, nova)
}

#[tokio::test]
async fn a_message_within_the_window_is_sent_on_instagram_with_one_click_and_recorded_with_its_id()
{
    let (app, nova) = ready_app().await;
    written(&app, Kind::Message, "hi! do you sell beats?").await;
    let id = approved(
        &app,
        "hi! do you sell beats?",
        "Hey, thanks for writing! Yes, have a look at the store.",
    );

    let review = nova.get("/w/studio-nova/review").await;
    assert!(
        review.has(&format!("#send-instagram-{id}")),
        "{}",
        review.body
    );
    let sent = nova
        .post(&format!("/w/studio-nova/review/{id}/send-instagram"), &[])
        .await;

    assert!(
        sent.text(".flash").contains("Sent on Instagram"),
        "{}",
        sent.text(".flash")
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM suggested_messages WHERE id = {id} AND status = 'sent' \
             AND sent_via = 'instagram' AND platform_message_id IS NOT NULL"
        )),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE status = 'contacted'"),
        1
    );
    let on_demo = app.demo.as_ref().unwrap().network.instagram().sent();
    assert_eq!(on_demo.len(), 1);
    assert_eq!(
        on_demo[0].text,
        "Hey, thanks for writing! Yes, have a look at the store."
    );

    let again = nova
        .post(&format!("/w/studio-nova/review/{id}/send-instagram"), &[])
        .await;
    assert_eq!(again.status, 404, "a sent message is not sent twice");
    assert_eq!(
        app.demo.as_ref().unwrap().network.instagram().sent().len(),
        1
    );
}

#[tokio::test]
async fn outside_the_24_hour_window_only_copy_and_open_profile_is_offered_with_the_windows_end() {
    let (app, nova) = ready_app().await;
    written(&app, Kind::Message, "are you still taking orders?").await;
    // Someone who only wrote, two days ago (their comments read at connect are not part of this story).
    app.sql("DELETE FROM interactions WHERE kind <> 'message'");
    app.sql("UPDATE interactions SET occurred_at = now() - interval '2 days'");
    let id = approved(
        &app,
        "are you still taking orders?",
        "Sorry for the late answer!",
    );

    let review = nova.get("/w/studio-nova/review").await;
    assert!(!review.has(&format!("#send-instagram-{id}")));
    assert!(
        review
            .text(&format!("#window-closed-{id}"))
            .contains("24-hour window")
    );
    assert!(review.has(&format!("#copy-{id}")) && review.has(&format!("#open-{id}")));

    let refused = nova
        .post(&format!("/w/studio-nova/review/{id}/send-instagram"), &[])
        .await;
    assert!(
        refused.text(".flash").contains("copy the message"),
        "{}",
        refused.text(".flash")
    );
    assert_eq!(
        app.number(&format!("SELECT count(*) FROM suggested_messages WHERE id = {id} AND status = 'approved' AND send_started_at IS NULL")),
        1
    );
    assert!(
        app.demo
            .as_ref()
            .unwrap()
            .network
            .instagram()
            .sent()
            .is_empty()
    );
}

#[tokio::test]
async fn a_comment_gets_one_private_reply_and_no_second() {
    let (app, nova) = ready_app().await;
    written(&app, Kind::Comment, "how much for a custom beat?").await;
    // Someone who only commented: their earlier messages (read at connect) are not part of this story.
    app.sql("DELETE FROM interactions WHERE kind = 'message'");
    let first = approved(
        &app,
        "how much for a custom beat?",
        "Sent you the prices in private!",
    );

    let sent = nova
        .post(
            &format!("/w/studio-nova/review/{first}/send-instagram"),
            &[],
        )
        .await;
    assert!(
        sent.text(".flash").contains("private reply"),
        "{}",
        sent.text(".flash")
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM suggested_messages WHERE id = {first} AND reply_to_comment IS NOT NULL AND status = 'sent'"
        )),
        1
    );

    let second = approved(
        &app,
        "how much for a custom beat?",
        "One more thing about the beat",
    );
    let review = nova.get("/w/studio-nova/review").await;
    assert!(
        !review.has(&format!("#send-instagram-{second}")),
        "one private reply per comment"
    );
}
