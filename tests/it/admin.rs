//! The admin pages: refused to everyone but site admins; people search, disable, promote; audit; the
//! operator's view (jobs and Run now, account health, sent emails, the configuration with secrets masked).

use vistaflow::jobs;

use crate::harness::{Browser, PASSWORD, TestApp};

pub async fn site_admin(app: &TestApp) -> Browser {
    let admin = app.registered("Ada", "ada@example.com", "Ops").await;
    app.sql("UPDATE users SET is_admin = true WHERE email = 'ada@example.com'");
    admin
}

#[tokio::test]
async fn every_admin_url_is_404_for_a_person_who_is_not_a_site_admin() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let id = app.number("SELECT id FROM users WHERE email = 'nina@example.com'");

    for url in [
        "/admin",
        "/admin/",
        "/admin/users",
        "/admin/users?q=nina",
        "/admin/workspaces",
        "/admin/analysis",
        "/admin/audit",
        "/admin/jobs",
        "/admin/jobs?job=cleanup",
        "/admin/accounts",
        "/admin/accounts?status=all",
        "/admin/emails",
        "/admin/emails?status=pending",
        "/admin/config",
    ] {
        let page = nina.get(url).await;
        assert_eq!(page.status, 404, "GET {url}");
    }
    for action in ["disable", "enable", "admin", "revoke-admin"] {
        let page = nina.post(&format!("/admin/users/{id}/{action}"), &[]).await;
        assert_eq!(page.status, 404, "POST {action}");
    }
    for job in ["cleanup", "mail", "no-such-job"] {
        let page = nina.post(&format!("/admin/jobs/{job}/run"), &[]).await;
        assert_eq!(page.status, 404, "POST run {job}");
    }
    assert_eq!(app.number("SELECT count(*) FROM users WHERE is_admin"), 0);
    assert_eq!(app.number("SELECT count(*) FROM job_runs"), 0, "no job ran");
    assert!(
        !nina.get("/account").await.has("a[href='/admin/users']"),
        "no admin link either"
    );
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_login_from_admin_pages() {
    let app = TestApp::spawn();

    let page = app.browser().get("/admin/users").await;

    assert_eq!(page.path(), "/login");
    assert_eq!(
        page.attr("form[action='/login'] input[name=next]", "value")
            .as_deref(),
        Some("/admin/users")
    );
}

#[tokio::test]
async fn an_admin_finds_a_person_and_disabling_them_ends_their_session() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    app.registered("Max", "max@example.com", "Max Beats").await;

    let found = admin.get("/admin/users?q=NINA").await;
    assert_eq!(
        found.texts("#user-rows tbody tr td:nth-child(2)"),
        vec!["nina@example.com"]
    );
    let disable = found
        .attr("#user-rows form[action$='/disable']", "action")
        .unwrap();
    let after = admin
        .post(&disable, &[("next", "/admin/users?q=NINA")])
        .await;

    assert_eq!(after.text(".flash-success"), "Done.");
    assert_eq!(
        after.text("#user-rows tbody tr td:nth-child(4)"),
        "Disabled"
    );
    assert_eq!(
        nina.get("/account").await.path(),
        "/login",
        "the disabled person's session ended"
    );
    let retry = app
        .browser()
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(retry.status, 422, "a disabled person cannot log in");
}

#[tokio::test]
async fn an_admin_cannot_disable_themselves() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    let id = app.number("SELECT id FROM users WHERE email = 'ada@example.com'");

    let page = admin.post(&format!("/admin/users/{id}/disable"), &[]).await;

    assert_eq!(
        page.text(".flash-error"),
        "You cannot disable yourself or remove your own admin rights."
    );
    assert_eq!(
        app.number("SELECT count(*) FROM users WHERE disabled_at IS NOT NULL"),
        0
    );
}

#[tokio::test]
async fn an_admin_makes_someone_else_a_site_admin() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    let max = app.registered("Max", "max@example.com", "Max Beats").await;
    let id = app.number("SELECT id FROM users WHERE email = 'max@example.com'");

    admin.post(&format!("/admin/users/{id}/admin"), &[]).await;

    assert_eq!(max.get("/admin/workspaces").await.status, 200);
}

#[tokio::test]
async fn the_admin_lists_workspaces_and_the_audit_trail_records_what_happened() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    app.browser()
        .post(
            "/login",
            &[("email", "ghost@example.com"), ("password", "whatever")],
        )
        .await;

    let workspaces = admin.get("/admin/workspaces?q=ops").await;
    let audit = admin.get("/admin/audit?action=user.login_failed").await;

    assert_eq!(
        workspaces.texts("#workspace-rows tbody td:first-child"),
        vec!["Ops"]
    );
    assert_eq!(
        audit.texts("#audit-rows tbody td:nth-child(2)"),
        vec!["user.login_failed"]
    );
    assert!(
        audit
            .text("#audit-rows tbody td:nth-child(5)")
            .contains("ghost@example.com")
    );
}

/// Waits (at most 10 seconds) until `query` counts at least `expected`.
async fn eventually(app: &TestApp, query: &str, expected: i64) {
    for _ in 0..100 {
        if app.number(query) >= expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("after 10 s, {query} is still under {expected}");
}

#[tokio::test]
async fn an_admin_sees_every_job_with_its_next_run_and_runs_one_now() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;

    let before = admin.get("/admin/jobs").await;
    let action = before.attr("#job-cleanup form", "action").unwrap();
    let started = admin.post(&action, &[]).await;
    // The run holds its lease and is on record before "started" is said.
    let recorded_at_answer = app.number("SELECT count(*) FROM job_runs WHERE job = 'cleanup'");
    eventually(
        &app,
        "SELECT count(*) FROM job_runs WHERE job = 'cleanup' AND finished_at IS NOT NULL",
        1,
    )
    .await;
    let after = admin.get("/admin/jobs?job=cleanup").await;

    assert_eq!(
        before.texts("#jobs tbody th[scope=row]"),
        [
            "collect",
            "analyse",
            "rescore",
            "mail",
            "expiry-reminders",
            "instagram-tokens",
            "cleanup",
            "instagram-backfill"
        ]
    );
    assert_eq!(before.texts("#jobs tbody .next-run time").len(), 8);
    assert!(!before.body.contains("admin."), "no translation key shows");
    assert_eq!(
        before.text("#no-runs"),
        "No job has run yet: each runs on its schedule, or at once with its “Run now” button."
    );
    assert_eq!(action, "/admin/jobs/cleanup/run");
    assert_eq!(recorded_at_answer, 1);
    assert!(
        started
            .text(".flash-success")
            .starts_with("cleanup started"),
        "{}",
        started.body
    );
    assert_eq!(
        after.text("#job-cleanup .last-run .run-status"),
        "Succeeded"
    );
    assert_eq!(
        after.texts("#job-runs tbody td:first-child"),
        vec!["cleanup"]
    );
    assert!(
        after
            .text("#job-runs tbody td:last-child")
            .contains("old records deleted")
    );
    assert_eq!(
        app.number("SELECT count(*) FROM audit_events WHERE action = 'admin.job_run' AND details->>'job' = 'cleanup'"),
        1
    );
}

#[tokio::test]
async fn run_now_says_so_and_runs_nothing_when_the_jobs_lease_is_held_elsewhere() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    app.sql(
        "INSERT INTO job_leases (name, holder, until) VALUES ('mail', 'instance-b', now() + interval '10 minutes')",
    );

    let page = admin.post("/admin/jobs/mail/run", &[]).await;

    assert!(
        page.text(".flash-error")
            .contains("already running on instance instance-b"),
        "{}",
        page.body
    );
    assert_eq!(app.number("SELECT count(*) FROM job_runs"), 0);
}

#[tokio::test]
async fn a_job_this_instance_is_running_is_not_started_again_by_run_now_nor_by_the_scheduler() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    for name in ["cleanup", "collect"] {
        let job = jobs::job(name).unwrap();
        let running = jobs::start_run(&app.state, job).await.unwrap().unwrap();

        let page = admin.post(&format!("/admin/jobs/{name}/run"), &[]).await;
        let scheduled = jobs::run_recorded(&app.state, job).await;

        assert_eq!(
            page.text(".flash-error"),
            format!(
                "{name} was not started: it is already running on this instance; its run is below."
            )
        );
        assert_eq!(scheduled, None, "the scheduler does not start {name} again");
        let runs = format!("SELECT count(*) FROM job_runs WHERE job = '{name}'");
        assert_eq!(app.number(&runs), 1, "only the run under way is on record");
        jobs::finish_run(&app.state, job, running).await;
        assert!(
            jobs::run_recorded(&app.state, job).await.is_some(),
            "once {name} is over, it runs again"
        );
    }
}

#[tokio::test]
async fn run_now_of_a_job_that_does_not_exist_is_404() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;

    let page = admin.post("/admin/jobs/no-such-job/run", &[]).await;

    assert_eq!(page.status, 404);
    assert_eq!(app.number("SELECT count(*) FROM job_runs"), 0);
}

#[tokio::test]
async fn an_admin_sees_an_expired_account_of_another_workspace_with_its_reason_and_last_error() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    app.sql(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, status_reason, connected_via) \
         SELECT id, 'tiktok', 'nova.beats', 'expired', 'accounts.reason_expired', 'cookies' \
         FROM workspaces WHERE name = 'Studio Nova'",
    );
    app.sql(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via) \
         SELECT id, 'tiktok', 'nova.fine', 'active', 'cookies' FROM workspaces WHERE name = 'Studio Nova'",
    );
    app.sql(
        "INSERT INTO sync_runs (workspace_id, account_id, trigger, status, phase, finished_at, error_key) \
         SELECT workspace_id, id, 'schedule', 'expired', 'done', now(), 'sync.error_expired' \
         FROM social_accounts WHERE handle = 'nova.beats'",
    );

    let attention = admin.get("/admin/accounts").await;
    let all = admin.get("/admin/accounts?status=all").await;
    let active = admin.get("/admin/accounts?status=active").await;

    assert_eq!(
        attention.texts("#account-health tbody .handle"),
        vec!["@nova.beats"]
    );
    assert_eq!(
        attention.text("#account-health tbody .workspace"),
        "Studio Nova"
    );
    assert_eq!(attention.text("#account-health tbody .status"), "Expired");
    assert_eq!(
        attention.text("#account-health tbody .reason"),
        "TikTok logged this session out: reconnect it with fresh cookies."
    );
    assert!(
        attention
            .text("#account-health tbody .last-error")
            .ends_with("the TikTok session has expired; reconnect the account.")
    );
    assert_eq!(
        attention
            .attr("#status option[selected]", "value")
            .as_deref(),
        Some("attention")
    );
    assert_eq!(all.texts("#account-health tbody .handle").len(), 2);
    assert_eq!(
        active.texts("#account-health tbody .handle"),
        vec!["@nova.fine"]
    );
}

#[tokio::test]
async fn with_every_account_healthy_the_accounts_page_says_none_needs_attention() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;

    let page = admin.get("/admin/accounts").await;

    assert_eq!(
        page.text("#no-accounts"),
        "No account needs attention: every account is active and its latest syncs succeeded."
    );
}

#[tokio::test]
async fn the_emails_page_lists_a_queued_email_without_its_text() {
    let app = TestApp::spawn();
    let admin = site_admin(&app).await;
    // Only the message below: not the address confirmation the admin's registration queued.
    app.sql("DELETE FROM sent_emails");
    vistaflow::db::queries::mail::insert(
        &mut app.db.connect(),
        &vistaflow::mail::Email {
            workspace_id: None,
            recipient: "nina@example.com".into(),
            kind: vistaflow::domain::mail::MailKind::PasswordReset,
            language: vistaflow::i18n::Lang::Fr,
            subject: "Réinitialiser votre mot de passe".into(),
            text: "https://example.com/password-reset/SECRET-TOKEN-TEXT".into(),
            html: "<a href=\"https://example.com/password-reset/SECRET-TOKEN-HTML\">reset</a>"
                .into(),
        },
    )
    .expect("queuing a message");

    let all = admin.get("/admin/emails").await;
    let pending = admin.get("/admin/emails?status=pending").await;
    let sent = admin.get("/admin/emails?status=sent").await;

    assert_eq!(
        all.texts("#email-rows tbody .recipient"),
        vec!["nina@example.com"]
    );
    assert_eq!(
        all.text("#email-rows tbody .subject"),
        "Réinitialiser votre mot de passe"
    );
    assert_eq!(all.text("#email-rows tbody .status"), "Pending");
    assert!(
        !all.body.contains("SECRET-TOKEN"),
        "no message text is shown"
    );
    assert_eq!(pending.texts("#email-rows tbody tr").len(), 1);
    assert_eq!(sent.text("#no-emails"), "No email has this status.");
}

#[tokio::test]
async fn the_configuration_page_masks_every_secret() {
    let session_key = "c2Vzc2lvbi1rZXktc2VjcmV0".repeat(4);
    let secret_key = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let app = TestApp::spawn_with(&[
        ("SMTP_URL", "smtp://mailer:smtp-pass-secret@127.0.0.1:2525"),
        ("OPENAI_API_KEY", "sk-test-openai-secret"),
        ("VISTAFLOW_SESSION_KEY", &session_key),
        ("VISTAFLOW_SECRET_KEYS", secret_key),
    ]);
    let admin = site_admin(&app).await;

    let page = admin.get("/admin/config").await;

    assert_eq!(page.status, 200);
    assert_eq!(
        page.text("#setting-SMTP_URL .value"),
        "smtp://mailer:****@127.0.0.1:2525"
    );
    for name in [
        "OPENAI_API_KEY",
        "VISTAFLOW_SESSION_KEY",
        "VISTAFLOW_SECRET_KEYS",
    ] {
        assert_eq!(
            page.text(&format!("#setting-{name} .masked")),
            "set (hidden)",
            "{name}"
        );
    }
    assert_eq!(page.text("#setting-WEBDRIVER_URL .not-set"), "not set");
    assert!(page.has("#setting-DATABASE_URL .value"));
    for secret in [
        "smtp-pass-secret",
        "sk-test-openai-secret",
        session_key.as_str(),
        &secret_key[3..],
    ] {
        assert!(!page.body.contains(secret), "{secret} is on the page");
    }
}
