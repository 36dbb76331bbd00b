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

#[tokio::test]
async fn when_the_database_drops_every_connection_only_the_first_request_fails_and_with_the_error_page()
 {
    let app = TestApp::spawn();
    let browser = app
        .registered("Nova", "nova@example.com", "Studio Nova")
        .await;
    // Every connection of the pool has just been used, so the pool trusts them all without asking.
    let warm =
        futures_util::future::join_all((0..8).map(|_| browser.get("/w/studio-nova/leads"))).await;
    assert!(warm.iter().all(|page| page.status == 200));

    // What a database restart does to the pool: every connection the app holds is gone.
    app.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    for _ in 0..200 {
        let left = app.number(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut pages = Vec::new();
    for _ in 0..6 {
        pages.push(browser.get("/w/studio-nova/leads").await);
    }

    let statuses: Vec<u16> = pages.iter().map(|page| page.status).collect();
    assert_eq!(
        statuses,
        [500, 200, 200, 200, 200, 200],
        "{}",
        crate::harness::logs()
    );
    let failed = &pages[0];
    assert!(
        failed.body.contains("Something went wrong"),
        "{}",
        failed.body
    );
    assert!(failed.headers.contains_key("content-security-policy"));
    assert!(crate::harness::logs().contains("a request failed outside its handler"));
    // The person is still logged in: the session was never lost.
    assert!(
        pages[5].has("#lead-filters") && pages[5].url.ends_with("/w/studio-nova/leads"),
        "{}",
        pages[5].body
    );
}

#[tokio::test]
async fn over_https_every_answer_tells_browsers_to_keep_to_https_for_a_year() {
    let secure = TestApp::spawn_with(&[("PUBLIC_URL", "https://app.example.com")]);
    let plain = TestApp::spawn();

    let over_https = reqwest::get(format!("{}/login", secure.address))
        .await
        .unwrap();
    let over_http = reqwest::get(format!("{}/login", plain.address))
        .await
        .unwrap();

    let hsts = over_https.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    let max_age: i64 = hsts
        .split(';')
        .find_map(|part| part.trim().strip_prefix("max-age="))
        .and_then(|age| age.parse().ok())
        .expect("a max-age");
    assert!(max_age >= 365 * 24 * 3600, "{hsts}");
    assert!(
        over_http
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "plain local http has no HSTS"
    );
}

#[tokio::test]
async fn signed_in_pages_are_never_kept_by_a_cache() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    for path in [
        "/w/studio-nova/",
        "/w/studio-nova/leads",
        "/w/studio-nova/members",
        "/account",
        "/workspaces",
    ] {
        let response = nina
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let css = nina
        .client
        .get(format!("{}/static/css/app.css", app.address))
        .send()
        .await
        .unwrap();
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"),
        "static files keep their long cache"
    );
}
