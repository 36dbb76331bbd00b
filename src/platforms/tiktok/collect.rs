//! Reading a connected account's Activity panel and Messages through WebDriver: one `source()` per
//! scroll step, parsed in Rust (never one WebDriver call per element), stopping at rows already stored.
//! The sync decides what to do with the rows; this module only reads, and counts what reading cost.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use thirtyfour::prelude::*;

use super::extract::{self, Conversation, Profile, Row};
use super::page::classify;
use super::session::open_with_cookies;
use crate::domain::cookies::CookieJar;
use crate::domain::interaction::{Direction, Observed, When};
use crate::platforms::{Collected, Cost, KnownMessages, NotRead, ReaderConfig, SessionState};
use crate::scrape::BrowserPool;

/// How far a read may go.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most scroll steps of the Activity list in one sync.
    pub max_scrolls: usize,
    /// Stop when the row count has not grown this many steps in a row.
    pub stable_steps: usize,
    /// How long one scroll step waits for the list to load more rows.
    pub settle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_scrolls: 80,
            stable_steps: 2,
            settle: Duration::from_millis(1_500),
        }
    }
}

/// A reader on one browser session that is already on the account's home page.
pub struct Reader<'a> {
    driver: &'a WebDriver,
    profile: &'a Profile,
    base: url::Url,
    pub cost: Cost,
}

/// Scrolls the list to its end, then waits (up to the settle time) for more rows; answers the row count.
const SCROLL_SCRIPT: &str = r"
const [listCss, rowCss, settleMs, done] = arguments;
const list = document.querySelector(listCss);
if (!list) { done(-1); return; }
const before = document.querySelectorAll(rowCss).length;
list.scrollTop = list.scrollHeight;
const started = Date.now();
const wait = () => {
  const now = document.querySelectorAll(rowCss).length;
  if (now > before || Date.now() - started > settleMs) done(now); else setTimeout(wait, 25);
};
wait();
";

impl<'a> Reader<'a> {
    /// # Errors
    /// When the base URL is not a URL.
    pub fn new(
        driver: &'a WebDriver,
        profile: &'a Profile,
        base_url: &str,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            driver,
            profile,
            base: url::Url::parse(base_url).context("TIKTOK_BASE_URL is not a URL")?,
            cost: Cost::default(),
        })
    }

    async fn source(&mut self) -> anyhow::Result<(String, DateTime<Utc>)> {
        self.cost.page_reads += 1;
        self.cost.round_trips += 1;
        let html = self.driver.source().await.context("reading the page")?;
        Ok((html, Utc::now()))
    }

    async fn classify_here(&mut self) -> anyhow::Result<SessionState> {
        self.cost.round_trips += 1;
        let url = self.driver.current_url().await?;
        let (html, _) = self.source().await?;
        Ok(classify(url.as_str(), &html))
    }

    /// Opens the Activity panel ("all" is its first tab) and reads it, scrolling until the rows reach
    /// `since` (rows already stored), the count stops growing, or the limits say stop. `on_step` hears
    /// the number of rows read after each step.
    ///
    /// # Errors
    /// When the browser fails.
    pub async fn activity(
        &mut self,
        since: Option<DateTime<Utc>>,
        limits: Limits,
        on_step: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Result<Vec<Row>, NotRead>> {
        self.cost.round_trips += 1;
        let opener = self
            .driver
            .find(By::Css(self.profile.activity.opener.as_str()))
            .await;
        let Ok(opener) = opener else {
            return Ok(Err(self.not_read().await?));
        };
        self.cost.round_trips += 1;
        opener.click().await.context("opening the Activity panel")?;
        self.cost.round_trips += 1;
        let url = self.driver.current_url().await?;
        let (html, read_at) = self.source().await?;
        match classify(url.as_str(), &html) {
            SessionState::Active { .. } => {}
            SessionState::Expired => return Ok(Err(NotRead::Expired)),
            SessionState::Blocked => return Ok(Err(NotRead::Blocked)),
            SessionState::Unrecognised => return Ok(Err(NotRead::Unrecognised)),
        }
        let mut rows = extract::activity(&html, self.profile, read_at);
        on_step(rows.len());
        let (mut stable, mut scrolls) = (0, 0);
        while !reaches(&rows, since) && stable < limits.stable_steps && scrolls < limits.max_scrolls
        {
            scrolls += 1;
            self.cost.round_trips += 1;
            let settle_ms = u64::try_from(limits.settle.as_millis()).unwrap_or(u64::MAX);
            self.driver
                .execute_async(
                    SCROLL_SCRIPT,
                    vec![
                        self.profile.activity.list.clone().into(),
                        self.profile.activity.row.clone().into(),
                        settle_ms.into(),
                    ],
                )
                .await
                .context("scrolling the Activity list")?;
            let (html, read_at) = self.source().await?;
            let now_read = extract::activity(&html, self.profile, read_at);
            if now_read.len() > rows.len() {
                stable = 0;
            } else {
                stable += 1;
            }
            // A virtualised list may drop rows it scrolled past: keep every row seen, in order.
            if now_read.len() >= rows.len() {
                rows = now_read;
            } else {
                rows.extend(now_read);
            }
            on_step(rows.len());
        }
        Ok(Ok(rows))
    }

    async fn not_read(&mut self) -> anyhow::Result<NotRead> {
        Ok(match self.classify_here().await? {
            SessionState::Expired => NotRead::Expired,
            SessionState::Blocked => NotRead::Blocked,
            SessionState::Active { .. } | SessionState::Unrecognised => NotRead::Unrecognised,
        })
    }

    /// Opens the Messages page and reads its list of conversations.
    ///
    /// # Errors
    /// When the browser fails.
    pub async fn conversations(&mut self) -> anyhow::Result<Result<Vec<Conversation>, NotRead>> {
        self.cost.round_trips += 1;
        self.driver
            .goto(self.base.join("/messages")?.as_str())
            .await
            .context("opening Messages")?;
        self.cost.round_trips += 1;
        let url = self.driver.current_url().await?;
        let (html, _) = self.source().await?;
        if let state @ (SessionState::Expired | SessionState::Blocked) =
            classify(url.as_str(), &html)
        {
            return Ok(Err(if state == SessionState::Expired {
                NotRead::Expired
            } else {
                NotRead::Blocked
            }));
        }
        Ok(Ok(extract::conversations(&html, self.profile)))
    }

    /// Opens one conversation (by its link, or by clicking its row) and reads its messages.
    ///
    /// # Errors
    /// When the browser fails.
    pub async fn thread(
        &mut self,
        position: usize,
        conversation: &Conversation,
    ) -> anyhow::Result<Vec<Row>> {
        if let Some(href) = &conversation.href {
            self.cost.round_trips += 1;
            self.driver
                .goto(self.base.join(href)?.as_str())
                .await
                .context("opening a conversation")?;
        } else {
            self.cost.round_trips += 2;
            let rows = self
                .driver
                .find_all(By::Css(self.profile.messages.conversation.as_str()))
                .await?;
            let row = rows
                .get(position)
                .context("the conversation left the list")?;
            row.click().await.context("opening a conversation")?;
        }
        let (html, read_at) = self.source().await?;
        Ok(extract::messages(&html, self.profile, read_at))
    }
}

/// Whether the rows read go back to `since`: the oldest row's window ends at or before it.
fn reaches(rows: &[Row], since: Option<DateTime<Utc>>) -> bool {
    let Some(since) = since else {
        return false;
    };
    rows.iter()
        .rev()
        .find_map(|row| row.time)
        .is_some_and(|time| time.window(Utc::now()).1 <= since)
}

/// Everything read in one browser session.
struct Read {
    activity: Vec<Row>,
    messages: Vec<Row>,
    cost: Cost,
}

/// Reads the Activity panel down to `since`, then the conversations whose last message `known` does not
/// hold, in one browser session; `on_step` hears the rows read so far.
///
/// # Errors
/// [`ReaderConfig`] when the selector profile cannot be read; when no browser can be had (`PoolBusy`), or the browser fails.
pub async fn collect<K: KnownMessages>(
    settings: &super::Settings,
    browsers: &BrowserPool,
    jar: &CookieJar,
    since: Option<DateTime<Utc>>,
    known: &K,
    on_step: &(dyn Fn(usize) + Sync),
) -> anyhow::Result<Result<Collected, NotRead>> {
    let profile = Profile::from_env().map_err(ReaderConfig)?;
    let base_url = settings.base_url.as_str();
    let profile = &profile;
    let read = browsers
        .run(|driver| async move {
            let opened = open_with_cookies(&driver, base_url, jar).await?;
            let mut reader = Reader::new(&driver, profile, base_url)?;
            reader.cost.round_trips += opened;
            let activity = match reader.activity(since, Limits::default(), on_step).await? {
                Ok(rows) => rows,
                Err(not_read) => return Ok(Err(not_read)),
            };
            let conversations = match reader.conversations().await? {
                Ok(list) => list,
                Err(not_read) => return Ok(Err(not_read)),
            };
            let previews: Vec<String> = conversations.iter().map(|c| c.preview.clone()).collect();
            let stored = known
                .known(previews)
                .await
                .context("reading the stored messages")?;
            let mut messages = Vec::new();
            for (position, conversation) in conversations.iter().enumerate() {
                let is_stored = stored.iter().any(|(handle, name, text)| {
                    text.as_deref() == Some(conversation.preview.as_str())
                        && (name.as_deref() == Some(conversation.name.as_str())
                            || handle.eq_ignore_ascii_case(&conversation.name))
                });
                if !is_stored {
                    messages.extend(reader.thread(position, conversation).await?);
                }
            }
            Ok(Ok(Read {
                activity,
                messages,
                cost: reader.cost,
            }))
        })
        .await?;
    Ok(read.map(|read| {
        let rows_read = read.activity.len() + read.messages.len();
        let (observed, unknown) = observe(read.activity.into_iter().chain(read.messages));
        for row in &unknown {
            tracing::warn!(raw = ?row.raw, kind = ?row.kind, "a row the selector profile does not know");
        }
        Collected {
            observed,
            rows_read,
            unknown_rows: unknown.len(),
            cost: read.cost,
        }
    }))
}

/// Splits rows into interactions to store and rows the profile does not know (or that lack a handle or
/// a time, which the profile should have given).
fn observe(rows: impl Iterator<Item = Row>) -> (Vec<Observed>, Vec<Row>) {
    let mut observed = Vec::new();
    let mut unknown = Vec::new();
    let now = Utc::now();
    for row in rows {
        match (row.kind, row.handle.as_deref(), row.time) {
            (Some(kind), Some(handle), Some(time)) => observed.push(Observed {
                kind,
                handle: handle.to_lowercase(),
                display_name: row.display_name,
                text: row.text,
                post_ref: row.post,
                when: When::read(time, now.max(time.at)),
                direction: Direction::Incoming,
                ids: None,
            }),
            _ => unknown.push(row),
        }
    }
    (observed, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::platform_time;

    fn row_at(text: &str) -> Row {
        let now = Utc::now();
        let time = platform_time::parse(text, now);
        Row {
            kind: Some(crate::domain::interaction::Kind::Like),
            handle: Some("nina".into()),
            display_name: None,
            text: None,
            occurred_at: time.map(|t| t.at),
            precision: time.map(|t| t.precision.as_str()),
            post: None,
            raw: None,
            time,
        }
    }

    #[test]
    fn the_list_reaches_the_watermark_once_its_oldest_row_is_no_newer() {
        let rows = [row_at("1m ago"), row_at("10m ago")];
        let now = Utc::now();
        assert!(reaches(&rows, Some(now - chrono::Duration::minutes(5))));
        assert!(!reaches(&rows, Some(now - chrono::Duration::minutes(30))));
        assert!(!reaches(&rows, None), "a first sync has no watermark");
    }
}
