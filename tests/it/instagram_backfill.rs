//! The Instagram backfill against the demo peer: what was written before connecting is read at connect
//! (comments with their replies, conversations with their latest messages), a second run stores nothing
//! new, an event the webhook delivered is not stored again, and a dead token or throttling stops a run
//! without losing anything.

use std::collections::HashMap;

use chrono::Utc;
use vistaflow::demo::activity::{Event, Kind};
use vistaflow::demo::instagram::ACCOUNTS;
use vistaflow::demo::instagram::world::World;
use vistaflow::jobs;
use vistaflow::usecases::instagram::backfill::{self, NotBackfilled};
use vistaflow::usecases::instagram::inbox;

use crate::harness::{TestApp, logs};
use crate::instagram_support::{NOVA, connect};

/// The demo's conversations hold the 20 latest messages of each thread.
const LATEST_MESSAGES: usize = 20;

/// What the backfill can read on Nova's demo account: its comments, and its messages (the 20 latest of
/// each conversation).
fn readable(app: &TestApp) -> (i64, i64) {
    let network = &app.demo.as_ref().unwrap().network;
    let world = World::read(network, ACCOUNTS[0], &[]);
    let mut per_person: HashMap<usize, usize> = HashMap::new();
    for message in &world.messages {
        *per_person.entry(message.person).or_default() += 1;
    }
    let messages: usize = per_person.values().map(|n| (*n).min(LATEST_MESSAGES)).sum();
    (
        i64::try_from(world.comments.len()).unwrap(),
        i64::try_from(messages).unwrap(),
    )
}

fn stored(app: &TestApp, kind: &str) -> i64 {
    app.number(&format!(
        "SELECT count(*) FROM interactions WHERE platform = 'instagram' AND kind = '{kind}' \
         AND external_id IS NOT NULL"
    ))
}

/// Waits until the backfill at connect stored everything the demo holds; answers (comments, messages).
async fn backfilled_at_connect(app: &TestApp) -> (i64, i64) {
    let expected = readable(app);
    let mut found = (0, 0);
    for _ in 0..150 {
        found = (stored(app, "comment"), stored(app, "message"));
        if found == expected {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!(
        "the backfill stored {found:?}, not {expected:?}: {}",
        logs()
    );
}

/// A workspace with Nova's demo account connected while the demo's audience is still, and the
/// account's (workspace, id).
async fn connected(app: &TestApp) -> (i64, i64) {
    app.demo
        .as_ref()
        .unwrap()
        .network
        .pause_audience(Some(Utc::now()));
    let nova = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    let page = connect(app, &nova, NOVA).await;
    assert!(
        page.text(".flash").contains("reading your recent comments"),
        "{}",
        page.text(".flash")
    );
    (
        app.number("SELECT workspace_id FROM social_accounts"),
        app.number("SELECT id FROM social_accounts"),
    )
}

fn write(app: &TestApp, kind: Kind, text: &str) {
    app.demo.as_ref().unwrap().network.add_event(
        NOVA,
        Event {
            at: Utc::now(),
            person: 3,
            kind,
            text: Some(text.to_owned()),
        },
    );
}

#[tokio::test]
async fn comments_and_messages_written_before_connecting_are_stored_at_connect_with_their_leads() {
    let app = TestApp::spawn_with_demo();

    connected(&app).await;
    let (comments, messages) = backfilled_at_connect(&app).await;

    assert!(comments > 0 && messages > 0, "{comments} {messages}");
    assert_eq!(
        app.number(
            "SELECT count(*) FROM interactions i JOIN leads l ON l.id = i.lead_id \
             WHERE i.platform = 'instagram' AND l.platform = 'instagram' AND l.handle = i.actor_handle"
        ),
        comments + messages
    );
    assert_eq!(
        app.number(
            "SELECT count(*) FROM interactions WHERE platform = 'instagram' AND post_ref IS NULL \
             AND kind = 'comment'"
        ),
        0
    );
    assert!(
        app.number("SELECT count(*) FROM platform_people") > 0,
        "the senders' usernames are remembered"
    );
    let mut analysed = 0;
    for _ in 0..50 {
        analysed = app.number(
            "SELECT count(*) FROM leads WHERE platform = 'instagram' AND analysed_at IS NOT NULL",
        );
        if analysed > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(analysed > 0, "{}", logs());
}

#[tokio::test]
async fn a_second_backfill_by_the_scheduled_job_stores_nothing_new() {
    let app = TestApp::spawn_with_demo();
    connected(&app).await;
    let before = backfilled_at_connect(&app).await;

    let run = jobs::run_recorded(&app.state, jobs::job("instagram-backfill").unwrap()).await;

    assert!(run.is_some());
    assert_eq!((stored(&app, "comment"), stored(&app, "message")), before);
    assert_eq!(
        app.number(
            "SELECT count(*) FROM job_runs WHERE job = 'instagram-backfill' AND status = 'succeeded' \
             AND summary LIKE '1 accounts read, 0 interactions stored, 0 throttled%'"
        ),
        1,
        "{}",
        logs()
    );
}

#[tokio::test]
async fn an_event_delivered_by_the_webhook_and_read_by_the_backfill_is_stored_once() {
    let app = TestApp::spawn_with_demo();
    let (workspace_id, account_id) = connected(&app).await;
    backfilled_at_connect(&app).await;

    write(&app, Kind::Comment, "is the loop kit still available?");
    write(&app, Kind::Message, "can we talk about a feature?");
    let count = |text: &str| {
        app.number(&format!(
            "SELECT count(*) FROM interactions WHERE text = '{text}'"
        ))
    };
    for _ in 0..50 {
        inbox::drain(&app.state).await.unwrap();
        if count("is the loop kit still available?") + count("can we talk about a feature?") == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        count("is the loop kit still available?") + count("can we talk about a feature?"),
        2,
        "the webhook stored both: {}",
        logs()
    );
    let done = backfill::backfill(&app.state, workspace_id, account_id)
        .await
        .unwrap();

    assert!(done.comments > 0 && done.messages > 0, "{done:?}");
    assert_eq!(done.stored, 0, "{done:?}");
    assert_eq!(count("is the loop kit still available?"), 1);
    assert_eq!(count("can we talk about a feature?"), 1);
}

#[tokio::test]
async fn an_expired_token_stops_the_backfill_without_storing_anything() {
    let app = TestApp::spawn_with_demo();
    let (workspace_id, account_id) = connected(&app).await;
    let before = backfilled_at_connect(&app).await;
    let demo = app.demo.as_ref().unwrap();
    demo.network.instagram().revoke_tokens(ACCOUNTS[0].index);
    write(&app, Kind::Comment, "written after the token died");

    let outcome = backfill::backfill(&app.state, workspace_id, account_id).await;

    assert!(
        matches!(outcome, Err(NotBackfilled::TokenDead(_))),
        "{outcome:?}"
    );
    assert_eq!((stored(&app, "comment"), stored(&app, "message")), before);
    // The backfill reports the dead token and the account turns expired, with the reason in words.
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {account_id} AND status = 'expired' AND status_reason = 'accounts.reason_token_dead'"
        )),
        1
    );
}

#[tokio::test]
async fn a_throttled_backfill_stops_for_this_run_and_says_so() {
    let app = TestApp::spawn_with_demo();
    let (workspace_id, account_id) = connected(&app).await;
    let before = backfilled_at_connect(&app).await;
    let demo = app.demo.as_ref().unwrap();
    demo.network
        .instagram()
        .throttle(ACCOUNTS[0].index, Some(4));

    let done = backfill::backfill(&app.state, workspace_id, account_id)
        .await
        .unwrap();

    assert!(done.throttled, "{done:?}");
    assert_eq!(done.stored, 0);
    assert_eq!((stored(&app, "comment"), stored(&app, "message")), before);
}
