//! A person's first visit in real Chromium: register, create a second workspace, invite a colleague,
//! switch to French, log out and back in.

use crate::chrome::Chrome;

/// Registers Nina with her workspace Studio Nova through the form.
async fn register(chrome: &Chrome, register_url: &str) {
    chrome.driver.goto(register_url).await.unwrap();
    chrome.fill("#f-display_name", "Nina Beats").await;
    chrome.fill("#f-email", "nina@example.com").await;
    chrome.fill("#f-password", PASSWORD).await;
    chrome.fill("#f-workspace_name", "Studio Nova").await;
    chrome
        .click("form[action='/register'] button[type=submit]")
        .await;
}
use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn a_creator_goes_through_the_whole_first_visit_in_a_real_browser() {
    let app = TestApp::spawn();
    let chrome = Chrome::start().await;
    let url = |path: &str| format!("{}{path}", app.address);

    register(&chrome, &url("/register")).await;
    chrome.wait_for_path("/w/studio-nova/").await;
    chrome.wait_for_text("h1", "Dashboard").await;

    chrome.click(".switcher summary").await;
    chrome.click(".switcher a[href='/workspaces']").await;
    chrome.wait_for_path("/workspaces").await;
    chrome.fill("#f-name", "Label Étoile").await;
    chrome
        .click("form[action='/workspaces'] button[type=submit]")
        .await;
    chrome.wait_for_path("/w/label-etoile/").await;
    chrome
        .wait_for_text(".flash-success", "Workspace “Label Étoile” created.")
        .await;

    chrome
        .click(".sidenav a[href='/w/label-etoile/settings']")
        .await;
    chrome
        .click(".tabs a[href='/w/label-etoile/members']")
        .await;
    chrome.wait_for_path("/w/label-etoile/members").await;
    chrome.fill("#f-email", "max@example.com").await;
    chrome
        .click("form[action='/w/label-etoile/invitations'] button[type=submit]")
        .await;
    chrome
        .wait_for_text(".flash-success", "Invitation created for max@example.com.")
        .await;

    chrome.click(".language button[value=fr]").await;
    chrome.wait_for_text("h1", "Paramètres").await;
    chrome.wait_for_path("/w/label-etoile/members").await;

    chrome.click(".usernav form[action='/logout'] button").await;
    chrome.wait_for_path("/login").await;
    chrome
        .wait_for_text(".flash-success", "Vous êtes déconnecté.")
        .await;

    chrome.fill("#f-email", "nina@example.com").await;
    chrome.fill("#f-password", PASSWORD).await;
    chrome
        .click("form[action='/login'] button[type=submit]")
        .await;
    chrome.wait_for_text("h1", "Tableau de bord").await;
    assert_eq!(
        app.number("SELECT count(*) FROM invitations WHERE email = 'max@example.com'"),
        1
    );
    chrome.quit().await;
}

#[tokio::test]
async fn a_creator_connects_demo_accounts_by_qr_code_and_by_pasting_cookies_in_a_real_browser() {
    let app = TestApp::spawn_with_demo();
    let demo = app.demo.as_ref().unwrap().address.clone();
    let chrome = Chrome::start().await;
    let url = |path: &str| format!("{}{path}", app.address);
    register(&chrome, &url("/register")).await;
    chrome.wait_for_path("/w/studio-nova/").await;

    // By QR code: the page shows the code and follows the scan by itself (htmx polling).
    chrome
        .click(".sidenav a[href='/w/studio-nova/accounts']")
        .await;
    chrome.click("#connect-qr").await;
    chrome
        .wait_for_text(
            "#qr-phone-link",
            "Demo network: open the demo phone to scan this code",
        )
        .await;
    let phone = chrome
        .element("#qr-phone-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    reqwest::Client::new()
        .post(phone.replace("/scan", "/approve"))
        .form(&[("handle", "lina.beats.demo")])
        .send()
        .await
        .unwrap();
    chrome.wait_for_path("/w/studio-nova/accounts").await;
    chrome
        .wait_for_text(".flash-success", "@lina.beats.demo is connected.")
        .await;

    // By pasting the cookies the demo network shows after a login.
    chrome.driver.goto(format!("{demo}/login")).await.unwrap();
    chrome
        .click("form[action='/login/demo'] button[value='studio.nova.demo']")
        .await;
    let cookies = chrome
        .element("#cookie-header")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    chrome
        .driver
        .goto(url("/w/studio-nova/accounts"))
        .await
        .unwrap();
    chrome.fill("#f-cookies", &cookies).await;
    chrome
        .click("form[action='/w/studio-nova/accounts'] button[type=submit]")
        .await;
    chrome
        .wait_for_text(".flash-success", "@studio.nova.demo is connected.")
        .await;

    let handles = chrome
        .driver
        .find_all(thirtyfour::By::Css("#accounts .handle"))
        .await
        .unwrap();
    let mut names = Vec::new();
    for handle in handles {
        names.push(handle.text().await.unwrap());
    }
    assert_eq!(names, vec!["@lina.beats.demo", "@studio.nova.demo"]);
    chrome.quit().await;
}
