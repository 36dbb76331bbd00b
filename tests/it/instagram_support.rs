//! Connecting a demo Instagram account through the consent screen, as the Instagram tests need it.

use crate::harness::{Browser, TestApp, logs};

pub const NOVA: &str = "studio.nova.demo";
pub const NOVA_ID: &str = "17841400000000001";

/// Answers a redirect's `Location` header, or fails naming the status.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no redirect: {}", response.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

pub fn query(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Clicks "Connect Instagram": answers the consent screen's address.
pub async fn open_consent(browser: &Browser) -> String {
    browser.get("/w/studio-nova/accounts").await;
    let started = browser
        .raw_post("/w/studio-nova/accounts/instagram", &[])
        .await;
    consent_link(started).await
}

/// The consent screen's address on the page that leaves for Instagram (a form's answer may not
/// redirect to another site).
pub async fn consent_link(started: reqwest::Response) -> String {
    assert_eq!(started.status(), 200, "{}", logs());
    let page = started.text().await.unwrap();
    let html = scraper::Html::parse_document(&page);
    let link = scraper::Selector::parse("a#continue-to-instagram").unwrap();
    html.select(&link)
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("no link to Instagram in:\n{page}"))
        .to_owned()
}

/// Answers the demo's consent screen as `username` with `decision`: the callback's address.
pub async fn consent(consent_url: &str, username: &str, decision: &str) -> String {
    let url = url::Url::parse(consent_url).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("username".into(), username.into()));
    form.push(("decision".into(), decision.into()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut post_to = url.clone();
    post_to.set_query(None);
    let answer = client.post(post_to).form(&form).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    location(&answer)
}

/// The callback's path and query, as the browser requests it (a fragment is never sent).
pub fn callback_path(callback: &str) -> String {
    let url = url::Url::parse(callback).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

pub async fn connect(app: &TestApp, browser: &Browser, username: &str) -> crate::harness::Page {
    let consent_url = open_consent(browser).await;
    let callback = consent(&consent_url, username, "allow").await;
    assert!(callback.starts_with(&app.address), "{callback}");
    browser.get(&callback_path(&callback)).await
}
