//! The admin pages: refused to everyone but site admins; people search, disable, promote; audit.

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
    ] {
        let page = nina.get(url).await;
        assert_eq!(page.status, 404, "GET {url}");
    }
    for action in ["disable", "enable", "admin", "revoke-admin"] {
        let page = nina.post(&format!("/admin/users/{id}/{action}"), &[]).await;
        assert_eq!(page.status, 404, "POST {action}");
    }
    assert_eq!(app.number("SELECT count(*) FROM users WHERE is_admin"), 0);
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
