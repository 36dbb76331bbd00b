//! Registration, login, wrong passwords, throttling (and the owner's warning), password changes.

use crate::harness::{MailSink, PASSWORD, TestApp};
use crate::mail::wait_for_mail;

#[tokio::test]
async fn a_person_registers_lands_on_their_workspace_and_logs_in_again_later() {
    let app = TestApp::spawn();

    let nina = app
        .registered("Nina Beats", "Nina@Example.com", "Studio Nova")
        .await;
    let dashboard = nina.get("/").await;

    assert_eq!(dashboard.path(), "/w/studio-nova/");
    assert_eq!(dashboard.text("h1"), "Dashboard");
    assert_eq!(dashboard.text("#count-members"), "1");
    assert_eq!(
        dashboard.text(".switcher summary"),
        "Current workspace: Studio Nova"
    );

    nina.post("/logout", &[]).await;
    let later = app.browser();
    let page = later
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.path(), "/w/studio-nova/");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn();
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let browser = app.browser();

    let wrong_password = browser
        .post(
            "/login",
            &[
                ("email", "nina@example.com"),
                ("password", "not-her-password"),
            ],
        )
        .await;
    let unknown_email = browser
        .post(
            "/login",
            &[
                ("email", "nobody@example.com"),
                ("password", "not-her-password"),
            ],
        )
        .await;

    assert_eq!(wrong_password.status, 422);
    assert_eq!(unknown_email.status, 422);
    assert_eq!(
        wrong_password.text("#login-error"),
        "The email or the password is incorrect."
    );
    assert_eq!(
        unknown_email.text("#login-error"),
        wrong_password.text("#login-error")
    );
    assert_eq!(browser.get("/workspaces").await.path(), "/login");
}

#[tokio::test]
async fn five_failures_lock_the_account_from_that_address_even_for_the_right_password_and_say_when_to_retry()
 {
    let app = TestApp::spawn();
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let attacker = app.browser();
    for _ in 0..5 {
        let page = attacker
            .post(
                "/login",
                &[("email", "nina@example.com"), ("password", "guess-guess")],
            )
            .await;
        assert_eq!(page.status, 422);
    }

    let locked = attacker
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;

    assert_eq!(locked.status, 429);
    assert_eq!(
        locked.text("#login-error"),
        "Too many attempts. Try again in 30 seconds."
    );
    let unknown = attacker
        .post(
            "/login",
            &[("email", "ghost@example.com"), ("password", "a")],
        )
        .await;
    for _ in 0..4 {
        attacker
            .post(
                "/login",
                &[("email", "ghost@example.com"), ("password", "a")],
            )
            .await;
    }
    let ghost = attacker
        .post(
            "/login",
            &[("email", "ghost@example.com"), ("password", "a")],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        ghost.status, 429,
        "an unknown address is throttled like a real one (no enumeration)"
    );
}

#[tokio::test]
async fn many_failures_from_one_address_lock_that_address_for_every_account() {
    let app = TestApp::spawn();
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let bot = app.browser();
    for i in 0..20 {
        bot.post(
            "/login",
            &[
                ("email", &format!("target{i}@example.com")),
                ("password", "x"),
            ],
        )
        .await;
    }

    let page = bot
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;

    assert_eq!(page.status, 429);
    assert!(page.text("#login-error").starts_with("Too many attempts"));
}

/// Logs in as `email` with `password`, from client address `ip`.
async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> crate::harness::Page {
    app.browser()
        .post_with(
            "/login",
            &[("email", email), ("password", password)],
            &[("X-Forwarded-For", ip)],
        )
        .await
}

#[tokio::test]
async fn a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out_and_the_owner_is_warned_once_in_their_language()
 {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url), ("TRUST_FORWARDED_FOR", "true")]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    app.sql("UPDATE users SET locale = 'fr' WHERE email = 'nina@example.com'");
    let home = "198.51.100.20";
    login_from(&app, home, "nina@example.com", PASSWORD).await;

    // A stranger with a few addresses tries passwords until each address is stopped.
    let mut stranger = Vec::new();
    for address in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"] {
        for _ in 0..6 {
            stranger.push(
                login_from(&app, address, "nina@example.com", "guess-guess")
                    .await
                    .status,
            );
        }
    }
    let owner = login_from(&app, home, "nina@example.com", PASSWORD).await;

    assert_eq!(
        stranger.iter().filter(|s| **s == 429).count(),
        4,
        "each of the stranger's addresses is stopped after five failures: {stranger:?}"
    );
    assert_eq!(owner.path(), "/w/studio-nova/", "{}", owner.body);
    let received = wait_for_mail(&sink, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1, "one warning, not one per failure");
    assert!(received[0].to.contains("nina@example.com"));
    assert_eq!(
        received[0].subject, "Quelqu'un essaie de se connecter à votre compte VistaFlow",
        "in Nina's language"
    );
    assert!(received[0].text.contains("/account"));
}

#[tokio::test]
async fn the_owner_mistyping_from_their_own_address_gets_no_warning() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url), ("TRUST_FORWARDED_FOR", "true")]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let home = "198.51.100.20";
    login_from(&app, home, "nina@example.com", PASSWORD).await;
    app.sql("DELETE FROM login_throttles");

    for _ in 0..12 {
        login_from(&app, home, "nina@example.com", "typo-typo").await;
        app.sql("UPDATE login_throttles SET blocked_until = NULL");
    }

    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 0);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::spawn();
    let laptop = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let phone = app.browser();
    phone
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(phone.get("/account").await.status, 200);

    let page = laptop
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "copper-lantern-97"),
            ],
        )
        .await;

    assert_eq!(page.path(), "/account");
    assert_eq!(
        page.text(".flash-success"),
        "Your password is changed. Your other sessions are logged out."
    );
    assert_eq!(
        laptop.get("/account").await.status,
        200,
        "the session that changed it goes on"
    );
    assert_eq!(
        phone.get("/account").await.path(),
        "/login",
        "the other session ended"
    );
    let fresh = app.browser();
    let login = fresh
        .post(
            "/login",
            &[
                ("email", "nina@example.com"),
                ("password", "copper-lantern-97"),
            ],
        )
        .await;
    assert_eq!(login.path(), "/w/studio-nova/");
}

#[tokio::test]
async fn a_wrong_current_password_keeps_the_old_one() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let page = nina
        .post(
            "/account/password",
            &[
                ("current_password", "wrong-one-here"),
                ("new_password", "copper-lantern-97"),
            ],
        )
        .await;

    assert_eq!(page.status, 422);
    assert_eq!(
        page.text("#f-current_password-error"),
        "This is not your current password."
    );
    let again = app.browser();
    assert_eq!(
        again
            .post(
                "/login",
                &[("email", "nina@example.com"), ("password", PASSWORD)]
            )
            .await
            .path(),
        "/w/studio-nova/"
    );
}

#[tokio::test]
async fn no_reset_token_reaches_the_request_log() {
    let sink = crate::harness::MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let visitor = app.browser();
    visitor
        .post("/password/forgot", &[("email", "nina@example.com")])
        .await;
    let mut received = sink.received();
    for _ in 0..100 {
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        received = sink.received();
    }
    let link = received[0]
        .text
        .lines()
        .find(|l| l.contains("/password/reset/"))
        .expect("the reset link")
        .trim()
        .to_owned();
    let path = &link[link.find("/password/reset/").unwrap()..];
    let token = path.trim_start_matches("/password/reset/");

    visitor.get(path).await;
    visitor
        .post(path, &[("new_password", "a-brand-new-harbour-77")])
        .await;

    let written = crate::harness::logs();
    assert!(!written.contains(token), "the token is in the log");
    assert!(
        written.contains("GET /password/reset/[redacted]"),
        "the request is still logged, without its token"
    );
}
