//! The Interactions page: newest first in keyset pages, each filter, htmx fragments, refused values,
//! empty states and tenant isolation.

use diesel::RunQueryDsl as _;
use scraper::Selector;

use crate::harness::{Browser, Page, TestApp};

const PAGE: &str = "/w/studio-nova/interactions";

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Runs SQL that returns ids, in order.
fn ids(app: &TestApp, query: &str) -> Vec<i64> {
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

/// Arranges a workspace's accounts and interactions, as the collector would have stored them.
struct Seed<'a> {
    app: &'a TestApp,
    workspace_id: i64,
}

impl<'a> Seed<'a> {
    fn new(app: &'a TestApp, slug: &str) -> Self {
        let workspace_id = app.number(&format!("SELECT id FROM workspaces WHERE slug = '{slug}'"));
        Self { app, workspace_id }
    }

    fn account(&self, platform: &str, handle: &str) -> i64 {
        ids(
            self.app,
            &format!(
                "INSERT INTO social_accounts (workspace_id, platform, handle, status, connected_via) \
                 VALUES ({}, '{platform}', '{handle}', 'active', 'cookies') RETURNING id",
                self.workspace_id
            ),
        )[0]
    }

    /// An interaction of `kind` by `@handle` through `account` at `at` (UTC), known to the minute.
    fn interaction(
        &self,
        account: i64,
        kind: &'static str,
        handle: &'static str,
        at: &'static str,
    ) -> Made<'_> {
        Made {
            seed: self,
            account,
            kind,
            handle,
            at,
            name: None,
            text: None,
            precision: "minute",
        }
    }

    /// `count` interactions of `kind` by one person, a minute apart in fours (rows that share a time
    /// fall across page boundaries).
    fn many(&self, account: i64, kind: &str, count: u32) {
        self.app.sql(&format!(
            "WITH lead AS ( \
               INSERT INTO leads (workspace_id, platform, handle, first_seen_at, last_interaction_at) \
               VALUES ({ws}, 'tiktok', 'fan_{kind}', now(), now()) RETURNING id) \
             INSERT INTO interactions (workspace_id, account_id, lead_id, platform, kind, actor_handle, \
               text, occurred_at, occurred_from, occurred_to, precision, identity, fingerprint) \
             SELECT {ws}, {account}, lead.id, 'tiktok', '{kind}', 'fan_{kind}', '{kind} #' || g, t.at, \
               t.at - interval '1 minute', t.at, 'minute', sha256(('{kind}i' || g)::bytea), \
               sha256(('{kind}f' || g)::bytea) \
             FROM lead, generate_series(1, {count}) AS g, \
               LATERAL (SELECT timestamptz '2026-03-10 12:00Z' - (g / 4) * interval '1 minute' AS at) AS t",
            ws = self.workspace_id
        ));
    }

    /// The workspace's interaction ids as the page must list them.
    fn newest_first(&self) -> Vec<i64> {
        ids(
            self.app,
            &format!(
                "SELECT id FROM interactions WHERE workspace_id = {} ORDER BY occurred_at DESC, id DESC",
                self.workspace_id
            ),
        )
    }
}

/// An interaction being arranged.
struct Made<'a> {
    seed: &'a Seed<'a>,
    account: i64,
    kind: &'static str,
    handle: &'static str,
    at: &'static str,
    name: Option<&'static str>,
    text: Option<&'static str>,
    precision: &'static str,
}

impl Made<'_> {
    fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    fn saying(mut self, text: &'static str) -> Self {
        self.text = Some(text);
        self
    }

    fn known_to(mut self, precision: &'static str) -> Self {
        self.precision = precision;
        self
    }

    /// Stores it (and its lead) and returns its id.
    fn insert(self) -> i64 {
        let (ws, account, kind, handle, at, precision) = (
            self.seed.workspace_id,
            self.account,
            self.kind,
            self.handle,
            self.at,
            self.precision,
        );
        let (name, text) = (literal(self.name), literal(self.text));
        ids(
            self.seed.app,
            &format!(
                "WITH lead AS ( \
                   INSERT INTO leads (workspace_id, platform, handle, display_name, first_seen_at, \
                     last_interaction_at) \
                   SELECT {ws}, platform, '{handle}', {name}, '{at}', '{at}' FROM social_accounts \
                   WHERE id = {account} \
                   ON CONFLICT (workspace_id, platform, handle) DO UPDATE SET updated_at = now() \
                   RETURNING id, platform) \
                 INSERT INTO interactions (workspace_id, account_id, lead_id, platform, kind, \
                   actor_handle, actor_display_name, text, occurred_at, occurred_from, occurred_to, \
                   precision, identity, fingerprint) \
                 SELECT {ws}, {account}, lead.id, lead.platform, '{kind}', '{handle}', {name}, {text}, \
                   '{at}', timestamptz '{at}' - interval '1 {precision}', '{at}', '{precision}', \
                   sha256(gen_random_uuid()::text::bytea), sha256(gen_random_uuid()::text::bytea) \
                 FROM lead RETURNING id"
            ),
        )[0]
    }
}

/// The interaction ids of the rows shown, top to bottom.
fn row_ids(page: &Page) -> Vec<i64> {
    let selector = Selector::parse("#interactions tbody tr").unwrap();
    page.html()
        .select(&selector)
        .map(|row| {
            row.value()
                .attr("data-interaction-id")
                .and_then(|id| id.parse().ok())
                .expect("every row names its interaction")
        })
        .collect()
}

async fn nina(app: &TestApp) -> Browser {
    app.registered("Nina", "nina@example.com", "Studio Nova")
        .await
}

#[tokio::test]
async fn interactions_come_newest_first_in_pages_of_50_that_neither_skip_nor_repeat_a_row() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let account = seed.account("tiktok", "studio.nova");
    seed.many(account, "like", 120);

    let mut pages = vec![nina.get(PAGE).await];
    while let Some(older) = pages.last().unwrap().attr("a[rel=next]", "href") {
        assert!(pages.len() < 5, "the Older link never ends");
        pages.push(nina.get(&older).await);
    }

    let sizes: Vec<usize> = pages.iter().map(|page| row_ids(page).len()).collect();
    assert_eq!(sizes, vec![50, 50, 20]);
    let listed: Vec<i64> = pages.iter().flat_map(row_ids).collect();
    assert_eq!(listed, seed.newest_first(), "every row once, newest first");
    assert_eq!(
        pages[0].attr("#interactions tbody tr:last-child time", "datetime"),
        pages[1].attr("#interactions tbody tr:first-child time", "datetime"),
        "the first page ends inside a group of rows sharing one time"
    );
    assert!(pages.iter().all(|page| page.status == 200));
    assert_eq!(
        pages[1].text("#interactions caption"),
        "Older interactions, newest first"
    );
}

#[tokio::test]
async fn each_filter_narrows_the_list_to_exactly_the_matching_interactions() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let main = seed.account("tiktok", "studio.nova");
    let insta = seed.account("instagram", "nova.insta");
    let second = seed.account("tiktok", "nova.second");
    let like = seed
        .interaction(main, "like", "nina", "2026-03-01 10:00Z")
        .named("Nina Rossi")
        .insert();
    let late_comment = seed
        .interaction(main, "comment", "malik", "2026-03-02 23:59:59Z")
        .saying("Love the new track")
        .insert();
    let follow = seed
        .interaction(insta, "follow", "lea", "2026-03-03 00:00Z")
        .named("Léa")
        .insert();
    let question = seed
        .interaction(insta, "comment", "omar", "2026-03-04 12:00Z")
        .saying("Where is the TRACK from?")
        .insert();
    let message = seed
        .interaction(main, "message", "zoe", "2026-03-05 08:00Z")
        .saying("Hi! collab?")
        .insert();
    let second_like = seed
        .interaction(second, "like", "nina", "2026-03-06 09:30Z")
        .insert();
    let cases: Vec<(String, Vec<i64>)> = vec![
        ("kind=comment".into(), vec![question, late_comment]),
        (format!("account={insta}"), vec![question, follow]),
        (format!("account={main}"), vec![message, late_comment, like]),
        (
            "platform=tiktok".into(),
            vec![second_like, message, late_comment, like],
        ),
        ("platform=instagram".into(), vec![question, follow]),
        (
            "from=2026-03-02&to=2026-03-03".into(),
            vec![follow, late_comment],
        ),
        (
            "from=2026-03-04".into(),
            vec![second_like, message, question],
        ),
        ("to=2026-03-01".into(), vec![like]),
        ("q=track".into(), vec![question, late_comment]),
        ("q=ROSSI".into(), vec![like]),
        ("q=nina".into(), vec![second_like, like]),
        ("q=%40zoe".into(), vec![message]),
        ("q=zoe".into(), vec![message]),
        ("q=_".into(), vec![]),
        ("q=%25".into(), vec![]),
        ("kind=comment&platform=tiktok".into(), vec![late_comment]),
        (
            "platform=&account=&kind=&from=&to=&q=".into(),
            vec![second_like, message, question, follow, late_comment, like],
        ),
    ];

    for (query, expected) in cases {
        let page = nina.get(&format!("{PAGE}?{query}")).await;

        assert_eq!(page.status, 200, "{query}: {}", page.body);
        assert_eq!(row_ids(&page), expected, "{query}");
    }
    let filtered = nina
        .get(&format!("{PAGE}?kind=comment&account={insta}"))
        .await;
    assert_eq!(
        filtered
            .attr("#f-kind option[selected]", "value")
            .as_deref(),
        Some("comment")
    );
    assert_eq!(
        filtered.text("#f-account option[selected]"),
        "@nova.insta · Instagram"
    );
}

#[tokio::test]
async fn the_older_link_keeps_the_filters() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let account = seed.account("tiktok", "studio.nova");
    seed.many(account, "comment", 55);
    seed.many(account, "like", 5);

    let first = nina.get(&format!("{PAGE}?kind=comment&q=")).await;
    let older = first.attr("a[rel=next]", "href").expect("an Older link");
    let second = nina.get(&older).await;

    assert_eq!(row_ids(&first).len(), 50);
    assert!(
        older.starts_with(&format!("{PAGE}?kind=comment&before=")),
        "{older}"
    );
    assert_eq!(second.texts("#interactions td.kind"), vec!["Comment"; 5]);
    assert!(!second.has("a[rel=next]"));
    assert_eq!(
        second.attr("#f-kind option[selected]", "value").as_deref(),
        Some("comment")
    );
}

#[tokio::test]
async fn an_htmx_request_gets_only_the_rows_and_a_plain_get_the_whole_page() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let account = seed.account("tiktok", "studio.nova");
    seed.many(account, "like", 3);
    seed.many(account, "comment", 2);
    let url = format!("{PAGE}?kind=like&platform=&q=");

    let page = nina.get(&url).await;
    let fragment = nina.get_with(&url, &[("HX-Request", "true")]).await;
    let restored = nina
        .get_with(
            &url,
            &[
                ("HX-Request", "true"),
                ("HX-History-Restore-Request", "true"),
            ],
        )
        .await;

    assert!(page.has("header.topbar"));
    assert!(page.has(
        "form#interaction-filters[method=get][hx-get='/w/studio-nova/interactions'][hx-target='#interaction-results'][hx-push-url=true]"
    ));
    assert!(page.has("#interaction-results[aria-live=polite] table#interactions caption"));
    assert_eq!(fragment.status, 200);
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
    assert!(!fragment.has("header.topbar") && !fragment.has("form"));
    assert_eq!(row_ids(&fragment).len(), 3);
    assert_eq!(
        fragment.texts("#interactions tr"),
        page.texts("#interaction-results #interactions tr"),
        "one source of markup for the rows"
    );
    assert_eq!(
        fragment.headers.get("hx-push-url").unwrap(),
        "/w/studio-nova/interactions?kind=like",
        "the address bar shows the filters applied"
    );
    for response in [&page, &fragment] {
        let vary: Vec<_> = response.headers.get_all("vary").iter().collect();
        assert!(vary.iter().any(|v| *v == "HX-Request"), "{vary:?}");
    }
    assert!(
        restored.has("header.topbar") && restored.has("form#interaction-filters"),
        "the back button restores the whole page"
    );
}

#[tokio::test]
async fn malformed_filter_values_get_a_clear_message_and_a_422_not_a_500() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let tiktok = seed.account("tiktok", "studio.nova");
    let insta = seed.account("instagram", "nova.insta");
    let kept = seed
        .interaction(tiktok, "like", "nina", "2026-03-01 10:00Z")
        .insert();
    seed.interaction(insta, "like", "lea", "2026-03-02 10:00Z")
        .insert();
    let url = format!("{PAGE}?platform=tiktok&kind=hug&from=2026-02-30&to=soon&before=garbage");

    let page = nina.get(&url).await;
    let fragment = nina.get_with(&url, &[("HX-Request", "true")]).await;
    let backwards = nina
        .get(&format!("{PAGE}?from=2026-03-05&to=2026-03-01"))
        .await;

    assert_eq!(page.status, 422);
    assert_eq!(
        page.texts("#filter-errors li"),
        vec![
            "Kind: Choose a kind of interaction from the list.",
            "From: Enter a date as YYYY-MM-DD, for example 2026-03-10.",
            "To: Enter a date as YYYY-MM-DD, for example 2026-03-10.",
            "The link to this page is damaged, so the list starts again from the newest.",
        ]
    );
    assert_eq!(
        page.attr("#f-kind", "aria-describedby").as_deref(),
        Some("f-kind-error")
    );
    assert!(page.has("#f-kind-error") && page.has("#f-kind[aria-invalid=true]"));
    assert_eq!(row_ids(&page), vec![kept], "the valid filter still applies");
    assert_eq!(fragment.status, 422);
    assert_eq!(fragment.texts("#filter-errors li").len(), 4);
    assert_eq!(backwards.status, 422);
    assert_eq!(
        backwards.text("#filter-errors li"),
        "To: The last day comes before the first day."
    );
}

#[tokio::test]
async fn an_empty_workspace_is_sent_to_the_accounts_page() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;

    let empty = nina.get(PAGE).await;
    Seed::new(&app, "studio-nova").account("tiktok", "studio.nova");
    let waiting = nina.get(PAGE).await;

    assert_eq!(empty.status, 200);
    assert!(!empty.has("#interactions"));
    assert_eq!(empty.text("#no-interactions h2"), "No interactions yet");
    let advice = empty.text("#no-interactions p");
    assert!(
        advice.contains("Accounts page") && advice.contains("every few minutes"),
        "{advice}"
    );
    assert_eq!(
        empty.attr("#no-interactions a", "href").as_deref(),
        Some("/w/studio-nova/accounts")
    );
    assert_eq!(empty.text("#no-interactions a"), "Go to the Accounts page");
    assert!(
        waiting
            .text("#no-interactions p")
            .starts_with("Collection runs every few minutes for each active account")
    );
}

#[tokio::test]
async fn filters_that_match_nothing_say_so_and_offer_to_clear_them() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let account = seed.account("tiktok", "studio.nova");
    seed.interaction(account, "like", "nina", "2026-03-01 10:00Z")
        .insert();

    let page = nina.get(&format!("{PAGE}?kind=message")).await;

    assert_eq!(page.status, 200);
    assert!(!page.has("#no-interactions"));
    assert_eq!(
        page.text("#no-match p"),
        "No interaction matches these filters."
    );
    assert_eq!(
        page.attr("#no-match a", "href").as_deref(),
        Some("/w/studio-nova/interactions")
    );
}

#[tokio::test]
async fn a_row_links_the_person_to_their_lead_and_says_how_precise_its_time_is() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let account = seed.account("tiktok", "studio.nova");
    let follow = seed
        .interaction(account, "follow", "nina", "2026-03-04 00:00Z")
        .named("Nina Rossi")
        .known_to("day")
        .insert();
    let comment = seed
        .interaction(account, "comment", "malik", "2026-03-05 14:31Z")
        .saying("fire <3")
        .insert();
    let lead =
        |handle: &str| app.number(&format!("SELECT id FROM leads WHERE handle = '{handle}'"));

    let page = nina.get(PAGE).await;
    let row = |id: i64, cell: &str| format!("tr[data-interaction-id='{id}'] td.{cell}");

    assert_eq!(page.text(&row(follow, "who a")), "Nina Rossi");
    assert_eq!(page.text(&row(follow, "who .handle")), "@nina");
    assert_eq!(
        page.attr(&row(follow, "who a"), "href"),
        Some(format!("/w/studio-nova/leads/{}", lead("nina")))
    );
    assert_eq!(page.text(&row(comment, "who a")), "@malik");
    assert_eq!(page.text(&row(follow, "when time")), "2026-03-04");
    assert_eq!(
        page.attr(&row(follow, "when time"), "datetime").as_deref(),
        Some("2026-03-04T00:00:00Z")
    );
    assert_eq!(
        page.text(&row(follow, "when .precision [aria-hidden]")),
        "~ day"
    );
    assert_eq!(page.text(&row(comment, "when")), "2026-03-05 14:31 UTC");
    assert!(!page.has(&row(comment, "when .precision")));
    assert_eq!(page.text(&row(comment, "kind")), "Comment");
    assert_eq!(page.text(&row(comment, "text")), "fire <3");
    assert_eq!(page.text(&row(comment, "account")), "@studio.nova");
    assert_eq!(page.text(&row(follow, "text")), "—");
}

#[tokio::test]
async fn the_page_speaks_french() {
    let app = TestApp::spawn();
    let nina = nina(&app).await;
    let seed = Seed::new(&app, "studio-nova");
    let account = seed.account("tiktok", "studio.nova");
    seed.interaction(account, "comment_like", "nina", "2026-03-04 00:00Z")
        .known_to("week")
        .insert();

    let page = nina
        .post("/language", &[("lang", "fr"), ("next", PAGE)])
        .await;

    assert_eq!(page.text("h1"), "Interactions");
    assert_eq!(page.text("td.kind"), "J'aime sur un commentaire");
    assert_eq!(page.text("td.when time"), "04/03/2026");
    assert_eq!(page.text("td.when .precision [aria-hidden]"), "~ semaine");
    assert_eq!(page.text("label[for=f-kind]"), "Type");
}

#[tokio::test]
async fn a_member_of_another_workspace_gets_404_and_never_sees_its_interactions() {
    let app = TestApp::spawn();
    let alice = app
        .registered("Alice", "alice@example.com", "Alpha Studio")
        .await;
    app.registered("Bob", "bob@example.com", "Beta Studio")
        .await;
    let beta = Seed::new(&app, "beta-studio");
    let bobs_account = beta.account("tiktok", "beta.studio");
    beta.interaction(bobs_account, "comment", "fan", "2026-03-01 10:00Z")
        .saying("beta secret")
        .insert();

    let other = alice.get("/w/beta-studio/interactions").await;
    let fragment = alice
        .get_with("/w/beta-studio/interactions", &[("HX-Request", "true")])
        .await;
    let probing = alice
        .get(&format!(
            "/w/alpha-studio/interactions?account={bobs_account}"
        ))
        .await;

    assert_eq!(other.status, 404);
    assert_eq!(other.text("h1"), "Page not found");
    assert_eq!(fragment.status, 404);
    assert_eq!(probing.status, 422);
    assert_eq!(
        probing.text("#filter-errors li"),
        "Account: Choose one of this workspace's accounts."
    );
    assert!(!probing.has("#interactions"));
    assert!(!probing.body.contains("beta secret") && !probing.body.contains("beta.studio"));
}
