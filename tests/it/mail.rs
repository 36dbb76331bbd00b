//! Mail through a real SMTP sink (aiosmtpd): the session-expiry alert, its one reminder, delivery
//! retries; and scheduled jobs recorded, failing without stopping the others, leased to one instance.

use chrono::{Duration, Utc};
use vistaflow::db::queries;
use vistaflow::domain::mail::MailKind;
use vistaflow::jobs::{self, Job};
use vistaflow::mail;

use crate::collection::sync;
use crate::harness::{MailSink, PASSWORD, TestApp};
use crate::tiktok_accounts::connected;

const CREATOR: &str = "studio.nova.demo";

#[tokio::test]
async fn an_expired_session_emails_owners_and_admins_once_in_their_language_with_a_reconnect_link()
{
    let sink = MailSink::start();
    let app = TestApp::spawn_with_demo_and(&[("SMTP_URL", &sink.url)]);
    let (nina, account_id) = connected(&app).await;
    let max = app.registered("Max", "max@example.com", "Max Studio").await;
    app.sql(
        "INSERT INTO memberships (workspace_id, user_id, role) SELECT w.id, u.id, 'admin' \
         FROM workspaces w, users u WHERE w.slug = 'studio-nova' AND u.email = 'max@example.com'",
    );
    app.sql("UPDATE users SET locale = 'fr' WHERE email = 'max@example.com'");
    app.demo.as_ref().unwrap().network.expire(Some(CREATOR));

    sync(&app, account_id).await;
    sync(&app, account_id).await;

    let received = sink.received();
    assert_eq!(
        received.len(),
        2,
        "one email per owner or admin, and none for the second failed sync: {received:#?}"
    );
    let to_nina = received
        .iter()
        .find(|m| m.to.contains("nina@example.com"))
        .unwrap();
    let to_max = received
        .iter()
        .find(|m| m.to.contains("max@example.com"))
        .unwrap();
    assert_eq!(
        to_nina.subject,
        "Your TikTok account @studio.nova.demo needs to be reconnected"
    );
    assert_eq!(
        to_max.subject,
        "Votre compte TikTok @studio.nova.demo doit être reconnecté"
    );
    assert!(to_nina.html.contains("Reconnect the account"));
    assert!(!to_nina.text.contains("sessionid"), "no secret in a mail");
    let link = to_nina
        .text
        .lines()
        .find(|l| l.starts_with("http"))
        .unwrap()
        .trim()
        .to_owned();
    let path = link
        .split_once("127.0.0.1")
        .map_or(link.as_str(), |(_, rest)| rest);
    let path = path[path.find('/').unwrap()..].split('#').next().unwrap();
    let page = nina.get(path).await;
    assert!(
        page.has(&format!("#account-{account_id} details.reconnect[open]")),
        "the link opens the reconnect flow of that account: {path}"
    );
    assert!(page.has("#expired-banner"));
    assert!(max.get("/w/studio-nova/").await.has("#expired-banner"));
    assert_eq!(
        app.number(
            "SELECT count(*) FROM sent_emails WHERE status = 'sent' AND kind = 'account_expired'"
        ),
        2
    );
}

#[tokio::test]
async fn one_reminder_follows_a_day_later_and_only_one() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with_demo_and(&[("SMTP_URL", &sink.url)]);
    let (_nina, account_id) = connected(&app).await;
    app.demo.as_ref().unwrap().network.expire(Some(CREATOR));
    sync(&app, account_id).await;
    let public_url = app.state.settings.public_url.clone();
    let remind =
        |hours: i64| queries_remind(&app, &public_url, Utc::now() + Duration::hours(hours));

    let too_early = remind(23);
    let due = remind(25);
    let again = remind(49);
    mail::deliver_due(&app.state.pool, &app.state.mailer, 10)
        .await
        .unwrap();

    assert_eq!((too_early, due, again), (0, 1, 0));
    let subjects: Vec<String> = sink.received().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects.contains(&"Reminder: @studio.nova.demo is still disconnected".to_owned()));
}

fn queries_remind(app: &TestApp, public_url: &str, now: chrono::DateTime<Utc>) -> usize {
    mail::alerts::remind_expired(&mut app.db.connect(), public_url, now).unwrap()
}

#[tokio::test]
async fn a_temporary_delivery_failure_is_retried_and_then_sent() {
    let app = TestApp::spawn();
    // Nothing listens on this port: a temporary failure.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = mail::Mailer::new(
        Some(&format!("smtp://127.0.0.1:{closed}")),
        "VistaFlow <noreply@localhost>",
        std::path::Path::new("/tmp"),
    )
    .unwrap();
    let email = mail::Email {
        workspace_id: None,
        recipient: "nina@example.com".into(),
        kind: MailKind::AccountExpired,
        language: vistaflow::i18n::Lang::En,
        subject: "Hello".into(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
    };
    mail::queue(&mut app.db.connect(), &email).unwrap();

    let sent = mail::deliver_due(&app.state.pool, &down, 10).await.unwrap();

    assert_eq!(sent, 0);
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE status = 'pending' AND attempts = 1 AND error IS NOT NULL AND next_attempt_at > now()"),
        1
    );
    let sink = MailSink::start();
    let up = mail::Mailer::new(
        Some(&sink.url),
        "VistaFlow <noreply@localhost>",
        std::path::Path::new("/tmp"),
    )
    .unwrap();
    app.sql("UPDATE sent_emails SET next_attempt_at = now()");
    assert_eq!(
        mail::deliver_due(&app.state.pool, &up, 10).await.unwrap(),
        1
    );
    assert_eq!(sink.received().len(), 1);
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE status = 'sent' AND attempts = 2"),
        1
    );
}

/// A local SMTP peer that takes `delay` to answer each new connection, then passes it on to `upstream`:
/// a slow mail server, for real.
async fn slow_smtp(upstream: &str, delay: std::time::Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let upstream = upstream.trim_start_matches("smtp://").to_owned();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let mut server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    format!("smtp://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_senders_overlapping_a_batch_longer_than_a_minute_send_each_message_once() {
    let app = TestApp::spawn();
    let sink = MailSink::start();
    let from = "VistaFlow <noreply@localhost>";
    let tmp = std::path::Path::new("/tmp");
    let slow_url = slow_smtp(&sink.url, std::time::Duration::from_secs(2)).await;
    let slow = mail::Mailer::new(Some(&slow_url), from, tmp).unwrap();
    let fast = mail::Mailer::new(Some(&sink.url), from, tmp).unwrap();
    let mut conn = app.db.connect();
    for i in 0..10 {
        let email = mail::Email {
            workspace_id: None,
            recipient: format!("person{i}@example.com"),
            kind: MailKind::AccountExpired,
            language: vistaflow::i18n::Lang::En,
            subject: format!("Message {i}"),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
        };
        mail::queue(&mut conn, &email).unwrap();
    }

    // One instance starts a batch on a slow mail server...
    let pool = app.state.pool.clone();
    let first = tokio::spawn(async move { mail::deliver_due(&pool, &slow, 100).await.unwrap() });
    for _ in 0..100 {
        if app.number(
            "SELECT count(*) FROM sent_emails WHERE status = 'pending' AND next_attempt_at > now()",
        ) > 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // ...and more than a minute passes while it sends: every claim it holds is 61 s older.
    app.sql("UPDATE sent_emails SET next_attempt_at = next_attempt_at - interval '61 seconds' WHERE status = 'pending'");
    // Then a second sender (the mail job of another instance) goes through the same queue.
    let second = mail::deliver_due(&app.state.pool, &fast, 100)
        .await
        .unwrap();
    let first = first.await.unwrap();

    wait_for_mail(&sink, 10).await;
    // A message sent twice would arrive at about the same time as the others.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut subjects: Vec<String> = sink.received().into_iter().map(|m| m.subject).collect();
    subjects.sort();
    let mut expected: Vec<String> = (0..10).map(|i| format!("Message {i}")).collect();
    expected.sort();
    assert_eq!(subjects, expected, "each message arrives exactly once");
    assert_eq!(first + second, 10);
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE status = 'sent' AND attempts = 1"),
        10
    );
}

#[tokio::test]
async fn without_smtp_in_development_mail_is_written_as_eml_files() {
    let dir = std::env::temp_dir().join(format!("vf-eml-{}", std::process::id()));
    let files = mail::Mailer::new(None, "VistaFlow <noreply@localhost>", &dir).unwrap();

    files
        .deliver("nina@example.com", "Hello", "Hello", "<p>Hello</p>")
        .await
        .unwrap();

    let written: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(written.len(), 1);
    assert!(written[0].path().extension().is_some_and(|e| e == "eml"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_failing_job_is_recorded_and_the_next_job_still_runs() {
    let app = TestApp::spawn();
    let broken = Job {
        name: "no-such-job",
        schedule: "0 * * * * *",
        about: "fails on purpose",
    };

    let failed = jobs::run_recorded(&app.state, &broken).await;
    let next = jobs::run_recorded(&app.state, jobs::job("cleanup").unwrap()).await;

    assert!(failed.is_some() && next.is_some());
    assert_eq!(
        app.number("SELECT count(*) FROM job_runs WHERE job = 'no-such-job' AND status = 'failed' AND error IS NOT NULL"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM job_runs WHERE job = 'cleanup' AND status = 'succeeded' AND finished_at IS NOT NULL"),
        1
    );
}

#[tokio::test]
async fn a_collection_that_cannot_claim_accounts_is_recorded_as_failed_with_the_database_error() {
    let app = TestApp::spawn();
    // A real failure of the database: the table collection claims from is not there.
    app.sql("ALTER TABLE social_accounts RENAME TO social_accounts_elsewhere");

    let run = jobs::run_recorded(&app.state, jobs::job("collect").unwrap()).await;

    assert!(run.is_some());
    assert_eq!(
        app.number("SELECT count(*) FROM job_runs WHERE job = 'collect' AND status = 'failed' AND summary IS NULL AND error LIKE '%social_accounts%'"),
        1,
        "the run failed, and says why"
    );
}

#[tokio::test]
async fn two_instances_racing_for_a_job_run_it_once() {
    let app = TestApp::spawn();
    let url = app.db.url.clone();

    let winners: usize = (0..4)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                use diesel::Connection as _;
                let mut conn = diesel::PgConnection::establish(&url).unwrap();
                queries::analysis::take_lease(&mut conn, "cleanup", &format!("instance-{i}"), 60)
                    .unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| usize::from(t.join().unwrap()))
        .sum();

    assert_eq!(winners, 1);
    assert_eq!(
        jobs::run_recorded(&app.state, jobs::job("cleanup").unwrap()).await,
        None,
        "this instance does not hold the lease, so it does not run the job"
    );
}

/// Waits (briefly) until the sink holds `count` messages.
pub async fn wait_for_mail(sink: &MailSink, count: usize) -> Vec<crate::harness::Received> {
    for _ in 0..100 {
        let received = sink.received();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sink.received()
}

/// The path of the first link of a message's text part.
fn link_path(text: &str) -> String {
    let link = text.lines().find(|l| l.starts_with("http")).unwrap().trim();
    let after_host = &link[link.find("://").unwrap() + 3..];
    after_host[after_host.find('/').unwrap()..].to_owned()
}

#[tokio::test]
async fn an_invitation_arrives_by_email_and_its_link_leads_to_accepting_it() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    nina.post(
        "/w/studio-nova/invitations",
        &[("email", "max@example.com"), ("role", "member")],
    )
    .await;

    let received = wait_for_mail(&sink, 1).await;
    assert_eq!(received.len(), 1);
    assert!(received[0].to.contains("max@example.com"));
    assert_eq!(
        received[0].subject,
        "You are invited to Studio Nova on VistaFlow"
    );
    assert!(received[0].text.contains("Nina invited you"));
    let max = app.registered("Max", "max@example.com", "Max Prod").await;
    let page = max.get(&link_path(&received[0].text)).await;
    let accept = page
        .attr("form:has(#join-accept)", "action")
        .expect("the invitation is waiting on the page the link opens");
    max.post(&accept, &[]).await;
    assert_eq!(
        app.number("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id WHERE u.email = 'max@example.com' AND w.slug = 'studio-nova'"),
        1
    );
}

#[tokio::test]
async fn a_password_reset_link_works_once_within_the_hour_and_says_nothing_about_unknown_addresses()
{
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let visitor = app.browser();

    let unknown = visitor
        .post("/password/forgot", &[("email", "nobody@example.com")])
        .await;
    let known = visitor
        .post("/password/forgot", &[("email", "nina@example.com")])
        .await;

    assert_eq!(
        unknown.text("#reset-sent"),
        known.text("#reset-sent"),
        "the same answer either way"
    );
    let received = wait_for_mail(&sink, 1).await;
    assert_eq!(received.len(), 1, "no mail for an unknown address");
    assert_eq!(received[0].subject, "Reset your VistaFlow password");
    let path = link_path(&received[0].text);
    assert!(visitor.get(&path).await.has("#f-new_password"));

    let weak = visitor.post(&path, &[("new_password", "password")]).await;
    let done = visitor
        .post(&path, &[("new_password", "a-brand-new-harbour-77")])
        .await;
    let again = visitor.get(&path).await;

    assert_eq!(weak.status, 422);
    assert_eq!(done.path(), "/login");
    assert_eq!(again.status, 410);
    assert!(again.has("#reset-invalid"));
    let login = app
        .browser()
        .post(
            "/login",
            &[
                ("email", "nina@example.com"),
                ("password", "a-brand-new-harbour-77"),
            ],
        )
        .await;
    assert_eq!(login.path(), "/w/studio-nova/", "{}", login.body);
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE kind = 'password_reset' AND body_text LIKE '%/password/reset/%'"),
        0,
        "the link is not kept once sent"
    );
    app.sql("UPDATE password_resets SET used_at = NULL, expires_at = now() - interval '1 minute'");
    assert_eq!(
        visitor.get(&path).await.status,
        410,
        "an hour-old link is refused"
    );
}

#[tokio::test]
async fn a_reset_voids_the_older_links_of_that_person() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let visitor = app.browser();
    visitor
        .post("/password/forgot", &[("email", "nina@example.com")])
        .await;
    let first = link_path(&wait_for_mail(&sink, 1).await[0].text);
    visitor
        .post("/password/forgot", &[("email", "nina@example.com")])
        .await;
    let received = wait_for_mail(&sink, 2).await;
    let second = received
        .iter()
        .map(|m| link_path(&m.text))
        .find(|p| *p != first)
        .unwrap();

    let done = visitor
        .post(&second, &[("new_password", "a-brand-new-harbour-77")])
        .await;
    let older = visitor
        .post(&first, &[("new_password", "someone-elses-choice-42")])
        .await;

    assert_eq!(done.path(), "/login");
    assert_eq!(older.status, 410, "the older link no longer works");
    assert!(older.has("#reset-invalid"));
    assert_eq!(visitor.get(&first).await.status, 410);
}

#[tokio::test]
async fn changing_the_password_voids_the_reset_links_sent_before() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    app.browser()
        .post("/password/forgot", &[("email", "nina@example.com")])
        .await;
    let link = link_path(&wait_for_mail(&sink, 1).await[0].text);

    let changed = nina
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-harbour-77"),
            ],
        )
        .await;
    let later = app
        .browser()
        .post(&link, &[("new_password", "someone-elses-choice-42")])
        .await;

    assert_eq!(changed.path(), "/account");
    assert_eq!(later.status, 410, "a link sent before the change is void");
}

#[tokio::test]
async fn twenty_rapid_reset_requests_for_one_address_send_three_mails_and_get_one_answer() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let visitor = app.browser();

    let mut answers = Vec::new();
    for _ in 0..20 {
        let page = visitor
            .post("/password/forgot", &[("email", "nina@example.com")])
            .await;
        answers.push((page.status, page.text("#reset-sent")));
    }
    let unknown = visitor
        .post("/password/forgot", &[("email", "nobody@example.com")])
        .await;

    wait_for_mail(&sink, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 3, "three an hour per address");
    answers.push((unknown.status, unknown.text("#reset-sent")));
    answers.dedup();
    assert_eq!(
        answers.len(),
        1,
        "throttled, sent or unknown: one answer {answers:?}"
    );
    assert_eq!(answers[0].0, 200);
}

#[tokio::test]
async fn a_client_asking_for_many_addresses_is_throttled_and_another_client_is_not() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url), ("TRUST_FORWARDED_FOR", "true")]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let bot = app.browser();
    let from_bot = [("X-Forwarded-For", "203.0.113.7")];
    for i in 0..20 {
        bot.post_with(
            "/password/forgot",
            &[("email", &format!("target{i}@example.com"))],
            &from_bot,
        )
        .await;
    }

    let throttled = bot
        .post_with(
            "/password/forgot",
            &[("email", "nina@example.com")],
            &from_bot,
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails_after_bot = sink.received().len();
    let nina = app
        .browser()
        .post_with(
            "/password/forgot",
            &[("email", "nina@example.com")],
            &[("X-Forwarded-For", "198.51.100.20")],
        )
        .await;

    assert_eq!(
        mails_after_bot, 0,
        "the 21st request of one client sends nothing"
    );
    assert_eq!(throttled.status, nina.status);
    assert_eq!(throttled.text("#reset-sent"), nina.text("#reset-sent"));
    assert_eq!(
        wait_for_mail(&sink, 1).await.len(),
        1,
        "Nina, elsewhere, gets her link"
    );
}

#[tokio::test]
async fn the_clean_up_job_deletes_interactions_past_the_workspace_retention_and_recounts_leads() {
    let app = TestApp::spawn();
    let source = crate::collection::workspace_with_account(&app);
    let now = Utc::now();
    let rows = vec![
        crate::collection::observed(
            vistaflow::domain::interaction::Kind::Comment,
            "nina",
            Some("old comment"),
            "2025-01-05",
            now,
        ),
        crate::collection::observed(
            vistaflow::domain::interaction::Kind::Like,
            "nina",
            None,
            "5m ago",
            now,
        ),
        crate::collection::observed(
            vistaflow::domain::interaction::Kind::Follow,
            "gone",
            None,
            "2025-01-06",
            now,
        ),
    ];
    queries::interactions::ingest(&mut app.db.connect(), source, rows).unwrap();
    app.sql("UPDATE workspaces SET retention_days = 30");

    let run = jobs::run_recorded(&app.state, jobs::job("cleanup").unwrap()).await;

    assert!(run.is_some());
    assert_eq!(
        app.number("SELECT count(*) FROM job_runs WHERE job = 'cleanup' AND status = 'succeeded'"),
        1,
        "{}",
        crate::harness::logs()
    );
    assert_eq!(app.number("SELECT count(*) FROM interactions"), 1);
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'nina' AND interactions_count = 1 AND kind_counts = '{\"like\": 1}'"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'gone'"),
        0
    );
}
