//! A person's first visit in real Chromium: register, create a second workspace, invite a colleague,
//! switch to French, log out and back in.

use crate::chrome::Chrome;
use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn a_creator_goes_through_the_whole_first_visit_in_a_real_browser() {
    let app = TestApp::spawn();
    let chrome = Chrome::start().await;
    let url = |path: &str| format!("{}{path}", app.address);

    chrome.driver.goto(url("/register")).await.unwrap();
    chrome.fill("#f-display_name", "Nina Beats").await;
    chrome.fill("#f-email", "nina@example.com").await;
    chrome.fill("#f-password", PASSWORD).await;
    chrome.fill("#f-workspace_name", "Studio Nova").await;
    chrome
        .click("form[action='/register'] button[type=submit]")
        .await;
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
