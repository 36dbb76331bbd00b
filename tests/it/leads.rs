//! The Leads page and a lead's page: filters, sorting and keyset pages (exact rows, nothing skipped or
//! repeated while new leads arrive), bulk status changes, the streamed CSV export, notes, status history,
//! the person's JSON export and erasure (and a later sync does not bring them back), and tenant isolation.

use chrono::{Duration, Utc};
use diesel::RunQueryDsl as _;
use vistaflow::db::queries::{self, interactions::Source};
use vistaflow::domain::interaction::Kind;
use vistaflow::domain::platform::Platform;

use crate::collection::observed;
use crate::harness::{Browser, Page, TestApp};

pub const LEADS: &str = "/w/studio-nova/leads";

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Runs SQL that returns ids, in order.
pub fn ids(app: &TestApp, query: &str) -> Vec<i64> {
    diesel::sql_query(query)
        .load::<Id>(&mut app.db.connect())
        .expect("running test SQL")
        .into_iter()
        .map(|row| row.id)
        .collect()
}

/// A literal SQL string, or NULL.
fn literal(text: Option<&str>) -> String {
    text.map_or_else(
        || "NULL".to_owned(),
        |t| format!("'{}'", t.replace('\'', "''")),
    )
}

/// Nova's workspace "Studio Nova" with one TikTok account, and Nova's logged-in browser.
pub struct Studio<'a> {
    pub app: &'a TestApp,
    pub nova: Browser,
    pub workspace_id: i64,
    pub account_id: i64,
}

impl<'a> Studio<'a> {
    pub async fn open(app: &'a TestApp) -> Self {
        let nova = app
            .registered("Nova", "nova@example.com", "Studio Nova")
            .await;
        Self {
            nova,
            ..Self::for_registered(app)
        }
    }

    /// The workspace "Studio Nova" of someone registered elsewhere (a real browser), with an account.
    pub fn for_registered(app: &'a TestApp) -> Self {
        let workspace_id = app.number("SELECT id FROM workspaces WHERE slug = 'studio-nova'");
        let account_id = ids(
            app,
            &format!(
                "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via) \
                 VALUES ({workspace_id}, 'tiktok', 'studio.nova', 'active', 'cookies') RETURNING id"
            ),
        )[0];
        Self {
            app,
            nova: app.browser(),
            workspace_id,
            account_id,
        }
    }

    /// A pending draft of `body` for `lead`.
    pub fn draft(&self, lead: i64, body: &str) -> i64 {
        ids(
            self.app,
            &format!(
                "INSERT INTO suggested_messages (workspace_id, lead_id, body, language, source) \
                 VALUES ({}, {lead}, '{}', 'en', 'built_in') RETURNING id",
                self.workspace_id,
                body.replace('\'', "''")
            ),
        )[0]
    }

    /// A lead as analysis leaves it, with one comment through the studio's account.
    pub fn lead(&self, handle: &str) -> LeadBuilder<'_, 'a> {
        LeadBuilder {
            studio: self,
            handle: handle.to_owned(),
            name: None,
            score: 20,
            lead_type: Some("curious"),
            status: "new",
            intent: None,
            phone: None,
            email: None,
            minutes_ago: 60,
            said: "nice beat",
        }
    }
}

pub struct LeadBuilder<'s, 'a> {
    studio: &'s Studio<'a>,
    handle: String,
    name: Option<String>,
    score: i16,
    lead_type: Option<&'static str>,
    status: &'static str,
    intent: Option<&'static str>,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    minutes_ago: i64,
    said: &'static str,
}

impl LeadBuilder<'_, '_> {
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }
    pub fn score(mut self, score: i16) -> Self {
        self.score = score;
        self
    }
    pub fn kind(mut self, lead_type: &'static str) -> Self {
        self.lead_type = Some(lead_type);
        self
    }
    pub fn status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }
    pub fn intent(mut self, intent: &'static str) -> Self {
        self.intent = Some(intent);
        self
    }
    pub fn phone(mut self, phone: &'static str) -> Self {
        self.phone = Some(phone);
        self
    }
    pub fn email(mut self, email: &'static str) -> Self {
        self.email = Some(email);
        self
    }
    pub fn minutes_ago(mut self, minutes: i64) -> Self {
        self.minutes_ago = minutes;
        self
    }
    pub fn said(mut self, text: &'static str) -> Self {
        self.said = text;
        self
    }

    /// Stores the lead and its comment; answers the lead's id.
    pub fn make(self) -> i64 {
        let s = self.studio;
        let id = ids(
            s.app,
            &format!(
                "INSERT INTO leads (workspace_id, platform, handle, display_name, status, first_seen_at, \
                   last_interaction_at, interactions_count, kind_counts, score, lead_type, intent, phone, \
                   email, analysed_at, analysed_interactions) \
                 VALUES ({ws}, 'tiktok', {handle}, {name}, '{status}', now() - interval '{m} minutes', \
                   now() - interval '{m} minutes', 1, '{{\"comment\": 1}}', {score}, {lead_type}, {intent}, {phone}, {email}, \
                   now(), 1) RETURNING id",
                ws = s.workspace_id,
                handle = literal(Some(&self.handle)),
                name = literal(self.name.as_deref()),
                status = self.status,
                m = self.minutes_ago,
                score = self.score,
                lead_type = literal(self.lead_type),
                intent = literal(self.intent),
                phone = literal(self.phone),
                email = literal(self.email),
            ),
        )[0];
        s.app.sql(&format!(
            "INSERT INTO interactions (workspace_id, account_id, lead_id, platform, kind, actor_handle, \
               text, occurred_at, occurred_from, occurred_to, precision, identity, fingerprint) \
             VALUES ({ws}, {account}, {id}, 'tiktok', 'comment', {handle}, {text}, \
               now() - interval '{m} minutes', now() - interval '{m} minutes' - interval '1 minute', \
               now() - interval '{m} minutes', 'minute', decode(md5('i{id}'), 'hex'), \
               decode(md5('f{id}'), 'hex'))",
            ws = s.workspace_id,
            account = s.account_id,
            handle = literal(Some(&self.handle)),
            text = literal(Some(self.said)),
            m = self.minutes_ago,
        ));
        id
    }
}

/// The ids of the lead rows a page shows, in order.
pub fn shown(page: &Page) -> Vec<i64> {
    let html = page.html();
    let rows = scraper::Selector::parse("#leads tbody tr").unwrap();
    html.select(&rows)
        .filter_map(|row| row.value().attr("data-lead-id"))
        .map(|id| id.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn each_filter_narrows_the_leads_to_exactly_the_matching_people() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let buyer = studio
        .lead("nina.buys")
        .named("Nina")
        .score(82)
        .kind("potential_client")
        .intent("asking_price")
        .phone("+33612345678")
        .make();
    let artist = studio
        .lead("malik.mc")
        .score(55)
        .kind("artist")
        .email("malik@example.com")
        .status("contacted")
        .make();
    let fan = studio.lead("lea.fan").score(30).kind("engaged_fan").make();
    let elodie = studio
        .lead("elo_beats")
        .named("Élodie Studio")
        .score(10)
        .kind("curious")
        .make();
    let spam = studio.lead("cheap.followers").score(2).kind("spam").make();

    for (query, expected) in [
        ("", vec![buyer, artist, fan, elodie, spam]),
        ("?type=artist", vec![artist]),
        ("?status=contacted", vec![artist]),
        ("?min_score=30&max_score=60", vec![artist, fan]),
        ("?min_score=82", vec![buyer]),
        ("?has_phone=1", vec![buyer]),
        ("?has_email=1", vec![artist]),
        ("?intent=asking_price", vec![buyer]),
        ("?q=%40MALIK", vec![artist]),
        ("?q=nina", vec![buyer]),
        // The text is matched in the email and in the display name too, whatever the case or accent's case.
        ("?q=EXAMPLE.COM", vec![artist]),
        ("?q=%C3%A9LODIE", vec![elodie]),
        ("?q=studio", vec![elodie]),
        // Wildcards are plain characters; a search never runs from one field into the next, even
        // with the line break that separates them.
        ("?q=elo_beats", vec![elodie]),
        ("?q=lea_fan", vec![]),
        ("?q=elo%25", vec![]),
        ("?q=beats%0A%C3%A9lodie", vec![]),
        ("?platform=instagram", vec![]),
        (
            &format!("?account={}", studio.account_id),
            vec![buyer, artist, fan, elodie, spam],
        ),
        (
            "?type=potential_client&has_phone=1&min_score=80",
            vec![buyer],
        ),
    ] {
        let page = studio.nova.get(&format!("{LEADS}{query}")).await;

        assert_eq!(page.status, 200, "{query}: {}", page.body);
        assert_eq!(shown(&page), expected, "{query}");
    }
}

#[tokio::test]
async fn a_page_shows_score_type_status_intent_and_contact_icons() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let buyer = studio
        .lead("nina.buys")
        .named("Nina 🎧")
        .score(82)
        .kind("potential_client")
        .intent("ready_to_buy")
        .phone("+33612345678")
        .email("nina@example.com")
        .make();

    let page = studio.nova.get(LEADS).await;

    let row = format!("#leads tr[data-lead-id='{buyer}']");
    assert_eq!(page.text(&format!("{row} .who a")), "Nina 🎧");
    assert_eq!(
        page.attr(&format!("{row} .who a"), "href").unwrap(),
        format!("{LEADS}/{buyer}")
    );
    assert_eq!(
        page.attr(&format!("{row} meter"), "value").as_deref(),
        Some("82")
    );
    assert_eq!(page.text(&format!("{row} .type")), "Potential client");
    assert_eq!(page.text(&format!("{row} .status")), "New");
    assert_eq!(page.text(&format!("{row} .intent")), "Ready to buy");
    assert!(page.has(&format!("{row} [data-contact=phone]")));
    assert!(page.has(&format!("{row} [data-contact=email]")));
}

/// Follows the "More leads" links from `first` to the end; answers every id shown, in order.
async fn walk(studio: &Studio<'_>, first: &str, between: impl Fn(usize)) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(url) = next {
        let page = studio.nova.get(&url).await;
        assert_eq!(page.status, 200, "{url}");
        seen.extend(shown(&page));
        next = page.attr("#more", "href").map(|h| h.replace("&amp;", "&"));
        pages += 1;
        between(pages);
    }
    seen
}

#[tokio::test]
async fn keyset_pages_neither_skip_nor_repeat_leads_while_new_ones_arrive() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    // 130 leads whose scores tie in groups of ten, and whose last interactions tie in groups of four.
    let mut before: Vec<i64> = (0..130)
        .map(|n| {
            studio
                .lead(&format!("fan{n:03}"))
                .score(i16::try_from(n / 10 * 7).unwrap())
                .minutes_ago(n / 4 * 5 + 1)
                .make()
        })
        .collect();
    let arrived = std::sync::atomic::AtomicUsize::new(0);
    let arrive = |_page: usize| {
        // Between pages, newcomers with the best score and the latest interaction arrive.
        for _ in 0..3 {
            let n = arrived.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            studio
                .lead(&format!("new{n}"))
                .score(100)
                .minutes_ago(0)
                .make();
        }
    };

    let by_score = walk(&studio, LEADS, &arrive).await;
    let by_recency = walk(&studio, &format!("{LEADS}?sort=recent"), &arrive).await;

    let mut expected_order = before.clone();
    // Highest score first, ties by the newest id first.
    expected_order.sort_by_key(|id| {
        let n = before.iter().position(|b| b == id).unwrap();
        (std::cmp::Reverse(n / 10), std::cmp::Reverse(*id))
    });
    assert_eq!(by_score, expected_order);
    let mut recency_old: Vec<i64> = by_recency
        .iter()
        .copied()
        .filter(|id| before.contains(id))
        .collect();
    // The second walk starts with the nine newcomers of the first, then pages through the rest.
    assert_eq!(by_recency.len(), before.len() + 9);
    recency_old.sort_unstable();
    before.sort_unstable();
    assert_eq!(recency_old, before, "every old lead once, none repeated");
    let mut unique = by_recency.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), by_recency.len());
}

#[tokio::test]
async fn refused_filter_values_are_explained_with_a_422_and_left_out() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let lead = studio.lead("nina").score(40).make();

    let page = studio
        .nova
        .get(&format!(
            "{LEADS}?type=wizard&min_score=500&max_score=x&sort=loud&after=zz&intent=hug"
        ))
        .await;

    assert_eq!(page.status, 422);
    assert_eq!(shown(&page), vec![lead]);
    for field in ["type", "min_score", "max_score", "sort", "intent"] {
        assert!(
            page.has(&format!("#f-{field}-error")),
            "{field}: {}",
            page.body
        );
    }
    let swapped = studio
        .nova
        .get("/w/studio-nova/leads?min_score=60&max_score=10")
        .await;
    assert_eq!(swapped.status, 422);
    assert!(
        swapped
            .text("#f-max_score-error")
            .contains("below the lowest")
    );
}

#[tokio::test]
async fn an_htmx_request_gets_the_rows_alone_and_the_address_to_show() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    studio.lead("nina").kind("artist").make();

    let page = studio
        .nova
        .get_with(
            &format!("{LEADS}?type=artist&q=&status="),
            &[("HX-Request", "true")],
        )
        .await;

    assert_eq!(page.status, 200);
    assert!(!page.has("h1"), "a fragment, not the page");
    assert_eq!(shown(&page).len(), 1);
    assert_eq!(
        page.headers
            .get("hx-push-url")
            .and_then(|v| v.to_str().ok()),
        Some("/w/studio-nova/leads?type=artist")
    );
}

#[tokio::test]
async fn with_no_lead_the_page_says_where_leads_come_from() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;

    let empty = studio.nova.get(LEADS).await;
    let filtered = studio.nova.get(&format!("{LEADS}?type=artist")).await;

    assert!(empty.has("#no-leads a[href='/w/studio-nova/accounts']"));
    assert!(filtered.has("#no-match a[href='/w/studio-nova/leads']"));
}

#[tokio::test]
async fn selected_leads_change_status_in_one_step_and_each_change_is_recorded() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").make();
    let malik = studio.lead("malik").make();
    let lea = studio.lead("lea").make();
    let (a, b) = (nina.to_string(), malik.to_string());

    let page = studio
        .nova
        .post(
            "/w/studio-nova/leads/bulk",
            &[
                ("ids", &a),
                ("ids", &b),
                ("status", "in_progress"),
                ("back", "/w/studio-nova/leads?type=curious"),
            ],
        )
        .await;

    assert_eq!(page.path(), "/w/studio-nova/leads");
    assert!(
        page.url.ends_with("/w/studio-nova/leads?type=curious"),
        "{}",
        page.url
    );
    assert!(page.text(".flash-success").contains("2 lead(s)"));
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE status = 'in_progress'"),
        2
    );
    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM leads WHERE id = {lea} AND status = 'new'"
        )),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM lead_status_changes WHERE from_status = 'new' AND to_status = 'in_progress' AND changed_by IS NOT NULL"),
        2
    );
}

/// The records of a CSV body.
fn records(body: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn the_csv_export_streams_every_filtered_lead_with_quoted_and_spreadsheet_safe_cells() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let tricky = studio
        .lead("nina")
        .named("Nina \"la voix\", Paris\nFrance")
        .kind("artist")
        .make();
    let formula = studio
        .lead("eve")
        .named("=HYPERLINK(\"http://x\")")
        .kind("artist")
        .make();
    studio.lead("malik").kind("spam").make();
    // More than one export batch of 1,000.
    app.sql(&format!(
        "INSERT INTO leads (workspace_id, platform, handle, first_seen_at, last_interaction_at, lead_type) \
         SELECT {}, 'tiktok', 'bulk' || n, now(), now(), 'artist' FROM generate_series(1, 2100) n",
        studio.workspace_id
    ));

    let response = studio
        .nova
        .client
        .get(format!("{}{LEADS}/export.csv?type=artist", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let body = response.bytes().await.unwrap();
    let rows = records(&body, b',');
    assert_eq!(rows[0][..3], ["id", "platform", "handle"]);
    assert_eq!(rows.len(), 1 + 2 + 2100);
    let row = |id: i64| {
        rows.iter()
            .find(|r| r[0] == id.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(row(tricky)[3], "Nina \"la voix\", Paris\nFrance");
    assert_eq!(row(formula)[3], "'=HYPERLINK(\"http://x\")");
    assert!(!rows.iter().any(|r| r[2] == "malik"));
}

#[tokio::test]
async fn the_excel_export_has_a_byte_order_mark_and_semicolons_and_a_selection_exports_alone() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").named("Nina; Paris").make();
    studio.lead("malik").make();

    let excel = studio
        .nova
        .client
        .get(format!(
            "{}{LEADS}/export.csv?format=excel&ids={nina}",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();

    assert!(excel.starts_with(&[0xEF, 0xBB, 0xBF]));
    let rows = records(&excel[3..], b';');
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][3], "Nina; Paris");
}

#[tokio::test]
async fn a_lead_page_keeps_notes_and_status_changes_with_who_and_when() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").make();
    let url = format!("{LEADS}/{nina}");

    studio
        .nova
        .post(
            &format!("{url}/notes"),
            &[("body", "Wants a drill beat, budget 200 €")],
        )
        .await;
    let page = studio
        .nova
        .post(&format!("{url}/status"), &[("status", "in_progress")])
        .await;

    assert_eq!(page.path(), url);
    assert_eq!(
        page.text("#note-list .note"),
        "Wants a drill beat, budget 200 €"
    );
    assert!(page.text("#note-list small").contains("Nova"));
    assert!(
        page.text("#status-history li")
            .contains("New → In progress")
    );
    assert!(page.text("#status-history li").contains("Nova"));
    assert_eq!(
        page.attr("#lead-status option[selected]", "value")
            .as_deref(),
        Some("in_progress")
    );
    let empty = studio
        .nova
        .post(&format!("{url}/notes"), &[("body", "   ")])
        .await;
    assert!(empty.has(".flash-error"));
    assert_eq!(app.number("SELECT count(*) FROM lead_notes"), 1);
}

#[tokio::test]
async fn the_persons_export_holds_their_interactions_notes_and_messages() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").said("how much for a beat?").make();
    studio.draft(nina, "Hi Nina!");
    studio
        .nova
        .post(&format!("{LEADS}/{nina}/notes"), &[("body", "called her")])
        .await;

    let response = studio
        .nova
        .client
        .get(format!("{}{LEADS}/{nina}/export.json", app.address))
        .send()
        .await
        .unwrap();

    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("lead-tiktok-nina.json")
    );
    let document: serde_json::Value = response.json().await.unwrap();
    assert_eq!(document["person"]["handle"], "nina");
    assert_eq!(document["interactions"][0]["text"], "how much for a beat?");
    assert_eq!(document["messages"][0]["body"], "Hi Nina!");
    assert_eq!(document["notes"][0]["body"], "called her");
}

#[tokio::test]
async fn erasing_a_person_removes_their_data_and_a_later_sync_does_not_bring_them_back() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").make();
    let malik = studio.lead("malik").make();
    studio.draft(nina, "Hi Nina!");
    studio
        .nova
        .post(&format!("{LEADS}/{nina}/notes"), &[("body", "called her")])
        .await;

    let unconfirmed = studio
        .nova
        .post(&format!("{LEADS}/{nina}/erase"), &[])
        .await;
    let page = studio
        .nova
        .post(&format!("{LEADS}/{nina}/erase"), &[("confirm", "1")])
        .await;

    assert!(unconfirmed.has(".flash-error"));
    assert_eq!(page.path(), LEADS);
    assert!(page.has(".flash-success"));
    for table in ["leads", "interactions", "suggested_messages", "lead_notes"] {
        assert_eq!(
            app.number(&format!(
                "SELECT count(*) FROM {table} WHERE {} = {nina}",
                if table == "leads" { "id" } else { "lead_id" }
            )),
            0,
            "{table}"
        );
    }
    assert_eq!(
        app.number(&format!("SELECT count(*) FROM leads WHERE id = {malik}")),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM suppressions WHERE handle = 'nina'"),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM audit_events WHERE action = 'lead.erased' AND details::text NOT LIKE '%nina%'"),
        1
    );
    let source = Source {
        workspace_id: studio.workspace_id,
        account_id: studio.account_id,
        platform: Platform::Tiktok,
    };
    let now = Utc::now() - Duration::minutes(1);
    let rows = vec![observed(
        Kind::Comment,
        "nina",
        Some("still there?"),
        "1m ago",
        now,
    )];
    let stored = queries::interactions::ingest(&mut app.db.connect(), source, rows).unwrap();
    assert_eq!(stored.new, 0);
    assert_eq!(
        app.number("SELECT count(*) FROM leads WHERE handle = 'nina'"),
        0
    );
}

#[tokio::test]
async fn a_plain_member_cannot_erase_a_person() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").make();
    let max = app
        .registered("Max", "max@example.com", "Max's place")
        .await;
    let max_id = app.number("SELECT id FROM users WHERE email = 'max@example.com'");
    app.sql(&format!(
        "INSERT INTO memberships (workspace_id, user_id, role) VALUES ({}, {max_id}, 'member')",
        studio.workspace_id
    ));

    let page = max.get(&format!("{LEADS}/{nina}")).await;
    let erase = max
        .post(&format!("{LEADS}/{nina}/erase"), &[("confirm", "1")])
        .await;

    assert!(!page.has("#erase-person"));
    assert_eq!(erase.status, 403);
    assert_eq!(
        app.number(&format!("SELECT count(*) FROM leads WHERE id = {nina}")),
        1
    );
}

#[tokio::test]
async fn another_workspaces_member_gets_404_on_every_lead_and_draft_url() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").make();
    let draft = studio.draft(nina, "Hi Nina!");
    let other = app.registered("Eve", "eve@example.com", "Studio Eve").await;
    let lead = format!("/w/studio-eve/leads/{nina}");
    let mine = format!("{LEADS}/{nina}");

    for path in [
        lead.clone(),
        format!("{lead}/export.json"),
        mine.clone(),
        format!("{mine}/export.json"),
        "/w/studio-nova/leads".to_owned(),
        "/w/studio-nova/review".to_owned(),
    ] {
        assert_eq!(other.get(&path).await.status, 404, "GET {path}");
    }
    for path in [
        format!("{lead}/status"),
        format!("{lead}/notes"),
        format!("{lead}/erase"),
        format!("/w/studio-eve/review/{draft}"),
        format!("/w/studio-eve/review/{draft}/approve"),
        format!("/w/studio-eve/review/{draft}/reject"),
        format!("/w/studio-eve/review/{draft}/sent"),
        format!("{mine}/status"),
        format!("/w/studio-nova/review/{draft}/approve"),
    ] {
        let page = other
            .post(
                &path,
                &[("status", "refused"), ("body", "x"), ("confirm", "1")],
            )
            .await;
        assert_eq!(page.status, 404, "POST {path}");
    }
    let id = nina.to_string();
    let draft_id = draft.to_string();
    other
        .post(
            "/w/studio-eve/leads/bulk",
            &[("ids", &id), ("status", "refused")],
        )
        .await;
    other
        .post(
            "/w/studio-eve/review/batch",
            &[("ids", &draft_id), ("action", "approve")],
        )
        .await;
    let export = other
        .client
        .get(format!(
            "{}/w/studio-eve/leads/export.csv?ids={nina}",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(
        app.number(&format!(
            "SELECT count(*) FROM leads WHERE id = {nina} AND status = 'new'"
        )),
        1
    );
    assert_eq!(
        app.number("SELECT count(*) FROM suggested_messages WHERE status = 'pending'"),
        1
    );
    assert_eq!(app.number("SELECT count(*) FROM lead_notes"), 0);
    assert_eq!(export.lines().count(), 1, "the header only: {export}");
}

#[tokio::test]
async fn contact_exports_are_for_owners_and_admins_unless_the_workspace_lets_members_and_each_is_audited()
 {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio
        .lead("nina")
        .phone("+33612345678")
        .email("nina@example.org")
        .make();
    studio.lead("ivan").make();
    studio
        .nova
        .post(
            "/w/studio-nova/invitations",
            &[("email", "max@example.com"), ("role", "member")],
        )
        .await;
    let max = app.verified("Max", "max@example.com", "Max Own").await;
    let list = max.get("/workspaces").await;
    max.post(&list.attr(".invitation form", "action").unwrap(), &[])
        .await;
    let status = |browser: &Browser, path: &str| {
        let request = browser.client.get(format!("{}{path}", app.address));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let csv = format!("{LEADS}/export.csv?min_score=10");
    let json = format!("{LEADS}/{nina}/export.json");

    let member_page = max.get(LEADS).await;
    let member_csv = status(&max, &csv).await;
    let member_json = status(&max, &json).await;
    let owner_csv = studio
        .nova
        .client
        .get(format!("{}{csv}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let owner_json = status(&studio.nova, &json).await;

    assert!(!member_page.has("#export-csv") && member_page.has("#export-managers-only"));
    assert_eq!((member_csv, member_json), (403, 403));
    assert!(owner_csv.contains("+33612345678"));
    assert_eq!(owner_json, 200);
    assert_eq!(
        app.number("SELECT count(*) FROM audit_events WHERE action = 'leads.exported' AND details->>'filters' = 'min_score=10' AND (details->>'rows')::int = 2 AND actor_user_id = (SELECT id FROM users WHERE email = 'nova@example.com')"),
        1,
        "who, which filters and how many rows"
    );
    assert_eq!(
        app.number(&format!("SELECT count(*) FROM audit_events WHERE action = 'lead.exported' AND (details->>'lead_id')::bigint = {nina}")),
        1
    );

    let settings = studio.nova.get("/w/studio-nova/settings").await;
    let mut fields: Vec<(String, String)> = [
        "name",
        "language",
        "targetable_score",
        "hot_score",
        "draft_score",
        "score_half_life_days",
        "retention_days",
        "quota_per_hour",
        "quota_per_day",
    ]
    .iter()
    .map(|name| {
        (
            (*name).to_owned(),
            settings
                .attr(&format!("[name={name}]"), "value")
                .or_else(|| settings.attr(&format!("[name={name}] option[selected]"), "value"))
                .unwrap_or_default(),
        )
    })
    .collect();
    fields.push(("members_export_contacts".to_owned(), "on".to_owned()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = studio.nova.post("/w/studio-nova/settings", &fields).await;
    assert_eq!(
        saved.text(".flash-success"),
        "Settings saved.",
        "{}",
        saved.body
    );

    assert_eq!(status(&max, &csv).await, 200, "members may, once allowed");
    assert_eq!(status(&max, &json).await, 200);
}

#[tokio::test]
async fn a_lead_pages_title_is_the_persons_name_and_never_holds_the_anti_forgery_token() {
    let app = TestApp::spawn();
    let studio = Studio::open(&app).await;
    let nina = studio.lead("nina").named("Nina Beats").make();

    let page = studio.nova.get(&format!("{LEADS}/{nina}")).await;
    let title = page.text("title");

    assert!(title.starts_with("Nina Beats"), "{title}");
    assert!(!title.contains(&studio.nova.csrf().unwrap()), "{title}");
    assert!(!title.contains("<section"), "{title}");
}
