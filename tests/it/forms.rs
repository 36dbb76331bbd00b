//! Bad input on every form: a 422 with the message next to the field, never a 500, nothing stored.

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn registration_names_each_wrong_field() {
    let app = TestApp::spawn();
    let browser = app.browser();

    let page = browser
        .post(
            "/register",
            &[
                ("display_name", " "),
                ("email", "not-an-email"),
                ("password", "short"),
                ("workspace_name", ""),
            ],
        )
        .await;

    assert_eq!(page.status, 422);
    assert_eq!(
        page.text("#f-display_name-error"),
        "Enter a name of 1 to 80 characters."
    );
    assert_eq!(
        page.text("#f-email-error"),
        "Enter an email address such as name@example.com."
    );
    assert_eq!(page.text("#f-password-error"), "Use at least 8 characters.");
    assert_eq!(
        page.text("#f-workspace_name-error"),
        "Enter a name of 1 to 80 characters."
    );
    assert_eq!(
        page.attr("#f-email", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.attr("#f-email", "value").as_deref(),
        Some("not-an-email"),
        "what was typed is kept"
    );
    assert_eq!(
        page.attr("#f-password", "value").as_deref(),
        Some(""),
        "a password is never sent back"
    );
    assert_eq!(app.number("SELECT count(*) FROM users"), 0);
}

#[tokio::test]
async fn registration_refuses_a_common_password_and_a_taken_email() {
    let app = TestApp::spawn();
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let browser = app.browser();

    let common = browser
        .post(
            "/register",
            &[
                ("display_name", "Max"),
                ("email", "max@example.com"),
                ("password", "password123"),
                ("workspace_name", "Max"),
            ],
        )
        .await;
    let taken = browser
        .post(
            "/register",
            &[
                ("display_name", "Nina 2"),
                ("email", "NINA@example.com"),
                ("password", PASSWORD),
                ("workspace_name", "Other"),
            ],
        )
        .await;
    let too_long = browser
        .post(
            "/register",
            &[
                ("display_name", "Max"),
                ("email", "max@example.com"),
                ("password", &"ab3$".repeat(33)),
                ("workspace_name", "Max"),
            ],
        )
        .await;

    assert_eq!(common.status, 422);
    assert_eq!(
        common.text("#f-password-error"),
        "This password is too common or too easy to guess. Try a short sentence."
    );
    assert_eq!(taken.status, 422);
    assert_eq!(
        taken.text("#f-email-error"),
        "An account already uses this email address. Log in instead."
    );
    assert_eq!(
        too_long.text("#f-password-error"),
        "Use at most 128 characters."
    );
    assert_eq!(
        app.number("SELECT count(*) FROM workspaces"),
        1,
        "no workspace was created for refused registrations"
    );
}

#[tokio::test]
async fn a_login_form_with_a_malformed_email_or_missing_fields_gets_422() {
    let app = TestApp::spawn();
    let browser = app.browser();

    let malformed = browser
        .post("/login", &[("email", "nina"), ("password", "x")])
        .await;
    let missing = browser.post("/login", &[]).await;

    assert_eq!(malformed.status, 422);
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.text("#login-error"),
        "The email or the password is incorrect."
    );
}

#[tokio::test]
async fn workspace_forms_show_their_errors_in_place() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let create = nina.post("/workspaces", &[("name", &"x".repeat(81))]).await;
    let rename = nina
        .post(
            "/w/studio-nova/settings",
            &[("name", ""), ("language", "de")],
        )
        .await;
    let invite = nina
        .post(
            "/w/studio-nova/invitations",
            &[("email", "max@"), ("role", "owner")],
        )
        .await;
    let invite_self = nina
        .post(
            "/w/studio-nova/invitations",
            &[("email", "nina@example.com"), ("role", "member")],
        )
        .await;
    let password = nina
        .post(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "12345678")],
        )
        .await;

    assert_eq!(create.status, 422);
    assert_eq!(
        create.text("#f-name-error"),
        "Enter a name of 1 to 80 characters."
    );
    assert_eq!(rename.status, 422);
    assert_eq!(
        rename.text("#f-name-error"),
        "Enter a name of 1 to 80 characters."
    );
    assert_eq!(
        rename.text(".has-error .field-error:not([id])"),
        "Choose English or French."
    );
    assert_eq!(invite.status, 422);
    assert_eq!(
        invite.text("#f-email-error"),
        "Enter an email address such as name@example.com."
    );
    assert_eq!(
        invite.text("#f-role-error"),
        "Choose one of the roles offered."
    );
    assert_eq!(invite_self.status, 422);
    assert_eq!(
        invite_self.text("#f-email-error"),
        "This person is already a member."
    );
    assert_eq!(password.status, 422);
    assert_eq!(
        password.text("#f-new_password-error"),
        "This password is too common or too easy to guess. Try a short sentence."
    );
}

#[tokio::test]
async fn a_second_invitation_to_the_same_address_is_refused_on_the_form() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    nina.post(
        "/w/studio-nova/invitations",
        &[("email", "max@example.com"), ("role", "member")],
    )
    .await;

    let again = nina
        .post(
            "/w/studio-nova/invitations",
            &[("email", "MAX@example.com"), ("role", "admin")],
        )
        .await;

    assert_eq!(again.status, 422);
    assert_eq!(
        again.text("#f-email-error"),
        "This address already has a pending invitation."
    );
}

#[tokio::test]
async fn garbage_in_paths_and_query_strings_gets_a_page_not_a_500() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let bad_id = nina
        .post(
            "/w/studio-nova/members/not-a-number/role",
            &[("role", "admin")],
        )
        .await;
    let bad_role = nina
        .post("/w/studio-nova/members/1/role", &[("role", "emperor")])
        .await;
    let bad_slug = nina.get("/w/NOT_A_SLUG/").await;
    let bad_language = nina.post("/language", &[("lang", "klingon")]).await;

    assert_eq!(bad_id.status, 404);
    assert_eq!(bad_role.status, 422);
    assert_eq!(
        bad_role.text("main p:not(.status-code)"),
        "Choose one of the roles offered."
    );
    assert_eq!(bad_slug.status, 404);
    assert_eq!(bad_language.status, 422);
}

#[tokio::test]
async fn score_thresholds_and_quotas_are_saved_from_the_settings_form_and_bad_ones_explained() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    let settings = nina.get("/w/studio-nova/settings").await;
    assert_eq!(
        settings.attr("#f-targetable_score", "value").as_deref(),
        Some("15")
    );
    assert_eq!(
        settings.attr("#f-hot_score", "value").as_deref(),
        Some("70")
    );

    let refused = nina
        .post(
            "/w/studio-nova/settings",
            &[
                ("name", "Studio Nova"),
                ("language", "fr"),
                ("targetable_score", "60"),
                ("hot_score", "40"),
                ("draft_score", "150"),
                ("score_half_life_days", "0"),
                ("retention_days", "10"),
                ("quota_per_hour", "-1"),
                ("quota_per_day", "20"),
            ],
        )
        .await;
    let saved = nina
        .post(
            "/w/studio-nova/settings",
            &[
                ("name", "Studio Nova"),
                ("language", "fr"),
                ("targetable_score", "20"),
                ("hot_score", "80"),
                ("draft_score", "40"),
                ("score_half_life_days", "30"),
                ("retention_days", "365"),
                ("quota_per_hour", "5"),
                ("quota_per_day", "20"),
            ],
        )
        .await;

    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.text("#f-hot_score-error"),
        "The hot score cannot be under the score for worth contacting."
    );
    assert_eq!(
        refused.text("#f-draft_score-error"),
        "Enter a whole number from 0 to 100."
    );
    assert!(refused.has("#f-score_half_life_days-error"));
    assert_eq!(
        refused.text("#f-retention_days-error"),
        "Enter a number of days from 30 to 3650, or leave it empty."
    );
    assert_eq!(saved.path(), "/w/studio-nova/settings");
    assert_eq!(
        app.number(
            "SELECT targetable_score * 1000000 + hot_score * 10000 + draft_score * 100 + score_half_life_days FROM workspaces"
        ),
        20_804_030
    );
    assert_eq!(app.number("SELECT retention_days FROM workspaces"), 365);
    assert_eq!(
        refused.text("#f-quota_per_hour-error"),
        "Enter a number from 0 to 1000 per hour and from 0 to 10000 per day."
    );
    assert_eq!(
        app.number("SELECT quota_per_hour * 100000 + quota_per_day FROM workspaces"),
        500_020
    );
}

#[tokio::test]
async fn a_nul_character_anywhere_is_refused_with_a_message_never_a_500() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;
    app.sql("UPDATE users SET is_admin = true WHERE email = 'nina@example.com'");
    let leads_before = app.number("SELECT count(*) FROM message_templates");

    let searches = [
        "/w/studio-nova/leads?q=a%00b",
        "/w/studio-nova/interactions?q=%00",
        "/admin/users?q=ni%00na",
        "/admin/audit?action=%00",
    ];
    let forms: [(&str, &[(&str, &str)]); 5] = [
        ("/w/studio-nova/leads/1/notes", &[("body", "call\0back")]),
        ("/w/studio-nova/review/1", &[("body", "Hi\0")]),
        (
            "/w/studio-nova/templates",
            &[
                ("name", "T\0"),
                ("lead_type", ""),
                ("language", "en"),
                ("body", "Hi {handle}"),
            ],
        ),
        ("/w/studio-nova/settings", &[("name", "Studio\0Nova")]),
        ("/workspaces", &[("name", "\0")]),
    ];

    for path in searches {
        let page = nina.get(path).await;
        assert_eq!(page.status, 422, "{path}");
        assert!(page.body.contains("NUL character"), "{path}: {}", page.body);
    }
    for (path, fields) in forms {
        let page = nina.post(path, fields).await;
        assert_eq!(page.status, 422, "{path}");
        assert!(page.body.contains("NUL character"), "{path}");
    }
    let htmx = nina
        .get_with("/w/studio-nova/leads?q=%00", &[("HX-Request", "true")])
        .await;
    assert_eq!(htmx.status, 422);
    assert_eq!(
        app.number("SELECT count(*) FROM message_templates"),
        leads_before
    );
}
