//! Real Chromium, driven through chromedriver (the `WebDriver` protocol), for tests that need a browser.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;

/// A headless Chromium session with a fresh profile, and the chromedriver process behind it.
pub struct Chrome {
    pub driver: WebDriver,
    chromedriver: Child,
    profile: std::path::PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Chrome {
    pub async fn start() -> Self {
        let port = free_port();
        // Its own process group, so that the browsers it starts can be ended with it, even after a panic.
        let chromedriver = Command::new("chromedriver")
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver ({e}): run the tests with scripts/test, which installs chromium and chromium-driver"));
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(15);
        while reqwest::get(format!("{url}/status")).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let profile = std::env::temp_dir().join(format!(
            "vistaflow-chrome-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut caps = DesiredCapabilities::chrome();
        for arg in vistaflow::scrape::pool::CHROMIUM_ARGS {
            caps.add_arg(arg).expect("a chrome argument");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display()))
            .expect("the profile argument");
        if std::path::Path::new("/usr/bin/chromium").exists() {
            caps.set_binary("/usr/bin/chromium")
                .expect("the chromium binary");
        }
        // Element look-ups wait up to 5 s for the element (pages load asynchronously with htmx).
        let poller = Arc::new(ElementPollerWithTimeout::new(
            Duration::from_secs(5),
            Duration::from_millis(50),
        ));
        let driver = WebDriver::builder(&url, caps)
            .poller(poller)
            .await
            .expect("a Chromium session");
        Self {
            driver,
            chromedriver,
            profile,
        }
    }

    /// Waits until the page's path is `path` (htmx-boosted navigations change the URL asynchronously).
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let current = self.driver.current_url().await.expect("the current url");
            if current.path() == path {
                return;
            }
            if Instant::now() > deadline {
                self.save_evidence().await;
                panic!("still on {current} instead of {path}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element matching `css` shows `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        self.wait_for(css, text, |shown| shown.trim() == text).await;
    }

    /// Waits until an element matching `css` shows a text that contains `part`.
    pub async fn wait_for_text_containing(&self, css: &str, part: &str) {
        self.wait_for(css, part, |shown| shown.contains(part)).await;
    }

    async fn wait_for(&self, css: &str, text: &str, matches: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(element) = self.driver.query(By::Css(css)).nowait().first().await
                && element.text().await.is_ok_and(|t| matches(&t))
            {
                return;
            }
            if Instant::now() > deadline {
                self.save_evidence().await;
                panic!("no {css} showing {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's query string is `query` (after `?`).
    pub async fn wait_for_query(&self, query: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let current = self.driver.current_url().await.expect("the current url");
            if current.query() == Some(query) {
                return;
            }
            if Instant::now() > deadline {
                self.save_evidence().await;
                panic!("still on {current} instead of ?{query}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Leaves a screenshot and the page source in the temp directory for a failing test.
    async fn save_evidence(&self) {
        let dir = std::env::temp_dir();
        let _ = self
            .driver
            .screenshot(&dir.join("vistaflow-failure.png"))
            .await;
        if let Ok(source) = self.driver.source().await {
            let _ = std::fs::write(dir.join("vistaflow-failure.html"), source);
        }
        eprintln!(
            "screenshot and page source saved in {}/vistaflow-failure.*",
            dir.display()
        );
    }

    pub async fn element(&self, css: &str) -> WebElement {
        match self.driver.query(By::Css(css)).first().await {
            Ok(element) => element,
            Err(error) => {
                self.save_evidence().await;
                panic!("no {css}: {error}");
            }
        }
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.element(css).await;
        input.clear().await.expect("clearing");
        input.send_keys(value).await.expect("typing");
    }

    pub async fn click(&self, css: &str) {
        self.element(css).await.click().await.expect("clicking");
    }

    pub async fn quit(self) {
        self.driver
            .clone()
            .quit()
            .await
            .expect("closing the browser session");
    }
}

impl Drop for Chrome {
    /// Ends chromedriver and every browser it started (its process group), whatever happened in the test.
    fn drop(&mut self) {
        let group = format!("-{}", self.chromedriver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.chromedriver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
