//! The Review page: drafts edited in place, approved or rejected one by one or in a batch within each
//! account's quota (exactly at the boundary, and when two approvals race for the last slot), the
//! approved messages ready to send by hand, "Mark as sent"; and the whole review in real Chromium.

use std::sync::{Arc, Barrier};

use chrono::{Duration, DurationRound as _, Utc};
use diesel::Connection as _;
use vistaflow::db::queries::review::{self, Refusal};
use vistaflow::domain::quota::Quota;

use crate::chrome::Chrome;
use crate::harness::{PASSWORD, TestApp};
use crate::leads::Studio;

const REVIEW: &str = "/w/studio-nova/review";

/// `count` leads, each with a pending draft; answers the drafts' ids, best score first.
fn drafts(studio: &Studio<'_>, count: i16) -> Vec<i64> {
    (0..count)
        .map(|n| {
            let lead = studio
                .lead(&format!("fan{n}"))
                .score(90 - n)
                .kind("potential_client")
                .make();
            studio.draft(lead, &format!("Hi fan{n}!"))
        })
        .collect()
}

fn set_quota(studio: &Studio<'_>, per_hour: i16, per_day: i16) {
    studio.app.sql(&format!(
        "UPDATE workspaces SET quota_per_hour = {per_hour}, quota_per_day = {per_day} WHERE id = {}",
        studio.workspace_id
    ));
}

#[tokio::test]
async fn a_batch_approval_stops_exactly_at_the_quota_and_says_when_the_next_slot_opens() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    set_quota(&studio, 3, 50);
    let ids = drafts(&studio, 5);
    let fields: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut form: Vec<(&str, &str)> = fields.iter().map(|id| ("ids", id.as_str())).collect();
    form.push(("action", "approve"));

    let page = studio.nova.post(&format!("{REVIEW}/batch"), &form).await;

    assert_eq!(page.path(), REVIEW);
    assert_eq!(
        app.number("SELECT count(*) FROM suggested_messages WHERE status = 'approved'"),
        3
    );
    assert_eq!(
        app.number("SELECT count(*) FROM suggested_messages WHERE status = 'pending'"),
        2
    );
    assert_eq!(app.number("SELECT count(*) FROM quota_usage"), 3);
    let flash = page.text(".flash-error");
    assert!(flash.contains("3 message(s) approved"), "{flash}");
    assert!(flash.contains("2 not approved"), "{flash}");
    assert!(
        flash.contains("the quota of @studio.nova is reached; the next slot opens at"),
        "{flash}"
    );
    assert_eq!(page.texts("#ready article").len(), 3);
    assert_eq!(
        page.text("#quota-table tbody .left")
            .split_whitespace()
            .next(),
        Some("0")
    );
    for id in &ids[..3] {
        assert!(page.has(&format!("#copy-{id}[data-copy='message-{id}']")));
        let profile = page.attr(&format!("#open-{id}"), "href").unwrap();
        assert!(profile.contains("/@fan"), "{profile}");
    }
    assert!(
        page.has(&format!("#draft-{}", ids[3])),
        "the held drafts wait for review"
    );
}

#[tokio::test]
async fn the_next_slot_opens_exactly_an_hour_after_the_oldest_approval_of_the_hour() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let ids = drafts(&studio, 2);
    // PostgreSQL keeps microseconds.
    let now = Utc::now()
        .duration_trunc(Duration::microseconds(1))
        .unwrap();
    let oldest = now - Duration::minutes(50);
    app.sql(&format!(
        "INSERT INTO quota_usage (workspace_id, account_id, used_at) VALUES \
         ({ws}, {a}, '{oldest}'), ({ws}, {a}, '{recent}')",
        ws = studio.workspace_id,
        a = studio.account_id,
        oldest = oldest.to_rfc3339(),
        recent = (now - Duration::minutes(10)).to_rfc3339(),
    ));
    let limits = Quota {
        per_hour: 3,
        per_day: 50,
    };
    let user = app.number("SELECT id FROM users");
    let approve = |at: chrono::DateTime<Utc>, which: &[i64]| {
        let mut conn = app.db.connect();
        conn.transaction(|conn| review::approve(conn, studio.workspace_id, which, user, limits, at))
            .unwrap()
    };

    let first = approve(now, &ids);
    let slot = oldest + Duration::hours(1);
    let just_before = approve(slot - Duration::seconds(1), &ids[1..]);
    let at_the_slot = approve(slot, &ids[1..]);

    assert_eq!(first.approved, vec![ids[0]]);
    assert_eq!(
        first.refused,
        vec![(
            ids[1],
            Refusal::QuotaFull {
                account_handle: "studio.nova".into(),
                next_slot: Some(slot)
            }
        )]
    );
    assert!(just_before.approved.is_empty());
    assert_eq!(at_the_slot.approved, vec![ids[1]]);
}

#[tokio::test]
async fn two_approvals_racing_for_the_last_slot_cannot_both_win() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let user = app.number("SELECT id FROM users");
    let limits = Quota {
        per_hour: 10,
        per_day: 50,
    };
    for round in 0..5 {
        // Nine of ten slots used: one left, two drafts want it at the same moment.
        app.sql("DELETE FROM quota_usage");
        app.sql(&format!(
            "INSERT INTO quota_usage (workspace_id, account_id, used_at) \
             SELECT {}, {}, now() - interval '5 minutes' FROM generate_series(1, 9)",
            studio.workspace_id, studio.account_id
        ));
        let contenders: Vec<i64> = (0..2)
            .map(|k| {
                let lead = studio.lead(&format!("r{round}k{k}")).make();
                studio.draft(lead, "Hi!")
            })
            .collect();
        let barrier = Arc::new(Barrier::new(2));
        let approved: usize = std::thread::scope(|scope| {
            let runs: Vec<_> = contenders
                .iter()
                .map(|id| {
                    let (barrier, db) = (barrier.clone(), &app.db);
                    let workspace_id = studio.workspace_id;
                    scope.spawn(move || {
                        let mut conn = db.connect();
                        barrier.wait();
                        conn.transaction(|conn| {
                            review::approve(conn, workspace_id, &[*id], user, limits, Utc::now())
                        })
                        .unwrap()
                        .approved
                        .len()
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).sum()
        });

        assert_eq!(approved, 1, "round {round}");
        assert_eq!(
            app.number("SELECT count(*) FROM quota_usage"),
            10,
            "round {round}"
        );
    }
}

#[tokio::test]
async fn a_draft_is_edited_in_place_and_an_empty_text_is_refused_with_a_message() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let id = drafts(&studio, 1)[0];
    studio.nova.get(REVIEW).await;
    let htmx = [("HX-Request", "true")];

    let saved = studio
        .nova
        .post_with(
            &format!("{REVIEW}/{id}"),
            &[("body", "Hey fan0, want my price list?")],
            &htmx,
        )
        .await;
    let refused = studio
        .nova
        .post_with(&format!("{REVIEW}/{id}"), &[("body", "  ")], &htmx)
        .await;

    assert_eq!(saved.status, 200);
    assert!(!saved.has("h1"), "a fragment");
    assert_eq!(
        saved.text(&format!("#draft-{id} textarea")),
        "Hey fan0, want my price list?"
    );
    assert_eq!(saved.text(&format!("#draft-{id} .saved")), "Saved.");
    assert_eq!(refused.status, 422);
    assert!(refused.has(&format!("#body-{id}-error")));
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM suggested_messages WHERE id = {id} AND body = 'Hey fan0, want my price list?' AND edited_at IS NOT NULL"
        )),
        1
    );
}

#[tokio::test]
async fn an_approved_message_marked_sent_makes_its_lead_contacted() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let id = drafts(&studio, 1)[0];

    let approved = studio
        .nova
        .post(
            &format!("{REVIEW}/{id}/approve"),
            &[("body", "Edited before approval")],
        )
        .await;
    let sent = studio.nova.post(&format!("{REVIEW}/{id}/sent"), &[]).await;
    let again = studio.nova.post(&format!("{REVIEW}/{id}/sent"), &[]).await;

    assert_eq!(
        approved.text(&format!("#message-{id}")),
        "Edited before approval"
    );
    assert!(sent.has(".flash-success"));
    assert!(!sent.has(&format!("#ready-{id}")));
    assert_eq!(again.status, 404);
    assert_eq!(
        app.number(
            "SELECT count(*) FROM suggested_messages WHERE status = 'sent' AND sent_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE status = 'contacted'"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM lead_status_changes WHERE to_status = 'contacted'"),
        1
    );
}

#[tokio::test]
async fn selected_drafts_are_rejected_in_one_step() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let ids = drafts(&studio, 3);
    let (a, b) = (ids[0].to_string(), ids[1].to_string());

    let page = studio
        .nova
        .post(
            &format!("{REVIEW}/batch"),
            &[("ids", &a), ("ids", &b), ("action", "reject")],
        )
        .await;

    assert!(page.text(".flash-success").contains("2 draft(s) rejected"));
    assert_eq!(app.number("SELECT count(*) FROM suggested_messages WHERE status = 'rejected' AND reviewed_by IS NOT NULL"), 2);
    assert_eq!(page.texts("#pending article").len(), 1);
}

#[tokio::test]
async fn an_unknown_batch_action_changes_no_draft() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let ids = drafts(&studio, 2);
    let (a, b) = (ids[0].to_string(), ids[1].to_string());

    let unknown = studio
        .nova
        .post(
            &format!("{REVIEW}/batch"),
            &[("ids", &a), ("ids", &b), ("action", "archive")],
        )
        .await;
    let missing = studio
        .nova
        .post(&format!("{REVIEW}/batch"), &[("ids", &a), ("ids", &b)])
        .await;

    for page in [&unknown, &missing] {
        assert_eq!(page.status, 422);
        assert!(
            page.text(".flash-error")
                .contains("Choose Approve or Reject for the ticked drafts: nothing was changed."),
            "{}",
            page.text(".flash-error")
        );
        assert_eq!(page.texts("#pending article").len(), 2);
    }
    assert_eq!(
        app.number("SELECT count(*) FROM suggested_messages WHERE status = 'pending' AND reviewed_at IS NULL"),
        2
    );
    assert_eq!(app.number("SELECT count(*) FROM quota_usage"), 0);
}

#[tokio::test]
async fn with_nothing_to_review_the_page_says_where_drafts_come_from() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;

    let page = studio.nova.get(REVIEW).await;

    assert!(page.has("#no-drafts a[href='/w/studio-nova/leads']"));
    assert!(page.text("#quota-table").contains("@studio.nova"));
}

/// Registers Nova with her workspace Studio Nova through the form.
pub async fn register(chrome: &Chrome, register_url: &str) {
    chrome.driver.goto(register_url).await.unwrap();
    chrome.fill("#f-display_name", "Nova").await;
    chrome.fill("#f-email", "nova@example.com").await;
    chrome.fill("#f-password", PASSWORD).await;
    chrome.fill("#f-workspace_name", "Studio Nova").await;
    chrome
        .click("form[action='/register'] button[type=submit]")
        .await;
    chrome.wait_for_path("/w/studio-nova/").await;
}

/// Clicks the draft's copy button; answers what the clipboard then holds.
async fn copy(chrome: &Chrome, id: i64) -> Option<String> {
    chrome.click(&format!("#copy-{id}")).await;
    chrome.wait_for_text(&format!("#copy-{id}"), "Copied").await;
    let read = chrome
        .driver
        .execute_async(
            "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null));",
            Vec::new(),
        )
        .await
        .unwrap();
    read.json().as_str().map(str::to_owned)
}

/// Lets the page use the clipboard, as a person allows it when the browser asks.
async fn grant_clipboard(chrome: &Chrome, origin: &str) {
    chrome
        .driver
        .cdp()
        .send_raw(
            "Browser.grantPermissions",
            serde_json::json!({
                "origin": origin,
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            }),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_creator_filters_leads_reviews_a_batch_copies_a_message_and_hits_the_quota_in_a_real_browser()
 {
    let app = TestApp::spawn();
    let chrome = Chrome::start().await;
    let url = |path: &str| format!("{}{path}", app.address);
    register(&chrome, &url("/register")).await;
    let studio = Studio::for_registered(&app);
    set_quota(&studio, 2, 50);
    let buyers = drafts(&studio, 3);
    let spam = studio.lead("cheap.likes").score(5).kind("spam").make();
    let buyer = app.number(&format!(
        "SELECT lead_id FROM suggested_messages WHERE id = {}",
        buyers[0]
    ));
    grant_clipboard(&chrome, &app.address).await;

    // Filter the leads: only the potential clients remain.
    chrome
        .driver
        .goto(url("/w/studio-nova/leads"))
        .await
        .unwrap();
    chrome
        .wait_for_text(&format!("tr[data-lead-id='{spam}'] .who"), "@cheap.likes")
        .await;
    chrome
        .element("#f-type option[value='potential_client']")
        .await
        .click()
        .await
        .unwrap();
    chrome.click("#lead-filters button[type=submit]").await;
    chrome.wait_for_query("type=potential_client").await;
    chrome
        .wait_for_text(&format!("tr[data-lead-id='{buyer}'] .who"), "@fan0")
        .await;
    let rows = chrome
        .driver
        .find_all(thirtyfour::By::Css("#leads tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);

    // Open one.
    chrome
        .click(&format!("tr[data-lead-id='{buyer}'] .who a"))
        .await;
    chrome
        .wait_for_path(&format!("/w/studio-nova/leads/{buyer}"))
        .await;
    chrome.wait_for_text("#lead-name", "@fan0").await;

    // Edit a draft in place, then approve all three at once: the quota lets two through.
    chrome.driver.goto(url(REVIEW)).await.unwrap();
    let first = buyers[0];
    chrome
        .element(&format!("#body-{first}"))
        .await
        .clear()
        .await
        .unwrap();
    chrome
        .fill(
            &format!("#body-{first}"),
            "Hey fan0! Here is my price list.",
        )
        .await;
    chrome.click(&format!("#save-{first}")).await;
    chrome
        .wait_for_text(&format!("#draft-{first} .saved"), "Saved.")
        .await;
    for id in &buyers {
        chrome.click(&format!("#select-draft-{id}")).await;
    }
    chrome.click("#approve-selected").await;
    chrome
        .wait_for_text_containing(".flash-error", "the quota of @studio.nova is reached")
        .await;
    chrome
        .wait_for_text(
            &format!("#message-{first}"),
            "Hey fan0! Here is my price list.",
        )
        .await;

    // Copy the message to paste it in the platform's app.
    let pasted = copy(&chrome, first).await;
    assert_eq!(pasted.as_deref(), Some("Hey fan0! Here is my price list."));
    let profile = chrome
        .element(&format!("#open-{first}"))
        .await
        .attr("href")
        .await
        .unwrap();
    assert!(profile.unwrap().ends_with("/@fan0"));
    assert_eq!(
        app.number("SELECT count(*) FROM suggested_messages WHERE status = 'approved'"),
        2
    );
    assert_eq!(
        app.number("SELECT count(*) FROM suggested_messages WHERE status = 'pending'"),
        1
    );
    chrome.quit().await;
}
