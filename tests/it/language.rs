//! French and English: from the person's choice, else the browser's Accept-Language; errors too.

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn a_french_browser_gets_the_french_interface() {
    let app = TestApp::spawn();

    let page = app
        .browser()
        .get_with("/login", &[("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")])
        .await;

    assert_eq!(page.attr("html", "lang").as_deref(), Some("fr"));
    assert_eq!(page.text("h1"), "Connexion");
}

#[tokio::test]
async fn the_language_chosen_is_kept_on_the_account_and_comes_back_at_the_next_login() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let french = nina
        .post(
            "/language",
            &[("lang", "fr"), ("next", "/w/studio-nova/leads")],
        )
        .await;
    assert_eq!(french.path(), "/w/studio-nova/leads");
    assert_eq!(french.text("h1"), "Prospects");
    assert_eq!(french.text(".sidenav a[aria-current=page]"), "Prospects");

    nina.post("/logout", &[]).await;
    let elsewhere = app.browser();
    let page = elsewhere
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.text("h1"), "Tableau de bord");
}

#[tokio::test]
async fn the_language_switch_never_redirects_off_site() {
    let app = TestApp::spawn();
    let browser = app.browser();
    browser.get("/login").await;

    let response = browser
        .raw_post(
            "/language",
            &[("lang", "fr"), ("next", "https://evil.example/")],
        )
        .await;

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn the_404_page_speaks_both_languages() {
    let app = TestApp::spawn();

    let english = app
        .browser()
        .get_with("/no/such/page", &[("Accept-Language", "en")])
        .await;
    let french = app
        .browser()
        .get_with("/no/such/page", &[("Accept-Language", "fr")])
        .await;

    assert_eq!(
        (english.status, english.text("h1")),
        (404, "Page not found".to_owned())
    );
    assert_eq!(
        (french.status, french.text("h1")),
        (404, "Page introuvable".to_owned())
    );
}

#[tokio::test]
async fn an_htmx_request_that_fails_gets_a_toast_fragment_aimed_at_the_toast_area() {
    let app = TestApp::spawn();

    let page = app
        .browser()
        .get_with(
            "/no/such/page",
            &[("HX-Request", "true"), ("Accept-Language", "fr")],
        )
        .await;

    assert_eq!(page.status, 404);
    assert_eq!(page.headers["hx-retarget"], "#toasts");
    assert_eq!(page.headers["hx-reswap"], "beforeend");
    assert!(!page.body.contains("<html"), "a fragment, not a page");
    assert_eq!(
        page.text(".toast[role=alert]"),
        "Cette page n'existe pas, ou vous n'y avez pas accès."
    );
}
