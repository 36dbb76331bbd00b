//! Connecting TikTok accounts against the demo network, checked in real Chromium through chromedriver.

use crate::harness::{Browser, TestApp, logs};

/// Logs in to the demo network as `handle` and returns the cookies it set, as a Cookie header.
pub async fn demo_cookies(app: &TestApp, handle: &str) -> String {
    let demo = app.demo.as_ref().expect("an app with a demo network");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/login/demo", demo.address))
        .form(&[("handle", handle)])
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

fn session_id(cookies: &str) -> String {
    cookies
        .split("; ")
        .find_map(|c| c.strip_prefix("sessionid="))
        .unwrap()
        .to_owned()
}

/// Nina, owner of Studio Nova, with the demo creator's account connected by pasted cookies.
pub async fn connected(app: &TestApp) -> (Browser, i64) {
    let nina = owner(app).await;
    let page = nina
        .post(
            "/w/studio-nova/accounts",
            &[("cookies", &demo_cookies(app, "studio.nova.demo").await)],
        )
        .await;
    assert_eq!(
        page.texts("#accounts .handle"),
        vec!["@studio.nova.demo"],
        "the arrangement connected the account"
    );
    (nina, app.number("SELECT id FROM social_accounts"))
}

/// Takes the app's only browser session for syncs and checks (`BROWSER_SESSIONS=1`) and keeps it for
/// `seconds`; answers once it is held, with the task to await at the end.
pub async fn hold_every_browser(app: &TestApp, seconds: u64) -> tokio::task::JoinHandle<()> {
    let (held, holding) = tokio::sync::oneshot::channel();
    let browsers = app.browsers.clone();
    let holder = tokio::spawn(async move {
        browsers
            .run(|_driver| async move {
                let _ = held.send(());
                tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
                Ok(())
            })
            .await
            .expect("holding the browser session");
    });
    holding.await.expect("the browser session was held");
    holder
}

/// One browser session for syncs and checks, and a short wait for it.
pub const ONE_BROWSER: [(&str, &str); 2] =
    [("BROWSER_SESSIONS", "1"), ("BROWSER_WAIT_SECONDS", "1")];

async fn owner(app: &TestApp) -> Browser {
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await
}

#[tokio::test]
async fn pasted_cookies_connect_an_active_account_named_by_the_handle_its_page_shows() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let cookies = demo_cookies(&app, "studio.nova.demo").await;

    let page = nina
        .post("/w/studio-nova/accounts", &[("cookies", &cookies)])
        .await;

    assert_eq!(page.path(), "/w/studio-nova/accounts", "{}", page.body);
    assert_eq!(
        page.text(".flash-success"),
        "@studio.nova.demo is connected."
    );
    assert_eq!(page.texts("#accounts .handle"), vec!["@studio.nova.demo"]);
    assert_eq!(page.text("#accounts .status"), "Active");
    assert_eq!(
        page.text("#accounts td:nth-child(2) small"),
        "Studio Nova 🎧"
    );
}

#[tokio::test]
async fn a_cookies_txt_paste_works_as_well_as_a_header() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let cookies = demo_cookies(&app, "lina.beats.demo").await;
    let netscape: String = std::iter::once("# Netscape HTTP Cookie File".to_owned())
        .chain(cookies.split("; ").map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            format!("127.0.0.1\tFALSE\t/\tFALSE\t1900000000\t{name}\t{value}")
        }))
        .collect::<Vec<_>>()
        .join("\n");

    let page = nina
        .post("/w/studio-nova/accounts", &[("cookies", &netscape)])
        .await;

    assert_eq!(page.texts("#accounts .handle"), vec!["@lina.beats.demo"]);
}

#[tokio::test]
async fn expired_cookies_are_refused_with_what_to_do_and_nothing_is_stored() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let cookies = demo_cookies(&app, "studio.nova.demo").await;
    app.demo.as_ref().unwrap().network.expire(None);

    let page = nina
        .post("/w/studio-nova/accounts", &[("cookies", &cookies)])
        .await;

    assert_eq!(page.status, 422);
    assert!(
        page.text("#f-cookies-error")
            .starts_with("TikTok answered with its login page: this session has expired.")
    );
    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 0);
    assert_eq!(app.number("SELECT count(*) FROM account_secrets"), 0);
}

#[tokio::test]
async fn a_captcha_is_reported_as_blocked_and_never_solved() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let cookies = demo_cookies(&app, "studio.nova.demo").await;
    app.demo
        .as_ref()
        .unwrap()
        .network
        .set_captcha("studio.nova.demo", true);

    let page = nina
        .post("/w/studio-nova/accounts", &[("cookies", &cookies)])
        .await;

    assert_eq!(page.status, 422);
    assert!(
        page.text("#f-cookies-error")
            .contains("VistaFlow never solves captchas")
    );
}

#[tokio::test]
async fn check_now_notices_an_expired_session_keeps_the_account_and_reconnect_revives_it() {
    let app = TestApp::spawn_with_demo();
    let (nina, id) = connected(&app).await;
    app.demo
        .as_ref()
        .unwrap()
        .network
        .expire(Some("studio.nova.demo"));

    let checked = nina
        .post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;

    assert_eq!(checked.text("#accounts .status"), "Expired");
    assert_eq!(
        checked.text("#accounts .reason"),
        "TikTok logged this session out: reconnect it with fresh cookies."
    );
    assert_eq!(
        app.number("SELECT count(*) FROM account_secrets"),
        1,
        "nothing is lost"
    );

    let wrong = nina
        .post(
            &format!("/w/studio-nova/accounts/{id}/reconnect"),
            &[("cookies", &demo_cookies(&app, "lina.beats.demo").await)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(
        wrong.text("#reconnect-error"),
        "These cookies are the session of @lina.beats.demo, not of @studio.nova.demo."
    );

    let revived = nina
        .post(
            &format!("/w/studio-nova/accounts/{id}/reconnect"),
            &[("cookies", &demo_cookies(&app, "studio.nova.demo").await)],
        )
        .await;
    assert_eq!(
        revived.text(".flash-success"),
        "@studio.nova.demo is reconnected."
    );
    assert_eq!(revived.text("#accounts .status"), "Active");
}

#[tokio::test]
async fn a_check_that_finds_every_browser_busy_says_so_and_leaves_the_account_as_it_was() {
    let app = TestApp::spawn_with_demo_and(&ONE_BROWSER);
    let (nina, id) = connected(&app).await;
    let holder = hold_every_browser(&app, 5).await;

    let checked = nina
        .post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;

    assert_eq!(
        checked.text(".flash-error"),
        "Every browser is busy right now, so @studio.nova.demo was not checked. Try again shortly."
    );
    assert_eq!(checked.text("#accounts .status"), "Active");
    assert_eq!(
        app.number(
            "SELECT count(*) FROM social_accounts WHERE status = 'active' AND status_reason IS NULL"
        ),
        1
    );
    holder.await.unwrap();
}

#[tokio::test]
async fn the_same_handle_twice_in_one_workspace_is_refused() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    nina.post(
        "/w/studio-nova/accounts",
        &[("cookies", &demo_cookies(&app, "studio.nova.demo").await)],
    )
    .await;

    let again = nina
        .post(
            "/w/studio-nova/accounts",
            &[("cookies", &demo_cookies(&app, "studio.nova.demo").await)],
        )
        .await;

    assert_eq!(again.status, 422);
    assert!(
        again
            .text("#f-cookies-error")
            .starts_with("@studio.nova.demo is already connected in this workspace.")
    );
    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 1);
}

#[tokio::test]
async fn cookies_are_stored_sealed_and_never_shown_again() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let cookies = demo_cookies(&app, "studio.nova.demo").await;
    let secret = session_id(&cookies);

    let page = nina
        .post("/w/studio-nova/accounts", &[("cookies", &cookies)])
        .await;

    assert!(
        !page.body.contains(&secret),
        "the session id is in the page"
    );
    assert_eq!(app.number(&format!("SELECT count(*) FROM account_secrets WHERE position('{secret}'::bytea in ciphertext) > 0")), 0);
    assert_eq!(
        app.number("SELECT count(*) FROM account_secrets WHERE length(nonce) = 24"),
        1
    );
    let audit = app.number(&format!(
        "SELECT count(*) FROM audit_events WHERE details::text LIKE '%{secret}%'"
    ));
    assert_eq!(audit, 0, "the session id is in the audit trail");
}

#[tokio::test]
async fn disconnecting_deletes_the_stored_session_and_keeps_the_account_listed() {
    let app = TestApp::spawn_with_demo();
    let (nina, id) = connected(&app).await;

    let page = nina
        .post(&format!("/w/studio-nova/accounts/{id}/disconnect"), &[])
        .await;

    assert_eq!(
        page.text(".flash-success"),
        "@studio.nova.demo is disconnected and its session deleted."
    );
    assert_eq!(page.text("#accounts .status"), "Disconnected");
    assert_eq!(app.number("SELECT count(*) FROM account_secrets"), 0);
}

#[tokio::test]
async fn bad_cookie_pastes_get_a_precise_message_on_the_form() {
    let app = TestApp::spawn();
    let nina = owner(&app).await;

    let netscape = nina
        .post(
            "/w/studio-nova/accounts",
            &[(
                "cookies",
                ".tiktok.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\n",
            )],
        )
        .await;
    let no_session = nina
        .post(
            "/w/studio-nova/accounts",
            &[("cookies", "tt_csrf_token=abc; ttwid=xyz")],
        )
        .await;
    let empty = nina
        .post("/w/studio-nova/accounts", &[("cookies", " ")])
        .await;

    assert_eq!(netscape.status, 422);
    assert_eq!(
        netscape.text("#f-cookies-error"),
        "This looks like a cookies.txt file, but line 1 has 6 fields instead of 7."
    );
    assert_eq!(
        no_session.text("#f-cookies-error"),
        "No sessionid cookie found: copy the cookies while logged in to tiktok.com."
    );
    assert_eq!(empty.text("#f-cookies-error"), "Paste your cookies first.");
}

#[tokio::test]
async fn a_member_of_another_workspace_gets_404_on_every_account_url() {
    let app = TestApp::spawn_with_demo();
    let (_owner, id) = connected(&app).await;
    let intruder = app
        .registered("Ivan", "ivan@example.com", "Ivan Studio")
        .await;

    assert_eq!(intruder.get("/w/studio-nova/accounts").await.status, 404);
    for action in ["check", "reconnect", "disconnect"] {
        let page = intruder
            .post(
                &format!("/w/studio-nova/accounts/{id}/{action}"),
                &[("cookies", "sessionid=abcdefgh1234")],
            )
            .await;
        assert_eq!(page.status, 404, "{action}");
    }
    for action in ["check", "reconnect", "disconnect"] {
        let own_workspace = intruder
            .post(
                &format!("/w/ivan-studio/accounts/{id}/{action}"),
                &[("cookies", "sessionid=abcdefgh1234")],
            )
            .await;
        assert_eq!(
            own_workspace.status, 404,
            "{action} through another workspace's URL"
        );
    }
    assert_eq!(app.number("SELECT count(*) FROM account_secrets"), 1);
}

/// Max, invited by Nina as a plain member of Studio Nova.
async fn plain_member(app: &TestApp, nina: &Browser) -> Browser {
    nina.post(
        "/w/studio-nova/invitations",
        &[("email", "max@example.com"), ("role", "member")],
    )
    .await;
    let max = app.verified("Max", "max@example.com", "Max Own").await;
    let invitations = max.get("/workspaces").await;
    max.post(
        &invitations.attr(".invitation form", "action").unwrap(),
        &[],
    )
    .await;
    max
}

#[tokio::test]
async fn a_plain_member_sees_accounts_but_cannot_connect_one() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let max = plain_member(&app, &nina).await;

    let page = max.get("/w/studio-nova/accounts").await;
    let refused = max
        .post(
            "/w/studio-nova/accounts",
            &[("cookies", &demo_cookies(&app, "studio.nova.demo").await)],
        )
        .await;

    assert_eq!(page.status, 200);
    assert!(!page.has("#f-cookies"));
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_qr_login_shows_the_code_follows_the_scan_and_connects_the_account() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;

    let started = nina.post("/w/studio-nova/accounts/qr", &[]).await;
    assert!(
        started.path().starts_with("/w/studio-nova/accounts/qr/"),
        "{}",
        started.path()
    );
    let code = wait_for_code(&nina, started).await;
    let image_url = code.attr("#qr-image", "src").expect("the QR image");
    let anonymous = reqwest::get(format!("{}{image_url}", app.address))
        .await
        .unwrap();
    assert_eq!(
        anonymous.url().path(),
        "/login",
        "the image needs the creator's session"
    );
    assert_eq!(nina.get(&image_url).await.status, 200);
    assert!(
        code.text("#qr-countdown")
            .starts_with("This code expires in")
    );

    let connected = approve_and_follow(&nina, &code, "lina.beats.demo").await;

    assert_eq!(connected.path(), "/w/studio-nova/accounts");
    assert_eq!(
        connected.text(".flash-success"),
        "@lina.beats.demo is connected."
    );
    assert_eq!(
        connected.texts("#accounts .handle"),
        vec!["@lina.beats.demo"]
    );
    assert_eq!(
        app.number("SELECT count(*) FROM social_accounts WHERE connected_via = 'qr'"),
        1
    );
}

#[tokio::test]
async fn a_cancelled_qr_login_stores_nothing() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let started = nina.post("/w/studio-nova/accounts/qr", &[]).await;
    let id = started.path().rsplit('/').next().unwrap().to_owned();

    let cancelled = nina
        .post(&format!("/w/studio-nova/accounts/qr/{id}/cancel"), &[])
        .await;

    assert_eq!(
        cancelled.text(".flash-success"),
        "The QR login was cancelled."
    );
    let mut status = String::new();
    for _ in 0..50 {
        status = nina
            .get(&format!("/w/studio-nova/accounts/qr/{id}"))
            .await
            .text("#qr-status");
        if status.contains("cancelled") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, "The QR login was cancelled.");
    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 0);
    let intruder = app
        .registered("Ivan", "ivan@example.com", "Ivan Studio")
        .await;
    assert_eq!(
        intruder
            .get(&format!("/w/ivan-studio/accounts/qr/{id}"))
            .await
            .status,
        404
    );
}

/// Follows a QR login's page until it shows that it ended (cancelled, expired or failed).
async fn wait_until_over(browser: &Browser, qr_page: &str) -> String {
    for _ in 0..50 {
        let page = browser.get(qr_page).await;
        if page.has("#qr-failure") {
            return page.text("#qr-failure");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the QR login never ended");
}

#[tokio::test]
async fn a_second_qr_login_in_a_workspace_is_refused_while_the_first_runs() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let first = nina.post("/w/studio-nova/accounts/qr", &[]).await;
    let first_page = first.path();

    let second = nina.post("/w/studio-nova/accounts/qr", &[]).await;

    assert_eq!(second.status, 200);
    assert_eq!(second.path(), "/w/studio-nova/accounts");
    assert_eq!(
        second.text(".flash-error"),
        "A QR login is already under way in this workspace: finish or cancel it first."
    );
    nina.post(&format!("{first_page}/cancel"), &[]).await;
    assert_eq!(
        wait_until_over(&nina, &first_page).await,
        "The QR login was cancelled."
    );
    let after = nina.post("/w/studio-nova/accounts/qr", &[]).await;
    assert!(
        after.path().starts_with("/w/studio-nova/accounts/qr/"),
        "once the first ended, a new one starts: {}",
        after.path()
    );
}

#[tokio::test]
async fn qr_logins_beyond_the_global_cap_are_refused_with_try_again_in_a_minute() {
    let app = TestApp::spawn_with_demo_and(&[("QR_LOGIN_MAX", "1")]);
    let nina = owner(&app).await;
    let ivan = app
        .registered("Ivan", "ivan@example.com", "Ivan Studio")
        .await;
    let running = nina.post("/w/studio-nova/accounts/qr", &[]).await;

    let refused = ivan.post("/w/ivan-studio/accounts/qr", &[]).await;

    assert!(running.path().starts_with("/w/studio-nova/accounts/qr/"));
    assert_eq!(refused.status, 200);
    assert_eq!(refused.path(), "/w/ivan-studio/accounts");
    assert_eq!(
        refused.text(".flash-error"),
        "Every QR login slot is in use right now. Try again in a minute."
    );
}

#[tokio::test]
async fn a_qr_login_under_way_never_holds_up_another_workspaces_check() {
    let app = TestApp::spawn_with_demo_and(&[
        ("BROWSER_SESSIONS", "1"),
        ("BROWSER_WAIT_SECONDS", "1"),
        ("QR_LOGIN_MAX", "1"),
    ]);
    let (nina, id) = connected(&app).await;
    let ivan = app
        .registered("Ivan", "ivan@example.com", "Ivan Studio")
        .await;
    let code = wait_for_code(&ivan, ivan.post("/w/ivan-studio/accounts/qr", &[]).await).await;

    let checked = nina
        .post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;

    assert_eq!(
        checked.text(".flash-success"),
        "@studio.nova.demo is active."
    );
    assert_eq!(checked.text("#accounts .status"), "Active");
    assert!(
        !ivan.get(&code.path()).await.has("#qr-failure"),
        "Ivan's QR login goes on"
    );
}

#[tokio::test]
async fn a_plain_member_cannot_cancel_the_owners_qr_login_and_the_owner_can() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let max = plain_member(&app, &nina).await;
    let started = nina.post("/w/studio-nova/accounts/qr", &[]).await;
    let qr_page = started.path();

    let refused = max.post(&format!("{qr_page}/cancel"), &[]).await;

    assert_eq!(refused.status, 403);
    let code = wait_for_code(&nina, started).await;
    assert!(code.has("#qr-image"), "the login goes on");
    let cancelled = nina.post(&format!("{qr_page}/cancel"), &[]).await;
    assert_eq!(
        cancelled.text(".flash-success"),
        "The QR login was cancelled."
    );
    assert_eq!(
        wait_until_over(&nina, &qr_page).await,
        "The QR login was cancelled."
    );
}

#[tokio::test]
async fn no_session_cookie_reaches_the_logs() {
    let app = TestApp::spawn_with_demo();
    let nina = owner(&app).await;
    let cookies = demo_cookies(&app, "studio.nova.demo").await;
    let secret = session_id(&cookies);

    nina.post("/w/studio-nova/accounts", &[("cookies", &cookies)])
        .await;
    let id = app.number("SELECT id FROM social_accounts");
    nina.post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;
    nina.post(
        "/w/studio-nova/accounts",
        &[("cookies", &format!("sessionid={secret}; broken"))],
    )
    .await;

    let written = logs();
    assert!(
        written.contains("POST /w/studio-nova/accounts"),
        "the logs are captured"
    );
    assert!(!written.contains(&secret), "a session id was logged");
}

/// Reloads a QR login page until its code (and the demo phone's link) is on it.
async fn wait_for_code(browser: &Browser, started: crate::harness::Page) -> crate::harness::Page {
    let qr_page = started.path();
    let mut page = started;
    for _ in 0..100 {
        if page.has("#qr-phone-link") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        page = browser.get(&qr_page).await;
    }
    panic!("the QR code never appeared");
}

/// Approves the code on the demo phone as `approve_as`, then follows the QR page until it leaves for the
/// Accounts page or shows a failure.
async fn approve_and_follow(
    browser: &Browser,
    code_page: &crate::harness::Page,
    approve_as: &str,
) -> crate::harness::Page {
    let qr_page = code_page.path();
    let phone = code_page
        .attr("#qr-phone-link", "href")
        .expect("the demo phone link");
    reqwest::Client::new()
        .post(phone.replace("/scan", "/approve"))
        .form(&[("handle", approve_as)])
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        let followed = browser.get(&qr_page).await;
        if followed.path() != qr_page || followed.has("#qr-failure") {
            return followed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the QR login never ended");
}

/// A whole QR login: the code, the scan as `approve_as`, and where it ends.
async fn follow_qr(
    browser: &Browser,
    started: crate::harness::Page,
    approve_as: &str,
) -> crate::harness::Page {
    let code = wait_for_code(browser, started).await;
    approve_and_follow(browser, &code, approve_as).await
}

#[tokio::test]
async fn an_expired_account_is_reconnected_by_qr_only_with_its_own_scan() {
    let app = TestApp::spawn_with_demo();
    let (nina, id) = connected(&app).await;
    app.demo.as_ref().unwrap().network.expire(None);
    nina.post(&format!("/w/studio-nova/accounts/{id}/check"), &[])
        .await;

    let wrong = follow_qr(
        &nina,
        nina.post(&format!("/w/studio-nova/accounts/{id}/reconnect-qr"), &[])
            .await,
        "lina.beats.demo",
    )
    .await;
    assert_eq!(
        wrong.text("#qr-failure"),
        "The phone logged in to another TikTok account than the one being reconnected."
    );

    let right = follow_qr(
        &nina,
        nina.post(&format!("/w/studio-nova/accounts/{id}/reconnect-qr"), &[])
            .await,
        "studio.nova.demo",
    )
    .await;
    assert_eq!(right.path(), "/w/studio-nova/accounts");
    assert_eq!(right.text("#accounts .status"), "Active");
    assert_eq!(app.number("SELECT count(*) FROM social_accounts"), 1);
}
