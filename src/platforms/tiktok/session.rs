//! Opening TikTok with a creator's cookies and reading what the page says about the session.

use anyhow::Context as _;
use thirtyfour::prelude::*;

use super::page::classify;
use crate::domain::cookies::CookieJar;
use crate::platforms::SessionState;
use crate::scrape::BrowserPool;

/// Puts the jar's cookies in the browser for `base_url`'s site, then opens `base_url`. Answers the
/// number of WebDriver commands it took.
///
/// # Errors
/// When the browser fails a step.
pub async fn open_with_cookies(
    driver: &WebDriver,
    base_url: &str,
    jar: &CookieJar,
) -> anyhow::Result<u32> {
    let base = url::Url::parse(base_url).context("TIKTOK_BASE_URL is not a URL")?;
    let host = base.host_str().unwrap_or_default().to_owned();
    let https = base.scheme() == "https";
    // Cookies can only be set for the site the browser is on: a small page of it first.
    driver
        .goto(base.join("/robots.txt")?.as_str())
        .await
        .context("opening the site")?;
    for cookie in &jar.cookies {
        let mut browser_cookie = Cookie::new(cookie.name.clone(), cookie.value.clone());
        browser_cookie.path = Some(cookie.path.clone());
        // A parent domain (`.tiktok.com` for www.tiktok.com) is kept; the host itself stays host-only.
        if cookie.domain != host && host.parse::<std::net::IpAddr>().is_err() {
            browser_cookie.domain = Some(format!(".{}", cookie.domain));
        }
        browser_cookie.secure = Some(cookie.secure && https);
        browser_cookie.http_only = Some(cookie.http_only);
        driver
            .add_cookie(browser_cookie)
            .await
            .with_context(|| format!("setting the cookie {}", cookie.name))?;
    }
    driver
        .goto(base.as_str())
        .await
        .context("opening the home page")?;
    Ok(u32::try_from(jar.cookies.len())
        .unwrap_or(u32::MAX)
        .saturating_add(2))
}

/// Checks a session: active (with the handle the page shows), expired, blocked, or unrecognised.
///
/// # Errors
/// When the browser cannot be had or fails.
pub async fn check(
    pool: &BrowserPool,
    base_url: &str,
    jar: &CookieJar,
) -> anyhow::Result<SessionState> {
    let base_url = base_url.to_owned();
    let jar = jar.clone();
    pool.run(|driver| async move {
        open_with_cookies(&driver, &base_url, &jar).await?;
        let url = driver.current_url().await?;
        let html = driver.source().await?;
        Ok(classify(url.as_str(), &html))
    })
    .await
}

/// The browser's cookies for the site it is on, as domain cookies.
///
/// # Errors
/// When the browser fails.
pub async fn read_cookies(
    driver: &WebDriver,
    host: &str,
) -> anyhow::Result<Vec<crate::domain::cookies::Cookie>> {
    let cookies = driver
        .get_all_cookies()
        .await
        .context("reading the browser's cookies")?;
    Ok(cookies
        .into_iter()
        .map(|c| crate::domain::cookies::Cookie {
            domain: c
                .domain
                .map_or_else(|| host.to_owned(), |d| d.trim_start_matches('.').to_owned()),
            path: c.path.unwrap_or_else(|| "/".to_owned()),
            secure: c.secure.unwrap_or(false),
            http_only: c.http_only.unwrap_or(false),
            expires: c
                .expiry
                .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0)),
            name: c.name,
            value: c.value,
        })
        .collect())
}
