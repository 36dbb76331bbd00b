//! Collecting interactions: storage that never keeps a row twice (real PostgreSQL), and syncs in real
//! Chromium through chromedriver against the demo network.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use vistaflow::db::models::SyncRun;
use vistaflow::db::queries::{self, interactions::Source};
use vistaflow::demo::DemoNetwork;
use vistaflow::demo::activity::{Event, relative_time};
use vistaflow::domain::interaction::{Direction, Kind, Observed, When};
use vistaflow::domain::platform::Platform;
use vistaflow::domain::platform_time;
use vistaflow::domain::runs::SyncStatus;
use vistaflow::jobs;

use crate::harness::TestApp;
use crate::tiktok_accounts::{ONE_BROWSER, connected, hold_every_browser};

const CREATOR: &str = "studio.nova.demo";

/// A workspace with one account, made with SQL, for storage tests that need no browser.
pub fn workspace_with_account(app: &TestApp) -> Source {
    app.sql("INSERT INTO workspaces (name, slug) VALUES ('Studio', 'studio')");
    app.sql(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via)
         SELECT id, 'tiktok', 'studio', 'active', 'cookies' FROM workspaces",
    );
    Source {
        workspace_id: app.number("SELECT id FROM workspaces"),
        account_id: app.number("SELECT id FROM social_accounts"),
        platform: Platform::Tiktok,
    }
}

pub fn observed(
    kind: Kind,
    handle: &str,
    text: Option<&str>,
    time: &str,
    read_at: chrono::DateTime<Utc>,
) -> Observed {
    Observed {
        kind,
        handle: handle.to_owned(),
        display_name: Some(format!("{handle} 🎧")),
        text: text.map(str::to_owned),
        post_ref: None,
        when: When::read(platform_time::parse(time, read_at).unwrap(), read_at),
        direction: Direction::Incoming,
        ids: None,
    }
}

pub fn sample(read_at: chrono::DateTime<Utc>, minutes_later: i64) -> Vec<Observed> {
    let at = read_at + Duration::minutes(minutes_later);
    let ago = |m: i64| format!("{}m ago", m + minutes_later);
    vec![
        observed(Kind::Comment, "nina", Some("how much?"), &ago(2), at),
        observed(Kind::Like, "nina", None, &ago(5), at),
        observed(Kind::Follow, "malik", None, &ago(9), at),
        observed(Kind::Like, "lea", None, "2d ago", at),
        observed(
            Kind::Message,
            "nina",
            Some("06 12 34 56 78"),
            "2026-01-04",
            at,
        ),
    ]
}

#[tokio::test]
async fn rows_are_stored_once_with_one_lead_per_person_and_counts_per_kind() {
    let app = TestApp::spawn();
    let source = workspace_with_account(&app);
    let now = Utc::now() - Duration::minutes(30);

    let first =
        queries::interactions::ingest(&mut app.db.connect(), source, sample(now, 0)).unwrap();

    assert_eq!(first.new, 5);
    assert_eq!(app.number("SELECT count(*) FROM leads"), 3);
    assert_eq!(
        app.number("SELECT (kind_counts->>'like')::int * 100 + (kind_counts->>'comment')::int * 10 + (kind_counts->>'message')::int FROM leads WHERE handle = 'nina'"),
        111
    );
    assert_eq!(
        app.number("SELECT interactions_count FROM leads WHERE handle = 'nina'"),
        3
    );
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'malik' AND kind_counts->>'follow' = '1' AND display_name = 'malik 🎧'"),
        1
    );
}

/// Adds the creator's own reply to `handle`, sent now (nothing produces one yet: the collection issue will).
fn outgoing_reply(app: &TestApp, handle: &str) {
    app.sql(&format!(
        "INSERT INTO interactions (workspace_id, account_id, lead_id, platform, kind, actor_handle, text, \
           occurred_at, occurred_from, occurred_to, precision, identity, fingerprint, direction) \
         SELECT workspace_id, account_id, lead_id, platform, 'message', actor_handle, 'thanks!', now(), \
           now() - interval '1 second', now(), 'second', '\\x01', '\\x02', 'outgoing' \
         FROM interactions WHERE actor_handle = '{handle}' LIMIT 1"
    ));
}

#[tokio::test]
async fn the_creators_own_replies_are_never_counted_by_a_recount_nor_read_for_scoring() {
    let app = TestApp::spawn();
    let source = workspace_with_account(&app);
    let now = Utc::now() - Duration::minutes(30);
    queries::interactions::ingest(&mut app.db.connect(), source, sample(now, 0)).unwrap();
    let counters = "SELECT interactions_count * 1000 + (kind_counts->>'message')::int * 100 \
                      + (kind_counts->>'comment')::int * 10 + (kind_counts->>'like')::int \
                    FROM leads WHERE handle = 'nina'";
    let last =
        "SELECT extract(epoch FROM last_interaction_at)::bigint FROM leads WHERE handle = 'nina'";
    let last_before = app.number(last);

    outgoing_reply(&app, "nina");
    queries::demo_data::recount(&mut app.db.connect(), source.account_id).unwrap();

    assert_eq!(
        app.number("SELECT count(*) FROM interactions WHERE actor_handle = 'nina'"),
        4
    );
    assert_eq!(app.number(counters), 3111);
    assert_eq!(app.number(last), last_before);
    let nina = app.number("SELECT id FROM leads WHERE handle = 'nina'");
    let scored =
        queries::analysis::interactions_of(&mut app.db.connect(), &[(source.workspace_id, nina)])
            .unwrap();
    assert_eq!(scored.len(), 3);
    assert!(
        scored
            .iter()
            .all(|row| row.text.as_deref() != Some("thanks!"))
    );

    // The retention recount: Nina's old message goes, her reply (sent now) stays and is still not counted.
    app.sql("UPDATE workspaces SET retention_days = 30");
    queries::jobs::apply_retention(&mut app.db.connect(), Utc::now()).unwrap();

    assert_eq!(
        app.number(
            counters
                .replace("(kind_counts->>'message')::int * 100", "0")
                .as_str()
        ),
        2011
    );
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'nina' AND kind_counts ? 'message'"),
        0
    );
    assert_eq!(app.number(last), last_before);
}

#[tokio::test]
async fn stored_counts_of_an_unknown_kind_are_an_error_naming_it_not_a_zero() {
    let app = TestApp::spawn();
    let source = workspace_with_account(&app);
    let now = Utc::now() - Duration::minutes(30);
    queries::interactions::ingest(&mut app.db.connect(), source, sample(now, 0)).unwrap();
    app.sql("UPDATE leads SET kind_counts = '{\"like\": 1, \"save\": 2}' WHERE handle = 'nina'");

    let read = queries::lead_list::export_batch(
        &mut app.db.connect(),
        source.workspace_id,
        &queries::lead_list::LeadFilters::default(),
        0,
        10,
    );

    // The error and its causes, as the logs write them.
    let error = read.unwrap_err();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        text = format!("{text}: {inner}");
        cause = inner.source();
    }
    let error = text;
    assert!(error.contains("\"save\""), "{error}");
    assert!(error.contains("leads.kind_counts"), "{error}");
}

#[tokio::test]
async fn reading_the_same_rows_again_later_stores_nothing_new() {
    let app = TestApp::spawn();
    let source = workspace_with_account(&app);
    let now = Utc::now() - Duration::minutes(30);
    queries::interactions::ingest(&mut app.db.connect(), source, sample(now, 0)).unwrap();

    // Three minutes later the same rows say "5m ago", "8m ago", "12m ago": the times drifted.
    let again =
        queries::interactions::ingest(&mut app.db.connect(), source, sample(now, 3)).unwrap();

    assert_eq!(again.new, 0);
    assert_eq!(again.already_stored, 5);
    assert_eq!(app.number("SELECT count(*) FROM interactions"), 5);
    assert_eq!(app.number("SELECT sum(interactions_count) FROM leads"), 5);
}

#[tokio::test]
async fn a_suppressed_handle_is_not_stored() {
    let app = TestApp::spawn();
    let source = workspace_with_account(&app);
    queries::interactions::suppress(
        &mut app.db.connect(),
        source.workspace_id,
        Platform::Tiktok,
        "Nina",
    )
    .unwrap();

    let ingested =
        queries::interactions::ingest(&mut app.db.connect(), source, sample(Utc::now(), 0))
            .unwrap();

    assert_eq!(ingested.suppressed, 3);
    assert_eq!(ingested.new, 2);
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'nina'"),
        0
    );
    assert_eq!(
        app.number("SELECT count(*) FROM interactions WHERE actor_handle = 'nina'"),
        0
    );
}

#[tokio::test]
async fn two_ingestions_of_the_same_rows_at_once_store_them_once() {
    let app = TestApp::spawn();
    let source = workspace_with_account(&app);
    let now = Utc::now();
    let url = app.db.url.clone();

    let workers: Vec<_> = (0..4)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                use diesel::Connection as _;
                let mut conn = diesel::PgConnection::establish(&url).unwrap();
                queries::interactions::ingest(&mut conn, source, sample(now, i % 2)).unwrap()
            })
        })
        .collect();
    let stored: usize = workers.into_iter().map(|w| w.join().unwrap().new).sum();

    assert_eq!(stored, 5);
    assert_eq!(app.number("SELECT count(*) FROM interactions"), 5);
    assert_eq!(app.number("SELECT sum(interactions_count) FROM leads"), 5);
}

#[tokio::test]
async fn two_instances_claiming_due_accounts_never_claim_the_same_one() {
    let app = TestApp::spawn();
    workspace_with_account(&app);
    app.sql(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via)
         SELECT id, 'tiktok', 'h' || n, 'active', 'cookies' FROM workspaces, generate_series(1, 9) n",
    );
    app.sql("UPDATE social_accounts SET next_sync_at = now() - interval '1 minute'");
    let url = app.db.url.clone();

    let claims: Vec<Vec<i64>> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                use diesel::Connection as _;
                let mut conn = diesel::PgConnection::establish(&url).unwrap();
                queries::syncs::claim_due(&mut conn, &vistaflow::platforms::scheduled(), 3, 15)
                    .unwrap()
                    .into_iter()
                    .map(|d| d.id)
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|w| w.join().unwrap())
        .collect();

    let all: Vec<i64> = claims.concat();
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 10, "ten accounts were due: {claims:?}");
    assert_eq!(distinct.len(), 10, "no account claimed twice: {claims:?}");
    assert_eq!(
        app.number("SELECT count(*) FROM social_accounts WHERE next_sync_at <= now()"),
        0
    );
}

#[tokio::test]
async fn only_accounts_of_platforms_that_collect_on_a_schedule_are_claimed() {
    let app = TestApp::spawn();
    workspace_with_account(&app);
    app.sql(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via)
         SELECT id, 'instagram', 'insta' || n, 'active', 'cookies' FROM workspaces, generate_series(1, 3) n",
    );
    app.sql("UPDATE social_accounts SET next_sync_at = now() - interval '1 minute'");
    let mut conn = app.db.connect();

    let claimed =
        queries::syncs::claim_due(&mut conn, &vistaflow::platforms::scheduled(), 10, 15).unwrap();

    assert!(!vistaflow::platforms::scheduled().contains(&Platform::Instagram));
    assert_eq!(
        claimed.len(),
        1,
        "only the account of the scheduled platform: {claimed:?}"
    );
    assert_eq!(
        app.number("SELECT count(*) FROM social_accounts WHERE platform = 'instagram' AND next_sync_at <= now()"),
        3
    );
}

/// What the demo's pages show for `handle` right now, as distinct rows: events that look the same on the
/// page (same person, kind, text and shown time) cannot be told apart by anyone, so they count once.
fn distinct_rows_shown(network: &DemoNetwork, handle: &str) -> i64 {
    let simulation = network.simulation(handle).unwrap();
    let now = Utc::now();
    network
        .events(handle)
        .iter()
        .map(|e| {
            let shown = if e.kind == Kind::Message {
                e.at.format("%Y-%m-%d %H:%M").to_string()
            } else {
                relative_time(e.at, now, false)
            };
            (
                simulation.people[e.person].handle.clone(),
                format!("{:?}", e.kind),
                e.text.clone(),
                shown,
            )
        })
        .collect::<HashSet<_>>()
        .len()
        .try_into()
        .unwrap()
}

/// The distinct rows shown before and after `work`, lowest first, with what `work` answered. Shown times
/// round as the clock moves ("3m ago" becomes "4m ago"), so two alike events that are one row when a
/// slow sync starts can be two by the time it reads them, or the other way round.
async fn shown_around<T>(
    network: &DemoNetwork,
    handle: &str,
    work: impl std::future::Future<Output = T>,
) -> (std::ops::RangeInclusive<i64>, T) {
    let before = distinct_rows_shown(network, handle);
    let answer = work.await;
    let after = distinct_rows_shown(network, handle);
    (before.min(after)..=before.max(after), answer)
}

/// Runs one sync of the account as "Sync now" starts it, and returns its run as stored.
pub async fn sync(app: &TestApp, account_id: i64) -> SyncRun {
    let workspace_id = app.number(&format!(
        "SELECT workspace_id FROM social_accounts WHERE id = {account_id}"
    ));
    let run = queries::syncs::start(
        &mut app.db.connect(),
        workspace_id,
        account_id,
        vistaflow::domain::runs::SyncTrigger::Manual,
    )
    .unwrap();
    let id = run.id;
    let _ = vistaflow::usecases::sync::perform(&app.state, run).await;
    queries::syncs::find(&mut app.db.connect(), workspace_id, id)
        .unwrap()
        .unwrap()
}

fn network(app: &TestApp) -> &DemoNetwork {
    &app.demo.as_ref().unwrap().network
}

#[tokio::test]
async fn a_first_sync_stores_exactly_what_the_demo_shows_and_a_second_stores_nothing_in_two_page_reads()
 {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (nina, account_id) = connected(&app).await;

    let (shown, first) = shown_around(network(&app), CREATOR, sync(&app, account_id)).await;

    assert_eq!(first.status, SyncStatus::Succeeded, "{first:?}");
    let expected = i64::from(first.new_interactions);
    assert!(shown.contains(&expected), "{first:?}, shown: {shown:?}");
    assert_eq!(app.number("SELECT count(*) FROM interactions"), expected);
    assert_eq!(first.unknown_rows, 0);
    assert_eq!(
        app.number("SELECT count(*) FROM leads"),
        app.number("SELECT count(DISTINCT actor_handle) FROM interactions")
    );
    let dashboard = nina.get("/w/studio-nova/").await;
    assert_eq!(
        dashboard.text("#count-leads"),
        app.number("SELECT count(*) FROM leads").to_string()
    );

    let second = sync(&app, account_id).await;

    assert_eq!(second.status, SyncStatus::Succeeded, "{second:?}");
    assert_eq!(second.new_interactions, 0, "{second:?}");
    assert!(
        second.page_reads <= 2,
        "a routine sync reads the Activity panel and the Messages list once: {second:?}"
    );
    assert_eq!(app.number("SELECT count(*) FROM interactions"), expected);
}

#[tokio::test]
async fn new_demo_activity_is_picked_up_by_the_next_sync() {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (_nina, account_id) = connected(&app).await;
    sync(&app, account_id).await;
    let before = app.number("SELECT count(*) FROM interactions");
    let person = 3;
    for (kind, text) in [
        (
            Kind::Comment,
            Some("c'est combien la prod ? 06 12 34 56 78"),
        ),
        (Kind::Follow, None),
        (Kind::Message, Some("Hello, a new message about a beat")),
    ] {
        network(&app).add_event(
            CREATOR,
            Event {
                at: Utc::now() - Duration::seconds(5),
                person,
                kind,
                text: text.map(str::to_owned),
            },
        );
    }

    let run = sync(&app, account_id).await;

    assert_eq!(run.new_interactions, 3, "{run:?}");
    assert_eq!(app.number("SELECT count(*) FROM interactions"), before + 3);
    let handle = network(&app).simulation(CREATOR).unwrap().people[person]
        .handle
        .clone();
    assert_eq!(
        app.number(&format!("SELECT count(*) FROM interactions WHERE actor_handle = '{handle}' AND text = 'Hello, a new message about a beat' AND kind = 'message'")),
        1
    );
}

#[tokio::test]
async fn an_expired_session_marks_the_account_expired_and_keeps_its_data() {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (nina, account_id) = connected(&app).await;
    sync(&app, account_id).await;
    let stored = app.number("SELECT count(*) FROM interactions");
    network(&app).expire(Some(CREATOR));

    let run = sync(&app, account_id).await;

    assert_eq!(run.status, SyncStatus::Expired, "{run:?}");
    assert_eq!(run.error_key.as_deref(), Some("sync.error_expired"));
    assert_eq!(
        app.number("SELECT count(*) FROM social_accounts WHERE status = 'expired'"),
        1
    );
    assert_eq!(app.number("SELECT count(*) FROM interactions"), stored);
    assert!(stored > 0);
    let page = nina.get("/w/studio-nova/accounts").await;
    assert!(
        page.text(&format!("#sync-{account_id} .sync-error"))
            .contains("session has expired"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn two_syncs_of_one_account_at_the_same_time_store_nothing_twice() {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (_nina, account_id) = connected(&app).await;

    let both = Box::pin(async { tokio::join!(sync(&app, account_id), sync(&app, account_id)) });
    let (shown, (a, b)) = shown_around(network(&app), CREATOR, both).await;

    assert_eq!(
        (a.status.as_str(), b.status.as_str()),
        ("succeeded", "succeeded")
    );
    let stored = app.number("SELECT count(*) FROM interactions");
    assert!(shown.contains(&stored), "{stored} stored, shown: {shown:?}");
    assert_eq!(i64::from(a.new_interactions + b.new_interactions), stored);
}

#[tokio::test]
async fn sync_now_shows_its_progress_until_the_run_ends() {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (nina, account_id) = connected(&app).await;
    let cell = format!("/w/studio-nova/accounts/{account_id}/sync");

    let started = nina.post_with(&cell, &[], &[("HX-Request", "true")]).await;

    assert!(
        started.has(&format!("#sync-{account_id}[hx-get='{cell}'][hx-trigger]")),
        "{}",
        started.body
    );
    assert!(started.has(".sync-progress"));
    let again = nina.post_with(&cell, &[], &[("HX-Request", "true")]).await;
    assert_eq!(
        app.number("SELECT count(*) FROM sync_runs"),
        1,
        "a second click while it runs starts nothing: {}",
        again.body
    );
    let mut page = nina.get_with(&cell, &[("HX-Request", "true")]).await;
    for _ in 0..120 {
        if !page.has(".sync-progress") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        page = nina.get_with(&cell, &[("HX-Request", "true")]).await;
    }
    assert!(
        !page.has("[hx-trigger]"),
        "polling stops when the run ends: {}",
        page.body
    );
    let new = app.number("SELECT count(*) FROM interactions");
    assert!(new > 0);
    assert_eq!(page.text(".sync-new"), format!("{new} new"));
}

#[tokio::test]
async fn a_synced_lead_has_a_page_with_its_timeline_that_other_workspaces_cannot_see() {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (nina, account_id) = connected(&app).await;
    sync(&app, account_id).await;
    let lead = app.number("SELECT id FROM leads ORDER BY interactions_count DESC, id LIMIT 1");
    let count = app.number(&format!(
        "SELECT interactions_count FROM leads WHERE id = {lead}"
    ));
    let handle: String = network(&app)
        .simulation(CREATOR)
        .unwrap()
        .people
        .iter()
        .map(|p| p.handle.clone())
        .find(|h| {
            app.number(&format!(
                "SELECT count(*) FROM leads WHERE id = {lead} AND handle = '{h}'"
            )) == 1
        })
        .unwrap();

    let page = nina.get(&format!("/w/studio-nova/leads/{lead}")).await;

    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.text("#lead-score"),
        app.number(&format!("SELECT score FROM leads WHERE id = {lead}"))
            .to_string(),
        "the sync's analysis scored the lead"
    );
    assert!(page.has("#lead-type"));
    assert!(page.has("#score-explanation tbody tr"));
    assert_eq!(
        i64::try_from(page.texts("#timeline li").len()).unwrap(),
        count
    );
    assert!(
        page.attr("#lead-profile", "href")
            .unwrap()
            .ends_with(&format!("/@{handle}"))
    );
    let interactions = nina.get("/w/studio-nova/interactions").await;
    assert!(interactions.has(&format!("a[href='/w/studio-nova/leads/{lead}']")));
    let omar = app
        .registered("Omar", "omar@example.com", "Other Studio")
        .await;
    let other = omar.get(&format!("/w/studio-nova/leads/{lead}")).await;
    assert_eq!(other.status, 404);
    let own = omar.get(&format!("/w/other-studio/leads/{lead}")).await;
    assert_eq!(own.status, 404, "a lead of another workspace is not found");
}

#[tokio::test]
async fn a_scheduler_tick_syncs_the_due_accounts_and_schedules_the_next_sync() {
    let app = TestApp::spawn_with_demo();
    network(&app).pause_audience(Some(Utc::now()));
    let (_nina, account_id) = connected(&app).await;
    app.sql("UPDATE social_accounts SET next_sync_at = now() - interval '1 minute'");

    let ran = jobs::run_due(&app.state).await.unwrap();

    assert_eq!(ran, 1);
    assert_eq!(
        app.number(
            "SELECT count(*) FROM sync_runs WHERE trigger = 'schedule' AND status = 'succeeded'"
        ),
        1
    );
    assert!(app.number("SELECT count(*) FROM interactions") > 0);
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {account_id} \
             AND next_sync_at BETWEEN now() + interval '2 minutes' AND now() + interval '4 minutes' \
             AND last_synced_at IS NOT NULL AND consecutive_failures = 0"
        )),
        1,
        "the next sync comes after the 3-minute interval, give or take a fifth"
    );
    assert!(
        app.number("SELECT count(*) FROM leads WHERE analysed_at IS NOT NULL") > 0,
        "the sync's new interactions were analysed"
    );
    assert_eq!(
        jobs::run_due(&app.state).await.unwrap(),
        0,
        "nothing is due any more"
    );
}

#[tokio::test]
async fn a_sync_that_finds_every_browser_busy_waits_for_the_next_round_without_counting_a_failure()
{
    let app = TestApp::spawn_with_demo_and(&ONE_BROWSER);
    let (nina, account_id) = connected(&app).await;
    app.sql("UPDATE social_accounts SET next_sync_at = now() - interval '1 minute'");
    let holder = hold_every_browser(&app, 5).await;

    let ran = jobs::run_due(&app.state).await;

    assert_eq!(
        ran.ok(),
        Some(1),
        "a collection whose syncs only waited did not fail"
    );
    let run = queries::syncs::latest_per_account(
        &mut app.db.connect(),
        app.number("SELECT id FROM workspaces"),
    )
    .unwrap()
    .remove(0);
    assert_eq!(run.status, SyncStatus::Waiting, "{run:?}");
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM social_accounts WHERE id = {account_id} AND status = 'active' \
             AND consecutive_failures = 0 AND next_sync_at <= now() + interval '1 minute'"
        )),
        1,
        "the account is as it was, and due again at the next round"
    );
    let page = nina.get("/w/studio-nova/accounts").await;
    assert!(
        page.text(&format!("#sync-{account_id} .sync-waiting"))
            .ends_with("Every browser was busy: this sync waits for the next round."),
        "{}",
        page.body
    );
    holder.await.unwrap();
}
