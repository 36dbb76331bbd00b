//! Email verification and invitations: a single-use link proves an address; only the invitation email's
//! token, or the verified owner of the invited address, joins a workspace.

use crate::harness::{MailSink, PASSWORD, Received, TestApp};

async fn wait_for(sink: &MailSink, count: usize) -> Vec<Received> {
    for _ in 0..100 {
        let received = sink.all_received();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sink.all_received()
}

fn confirmations_to(received: &[Received], email: &str) -> Vec<Received> {
    received
        .iter()
        .filter(|m| m.is_address_confirmation() && m.to.contains(email))
        .cloned()
        .collect()
}

/// Nina's "Studio Nova" invites max@example.com as a member: the path of the link in his mail.
async fn max_invited(app: &TestApp, sink: &MailSink) -> String {
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    nina.post(
        "/w/studio-nova/invitations",
        &[("email", "max@example.com"), ("role", "member")],
    )
    .await;
    wait_for(sink, 2)
        .await
        .iter()
        .find(|m| m.subject.starts_with("You are invited"))
        .expect("the invitation mail")
        .link_path("/invitations/join/")
}

const IS_MAX_MEMBER: &str = "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id WHERE u.email = 'max@example.com' AND w.slug = 'studio-nova'";

#[tokio::test]
async fn registering_sends_a_link_that_confirms_the_address_once_and_only_for_a_day() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let received = wait_for(&sink, 1).await;
    let mail = &confirmations_to(&received, "nina@example.com")[0];
    let path = mail.link_path("/email/verify/");

    let dashboard = nina.get("/w/studio-nova/").await;
    let shown = app.browser().get(&path).await;
    let confirmed = app.browser().post(&path, &[]).await;
    let again = app.browser().post(&path, &[]).await;
    let after = nina.get("/w/studio-nova/").await;

    assert_eq!(mail.subject, "Confirm your email address for VistaFlow");
    assert!(
        dashboard.has("#verify-banner"),
        "unverified people see how to confirm"
    );
    assert!(
        shown.has("#verify-confirm"),
        "opening the link changes nothing by itself"
    );
    assert_eq!(confirmed.path(), "/login");
    assert_eq!(
        confirmed.text(".flash-success"),
        "Your email address is confirmed."
    );
    assert_eq!(again.status, 410);
    assert!(again.has("#verify-invalid"));
    assert!(!after.has("#verify-banner"));
    assert_eq!(
        app.number("SELECT count(*) FROM users WHERE email = 'nina@example.com' AND email_verified_at IS NOT NULL"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM sent_emails WHERE kind = 'email_verification' AND body_text LIKE '%/email/verify/%'"),
        0,
        "the link is not kept once sent"
    );

    let max = app.registered("Max", "max@example.com", "Max Prod").await;
    let received = wait_for(&sink, 2).await;
    let late = confirmations_to(&received, "max@example.com")[0].link_path("/email/verify/");
    app.sql("UPDATE email_verifications SET created_at = now() - interval '25 hours', expires_at = now() - interval '1 hour' WHERE email = 'max@example.com'");
    assert_eq!(
        max.post(&late, &[]).await.status,
        410,
        "a day-old link is refused"
    );
}

#[tokio::test]
async fn a_new_link_is_sent_on_request_but_not_twice_in_a_minute() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    wait_for(&sink, 1).await;
    app.sql("UPDATE email_verifications SET created_at = now() - interval '2 minutes'");

    let first = nina
        .post("/email/verification", &[("back", "/w/studio-nova/leads")])
        .await;
    let second = nina
        .post("/email/verification", &[("back", "/w/studio-nova/leads")])
        .await;

    assert_eq!(first.path(), "/w/studio-nova/leads");
    assert_eq!(
        first.text(".flash-success"),
        "We sent a confirmation link to nina@example.com. It works for 24 hours."
    );
    assert!(
        second
            .text(".flash-error")
            .starts_with("A link was sent less than a minute ago")
    );
    assert_eq!(
        confirmations_to(&wait_for(&sink, 2).await, "nina@example.com").len(),
        2
    );
    assert_eq!(app.number("SELECT count(*) FROM email_verifications"), 2);
}

#[tokio::test]
async fn an_outsider_who_registers_an_invited_address_cannot_join_the_workspace() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    nina.post(
        "/w/studio-nova/invitations",
        &[("email", "max@example.com"), ("role", "admin")],
    )
    .await;
    let invitation = app.number("SELECT id FROM invitations");

    // Someone who never saw Max's mail registers his address.
    let outsider = app
        .registered("Not Max", "max@example.com", "Elsewhere")
        .await;
    let list = outsider.get("/workspaces").await;
    let accept = outsider
        .post(&format!("/invitations/{invitation}/accept"), &[])
        .await;
    let decline = outsider
        .post(&format!("/invitations/{invitation}/decline"), &[])
        .await;

    assert!(
        !list.body.contains("Studio Nova"),
        "the invitation is not shown to an unverified address"
    );
    assert!(
        accept
            .text(".flash-error")
            .starts_with("Confirm your email address")
    );
    assert!(
        decline
            .text(".flash-error")
            .starts_with("Confirm your email address")
    );
    assert_eq!(app.number(IS_MAX_MEMBER), 0);
    assert_eq!(
        app.number("SELECT count(*) FROM invitations"),
        1,
        "nor can they throw it away"
    );
    assert_eq!(outsider.get("/w/studio-nova/").await.status, 404);
}

#[tokio::test]
async fn the_invitation_link_lets_the_invited_person_register_and_join_once() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    let path = max_invited(&app, &sink).await;

    let max = app.browser();
    let offer = max.get(&path).await;
    let register = offer
        .attr("a[href^='/register']", "href")
        .expect("a way to register first");
    max.get(&register).await;
    let registered = max
        .post(
            "/register",
            &[
                ("display_name", "Max"),
                ("email", "max@example.com"),
                ("password", PASSWORD),
                ("workspace_name", "Max Prod"),
                ("next", &path),
            ],
        )
        .await;
    let joined = max.post(&path, &[]).await;
    let reused = app.registered("Eve", "eve@example.com", "Eve Prod").await;
    let reused = reused.get(&path).await;

    assert!(offer.text("#join-offer").contains("Studio Nova"));
    assert_eq!(
        registered.path(),
        path,
        "registration comes back to the invitation"
    );
    assert_eq!(joined.path(), "/w/studio-nova/");
    assert_eq!(app.number(IS_MAX_MEMBER), 1);
    assert_eq!(
        app.number("SELECT count(*) FROM users WHERE email = 'max@example.com' AND email_verified_at IS NOT NULL"),
        1,
        "the invitation's link proved the address"
    );
    assert_eq!(reused.status, 410, "the link works once");
    assert!(reused.has("#join-invalid"));
}

#[tokio::test]
async fn an_unverified_account_of_another_address_cannot_use_a_forwarded_invitation_link() {
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    let path = max_invited(&app, &sink).await;
    let eve = app.registered("Eve", "eve@example.com", "Eve Prod").await;

    let refused = eve.post(&path, &[]).await;
    app.sql("UPDATE users SET email_verified_at = now() WHERE email = 'eve@example.com'");
    let accepted = eve.post(&path, &[]).await;

    assert!(
        refused
            .text(".flash-error")
            .starts_with("Confirm your email address")
    );
    assert_eq!(
        accepted.path(),
        "/w/studio-nova/",
        "a verified person may use a link forwarded to them"
    );
}

#[tokio::test]
async fn an_account_made_before_verification_gets_its_link_at_the_next_login_and_is_not_locked_out()
{
    let sink = MailSink::start();
    let app = TestApp::spawn_with(&[("SMTP_URL", &sink.url)]);
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    wait_for(&sink, 1).await;
    // As the migration leaves accounts made before it: unverified, no link ever sent.
    app.sql("DELETE FROM email_verifications");
    let login = || async {
        app.browser()
            .post(
                "/login",
                &[("email", "nina@example.com"), ("password", PASSWORD)],
            )
            .await
    };

    let first = login().await;
    let second = login().await;

    assert_eq!(first.path(), "/w/studio-nova/");
    assert!(first.has("#verify-banner"));
    assert_eq!(second.path(), "/w/studio-nova/");
    let received = wait_for(&sink, 2).await;
    assert_eq!(
        confirmations_to(&received, "nina@example.com").len(),
        2,
        "one at registration, one at the first login after; none at the second login"
    );
}
