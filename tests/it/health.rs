//! Probes: `/healthz` answers while the process runs; `/readyz` only when the database is migrated.

use crate::harness::{TestApp, TestDatabase};

#[tokio::test]
async fn healthz_and_readyz_answer_on_a_migrated_database() {
    let app = TestApp::spawn();
    let client = reqwest::Client::new();

    let health = client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    let ready = client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(health.status(), 200);
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readyz_says_migrations_are_pending_on_an_unmigrated_database() {
    let app = TestApp::spawn_on(TestDatabase::empty(), &[]);

    let ready = reqwest::get(format!("{}/readyz", app.address))
        .await
        .unwrap();

    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.unwrap(), "migrations pending");
}

#[tokio::test]
async fn readyz_says_the_database_is_unavailable_when_it_cannot_be_reached() {
    let mut db = TestDatabase::empty();
    db.url = db.url.replace(&db.name, "vf_database_that_does_not_exist");
    let app = TestApp::spawn_on(db, &[]);

    let ready = reqwest::get(format!("{}/readyz", app.address))
        .await
        .unwrap();
    let health = reqwest::get(format!("{}/healthz", app.address))
        .await
        .unwrap();

    assert_eq!(ready.status(), 503);
    assert_eq!(ready.text().await.unwrap(), "database unavailable");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn();

    let response = reqwest::get(format!("{}/login", app.address))
        .await
        .unwrap();

    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn htmx_and_the_stylesheet_are_served_from_the_app_itself() {
    let app = TestApp::spawn();
    let page = app.browser().get("/login").await;
    let script = page.attr("script[src]", "src").unwrap();
    let stylesheet = page.attr("link[rel=stylesheet]", "href").unwrap();

    let js = reqwest::get(format!("{}{script}", app.address))
        .await
        .unwrap();
    let css = reqwest::get(format!("{}{stylesheet}", app.address))
        .await
        .unwrap();

    assert_eq!(script, "/static/js/htmx-2.0.11.min.js");
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(js.text().await.unwrap().contains("htmx"));
    assert_eq!(css.status(), 200);
}
