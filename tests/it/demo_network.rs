//! The demo network serves TikTok's structure (PLATFORMS.md) in English and French, with a history
//! that grows over time, and loads more Activity rows as the list scrolls.

use scraper::{Html, Selector};
use thirtyfour::prelude::*;

use crate::chrome::Chrome;
use crate::harness::TestApp;

async fn logged_in_client(address: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    client
        .post(format!("{address}/login/demo"))
        .form(&[("handle", "studio.nova.demo")])
        .send()
        .await
        .unwrap();
    client
}

async fn page(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

fn select(html: &str, css: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    document
        .select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

#[tokio::test]
async fn the_activity_panel_has_tiktoks_structure_in_english_and_french() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap();
    let client = logged_in_client(&demo.address).await;

    let english = page(&client, &demo.address).await;
    demo.network.set_french(true);
    let french = page(&client, &demo.address).await;

    let rows = select(
        &english,
        "div[data-e2e='inbox-list'] > ul > li div[data-e2e='inbox-list-item'] p[data-e2e='inbox-content']",
    );
    assert_eq!(rows.len(), 30);
    assert!(
        rows.iter()
            .all(|r| r.ends_with(" ago") || r.chars().last().is_some_and(|c| c.is_ascii_digit())),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.starts_with("commented: ")
        || r.starts_with("liked your video.")
        || r.starts_with("started following you.")));
    let links = Html::parse_document(&english);
    let title = Selector::parse("a[data-e2e='inbox-title']").unwrap();
    assert!(
        links
            .select(&title)
            .all(|a| a.value().attr("href").is_some_and(|h| h.starts_with("/@")))
    );
    assert_eq!(
        select(&english, "div[data-e2e='inbox-bar'] [aria-selected='true']"),
        vec!["All activity"]
    );
    let french_rows = select(&french, "p[data-e2e='inbox-content']");
    assert!(
        french_rows.iter().any(|r| r.contains("il y a")),
        "{french_rows:?}"
    );
    assert_eq!(
        select(&french, "div[data-e2e='inbox-bar'] [aria-selected='true']"),
        vec!["Toute l'activité"]
    );
}

#[tokio::test]
async fn messages_list_conversations_and_open_a_thread_with_its_handle() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap();
    let client = logged_in_client(&demo.address).await;

    let list = client
        .get(format!("{}/messages", demo.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = Html::parse_document(&list)
        .select(&Selector::parse("[data-e2e='chat-list-item']").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("at least one conversation");
    let thread = client
        .get(format!("{}{first}", demo.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let handle = first.split("u=").nth(1).unwrap();
    assert_eq!(
        select(&thread, "[data-e2e='chat-uniqueid']"),
        vec![handle.to_owned()]
    );
    assert!(!select(&thread, "[data-e2e='chat-item'] p").is_empty());
}

#[tokio::test]
async fn a_logged_out_visit_lands_on_the_login_page_like_tiktok() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap();

    let page = reqwest::get(&demo.address).await.unwrap();

    assert_eq!(page.url().path(), "/login");
    assert!(page.url().query().unwrap().starts_with("redirect_url="));
}

#[tokio::test]
async fn the_activity_list_loads_more_rows_when_scrolled_in_a_real_browser() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap().address.clone();
    let chrome = Chrome::start().await;

    chrome.driver.goto(format!("{demo}/login")).await.unwrap();
    chrome
        .click("form[action='/login/demo'] button[value='studio.nova.demo']")
        .await;
    chrome.wait_for_path("/cookies").await;
    chrome.driver.goto(&demo).await.unwrap();
    chrome.click("[data-e2e='nav-activity']").await;
    let before = chrome
        .driver
        .find_all(By::Css("[data-e2e='inbox-list-item']"))
        .await
        .unwrap()
        .len();
    chrome.driver.execute("const l = document.querySelector(\"[data-e2e='inbox-list']\"); l.scrollTop = l.scrollHeight;", vec![]).await.unwrap();
    let mut after = before;
    for _ in 0..50 {
        after = chrome
            .driver
            .find_all(By::Css("[data-e2e='inbox-list-item']"))
            .await
            .unwrap()
            .len();
        if after > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    assert_eq!(before, 30);
    assert_eq!(after, 60);
    chrome.quit().await;
}

#[tokio::test]
async fn the_extract_command_reads_every_row_of_the_demo_activity_in_both_languages() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap();
    let client = logged_in_client(&demo.address).await;
    let dir = std::env::temp_dir().join(format!(
        "vistaflow-extract-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();

    for french in [false, true] {
        demo.network.set_french(french);
        let html = page(&client, &demo.address).await;
        let file = dir.join(format!("activity-{french}.html"));
        std::fs::write(&file, &html).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_vistaflow"))
            .args(["extract", "tiktok-activity"])
            .arg(&file)
            .env_clear()
            .output()
            .unwrap();

        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 30, "french: {french}");
        for row in &rows {
            assert_ne!(row["kind"], "unknown", "{row}");
            assert!(
                row["handle"].as_str().is_some_and(|h| !h.is_empty()),
                "{row}"
            );
            assert!(
                row["occurred_at"].is_string() && row["precision"].is_string(),
                "{row}"
            );
        }
        assert!(
            rows.iter()
                .any(|r| r["kind"] == "comment" && r["text"].is_string())
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
