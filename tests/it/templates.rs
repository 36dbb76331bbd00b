//! The Templates page: create, edit, make default, delete; refused bodies; the live preview on a real
//! lead (over HTTP and, as it is typed, in real Chromium); one default per lead type and language; drafts
//! made from the default; who may see and change templates.

use chrono::Utc;
use vistaflow::db::queries::{self, interactions::Source};
use vistaflow::domain::platform::Platform;
use vistaflow::domain::runs::AnalysisTrigger;

use crate::chrome::Chrome;
use crate::collection::sample;
use crate::harness::{Browser, Page, TestApp};

const PAGE: &str = "/w/studio-nova/templates";
const HTMX: [(&str, &str); 1] = [("HX-Request", "true")];

async fn nina(app: &TestApp) -> Browser {
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await
}

/// A template form as the page sends it (any type, English, not the default unless changed).
fn form<'a>(name: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("lead_type", ""),
        ("language", "en"),
        ("body", body),
        ("is_default", "no"),
    ]
}

fn with<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    name: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    fields.retain(|(n, _)| *n != name);
    fields.push((name, value));
    fields
}

fn template_id(app: &TestApp, name: &str) -> i64 {
    app.number(&format!(
        "SELECT id FROM message_templates WHERE name = '{name}'"
    ))
}

/// A lead of studio-nova with a score and a comment, as analysis would have left it.
fn lead(app: &TestApp, handle: &str, display_name: &str, score: i16) -> i64 {
    app.sql(&format!(
        "INSERT INTO leads (workspace_id, platform, handle, display_name, first_seen_at, \
           last_interaction_at, score, kind_counts, interactions_count) \
         SELECT id, 'tiktok', '{handle}', '{display_name}', now(), now(), {score}, '{{\"comment\": 1}}', 1 \
         FROM workspaces WHERE slug = 'studio-nova'"
    ));
    app.number(&format!("SELECT id FROM leads WHERE handle = '{handle}'"))
}

/// The rows of the template list, each "name | lead type | language | default badge | excerpt".
fn rows(page: &Page) -> Vec<String> {
    let columns = ["name", "lead-type", "language", "default", "excerpt"]
        .map(|column| page.texts(&format!("#templates tbody td.{column}")));
    (0..columns[0].len())
        .map(|i| {
            columns
                .iter()
                .map(|c| c[i].as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

#[tokio::test]
async fn a_template_is_created_edited_made_default_and_deleted_and_the_list_shows_it() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let empty = nina.get(PAGE).await;
    assert!(
        empty
            .text("#no-templates")
            .contains("the built-in messages are used")
    );

    let created = nina
        .post(
            PAGE,
            &with(
                form(
                    "Price question",
                    "Hi {display_name}, thanks for {interaction}!",
                ),
                "lead_type",
                "potential_client",
            ),
        )
        .await;

    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.path(), PAGE);
    assert_eq!(
        created.text(".flash-success"),
        "Template “Price question” created."
    );
    assert_eq!(
        rows(&created),
        [
            "Price question | Potential client | English |  | Hi {display_name}, thanks for {interaction}!"
        ]
    );
    assert!(!created.has("#no-templates"));

    let id = template_id(&app, "Price question");
    let edit = nina.get(&format!("{PAGE}/{id}")).await;
    assert_eq!(edit.status, 200);
    assert_eq!(
        edit.attr("#template-form", "action").as_deref(),
        Some(format!("{PAGE}/{id}").as_str())
    );
    assert_eq!(
        edit.attr("#f-name", "value").as_deref(),
        Some("Price question")
    );
    assert_eq!(
        edit.attr("#f-lead_type option[selected]", "value")
            .as_deref(),
        Some("potential_client")
    );

    let saved = nina
        .post(
            &format!("{PAGE}/{id}"),
            &[
                ("name", "Price (FR)"),
                ("lead_type", "potential_client"),
                ("language", "fr"),
                ("body", "Salut {display_name} !"),
                ("is_default", "yes"),
            ],
        )
        .await;

    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.text(".flash-success"), "Template “Price (FR)” saved.");
    assert_eq!(
        rows(&saved),
        ["Price (FR) | Potential client | Français | Default | Salut {display_name} !"]
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM message_templates WHERE id = {id} AND is_default AND language = 'fr' \
             AND updated_by = (SELECT id FROM users WHERE email = 'nina@example.com')"
        )),
        1
    );

    let deleted = nina.post(&format!("{PAGE}/{id}/delete"), &[]).await;

    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.text(".flash-success"),
        "Template “Price (FR)” deleted."
    );
    assert!(deleted.has("#no-templates"));
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 0);
    assert_eq!(
        app.number(
            "SELECT count(*) FROM audit_events WHERE action IN \
             ('template.created', 'template.updated', 'template.deleted')"
        ),
        3
    );
}

#[tokio::test]
async fn an_unknown_variable_gets_a_422_that_names_it_and_lists_the_known_ones_and_nothing_is_stored()
 {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    nina.get(PAGE).await;

    let page = nina
        .post(PAGE, &form("Welcome", "Hi {first_name}, welcome!"))
        .await;

    assert_eq!(page.status, 422);
    assert_eq!(
        page.text("#f-body-error"),
        "{first_name} is not a variable. Use one of: {handle}, {display_name}, {platform}, {interaction}."
    );
    assert_eq!(
        page.attr("#f-body", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.text("#f-body"),
        "Hi {first_name}, welcome!",
        "what was typed is kept"
    );
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 0);
}

#[tokio::test]
async fn each_refused_field_gets_its_own_message() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    nina.get(PAGE).await;
    let long = "a".repeat(2_001);

    let page = nina
        .post(
            PAGE,
            &[
                ("name", "  "),
                ("lead_type", "superfan"),
                ("language", "de"),
                ("body", "   "),
            ],
        )
        .await;
    let too_long = nina.post(PAGE, &form("Long", &long)).await;

    assert_eq!(page.status, 422);
    assert_eq!(page.text("#f-name-error"), "Give the template a name.");
    assert_eq!(
        page.text("#f-lead_type-error"),
        "Choose a lead type from the list, or “Any type”."
    );
    assert_eq!(page.text("#f-language-error"), "Choose English or French.");
    assert_eq!(page.text("#f-body-error"), "Write the message.");
    assert_eq!(too_long.status, 422);
    assert_eq!(
        too_long.text("#f-body-error"),
        "The message can be at most 2000 characters."
    );
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 0);
}

#[tokio::test]
async fn the_preview_renders_the_body_on_the_highest_scored_lead_or_the_one_chosen() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    lead(&app, "nina.beats", "Nina 🎧", 80);
    let other = lead(&app, "malik", "Malik", 20);
    let page = nina.get(PAGE).await;
    assert_eq!(
        page.attr("#template-form", "hx-post").as_deref(),
        Some("/w/studio-nova/templates/preview")
    );
    assert_eq!(
        page.attr("#template-form", "hx-trigger").as_deref(),
        Some("input changed delay:300ms")
    );
    assert_eq!(
        page.attr("#template-preview", "aria-live").as_deref(),
        Some("polite")
    );
    assert_eq!(
        page.texts("#f-lead_id option"),
        [
            "@nina.beats · Nina 🎧 · score 80",
            "@malik · Malik · score 20"
        ]
    );
    let body = "Hi {display_name} ({handle}), thanks for {interaction} on {platform}!";

    let fragment = nina
        .post_with(&format!("{PAGE}/preview"), &form("Hi", body), &HTMX)
        .await;
    let chosen = nina
        .post_with(
            &format!("{PAGE}/preview"),
            &with(form("Hi", body), "lead_id", &other.to_string()),
            &HTMX,
        )
        .await;

    assert_eq!(fragment.status, 200);
    assert!(!fragment.has("main"), "a fragment, not a page");
    assert_eq!(
        fragment.text("#preview-text"),
        "Hi Nina 🎧 (@nina.beats), thanks for your comment on TikTok!"
    );
    assert_eq!(
        fragment.text("#preview-lead"),
        "As @nina.beats would get it:"
    );
    assert_eq!(
        chosen.text("#preview-text"),
        "Hi Malik (@malik), thanks for your comment on TikTok!"
    );
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 0);
}

#[tokio::test]
async fn the_preview_follows_the_text_as_it_is_typed_in_a_real_browser() {
    let app = TestApp::spawn();
    let chrome = Chrome::start().await;
    crate::review::register(&chrome, &format!("{}/register", app.address)).await;
    lead(&app, "nina.beats", "Nina 🎧", 80);
    chrome
        .driver
        .goto(format!("{}{PAGE}", app.address))
        .await
        .unwrap();

    chrome
        .fill("#f-body", "Hi {display_name}, thanks for {interaction}!")
        .await;
    chrome
        .wait_for_text("#preview-text", "Hi Nina 🎧, thanks for your comment!")
        .await;
    chrome.fill("#f-body", "Hey {nickname}").await;
    chrome
        .wait_for_text_containing("#preview-error", "{nickname} is not a variable")
        .await;

    assert_eq!(chrome.driver.current_url().await.unwrap().path(), PAGE);
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 0);
    chrome.quit().await;
}

#[tokio::test]
async fn the_preview_button_works_without_javascript_and_a_sample_person_stands_in_for_no_lead() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    nina.get(PAGE).await;

    let page = nina
        .post(
            PAGE,
            &with(form("Hi", "Hi {display_name}"), "intent", "preview"),
        )
        .await;
    let refused = nina
        .post_with(&format!("{PAGE}/preview"), &form("Hi", "Hi {name}"), &HTMX)
        .await;

    assert_eq!(page.status, 200);
    assert_eq!(page.text("#template-preview #preview-text"), "Hi Alex");
    assert!(page.text("#preview-sample").starts_with("No lead yet"));
    assert_eq!(
        page.attr("#f-name", "value").as_deref(),
        Some("Hi"),
        "the form keeps what was typed"
    );
    assert!(
        refused
            .text("#preview-error")
            .starts_with("{name} is not a variable.")
    );
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 0);
}

#[tokio::test]
async fn making_a_second_default_for_the_same_type_and_language_leaves_exactly_one() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    nina.get(PAGE).await;
    let artist = |name: &'static str| {
        with(
            with(form(name, "Hey {display_name}"), "lead_type", "artist"),
            "is_default",
            "yes",
        )
    };
    nina.post(PAGE, &artist("First")).await;
    nina.post(PAGE, &with(artist("French"), "language", "fr"))
        .await;
    nina.post(PAGE, &with(artist("Any type"), "lead_type", ""))
        .await;

    let page = nina.post(PAGE, &artist("Second")).await;

    assert_eq!(page.status, 200, "{}", page.body);
    let defaults = |sql_filter: &str| {
        app.number(&format!(
            "SELECT count(*) FROM message_templates WHERE is_default AND {sql_filter}"
        ))
    };
    assert_eq!(defaults("lead_type = 'artist' AND language = 'en'"), 1);
    assert_eq!(defaults("name = 'Second'"), 1, "the newest is the default");
    assert_eq!(
        defaults("name IN ('French', 'Any type')"),
        2,
        "other types and languages keep theirs"
    );

    let first = format!("{PAGE}/{}", template_id(&app, "First"));
    let (again, third) = (artist("First"), artist("Third"));
    let (a, b) = tokio::join!(nina.post(&first, &again), nina.post(PAGE, &third));

    assert_eq!((a.status, b.status), (200, 200), "no conflict error");
    assert_eq!(defaults("lead_type = 'artist' AND language = 'en'"), 1);
}

/// A workspace's account (SQL), for ingesting interactions as a sync would.
fn account(app: &TestApp) -> Source {
    app.sql(
        "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via) \
         SELECT id, 'tiktok', 'studio.nova', 'active', 'cookies' FROM workspaces WHERE slug = 'studio-nova'",
    );
    Source {
        workspace_id: app.number("SELECT id FROM workspaces WHERE slug = 'studio-nova'"),
        account_id: app.number("SELECT id FROM social_accounts"),
        platform: Platform::Tiktok,
    }
}

/// The pending draft of `@handle` as (body, source).
fn draft(app: &TestApp, handle: &str) -> (String, String) {
    use diesel::prelude::*;
    use vistaflow::db::schema::{leads, suggested_messages};
    suggested_messages::table
        .inner_join(leads::table)
        .filter(leads::handle.eq(handle))
        .filter(suggested_messages::status.eq("pending"))
        .select((suggested_messages::body, suggested_messages::source))
        .first(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("no pending draft for {handle}: {e}"))
}

#[tokio::test]
async fn the_next_draft_for_a_lead_of_that_type_uses_the_workspace_default_template() {
    // The built-in analyzer makes @nina (a price question and a phone number) a potential client and
    // @malik and @lea (a follow, a like) passive observers, all writing English.
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let source = account(&app);
    let read_at = Utc::now() - chrono::Duration::minutes(30);
    queries::interactions::ingest(&mut app.db.connect(), source, sample(read_at, 0)).unwrap();
    app.sql("UPDATE workspaces SET draft_score = 0");
    nina.get(PAGE).await;
    let client = |name, body| with(form(name, body), "lead_type", "potential_client");
    nina.post(
        PAGE,
        &with(
            client(
                "Clients",
                "Yo {display_name} ({handle}), thanks for {interaction}!",
            ),
            "is_default",
            "yes",
        ),
    )
    .await;
    nina.post(PAGE, &client("Not the default", "Never used, {handle}"))
        .await;
    nina.post(
        PAGE,
        &with(
            form("Anyone", "Hello {handle} from {platform}"),
            "is_default",
            "yes",
        ),
    )
    .await;
    nina.post(
        PAGE,
        &with(
            with(
                client("French", "Jamais utilisé, {handle}"),
                "language",
                "fr",
            ),
            "is_default",
            "yes",
        ),
    )
    .await;
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 4);

    let done =
        vistaflow::usecases::analysis::analyse_pending(&app.state, None, AnalysisTrigger::Manual)
            .await
            .unwrap();

    assert_eq!(done.drafts, 3);
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'nina' AND lead_type = 'potential_client' AND language = 'en'"),
        1
    );
    let template = |body: &str| (body.to_owned(), "template".to_owned());
    assert_eq!(
        draft(&app, "nina"),
        template("Yo nina 🎧 (@nina), thanks for your message!")
    );
    assert_eq!(draft(&app, "malik"), template("Hello @malik from TikTok"));
    assert_eq!(draft(&app, "lea"), template("Hello @lea from TikTok"));
}

#[tokio::test]
async fn another_workspace_gets_404_on_every_template_url_and_a_plain_member_cannot_change_them() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    nina.get(PAGE).await;
    nina.post(PAGE, &form("Welcome", "Hi {handle}")).await;
    let id = template_id(&app, "Welcome");
    let omar = app
        .registered("Omar", "omar@example.com", "Other Studio")
        .await;
    let mia = app.registered("Mia", "mia@example.com", "Mia Music").await;
    app.sql(
        "INSERT INTO memberships (workspace_id, user_id, role) SELECT w.id, u.id, 'member' \
         FROM workspaces w, users u WHERE w.slug = 'studio-nova' AND u.email = 'mia@example.com'",
    );
    let edit = format!("{PAGE}/{id}");
    let delete = format!("{PAGE}/{id}/delete");
    let preview = format!("{PAGE}/preview");

    let mut statuses = Vec::new();
    for path in [PAGE, edit.as_str()] {
        statuses.push(omar.get(path).await.status);
    }
    for path in [PAGE, edit.as_str(), delete.as_str(), preview.as_str()] {
        statuses.push(omar.post(path, &form("Taken", "Hi {handle}")).await.status);
    }
    let seen = mia.get(PAGE).await;
    let viewed = mia.get(&edit).await;
    let created = mia.post(PAGE, &form("Mine", "Hi {handle}")).await;
    let changed = mia.post(&edit, &form("Mine", "Hi {handle}")).await;
    let deleted = mia.post(&delete, &[]).await;

    assert_eq!(statuses, [404; 6]);
    assert_eq!(seen.status, 200);
    assert_eq!(seen.texts("#templates td.name"), ["Welcome"]);
    assert!(!seen.has("#template-form"), "members get no form");
    assert!(!seen.has("#templates form"), "nor delete buttons");
    assert_eq!(viewed.text("#template-body"), "Hi {handle}");
    assert_eq!(
        (created.status, changed.status, deleted.status),
        (403, 403, 403)
    );
    assert_eq!(
        app.number(
            "SELECT count(*) FROM message_templates WHERE name = 'Welcome' AND body = 'Hi {handle}'"
        ),
        1
    );
    assert_eq!(app.number("SELECT count(*) FROM message_templates"), 1);
}
