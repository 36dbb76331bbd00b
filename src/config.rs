//! Settings read from the environment (12-factor), parsed once at start-up; every problem is reported at once.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use crate::crypto::Keyring;
use crate::scrape::BrowserSettings;

/// Where the app runs: development relaxes what a laptop cannot provide (https, a fixed session key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Every setting of the app. Secrets are held in types that never print.
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub database_url: SecretString,
    pub database_pool_size: usize,
    pub host: IpAddr,
    pub port: u16,
    /// The address people use to reach the app; `https://` turns on `Secure` cookies and the `__Host-` prefix.
    pub public_url: String,
    /// 64 bytes that encrypt the session cookie.
    pub session_key: SecretSlice<u8>,
    /// The keys that seal stored secrets (platform cookies, tokens); the first one seals new ones.
    pub secret_keys: Arc<Keyring>,
    /// The secret variables left unset in development, for which a random key is made at each start.
    pub ephemeral_keys: Vec<&'static str>,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Believe `X-Forwarded-For` for the client address (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Serve the demo network beside the app (`VISTAFLOW_DEMO=1`), on `demo_port`.
    pub demo: bool,
    pub demo_port: u16,
    /// Where each platform is (its real site, or the demo network), read by `platforms::Settings::read`.
    pub platforms: crate::platforms::Settings,
    /// Browsers for reading platforms.
    pub browser: BrowserSettings,
    pub sync: SyncSettings,
    /// An OpenAI-compatible endpoint for lead analysis (`OPENAI_API_KEY` set); the built-in analyzer
    /// otherwise.
    pub openai: Option<crate::ai::openai::OpenAiSettings>,
    pub mail: MailSettings,
    pub log_format: LogFormat,
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://user:pass@host:port` or `smtps://...`; none in development writes `.eml` files instead.
    pub smtp_url: Option<SecretString>,
    pub from: String,
    /// Where development mail is written.
    pub dir: std::path::PathBuf,
}

/// How collection is scheduled.
#[derive(Debug, Clone, Copy)]
pub struct SyncSettings {
    /// Run the scheduler in this process (`SCHEDULER=off` leaves it to other instances).
    pub scheduler: bool,
    /// No account is read more often than this, whatever its own interval says.
    pub min_interval_minutes: i64,
    /// How many accounts one instance reads at once.
    pub concurrency: usize,
}

/// All the variables that are missing or malformed, each with what is expected.
#[derive(Debug)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the configuration has {} problem(s):",
            self.problems.len()
        )?;
        for problem in &self.problems {
            writeln!(f, "  - {problem}")?;
        }
        write!(f, "see .env.example for every variable and its meaning")
    }
}

impl std::error::Error for ConfigError {}

struct Reader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<String>,
}

impl Reader<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn parsed<T: std::str::FromStr>(&mut self, name: &str, default: T, expected: &str) -> T {
        match self.get(name) {
            None => default,
            Some(raw) => raw.parse().unwrap_or_else(|_| {
                self.problems
                    .push(format!("{name} is malformed: expected {expected}"));
                default
            }),
        }
    }

    fn ranged(&mut self, name: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> i64 {
        let value = self.parsed(name, default, "a whole number");
        if range.contains(&value) {
            value
        } else {
            self.problems.push(format!(
                "{name} must be between {} and {}",
                range.start(),
                range.end()
            ));
            default
        }
    }
}

/// `DATABASE_URL`: required, a `postgres://` URL.
fn database_url(env: &mut Reader<'_>) -> String {
    const EXPECTED: &str = "expected postgres://user@host:port/database";
    let Some(url) = env.get("DATABASE_URL") else {
        env.problems
            .push(format!("DATABASE_URL is missing: {EXPECTED}"));
        return String::new();
    };
    if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
        env.problems
            .push(format!("DATABASE_URL is malformed: {EXPECTED}"));
    }
    url
}

/// `VISTAFLOW_DEMO` (1 or true) and `DEMO_PORT` (default: the app's port + 1).
fn demo_settings(env: &mut Reader<'_>, port: u16) -> (bool, u16) {
    let demo = matches!(env.get("VISTAFLOW_DEMO").as_deref(), Some("1" | "true"));
    (
        demo,
        env.parsed("DEMO_PORT", port.saturating_add(1), "a port number"),
    )
}

/// An http(s) base URL without its trailing slash.
fn base_url(env: &mut Reader<'_>, name: &str, default: String) -> String {
    match env.get(name) {
        Some(url)
            if url::Url::parse(&url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()) =>
        {
            url.trim_end_matches('/').to_owned()
        }
        Some(_) => {
            env.problems.push(format!(
                "{name} is malformed: expected http://... or https://..."
            ));
            default
        }
        None => default,
    }
}

/// `WEBDRIVER_URL`, `CHROMEDRIVER`, `CHROMIUM_BINARY`, `BROWSER_SESSIONS`, `BROWSER_WAIT_SECONDS`,
/// `QR_LOGIN_MAX`.
fn browser_settings(env: &mut Reader<'_>) -> BrowserSettings {
    let webdriver_url = env.get("WEBDRIVER_URL");
    if webdriver_url
        .as_deref()
        .is_some_and(|u| url::Url::parse(u).is_err())
    {
        env.problems.push("WEBDRIVER_URL is malformed: expected http://host:port of a chromedriver or Selenium Grid".into());
    }
    let default_chromium = std::path::Path::new("/usr/bin/chromium")
        .exists()
        .then(|| "/usr/bin/chromium".to_owned());
    BrowserSettings {
        webdriver_url,
        chromedriver: env
            .get("CHROMEDRIVER")
            .unwrap_or_else(|| "chromedriver".to_owned()),
        chromium_binary: env.get("CHROMIUM_BINARY").or(default_chromium),
        max_sessions: usize::try_from(env.ranged("BROWSER_SESSIONS", 2, 1..=32)).unwrap_or(2),
        login_sessions: usize::try_from(env.ranged("QR_LOGIN_MAX", 2, 1..=16)).unwrap_or(2),
        slot_wait: std::time::Duration::from_secs(
            u64::try_from(env.ranged("BROWSER_WAIT_SECONDS", 30, 1..=300)).unwrap_or(30),
        ),
        step_timeout: std::time::Duration::from_secs(20),
        session_timeout: std::time::Duration::from_secs(90),
    }
}

/// `SMTP_URL` (required in production), `MAIL_FROM`, `MAIL_DIR`.
fn mail_settings(env: &mut Reader<'_>, production: bool) -> MailSettings {
    let smtp_url = env.get("SMTP_URL").filter(|u| !u.trim().is_empty());
    match smtp_url.as_deref().map(url::Url::parse) {
        Some(Ok(url)) if matches!(url.scheme(), "smtp" | "smtps") && url.host().is_some() => {}
        Some(_) => env.problems.push(
            "SMTP_URL is malformed: expected smtp://user:password@host:port or smtps://...".into(),
        ),
        None if production => env.problems.push(
            "SMTP_URL is required in production: smtp://user:password@host:port or smtps://..."
                .into(),
        ),
        None => {}
    }
    let from = env
        .get("MAIL_FROM")
        .unwrap_or_else(|| "VistaFlow <noreply@localhost>".to_owned());
    if from.parse::<lettre::message::Mailbox>().is_err() {
        env.problems.push(
            "MAIL_FROM is malformed: expected an address such as VistaFlow <noreply@example.com>"
                .into(),
        );
    }
    MailSettings {
        smtp_url: smtp_url.map(SecretString::from),
        from,
        dir: env.get("MAIL_DIR").map_or_else(
            || std::path::PathBuf::from("var/mail"),
            std::path::PathBuf::from,
        ),
    }
}

/// The AI endpoint's settings alone, from the environment (for `vistaflow analyze --ai`, which needs no
/// database).
///
/// # Errors
/// A [`ConfigError`] naming every malformed `OPENAI_*` variable.
pub fn openai_from_env() -> Result<Option<crate::ai::openai::OpenAiSettings>, ConfigError> {
    let lookup = |name: &str| std::env::var(name).ok();
    let mut env = Reader {
        lookup: &lookup,
        problems: Vec::new(),
    };
    let settings = openai_settings(&mut env);
    if env.problems.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError {
            problems: env.problems,
        })
    }
}

/// `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`, `OPENAI_TIMEOUT_SECONDS`, `OPENAI_BATCH_SIZE`.
fn openai_settings(env: &mut Reader<'_>) -> Option<crate::ai::openai::OpenAiSettings> {
    let api_key = env.get("OPENAI_API_KEY").filter(|k| !k.trim().is_empty())?;
    let base_url = base_url(
        env,
        "OPENAI_BASE_URL",
        "https://api.openai.com/v1".to_owned(),
    );
    let timeout = env.ranged("OPENAI_TIMEOUT_SECONDS", 30, 1..=600);
    let batch_size = env.ranged("OPENAI_BATCH_SIZE", 15, 10..=20);
    Some(crate::ai::openai::OpenAiSettings {
        base_url,
        api_key: SecretString::from(api_key),
        model: env
            .get("OPENAI_MODEL")
            .unwrap_or_else(|| "gpt-4o-mini".to_owned()),
        timeout: std::time::Duration::from_secs(timeout.unsigned_abs()),
        batch_size: usize::try_from(batch_size).unwrap_or(15),
        max_retry_wait: std::time::Duration::from_mins(1),
    })
}

/// `SCHEDULER`, `SYNC_MIN_INTERVAL_MINUTES`, `SYNC_CONCURRENCY`.
fn sync_settings(env: &mut Reader<'_>) -> SyncSettings {
    SyncSettings {
        scheduler: match env.get("SCHEDULER").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(_) => {
                env.problems
                    .push("SCHEDULER is malformed: expected on or off".into());
                true
            }
        },
        min_interval_minutes: env.ranged("SYNC_MIN_INTERVAL_MINUTES", 1, 1..=1440),
        concurrency: usize::try_from(env.ranged("SYNC_CONCURRENCY", 2, 1..=32)).unwrap_or(2),
    }
}

/// `PUBLIC_URL`: required in production; in development it defaults to the local address.
fn public_url(env: &mut Reader<'_>, production: bool, port: u16) -> String {
    match env.get("PUBLIC_URL") {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            url.trim_end_matches('/').to_owned()
        }
        Some(_) => {
            env.problems
                .push("PUBLIC_URL is malformed: expected http://... or https://...".into());
            String::new()
        }
        None if production => {
            env.problems
                .push("PUBLIC_URL is missing: expected the https:// address people use".into());
            String::new()
        }
        None => format!("http://127.0.0.1:{port}"),
    }
}

/// `VISTAFLOW_SECRET_KEYS`: required in production; in development a random key is made per start.
/// Where each platform is and the platforms' app credentials; `demo_port` when the demo network is on.
fn platform_settings(env: &mut Reader<'_>, demo_port: Option<u16>) -> crate::platforms::Settings {
    let secrets: Vec<(&str, String)> = crate::platforms::SECRET_VARIABLES
        .into_iter()
        .filter_map(|name| env.get(name).map(|value| (name, value)))
        .collect();
    crate::platforms::Settings::read(
        |name, default| base_url(env, name, default),
        |name| {
            secrets
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        },
        demo_port.map(|port| format!("http://127.0.0.1:{port}")),
    )
}

fn secret_keys(env: &mut Reader<'_>, production: bool) -> Keyring {
    let Some(spec) = env.get("VISTAFLOW_SECRET_KEYS") else {
        if production {
            env.problems.push("VISTAFLOW_SECRET_KEYS is missing: expected id:base64key with a 32-byte key (head -c 32 /dev/urandom | base64)".into());
        }
        return Keyring::generate("ephemeral");
    };
    Keyring::parse(&spec).unwrap_or_else(|error| {
        env.problems
            .push(format!("VISTAFLOW_SECRET_KEYS is malformed: {error}"));
        Keyring::generate("invalid")
    })
}

/// `VISTAFLOW_SESSION_KEY`: required in production; in development a random key is made per start.
fn session_key(env: &mut Reader<'_>, production: bool) -> Vec<u8> {
    match env.get("VISTAFLOW_SESSION_KEY") {
        Some(encoded) => match base64::engine::general_purpose::STANDARD.decode(&encoded) {
            Ok(bytes) if bytes.len() >= 64 => bytes,
            _ => {
                env.problems.push("VISTAFLOW_SESSION_KEY is malformed: expected at least 64 bytes in base64 (openssl rand -base64 64)".into());
                Vec::new()
            }
        },
        None if production => {
            env.problems.push("VISTAFLOW_SESSION_KEY is missing: expected at least 64 bytes in base64 (openssl rand -base64 64)".into());
            Vec::new()
        }
        None => {
            let mut key = vec![0_u8; 64];
            rand::fill(&mut key[..]);
            key
        }
    }
}

impl Settings {
    /// Reads the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming every missing or malformed variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests).
    ///
    /// # Errors
    /// A [`ConfigError`] naming every missing or malformed variable.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut env = Reader {
            lookup,
            problems: Vec::new(),
        };

        let environment = match env.get("APP_ENV").as_deref() {
            None | Some("production") => Environment::Production,
            Some("development") => Environment::Development,
            Some(_) => {
                env.problems
                    .push("APP_ENV is malformed: expected development or production".into());
                Environment::Production
            }
        };
        let production = environment == Environment::Production;

        let database_url = database_url(&mut env);
        let default_pool = i64::try_from(default_pool_size()).unwrap_or(4);
        let database_pool_size =
            usize::try_from(env.ranged("DATABASE_POOL_SIZE", default_pool, 1..=200)).unwrap_or(4);
        let default_host: IpAddr = if production {
            [0, 0, 0, 0].into()
        } else {
            [127, 0, 0, 1].into()
        };
        let host = env.parsed(
            "HOST",
            default_host,
            "an IP address such as 127.0.0.1 or 0.0.0.0",
        );
        let port = env.parsed("PORT", 8080_u16, "a port number");

        let public_url = public_url(&mut env, production, port);
        let session_key = session_key(&mut env, production);
        let ephemeral_keys = ["VISTAFLOW_SESSION_KEY", "VISTAFLOW_SECRET_KEYS"]
            .into_iter()
            .filter(|name| env.get(name).is_none())
            .collect();
        let secret_keys = Arc::new(secret_keys(&mut env, production));
        let session_idle_minutes = env.ranged("SESSION_IDLE_MINUTES", 120, 5..=1440);
        let session_absolute_hours = env.ranged("SESSION_ABSOLUTE_HOURS", 24, 1..=720);
        let trust_forwarded_for = env.parsed("TRUST_FORWARDED_FOR", false, "true or false");
        let (demo, demo_port) = demo_settings(&mut env, port);
        if demo && production {
            env.problems.push("VISTAFLOW_DEMO must not be on in production: the demo network is a simulation for trying VistaFlow locally".into());
        }
        let platforms = platform_settings(&mut env, demo.then_some(demo_port));
        let browser = browser_settings(&mut env);
        let sync = sync_settings(&mut env);
        let openai = openai_settings(&mut env);
        let mail = mail_settings(&mut env, production);
        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None => {
                if production {
                    LogFormat::Json
                } else {
                    LogFormat::Text
                }
            }
            Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => {
                env.problems
                    .push("LOG_FORMAT is malformed: expected text or json".into());
                LogFormat::Text
            }
        };

        if !env.problems.is_empty() {
            return Err(ConfigError {
                problems: env.problems,
            });
        }
        Ok(Self {
            environment,
            database_url: SecretString::from(database_url),
            database_pool_size,
            host,
            port,
            public_url,
            session_key: SecretSlice::from(session_key),
            secret_keys,
            ephemeral_keys,
            session_idle_minutes,
            session_absolute_hours,
            trust_forwarded_for,
            demo,
            demo_port,
            platforms,
            browser,
            sync,
            openai,
            mail,
            log_format,
        })
    }

    /// Cookies are `Secure` (and `__Host-` prefixed) whenever people reach the app over https.
    #[must_use]
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    #[must_use]
    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }
}

/// How the admin page shows one setting of the running configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// A value that is no secret (URLs without their password).
    Value(String),
    /// A secret that is set: never shown.
    Hidden,
    /// A key made at random at this start (development), so it changes at every restart.
    Ephemeral,
    NotSet,
}

/// What replaces a password in a URL that is shown.
const MASK: &str = "****";

/// `raw` as a URL without its password, nor the value of a query parameter that names a secret (as
/// given when it holds neither); a URL that does not parse is hidden whole.
fn without_password(raw: &str) -> Shown {
    let Ok(mut url) = url::Url::parse(raw) else {
        return Shown::Hidden;
    };
    let names_a_secret = |name: &str| {
        let lower = name.to_ascii_lowercase();
        ["pass", "secret", "key", "token"]
            .iter()
            .any(|word| lower.contains(word))
    };
    let secret_query = url.query_pairs().any(|(name, _)| names_a_secret(&name));
    if url.password().is_none() && !secret_query {
        return Shown::Value(raw.to_owned());
    }
    if url.password().is_some() && url.set_password(Some(MASK)).is_err() {
        return Shown::Hidden;
    }
    if secret_query {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if names_a_secret(&name) {
                    MASK.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Shown::Value(url.to_string())
}

fn value(value: &dyn fmt::Display) -> Shown {
    Shown::Value(value.to_string())
}

fn optional(value: Option<&str>) -> Shown {
    value.map_or(Shown::NotSet, |v| Shown::Value(v.to_owned()))
}

impl Settings {
    /// The platforms' variables (their base URLs, without a password).
    fn platforms_shown(&self) -> Vec<(&'static str, Shown)> {
        let mut shown: Vec<(&'static str, Shown)> = self
            .platforms
            .shown()
            .into_iter()
            .map(|(name, url)| (name, without_password(url)))
            .collect();
        let instagram = self.platforms.instagram.app.as_ref();
        shown.extend([
            (
                crate::platforms::instagram::APP_ID_VARIABLE,
                instagram.map_or(Shown::NotSet, |app| Shown::Value(app.id.clone())),
            ),
            (
                crate::platforms::instagram::APP_SECRET_VARIABLE,
                instagram.map_or(Shown::NotSet, |_| Shown::Hidden),
            ),
            (
                crate::platforms::instagram::VERIFY_TOKEN_VARIABLE,
                instagram.map_or(Shown::NotSet, |_| Shown::Hidden),
            ),
        ]);
        shown
    }

    /// Every variable of the running configuration as the admin page shows it: secrets never, URLs
    /// without their password.
    #[must_use]
    pub fn shown(&self) -> Vec<(&'static str, Shown)> {
        let key = |name: &'static str| {
            if self.ephemeral_keys.contains(&name) {
                Shown::Ephemeral
            } else {
                Shown::Hidden
            }
        };
        let openai = self.openai.as_ref();
        let openai_value = |f: &dyn Fn(&crate::ai::openai::OpenAiSettings) -> String| {
            openai.map_or(Shown::NotSet, |o| Shown::Value(f(o)))
        };
        let mut shown = vec![
            (
                "APP_ENV",
                value(&match self.environment {
                    Environment::Development => "development",
                    Environment::Production => "production",
                }),
            ),
            ("DATABASE_URL", without_password(self.database_url())),
            ("DATABASE_POOL_SIZE", value(&self.database_pool_size)),
            ("HOST", value(&self.host)),
            ("PORT", value(&self.port)),
            ("PUBLIC_URL", without_password(&self.public_url)),
            ("VISTAFLOW_SESSION_KEY", key("VISTAFLOW_SESSION_KEY")),
            ("VISTAFLOW_SECRET_KEYS", key("VISTAFLOW_SECRET_KEYS")),
            ("SESSION_IDLE_MINUTES", value(&self.session_idle_minutes)),
            (
                "SESSION_ABSOLUTE_HOURS",
                value(&self.session_absolute_hours),
            ),
            ("TRUST_FORWARDED_FOR", value(&self.trust_forwarded_for)),
            ("VISTAFLOW_DEMO", value(&self.demo)),
            ("DEMO_PORT", value(&self.demo_port)),
        ];
        shown.extend(self.platforms_shown());
        shown.extend([
            (
                "WEBDRIVER_URL",
                self.browser
                    .webdriver_url
                    .as_deref()
                    .map_or(Shown::NotSet, without_password),
            ),
            ("CHROMEDRIVER", value(&self.browser.chromedriver)),
            (
                "CHROMIUM_BINARY",
                optional(self.browser.chromium_binary.as_deref()),
            ),
            ("BROWSER_SESSIONS", value(&self.browser.max_sessions)),
            (
                "BROWSER_WAIT_SECONDS",
                value(&self.browser.slot_wait.as_secs()),
            ),
            ("QR_LOGIN_MAX", value(&self.browser.login_sessions)),
            (
                "SCHEDULER",
                value(&if self.sync.scheduler { "on" } else { "off" }),
            ),
            (
                "SYNC_MIN_INTERVAL_MINUTES",
                value(&self.sync.min_interval_minutes),
            ),
            ("SYNC_CONCURRENCY", value(&self.sync.concurrency)),
            (
                "OPENAI_API_KEY",
                openai.map_or(Shown::NotSet, |_| Shown::Hidden),
            ),
            (
                "OPENAI_BASE_URL",
                openai.map_or(Shown::NotSet, |o| without_password(&o.base_url)),
            ),
            ("OPENAI_MODEL", openai_value(&|o| o.model.clone())),
            (
                "OPENAI_TIMEOUT_SECONDS",
                openai_value(&|o| o.timeout.as_secs().to_string()),
            ),
            (
                "OPENAI_BATCH_SIZE",
                openai_value(&|o| o.batch_size.to_string()),
            ),
            (
                "SMTP_URL",
                self.mail
                    .smtp_url
                    .as_ref()
                    .map_or(Shown::NotSet, |url| without_password(url.expose_secret())),
            ),
            ("MAIL_FROM", value(&self.mail.from)),
            ("MAIL_DIR", value(&self.mail.dir.display())),
            (
                "LOG_FORMAT",
                value(&match self.log_format {
                    LogFormat::Text => "text",
                    LogFormat::Json => "json",
                }),
            ),
        ]);
        shown
    }
}

/// Two connections a core, at least four: more connections than PostgreSQL and the app can keep busy
/// only make them take turns (on 2 cores, 8 connections gave the Leads page a p99 of 55-64 ms where 4
/// gave 44-53 ms, docs/PERFORMANCE.md).
fn default_pool_size() -> usize {
    std::thread::available_parallelism().map_or(4, |cores| (cores.get() * 2).max(4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(&move |name| map.get(name).cloned())
    }

    #[test]
    fn production_names_every_missing_variable() {
        let error = settings(&[]).unwrap_err();
        let text = error.to_string();
        for name in [
            "DATABASE_URL",
            "PUBLIC_URL",
            "VISTAFLOW_SESSION_KEY",
            "VISTAFLOW_SECRET_KEYS",
            "SMTP_URL",
        ] {
            assert!(text.contains(name), "{name} not named in: {text}");
        }
    }

    #[test]
    fn malformed_values_are_named_with_what_is_expected() {
        let error = settings(&[
            ("APP_ENV", "development"),
            ("DATABASE_URL", "mysql://x"),
            ("PORT", "eighty"),
            ("SESSION_IDLE_MINUTES", "0"),
        ])
        .unwrap_err();
        assert_eq!(error.problems.len(), 3, "{error}");
        assert!(
            error
                .to_string()
                .contains("PORT is malformed: expected a port number")
        );
    }

    #[test]
    fn development_needs_only_the_database() {
        let settings = settings(&[
            ("APP_ENV", "development"),
            ("DATABASE_URL", "postgres://localhost/vf"),
        ])
        .unwrap();
        assert_eq!(settings.public_url, "http://127.0.0.1:8080");
        assert!(!settings.secure_cookies());
    }

    #[test]
    fn the_demo_network_is_refused_in_production() {
        let error = settings(&[("VISTAFLOW_DEMO", "1")]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("VISTAFLOW_DEMO must not be on in production"),
            "{error}"
        );
    }

    #[test]
    fn secrets_never_print() {
        let key = base64::engine::general_purpose::STANDARD.encode([7_u8; 64]);
        let secret_key = base64::engine::general_purpose::STANDARD.encode([8_u8; 32]);
        let settings = settings(&[
            ("DATABASE_URL", "postgres://vf:hunter2-secret@db/vf"),
            ("PUBLIC_URL", "https://app.example.com"),
            ("VISTAFLOW_SESSION_KEY", &key),
            ("VISTAFLOW_SECRET_KEYS", &format!("k1:{secret_key}")),
            (
                "SMTP_URL",
                "smtps://mailer:smtp-pass-secret@smtp.example.com:465",
            ),
            ("OPENAI_API_KEY", "sk-openai-secret"),
        ])
        .unwrap();
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("hunter2-secret")
                && !printed.contains(&key)
                && !printed.contains(&secret_key)
                && !printed.contains("smtp-pass-secret")
                && !printed.contains("sk-openai-secret"),
            "{printed}"
        );
        assert!(settings.secure_cookies());
    }

    #[test]
    fn the_shown_configuration_masks_every_secret_and_keeps_urls_without_their_password() {
        let key = base64::engine::general_purpose::STANDARD.encode([7_u8; 64]);
        let secret_key = base64::engine::general_purpose::STANDARD.encode([8_u8; 32]);
        let settings = settings(&[
            (
                "DATABASE_URL",
                "postgres://vf:hunter2-secret@db/vf?sslpassword=pg-ssl-secret",
            ),
            ("PUBLIC_URL", "https://app.example.com"),
            ("VISTAFLOW_SESSION_KEY", &key),
            ("VISTAFLOW_SECRET_KEYS", &format!("k1:{secret_key}")),
            (
                "SMTP_URL",
                "smtps://mailer:smtp-pass-secret@smtp.example.com:465",
            ),
            ("OPENAI_API_KEY", "sk-openai-secret"),
        ])
        .unwrap();

        let shown = settings.shown();

        let printed = format!("{shown:?}");
        for secret in [
            "hunter2-secret",
            "pg-ssl-secret",
            key.as_str(),
            secret_key.as_str(),
            "smtp-pass-secret",
            "sk-openai-secret",
        ] {
            assert!(!printed.contains(secret), "{secret} shown in {printed}");
        }
        let of = |name: &str| {
            shown
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.clone())
        };
        assert_eq!(
            of("SMTP_URL"),
            Some(Shown::Value(
                "smtps://mailer:****@smtp.example.com:465".into()
            ))
        );
        assert_eq!(
            of("DATABASE_URL"),
            Some(Shown::Value(
                "postgres://vf:****@db/vf?sslpassword=****".into()
            ))
        );
        assert_eq!(
            of("PUBLIC_URL"),
            Some(Shown::Value("https://app.example.com".into()))
        );
        assert_eq!(of("OPENAI_API_KEY"), Some(Shown::Hidden));
        assert_eq!(of("VISTAFLOW_SESSION_KEY"), Some(Shown::Hidden));
        assert_eq!(of("WEBDRIVER_URL"), Some(Shown::NotSet));
    }

    #[test]
    fn development_keys_made_at_start_are_shown_as_such() {
        let settings = settings(&[
            ("APP_ENV", "development"),
            ("DATABASE_URL", "postgres://localhost/vf"),
        ])
        .unwrap();

        let shown = settings.shown();

        assert!(shown.contains(&("VISTAFLOW_SECRET_KEYS", Shown::Ephemeral)));
        assert!(shown.contains(&("SMTP_URL", Shown::NotSet)));
        assert!(shown.contains(&("OPENAI_API_KEY", Shown::NotSet)));
    }
}
