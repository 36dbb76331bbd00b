//! The test harness: the real app on 127.0.0.1:0 against its own fresh database (cloned from a
//! migrated template), and `Browser`, a cookie-keeping client that sends the anti-forgery token like a page.

use std::collections::HashMap;
use std::sync::Arc;

use diesel::{Connection as _, PgConnection, RunQueryDsl as _};
use diesel_migrations::MigrationHarness as _;
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use sha2::{Digest as _, Sha256};
use vistaflow::app::Application;
use vistaflow::config::Settings;
use vistaflow::demo::DemoNetwork;
use vistaflow::scrape::BrowserPool;

/// The database server the tests create their databases on (its `postgres` database).
fn server_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .expect("set DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server, or run the tests with scripts/test, which starts one");
    let (server, _) = url
        .rsplit_once('/')
        .expect("DATABASE_URL looks like postgres://user@host:port/database");
    server.to_owned()
}

fn admin_connection() -> PgConnection {
    let url = format!("{}/postgres", server_url());
    PgConnection::establish(&url).unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url}: {e}. Run the tests with scripts/test, which installs and starts it."))
}

/// A name that changes whenever a migration changes, so a stale template is never reused.
fn template_name() -> String {
    let mut entries: Vec<_> = walk(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    )));
    entries.sort();
    let mut digest = Sha256::new();
    for path in entries {
        digest.update(path.to_string_lossy().as_bytes());
        digest.update(std::fs::read(&path).expect("reading a migration"));
    }
    let hash = format!("{:x}", digest.finalize());
    let hash = &hash[..12];
    format!("vf_template_{hash}")
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("reading migrations/")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Creates the migrated template database once per server (an advisory lock makes parallel test
/// processes wait for the first one).
fn ensure_template() -> String {
    let name = template_name();
    let mut admin = admin_connection();
    diesel::sql_query("SELECT pg_advisory_lock(7204301)")
        .execute(&mut admin)
        .expect("locking");
    let exists: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
    ))
    .get_result(&mut admin)
    .expect("looking for the template");
    if exists == 0 {
        diesel::sql_query(format!("CREATE DATABASE {name}_building"))
            .execute(&mut admin)
            .expect("creating the template");
        {
            let mut conn = PgConnection::establish(&format!("{}/{name}_building", server_url()))
                .expect("connecting to the template");
            conn.run_pending_migrations(vistaflow::db::MIGRATIONS)
                .expect("migrating the template");
        }
        diesel::sql_query(format!("ALTER DATABASE {name}_building RENAME TO {name}"))
            .execute(&mut admin)
            .expect("naming the template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(7204301)")
        .execute(&mut admin)
        .expect("unlocking");
    name
}

/// A database of the test's own; dropped when the test ends.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub fn migrated() -> Self {
        let template = ensure_template();
        Self::create(&format!("TEMPLATE {template}"))
    }

    /// An empty database: no migration applied.
    pub fn empty() -> Self {
        Self::create("")
    }

    fn create(options: &str) -> Self {
        let name = format!("vf_test_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!("CREATE DATABASE {name} {options}"))
            .execute(&mut admin_connection())
            .expect("creating the test database");
        let url = format!("{}/{name}", server_url());
        Self { name, url }
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connecting to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = diesel::sql_query(sql).execute(&mut admin_connection());
    }
}

/// Everything the app logs during the tests, at the production default levels.
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

#[derive(Clone, Copy)]
struct LogCapture;

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new(vistaflow::telemetry::DEFAULT_FILTER);
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(LogCapture)
            .try_init();
    });
}

/// The log lines written so far by every app of this test run.
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// The running app.
pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub browsers: Arc<BrowserPool>,
    /// The demo network this app reads as TikTok and Instagram, when started with one.
    pub demo: Option<Demo>,
    /// The app's shared state, for running its jobs directly.
    pub state: actix_web::web::Data<vistaflow::state::AppState>,
}

/// A demo network running beside a test app.
pub struct Demo {
    pub address: String,
    pub network: Arc<DemoNetwork>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.browsers.shutdown();
    }
}

impl TestApp {
    pub fn spawn() -> Self {
        Self::spawn_with(&[])
    }

    /// Starts the app with extra environment variables (for example `PUBLIC_URL`).
    pub fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        let db = TestDatabase::migrated();
        Self::spawn_on(db, overrides)
    }

    pub fn spawn_on(db: TestDatabase, overrides: &[(&str, &str)]) -> Self {
        capture_logs();
        // Development mail goes to files: each app its own folder, out of the project's tree.
        let mail_dir = std::env::temp_dir()
            .join(format!("vf-mail-{}", db.name))
            .display()
            .to_string();
        let mut vars: HashMap<String, String> = [
            ("APP_ENV", "development"),
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("DATABASE_POOL_SIZE", "4"),
            ("DATABASE_URL", db.url.as_str()),
            ("MAIL_DIR", mail_dir.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let settings =
            Settings::from_lookup(&move |name| vars.get(name).cloned()).expect("test settings");
        let pool = vistaflow::db::build_pool(settings.database_url(), settings.database_pool_size)
            .expect("pool");
        let browsers = Arc::new(BrowserPool::new(settings.browser.clone()));
        let app = Application::build(settings, pool, browsers.clone()).expect("building the app");
        let address = format!("http://127.0.0.1:{}", app.port);
        tokio::spawn(app.server);
        Self {
            address,
            db,
            browsers,
            demo: None,
            state: app.state,
        }
    }

    /// Starts the app with a demo network of its own as TikTok.
    pub fn spawn_with_demo() -> Self {
        Self::spawn_with_demo_and(&[])
    }

    /// Starts the app with a demo network of its own as TikTok, and extra environment variables.
    pub fn spawn_with_demo_and(extra: &[(&str, &str)]) -> Self {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a port for the demo network");
        let demo_address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let network = Arc::new(DemoNetwork::default());
        tokio::spawn(vistaflow::demo::serve(listener, network.clone()).expect("the demo network"));
        // The consent screen sends people back to PUBLIC_URL: the app's port is chosen here.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a port for the app")
            .port()
            .to_string();
        let public_url = format!("http://127.0.0.1:{port}");
        let authorize = format!("{demo_address}/instagram/oauth/authorize");
        let api = format!("{demo_address}/instagram/api");
        let graph = format!("{demo_address}/instagram/graph");
        let mut vars = vec![
            ("TIKTOK_BASE_URL", demo_address.as_str()),
            ("VISTAFLOW_DEMO", "1"),
            ("INSTAGRAM_AUTHORIZE_URL", authorize.as_str()),
            ("INSTAGRAM_API_URL", api.as_str()),
            ("INSTAGRAM_GRAPH_URL", graph.as_str()),
            ("PORT", port.as_str()),
            ("PUBLIC_URL", public_url.as_str()),
        ];
        vars.extend_from_slice(extra);
        let mut app = Self::spawn_with(&vars);
        network
            .instagram()
            .send_to(vistaflow::demo::instagram::InstagramPeer {
                webhook_url: format!("{}/webhooks/instagram", app.address),
                app_secret: vistaflow::platforms::instagram::DEMO_APP_SECRET.into(),
            });
        app.demo = Some(Demo {
            address: demo_address,
            network,
        });
        app
    }

    /// A new person with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// Registers someone through the form and returns their logged-in browser.
    pub async fn registered(&self, name: &str, email: &str, workspace: &str) -> Browser {
        let browser = self.browser();
        let page = browser
            .post(
                "/register",
                &[
                    ("display_name", name),
                    ("email", email),
                    ("password", PASSWORD),
                    ("workspace_name", workspace),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            200,
            "registration of {email} failed: {}\nlogs: {}",
            page.body,
            logs()
        );
        browser
    }

    /// Registers someone and confirms their address (as its mail's link would), for tests about what
    /// verified people do.
    pub async fn verified(&self, name: &str, email: &str, workspace: &str) -> Browser {
        let browser = self.registered(name, email, workspace).await;
        self.sql(&format!(
            "UPDATE users SET email_verified_at = now() WHERE email = '{}'",
            email.to_lowercase().replace('\'', "''")
        ));
        browser
    }

    /// The first column of the first row of `query`, a number (an id, a count).
    pub fn number(&self, query: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let rows: Vec<Row> = diesel::sql_query(format!("SELECT ({query})::bigint AS n"))
            .load(&mut self.db.connect())
            .expect("running test SQL");
        rows[0].n
    }

    /// Runs SQL on the app's database (for arranging what the interface cannot, like an old session).
    pub fn sql(&self, query: &str) {
        diesel::sql_query(query)
            .execute(&mut self.db.connect())
            .expect("running test SQL");
    }
}

pub const PASSWORD: &str = "violet-harbour-42";

/// A page as the browser got it, after following redirects.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub url: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The texts of the elements matching `selector`, trimmed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("a valid selector");
        self.html()
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.texts(selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element matches {selector} in:\n{}", self.body))
    }

    pub fn has(&self, selector: &str) -> bool {
        !self.texts(selector).is_empty()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let selector = Selector::parse(selector).expect("a valid selector");
        self.html()
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn path(&self) -> String {
        let url = reqwest::Url::parse(&self.url).expect("url");
        url.path().to_owned()
    }
}

/// A person's browser: keeps cookies, remembers the page's anti-forgery token, follows redirects.
#[derive(Clone)]
pub struct Browser {
    base: String,
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    csrf: Arc<std::sync::Mutex<Option<String>>>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            // Under actix-web's 5 s keep-alive: a connection left idle longer (a long set-up on a
            // loaded machine) is not reused just as the server closes it (hyper's IncompleteMessage).
            .pool_idle_timeout(std::time::Duration::from_secs(4))
            .build()
            .expect("client");
        Self {
            base: base.to_owned(),
            client,
            jar,
            csrf: Arc::default(),
        }
    }

    pub fn csrf(&self) -> Option<String> {
        self.csrf.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("GET");
        self.finish(response).await
    }

    /// Posts a form with the token the last page carried (fetching `/` first if no page was seen).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    /// Posts a form with the token, and these headers (`HX-Request` for what htmx sends).
    pub async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        if self.csrf().is_none() {
            self.get("/login").await;
        }
        let token = self.csrf().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        self.post_raw(path, &form, headers).await
    }

    /// Posts exactly these fields and headers (no token added).
    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("POST");
        self.finish(response).await
    }

    /// The response as it came, with no redirect followed.
    pub async fn raw_post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        self.client
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    async fn finish(&self, mut response: reqwest::Response) -> Page {
        for _ in 0..5 {
            if !response.status().is_redirection() {
                break;
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .expect("a redirect has a location")
                .to_owned();
            let url = response.url().join(&location).expect("location url");
            response = self
                .client
                .get(url)
                .send()
                .await
                .expect("following a redirect");
        }
        let status = response.status().as_u16();
        let url = response.url().to_string();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        let page = Page {
            status,
            url,
            headers,
            body,
        };
        if let Some(token) = page.attr("meta[name=csrf-token]", "content") {
            *self.csrf.lock().unwrap() = Some(token);
        }
        page
    }
}

/// A real SMTP server for the mail tests (aiosmtpd, keeping a Maildir), stopped when dropped.
pub struct MailSink {
    pub url: String,
    dir: std::path::PathBuf,
    child: std::process::Child,
}

/// A message the sink received, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Received {
    /// The "confirm your email address" message, in either language.
    pub fn is_address_confirmation(&self) -> bool {
        self.text.contains("/email/verify/")
    }

    /// The path of the first link of the text part that contains `marker`.
    pub fn link_path(&self, marker: &str) -> String {
        let link = self
            .text
            .lines()
            .find(|l| l.starts_with("http") && l.contains(marker))
            .unwrap_or_else(|| panic!("no {marker} link in {}", self.text))
            .trim();
        let after_host = &link[link.find("://").unwrap() + 3..];
        after_host[after_host.find('/').unwrap()..].to_owned()
    }
}

impl MailSink {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("vf-sink-{port}-{}", std::process::id()));
        // Debian's python3, which sees the python3-aiosmtpd package.
        let child = std::process::Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting the SMTP sink: install python3-aiosmtpd (scripts/test does)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            dir,
            child,
        }
    }

    /// Every message received so far but the address confirmations every registration sends (the tests
    /// of those read `all_received`).
    pub fn received(&self) -> Vec<Received> {
        self.all_received()
            .into_iter()
            .filter(|mail| !mail.is_address_confirmation())
            .collect()
    }

    /// Every message received so far.
    pub fn all_received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|entry| {
                let raw = std::fs::read(entry.path()).unwrap();
                let mail = mailparse::parse_mail(&raw).unwrap();
                let header = |name: &str| {
                    mail.headers
                        .iter()
                        .find(|h| h.get_key().eq_ignore_ascii_case(name))
                        .map(mailparse::MailHeader::get_value)
                        .unwrap_or_default()
                };
                let part = |mime: &str| {
                    mail.subparts
                        .iter()
                        .find(|p| p.ctype.mimetype == mime)
                        .map(|p| p.get_body().unwrap())
                        .unwrap_or_default()
                };
                Received {
                    to: header("To"),
                    subject: header("Subject"),
                    text: part("text/plain"),
                    html: part("text/html"),
                }
            })
            .collect()
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
