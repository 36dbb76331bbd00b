//! TikTok's QR login in a browser: open the login page, capture the code's picture, wait for the
//! session cookies the phone's scan gives, then read the account's own page to name it.

use std::time::Duration;

use anyhow::Context as _;
use thirtyfour::prelude::*;

use super::{SESSION_COOKIES, Settings, classify, session::read_cookies, site};
use crate::domain::account::Handle;
use crate::domain::cookies::CookieJar;
use crate::platforms::SessionState;

/// Shows the QR code through `show`, then waits while `waiting()` says so; `None` when it stopped
/// waiting before the scan.
///
/// # Errors
/// When the browser fails, or the page after the scan is no logged-in page.
pub async fn login(
    settings: &Settings,
    driver: WebDriver,
    demo: bool,
    show: impl FnOnce(Vec<u8>, Option<String>),
    waiting: impl Fn() -> bool,
) -> anyhow::Result<Option<(CookieJar, Handle, Option<String>)>> {
    let base = url::Url::parse(&settings.base_url).context(super::BASE_URL_VARIABLE)?;
    let host = base.host_str().unwrap_or_default().to_owned();
    driver
        .goto(base.join("/login")?.as_str())
        .await
        .context("opening the login page")?;
    let code = driver
        .query(By::Css("[data-e2e='qr-code']"))
        .first()
        .await
        .context("finding the QR code")?;
    let image = code
        .screenshot_as_png()
        .await
        .context("capturing the QR code")?;
    let phone_link = if demo {
        driver
            .find(By::Css("[data-e2e='qr-phone-link']"))
            .await
            .ok()
            .map(|link| async move { link.prop("href").await.ok().flatten() })
    } else {
        None
    };
    let phone_link = match phone_link {
        Some(read) => read.await,
        None => None,
    };
    show(image, phone_link);
    while waiting() {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let cookies = read_cookies(&driver, &host).await?;
        if !cookies
            .iter()
            .any(|c| SESSION_COOKIES.contains(&c.name.as_str()))
        {
            continue;
        }
        // Logged in: read the account's own page to name it.
        driver.goto(base.as_str()).await?;
        let page = classify(
            driver.current_url().await?.as_str(),
            &driver.source().await?,
        );
        let cookies = read_cookies(&driver, &host).await?;
        return match page {
            SessionState::Active {
                handle,
                display_name,
            } => Ok(Some((
                CookieJar::from_browser(cookies, site(&host)),
                handle,
                display_name,
            ))),
            other => anyhow::bail!("after the scan the page was {other:?}"),
        };
    }
    Ok(None)
}
