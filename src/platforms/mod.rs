//! One seam per social network. `domain::platform::Platform` is the registry (every network, its
//! stored id and name); this module dispatches on it, with a `match`, to each network's implementation:
//! how an account connects, how its session is checked, how it collects, the kinds it produces and a
//! person's profile URL. A new variant of `Platform` does not compile until every `match` here says what
//! the network does. Nothing here reads the configuration or the database: callers hand over what is needed.

pub mod collection;
pub mod instagram;
pub mod tiktok;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use crate::domain::account::Handle;
use crate::domain::cookies::{CookieImportError, CookieJar, Site};
use crate::domain::interaction::Kind;
use crate::domain::platform::Platform;
use crate::scrape::BrowserPool;

pub use collection::{Collected, Cost, KnownMessages, NotRead, ReaderConfig};

/// The variables holding the platforms' app credentials, read as secrets.
pub const SECRET_VARIABLES: [&str; 3] = [
    instagram::APP_ID_VARIABLE,
    instagram::APP_SECRET_VARIABLE,
    instagram::VERIFY_TOKEN_VARIABLE,
];

/// Where each platform is, read from the environment by `config` through [`Settings::read`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub tiktok: tiktok::Settings,
    pub instagram: instagram::Settings,
}

impl Settings {
    /// Every platform's settings, read with `var(name, default)` (the caller's reader of an http(s) base
    /// URL) and `secret(name)` (the caller's reader of a secret, `None` when unset); `demo_url` is the
    /// demo network's address when it is on, which stands in for the networks the demo imitates.
    pub fn read(
        mut var: impl FnMut(&'static str, String) -> String,
        mut secret: impl FnMut(&'static str) -> Option<String>,
        demo_url: Option<String>,
    ) -> Self {
        Self {
            instagram: instagram::Settings::read(&mut var, &mut secret, demo_url.as_deref()),
            tiktok: tiktok::Settings::read(&mut var, demo_url),
        }
    }

    /// The variables and their values, for the operator's configuration page.
    #[must_use]
    pub fn shown(&self) -> Vec<(&'static str, &str)> {
        vec![
            (tiktok::BASE_URL_VARIABLE, self.tiktok.base_url.as_str()),
            (
                instagram::AUTHORIZE_URL_VARIABLE,
                self.instagram.authorize_url.as_str(),
            ),
            (instagram::API_URL_VARIABLE, self.instagram.api_url.as_str()),
            (
                instagram::GRAPH_URL_VARIABLE,
                self.instagram.graph_url.as_str(),
            ),
        ]
    }

    /// Where the platform is (no trailing slash).
    #[must_use]
    pub fn base_url(&self, platform: Platform) -> &str {
        match platform {
            Platform::Tiktok => &self.tiktok.base_url,
            Platform::Instagram => instagram::BASE_URL,
        }
    }
}

/// The state of a session, as the platform's own page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Logged in; the handle comes from the page, not from what anyone typed.
    Active {
        handle: Handle,
        display_name: Option<String>,
    },
    /// The login page, or the logged-out markers.
    Expired,
    /// A captcha or a block page: reported to the creator, never solved or bypassed.
    Blocked,
    /// None of the known markers: the markup may have changed.
    Unrecognised,
}

/// How an account of a platform connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// The creator pastes their browser session's cookies.
    PastedSession,
    /// The creator scans a QR code with the platform's app; a browser captures the session.
    Qr,
    /// The platform's OAuth consent screen gives an access token.
    OAuth,
}

/// How a platform collects interactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Reading the account's own pages in a browser, on a schedule.
    BrowserReading,
    /// Pulling from the platform's API, on a schedule.
    ApiPull,
    /// The platform pushes events to a webhook: nothing to schedule.
    Webhook,
}

impl Collection {
    /// Whether accounts collected this way are claimed by the scheduler.
    #[must_use]
    pub const fn is_scheduled(self) -> bool {
        matches!(self, Collection::BrowserReading | Collection::ApiPull)
    }
}

/// The ways an account of `platform` can connect today (none: it cannot be connected yet).
#[must_use]
pub const fn connections(platform: Platform) -> &'static [Connection] {
    match platform {
        Platform::Tiktok => tiktok::CONNECTIONS,
        Platform::Instagram => instagram::CONNECTIONS,
    }
}

/// The first platform that connects `via` that way (the Accounts page's forms connect it).
#[must_use]
pub fn connecting_via(via: Connection) -> Option<Platform> {
    Platform::ALL
        .into_iter()
        .find(|p| connections(*p).contains(&via))
}

/// How `platform` collects, if it collects yet.
#[must_use]
pub const fn collection(platform: Platform) -> Option<Collection> {
    match platform {
        Platform::Tiktok => Some(tiktok::COLLECTION),
        Platform::Instagram => instagram::COLLECTION,
    }
}

/// The platforms whose accounts the scheduler claims and syncs.
#[must_use]
pub fn scheduled() -> Vec<Platform> {
    Platform::ALL
        .into_iter()
        .filter(|p| collection(*p).is_some_and(Collection::is_scheduled))
        .collect()
}

/// The interaction kinds `platform` produces.
#[must_use]
pub const fn kinds(platform: Platform) -> &'static [Kind] {
    match platform {
        Platform::Tiktok => tiktok::KINDS,
        Platform::Instagram => instagram::KINDS,
    }
}

/// A person's profile page on `platform`: every "open profile" link goes through here.
#[must_use]
pub fn profile_url(settings: &Settings, platform: Platform, handle: &str) -> String {
    match platform {
        Platform::Tiktok => tiktok::profile_url(&settings.tiktok, handle),
        Platform::Instagram => instagram::profile_url(handle),
    }
}

/// Where a creator logs in to `platform` to copy their session, for the Accounts page's help.
#[must_use]
pub fn login_url(settings: &Settings, platform: Platform) -> String {
    match platform {
        Platform::Tiktok => tiktok::login_url(&settings.tiktok),
        Platform::Instagram => format!("{}/accounts/login/", instagram::BASE_URL),
    }
}

/// Reads a pasted session for `platform`: the cookies its site receives, with a real session among them.
///
/// # Errors
/// A [`CookieImportError`] saying what is wrong with the paste.
pub fn parse_session(
    settings: &Settings,
    platform: Platform,
    pasted: &str,
    now: DateTime<Utc>,
) -> Result<CookieJar, CookieImportError> {
    let host = host_of(settings.base_url(platform));
    crate::domain::cookies::parse(pasted, site(platform, &host), now)
}

/// The cookie rules of `platform`'s site on `host`.
#[must_use]
pub fn site(platform: Platform, host: &str) -> Site<'_> {
    match platform {
        Platform::Tiktok => tiktok::site(host),
        Platform::Instagram => instagram::site(host),
    }
}

fn host_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What `vistaflow extract` reads from a saved file, by name: every platform's pages saved from a
/// browser, and its webhook deliveries saved as received.
#[must_use]
pub fn saved_pages() -> Vec<&'static str> {
    Platform::ALL
        .into_iter()
        .flat_map(|platform| match platform {
            Platform::Tiktok => tiktok::SAVED_PAGES,
            Platform::Instagram => &[instagram::webhook::SAVED_DELIVERY],
        })
        .copied()
        .collect()
}

/// What the reader of the saved file `name` (one of [`saved_pages`]) finds in `contents` read at `now`,
/// one JSON line each: a page's rows, a delivery's events.
///
/// # Errors
/// When `name` is no saved page, a page is not UTF-8, the platform's reader configuration cannot be
/// read, or a delivery is malformed (the error says how).
pub fn read_saved_page(
    name: &str,
    contents: &[u8],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    if tiktok::SAVED_PAGES.contains(&name) {
        let html = std::str::from_utf8(contents).context("the page is not UTF-8")?;
        return tiktok::extract::saved_page(name, html, now);
    }
    if name == instagram::webhook::SAVED_DELIVERY {
        return Ok(instagram::webhook::saved_delivery(contents)?);
    }
    anyhow::bail!("no platform reads a saved page named {name:?}")
}

/// Opens a session with `jar` in `driver`'s browser, on the platform's home page. Answers the number of
/// WebDriver commands it took.
///
/// # Errors
/// When the browser fails, or the platform has no browser session.
pub async fn open_session(
    settings: &Settings,
    platform: Platform,
    driver: &thirtyfour::WebDriver,
    jar: &CookieJar,
) -> anyhow::Result<u32> {
    match platform {
        Platform::Tiktok => {
            tiktok::session::open_with_cookies(driver, &settings.tiktok.base_url, jar).await
        }
        Platform::Instagram => instagram::unsupported("a browser session"),
    }
}

/// Checks a session in a browser of `browsers`: active (with the handle its page shows), expired,
/// blocked, or unrecognised.
///
/// # Errors
/// When no browser can be had (`PoolBusy`), the browser fails, or the platform has no session to check.
pub async fn check_session(
    settings: &Settings,
    browsers: &BrowserPool,
    platform: Platform,
    jar: &CookieJar,
) -> anyhow::Result<SessionState> {
    match platform {
        Platform::Tiktok => tiktok::session::check(browsers, &settings.tiktok.base_url, jar).await,
        Platform::Instagram => instagram::unsupported("checking a session"),
    }
}

/// Collects what is new on an account: the rows since `since` and the messages `known` does not hold,
/// read in one browser session of `browsers`. `on_step` hears the number of rows read so far.
///
/// # Errors
/// When no browser can be had (`PoolBusy`), the browser fails, or the platform does not collect.
pub async fn collect<K: KnownMessages>(
    settings: &Settings,
    browsers: &BrowserPool,
    platform: Platform,
    jar: &CookieJar,
    since: Option<DateTime<Utc>>,
    known: &K,
    on_step: &(dyn Fn(usize) + Sync),
) -> anyhow::Result<Result<Collected, NotRead>> {
    match platform {
        Platform::Tiktok => {
            tiktok::collect::collect(&settings.tiktok, browsers, jar, since, known, on_step).await
        }
        Platform::Instagram => instagram::unsupported("collecting"),
    }
}

/// A QR login on `platform` in `driver`'s browser: shows the code through `show` (its picture and, on
/// the demo network, the demo phone's link), then waits while `waiting()` says so for the phone's scan.
/// `None` when it stopped waiting without a session.
///
/// # Errors
/// When the browser fails, the page after the scan is no logged-in page, or the platform has no QR login.
pub async fn qr_login(
    settings: &Settings,
    platform: Platform,
    driver: thirtyfour::WebDriver,
    demo: bool,
    show: impl FnOnce(Vec<u8>, Option<String>),
    waiting: impl Fn() -> bool,
) -> anyhow::Result<Option<(CookieJar, Handle, Option<String>)>> {
    match platform {
        Platform::Tiktok => tiktok::qr::login(&settings.tiktok, driver, demo, show, waiting).await,
        Platform::Instagram => instagram::unsupported("a QR login"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_platforms_that_collect_on_a_schedule_are_claimed() {
        for platform in Platform::ALL {
            assert_eq!(
                scheduled().contains(&platform),
                collection(platform).is_some_and(Collection::is_scheduled),
                "{platform}"
            );
        }
    }

    #[test]
    fn a_platform_that_connects_collects_and_produces_kinds() {
        for platform in Platform::ALL {
            if !connections(platform).is_empty() {
                assert!(collection(platform).is_some(), "{platform}");
                assert!(!kinds(platform).is_empty(), "{platform}");
            }
        }
    }
}
