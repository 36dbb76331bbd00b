//! Sessions: cookie flags, a new session at login, server-side logout, idle and absolute timeouts, CSRF.

use crate::harness::{PASSWORD, TestApp};

fn session_cookie(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("vistaflow="))
        .expect("the session cookie is set")
        .to_owned()
}

#[tokio::test]
async fn over_https_the_session_cookie_is_secure_host_prefixed_http_only_and_same_site_lax() {
    let app = TestApp::spawn_with(&[("PUBLIC_URL", "https://app.example.com")]);

    let response = reqwest::get(format!("{}/login", app.address))
        .await
        .unwrap();
    let cookie = session_cookie(response.headers());

    assert!(cookie.starts_with("__Host-vistaflow="), "{cookie}");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
}

#[tokio::test]
async fn on_plain_local_http_the_cookie_is_http_only_and_lax_without_secure() {
    let app = TestApp::spawn();

    let response = reqwest::get(format!("{}/login", app.address))
        .await
        .unwrap();
    let cookie = session_cookie(response.headers());

    assert!(cookie.starts_with("vistaflow="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn the_session_cookie_holds_no_readable_user_data() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let cookies =
        reqwest::cookie::CookieStore::cookies(&*nina.jar, &app.address.parse().unwrap()).unwrap();
    let value = cookies.to_str().unwrap();

    assert!(
        !value.contains("nina") && !value.contains("user_id"),
        "{value}"
    );
}

#[tokio::test]
async fn logging_in_starts_a_new_session_so_a_planted_cookie_is_useless() {
    let app = TestApp::spawn();
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let victim = app.browser();
    victim.get("/login").await;
    let url = app.address.parse().unwrap();
    let planted = reqwest::cookie::CookieStore::cookies(&*victim.jar, &url).unwrap();

    victim
        .post(
            "/login",
            &[("email", "nina@example.com"), ("password", PASSWORD)],
        )
        .await;
    let after = reqwest::cookie::CookieStore::cookies(&*victim.jar, &url).unwrap();
    let attacker = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = attacker
        .get(format!("{}/account", app.address))
        .header("cookie", planted.clone())
        .send()
        .await
        .unwrap();

    assert_ne!(after, planted, "the session key changes at login");
    assert_eq!(
        response.status(),
        303,
        "the pre-login cookie does not open the account"
    );
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn after_logout_a_copy_of_the_old_cookie_no_longer_works() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let copied =
        reqwest::cookie::CookieStore::cookies(&*nina.jar, &app.address.parse().unwrap()).unwrap();

    let page = nina.post("/logout", &[]).await;
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = replay
        .get(format!("{}/account", app.address))
        .header("cookie", copied)
        .send()
        .await
        .unwrap();

    assert_eq!(page.path(), "/login");
    assert_eq!(page.text(".flash-success"), "You are logged out.");
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=%2Faccount")
    );
}

#[tokio::test]
async fn a_session_idle_for_longer_than_the_limit_ends() {
    let app = TestApp::spawn_with(&[("SESSION_IDLE_MINUTES", "30")]);
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    assert_eq!(nina.get("/account").await.status, 200);

    let an_hour_ago = chrono::Utc::now().timestamp() - 3600;
    app.sql(&format!("UPDATE web_sessions SET state = jsonb_set(state, '{{seen_at}}', to_jsonb('{an_hour_ago}'::text)) WHERE user_id IS NOT NULL"));

    assert_eq!(nina.get("/account").await.path(), "/login");
}

#[tokio::test]
async fn a_session_older_than_the_absolute_limit_ends_even_when_active() {
    let app = TestApp::spawn_with(&[("SESSION_ABSOLUTE_HOURS", "12")]);
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let yesterday = chrono::Utc::now().timestamp() - 13 * 3600;
    app.sql(&format!("UPDATE web_sessions SET state = jsonb_set(state, '{{logged_in_at}}', to_jsonb('{yesterday}'::text)) WHERE user_id IS NOT NULL"));

    assert_eq!(nina.get("/account").await.path(), "/login");
}

#[tokio::test]
async fn a_form_without_the_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let no_token = nina
        .post_raw("/workspaces", &[("name", "Forged")], &[])
        .await;
    let wrong_token = nina
        .post_raw(
            "/workspaces",
            &[("name", "Forged"), ("csrf_token", "forged-token")],
            &[],
        )
        .await;
    let wrong_header = nina
        .post_raw(
            "/workspaces",
            &[("name", "Forged")],
            &[("X-CSRF-Token", "forged-token")],
        )
        .await;

    for page in [&no_token, &wrong_token, &wrong_header] {
        assert_eq!(page.status, 403);
        assert_eq!(
            page.text("main p:not(.status-code)"),
            "This form has expired. Reload the page and try again."
        );
    }
    let list = nina.get("/workspaces").await;
    assert_eq!(list.texts("#workspace-list a"), vec!["Studio Nova"]);
}

#[tokio::test]
async fn an_htmx_request_with_the_token_header_is_accepted() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let token = nina.csrf().unwrap();

    let page = nina
        .post_raw(
            "/workspaces",
            &[("name", "Second Studio")],
            &[("X-CSRF-Token", &token), ("HX-Request", "true")],
        )
        .await;

    assert_eq!(page.status, 200);
    assert_eq!(page.headers["hx-redirect"], "/w/second-studio/");
}

#[tokio::test]
async fn a_get_request_changes_no_state() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let page = nina.get("/logout").await;

    assert_eq!(page.status, 404);
    assert_eq!(nina.get("/account").await.status, 200);
}

#[tokio::test]
async fn a_session_ended_while_a_request_was_in_flight_is_never_written_back() {
    use actix_session::storage::SessionStore as _;
    use actix_web::cookie::time::Duration;
    let app = TestApp::spawn();
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let store = vistaflow::web::session_store::PgSessionStore::new(app.state.pool.clone());
    let user_id = app.number("SELECT id FROM users WHERE email = 'nina@example.com'");
    let state: std::collections::HashMap<String, String> =
        [("user_id".to_owned(), user_id.to_string())].into();
    let ttl = Duration::hours(1);
    let key = store.save(state.clone(), &ttl).await.unwrap();
    let loaded = store.load(&key).await.unwrap().expect("the session exists");

    // Logout deletes the row while another request that loaded it is still running; that request then
    // answers with the state it loaded.
    store.delete(&key).await.unwrap();
    let answered = store.update(key, loaded, &ttl).await.unwrap();

    assert_eq!(store.load(&answered).await.unwrap(), None);
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM web_sessions WHERE user_id = {user_id}"
        )),
        1,
        "only the registration's own session is left"
    );
}

#[tokio::test]
async fn a_stolen_cookie_polling_during_logout_never_logs_back_in() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let url: reqwest::Url = app.address.parse().unwrap();

    let mut kept_in = 0;
    for _ in 0..5 {
        // The thief polls with a copy of the cookie and a jar of their own, which takes whatever cookie
        // the app answers with.
        let copied = reqwest::cookie::CookieStore::cookies(&*nina.jar, &url).unwrap();
        let thief = app.browser();
        thief.jar.add_cookie_str(copied.to_str().unwrap(), &url);
        let polling = {
            let thief = thief.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    thief.get("/w/studio-nova/").await;
                }
            })
        };
        nina.post("/logout", &[]).await;
        polling.await.unwrap();
        let account = thief
            .client
            .get(format!("{}/account", app.address))
            .send()
            .await
            .unwrap();
        if account.status() == 200 {
            kept_in += 1;
        }
        nina.post(
            "/login",
            &[
                ("email", "nina@example.com"),
                ("password", crate::harness::PASSWORD),
            ],
        )
        .await;
    }

    assert_eq!(
        kept_in, 0,
        "the thief stayed logged in {kept_in} times out of 5"
    );
}

#[tokio::test]
async fn visits_without_a_login_store_no_session_rows() {
    let app = TestApp::spawn();

    for _ in 0..50 {
        let visitor = app.browser();
        assert_eq!(visitor.get("/login").await.status, 200);
        assert_eq!(visitor.get("/register").await.status, 200);
    }
    let visitor = app.browser();
    visitor.get("/login").await;
    let wrong = visitor
        .post(
            "/login",
            &[
                ("email", "nobody@example.com"),
                ("password", "wrong-password-1"),
            ],
        )
        .await;

    assert_eq!(app.number("SELECT count(*) FROM web_sessions"), 0);
    assert_eq!(
        wrong.status, 422,
        "the visitor's anti-forgery token held without a row"
    );
}

#[tokio::test]
async fn a_next_path_with_a_tab_or_a_line_break_never_leaves_the_site() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let crafted = [
        ("/%09/evil.example", "/\t/evil.example"),
        ("/%0A/evil.example", "/\n/evil.example"),
        ("/%0D%0A/evil.example", "/\r\n/evil.example"),
        ("%20//evil.example", " //evil.example"),
        ("/%0B/evil.example", "/\u{b}/evil.example"),
    ];

    for (encoded, decoded) in crafted {
        // Logged in already: the login page sends the person on at once.
        let signed_in = nina
            .client
            .get(format!("{}/login?next={encoded}", app.address))
            .send()
            .await
            .unwrap();
        // Logging in with the form.
        let visitor = app.browser();
        visitor.get("/login").await;
        let logging_in = visitor
            .raw_post(
                "/login",
                &[
                    ("email", "nina@example.com"),
                    ("password", crate::harness::PASSWORD),
                    ("next", decoded),
                ],
            )
            .await;

        for response in [signed_in, logging_in] {
            assert_eq!(response.status(), 303, "{encoded}");
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            assert_eq!(location, "/", "{encoded} sent the browser to {location:?}");
        }
    }
}
