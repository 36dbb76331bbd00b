//! The browser pool: WebDriver sessions against `WEBDRIVER_URL` (a chromedriver or a Selenium Grid) or a
//! chromedriver the app starts itself and restarts if it dies. At most N sessions at once for syncs and
//! checks, a separate few for people's logins (QR), a fresh profile for each (no cookie crosses
//! accounts), a timeout on every step, and every session closed. Work that finds no free session
//! within the wait gets `PoolBusy`: it did not run and may be tried again later.

use std::future::Future;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use thirtyfour::prelude::*;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

/// How the pool reaches browsers.
#[derive(Debug, Clone)]
pub struct BrowserSettings {
    /// A WebDriver endpoint to use instead of starting chromedriver.
    pub webdriver_url: Option<String>,
    /// The chromedriver program to start when there is no endpoint.
    pub chromedriver: String,
    /// The Chromium binary, when not the driver's default.
    pub chromium_binary: Option<String>,
    /// Sessions for syncs and checks.
    pub max_sessions: usize,
    /// Sessions for logins a person follows (QR), apart from `max_sessions` so that they never hold up
    /// syncs and checks.
    pub login_sessions: usize,
    /// The longest work waits for a free session before it gets `PoolBusy`.
    pub slot_wait: Duration,
    /// The longest one WebDriver command may take.
    pub step_timeout: Duration,
    /// The longest a whole piece of work in one session may take.
    pub session_timeout: Duration,
}

/// A chromedriver started by the app, in its own process group.
struct LocalDriver {
    child: Child,
    url: String,
}

impl LocalDriver {
    fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Every session was busy for the whole wait: the work did not run (nothing about its account is
/// known), and trying again later is the answer.
#[derive(Debug, thiserror::Error)]
#[error("every browser session was busy for {0:?}")]
pub struct PoolBusy(pub Duration);

/// The right to open one browser session, held until the work in it ends.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

pub struct BrowserPool {
    settings: BrowserSettings,
    permits: Arc<Semaphore>,
    login_permits: Arc<Semaphore>,
    local: Mutex<Option<LocalDriver>>,
}

/// The flags every headless Chromium gets: no sandbox (containers), no background traffic of its own.
pub const CHROMIUM_ARGS: [&str; 10] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,900",
];

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl BrowserPool {
    #[must_use]
    pub fn new(settings: BrowserSettings) -> Self {
        let permits = Arc::new(Semaphore::new(settings.max_sessions.max(1)));
        let login_permits = Arc::new(Semaphore::new(settings.login_sessions.max(1)));
        Self {
            settings,
            permits,
            login_permits,
            local: Mutex::new(None),
        }
    }

    /// The WebDriver endpoint: the configured one, or our chromedriver (started, or restarted when dead).
    async fn endpoint(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.settings.webdriver_url {
            return Ok(url.clone());
        }
        let mut local = self.local.lock().await;
        if let Some(driver) = local.as_mut() {
            if driver.child.try_wait()?.is_none() {
                return Ok(driver.url.clone());
            }
            tracing::warn!("chromedriver exited; starting it again");
            // Its browsers may have outlived it: they are in its process group.
            driver.stop();
        }
        let port = free_port()?;
        let child = Command::new(&self.settings.chromedriver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (install chromium and chromium-driver, or set WEBDRIVER_URL)",
                    self.settings.chromedriver
                )
            })?;
        let url = format!("http://127.0.0.1:{port}");
        let mut driver = LocalDriver {
            child,
            url: url.clone(),
        };
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + self.settings.step_timeout;
        while client.get(format!("{url}/status")).send().await.is_err() {
            if tokio::time::Instant::now() > deadline {
                driver.stop();
                bail!(
                    "chromedriver did not answer within {:?}",
                    self.settings.step_timeout
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        *local = Some(driver);
        Ok(url)
    }

    /// Runs `work` in a fresh browser session and always closes it, whether `work` succeeds, fails or
    /// runs out of time.
    ///
    /// # Errors
    /// `PoolBusy` when no session comes free within the wait; otherwise when the session cannot start,
    /// or `work` fails or times out.
    pub async fn run<T, F, Fut>(&self, work: F) -> anyhow::Result<T>
    where
        F: FnOnce(WebDriver) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        let permit = tokio::time::timeout(
            self.settings.slot_wait,
            self.permits.clone().acquire_owned(),
        )
        .await
        .map_err(|_| PoolBusy(self.settings.slot_wait))??;
        self.run_in(Slot { _permit: permit }, work).await
    }

    /// A session for a person's login, now or never: `None` when every login session is taken.
    #[must_use]
    pub fn try_login_slot(&self) -> Option<Slot> {
        self.login_permits
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|permit| Slot { _permit: permit })
    }

    /// Runs `work` like `run`, in the session `slot` was held for.
    ///
    /// # Errors
    /// When the session cannot start, or `work` fails or times out.
    pub async fn run_in<T, F, Fut>(&self, slot: Slot, work: F) -> anyhow::Result<T>
    where
        F: FnOnce(WebDriver) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        let _slot = slot;
        let endpoint = self.endpoint().await?;
        let profile = std::env::temp_dir().join(format!(
            "vistaflow-browser-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut caps = DesiredCapabilities::chrome();
        for arg in CHROMIUM_ARGS {
            caps.add_arg(arg)?;
        }
        if self.settings.webdriver_url.is_none() {
            caps.add_arg(&format!("--user-data-dir={}", profile.display()))?;
        }
        if let Some(binary) = &self.settings.chromium_binary {
            caps.set_binary(binary)?;
        }
        let driver = tokio::time::timeout(
            self.settings.step_timeout,
            WebDriver::builder(&endpoint, caps).request_timeout(self.settings.step_timeout),
        )
        .await
        .map_err(|_| {
            anyhow!(
                "the browser did not start within {:?}",
                self.settings.step_timeout
            )
        })?
        .context("starting a browser session")?;

        let outcome =
            tokio::time::timeout(self.settings.session_timeout, work(driver.clone())).await;
        if let Err(error) = tokio::time::timeout(self.settings.step_timeout, driver.quit())
            .await
            .map_err(|_| anyhow!("timed out"))
            .and_then(|r| r.map_err(Into::into))
        {
            tracing::warn!(%error, "closing a browser session failed");
        }
        let _ = std::fs::remove_dir_all(&profile);
        outcome.map_err(|_| {
            anyhow!(
                "the browser work did not finish within {:?}",
                self.settings.session_timeout
            )
        })?
    }

    /// The process id of the chromedriver this pool started, if it runs one (for health pages and tests).
    pub async fn local_driver_pid(&self) -> Option<u32> {
        self.local
            .lock()
            .await
            .as_ref()
            .map(|driver| driver.child.id())
    }

    /// Stops the chromedriver this pool started (and the browsers it runs), now.
    pub fn shutdown(&self) {
        if let Ok(mut local) = self.local.try_lock()
            && let Some(mut driver) = local.take()
        {
            driver.stop();
        }
    }
}

impl Drop for BrowserPool {
    fn drop(&mut self) {
        if let Some(driver) = self.local.get_mut().as_mut() {
            driver.stop();
        }
    }
}
