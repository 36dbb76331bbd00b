//! The safety net for lost webhooks: with the account's token, reads its recent media and their
//! comments (replies included), and its recent conversations with their latest messages, and stores
//! them through the same idempotent ingestion as the webhook inbox (the comment id or the message `mid`
//! is the event's identity, so nothing is stored twice). It runs in the background at connect
//! (`start`) and every 30 minutes for every active account (`backfill_all`, the job
//! "instagram-backfill").
//!
//! Each page read is stored at once (a chunk), so a run stopped by throttling keeps what it stored; a
//! dead token stops the run and is reported. Leads with new interactions are analysed after a run that
//! stored something, as after a sync.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, Utc};
use secrecy::SecretString;

use crate::db::models::SocialAccount;
use crate::db::queries;
use crate::db::queries::interactions::Source;
use crate::db::queries::platform_people::Person;
use crate::domain::account::AccountStatus;
use crate::domain::platform::Platform;
use crate::domain::runs::AnalysisTrigger;
use crate::error::{AppError, with_db};
use crate::platforms::instagram::{api, webhook};
use crate::state::AppState;

use super::events::{self, Own, People, Routed};

/// Media older than this are not read (their comments came through the webhook or earlier runs).
pub const MEDIA_DAYS: i64 = 30;
/// Pages of media read at most (25 a page).
pub const MEDIA_PAGES: usize = 4;
/// Pages of comments read at most per media (50 comments a page, each with its replies).
pub const COMMENT_PAGES: usize = 10;
/// Pages of conversations read at most (25 a page, each with its 20 latest messages).
pub const CONVERSATION_PAGES: usize = 4;
/// Rows per ingestion.
const CHUNK: usize = 500;

/// What a backfill read and stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backfilled {
    /// Media whose comments were read.
    pub media: usize,
    /// Comments and replies read.
    pub comments: usize,
    /// Messages read.
    pub messages: usize,
    /// Interactions stored that were not stored yet.
    pub stored: usize,
    /// Instagram asked to slow down: the run stopped there and kept what it had stored.
    pub throttled: bool,
}

/// Why a backfill did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum NotBackfilled {
    /// The account is not an active Instagram account of the workspace.
    #[error("the account is not an active Instagram account")]
    NotActive,
    /// The account has no token (disconnected) or it cannot be opened.
    #[error("the account has no usable access token")]
    NoToken,
    /// Instagram no longer accepts the account's token: it must connect again.
    #[error("Instagram no longer accepts the account's access: {0}")]
    TokenDead(String),
    /// Instagram could not be read (unreachable, unavailable, or it answered nonsense).
    #[error("Instagram could not be read: {0}")]
    Platform(api::ApiError),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Starts a backfill of the account in the background (at connect: the page does not wait).
pub fn start(state: Arc<AppState>, workspace_id: i64, account_id: i64) {
    actix_web::rt::spawn(async move {
        match backfill(&state, workspace_id, account_id).await {
            Ok(done) => tracing::info!(account_id, ?done, "Instagram backfill at connect done"),
            Err(error) => {
                tracing::warn!(account_id, %error, "the Instagram backfill at connect stopped");
            }
        }
    });
}

/// Reads the account's recent comments and messages and stores those not stored yet; analyses the
/// workspace's leads with new interactions when something was stored.
///
/// # Errors
/// `TokenDead` when Instagram refuses the token, `Platform` when it cannot be read, `NotActive` or
/// `NoToken` when there is nothing to read with; what was stored before the error stays stored.
pub async fn backfill(
    state: &AppState,
    workspace_id: i64,
    account_id: i64,
) -> Result<Backfilled, NotBackfilled> {
    let account = with_db(&state.pool, move |conn| {
        Ok(queries::accounts::find(conn, workspace_id, account_id)?)
    })
    .await?
    .filter(|a| a.platform == Platform::Instagram && a.status() == AccountStatus::Active)
    .ok_or(NotBackfilled::NotActive)?;
    let Some(own_id) = account.external_id.clone() else {
        return Err(NotBackfilled::NotActive);
    };
    let token = super::token(state, workspace_id, account_id)
        .await?
        .ok_or(NotBackfilled::NoToken)?;
    let graph =
        api::Graph::new(&state.settings.platforms.instagram).map_err(NotBackfilled::Platform)?;
    let mut run = Run {
        state,
        graph,
        token,
        own_id,
        account,
        done: Backfilled::default(),
    };
    let halted = run.everything().await.err();
    let mut done = run.done;
    if done.stored > 0
        && let Err(error) = crate::usecases::analysis::analyse_pending(
            state,
            Some(workspace_id),
            AnalysisTrigger::Sync,
        )
        .await
    {
        tracing::warn!(account_id, ?error, "the analysis after a backfill failed");
    }
    match halted {
        None => Ok(done),
        Some(Halt::Api(error)) if error.is_throttle() => {
            tracing::info!(account_id, %error, ?done, "Instagram throttled the backfill: it goes on at the next run");
            done.throttled = true;
            Ok(done)
        }
        Some(Halt::Api(api::ApiError::TokenDead { message })) => {
            super::tokens::token_died(state, &run.account, &message)
                .await
                .map_err(NotBackfilled::App)?;
            Err(NotBackfilled::TokenDead(message))
        }
        Some(Halt::Api(error)) => Err(NotBackfilled::Platform(error)),
        Some(Halt::App(error)) => Err(NotBackfilled::App(error)),
    }
}

/// What a scheduled pass over every active account did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub accounts: usize,
    pub stored: usize,
    pub throttled: usize,
    pub token_dead: usize,
    pub failed: usize,
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} accounts read, {} interactions stored, {} throttled, {} with a dead token, {} failed",
            self.accounts, self.stored, self.throttled, self.token_dead, self.failed
        )
    }
}

/// Backfills every active Instagram account, one at a time (the job "instagram-backfill").
///
/// # Errors
/// When the accounts cannot be listed; one account's failure is logged and counted, and the pass
/// goes on.
pub async fn backfill_all(state: &AppState) -> Result<Pass, AppError> {
    let accounts = with_db(&state.pool, move |conn| {
        Ok(queries::accounts::active_of(conn, Platform::Instagram)?)
    })
    .await?;
    let mut pass = Pass::default();
    for account in accounts {
        pass.accounts += 1;
        match backfill(state, account.workspace_id, account.id).await {
            Ok(done) => {
                pass.stored += done.stored;
                pass.throttled += usize::from(done.throttled);
            }
            Err(NotBackfilled::TokenDead(message)) => {
                tracing::warn!(account = account.id, %message, "an Instagram token is dead: the account must connect again");
                pass.token_dead += 1;
            }
            Err(error) => {
                tracing::warn!(account = account.id, %error, "an Instagram backfill failed");
                pass.failed += 1;
            }
        }
    }
    Ok(pass)
}

/// Why a run stopped before its end.
enum Halt {
    Api(api::ApiError),
    App(AppError),
}

impl From<AppError> for Halt {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

/// One backfill under way: what it reads with, and what it did so far.
struct Run<'a> {
    state: &'a AppState,
    graph: api::Graph,
    token: SecretString,
    own_id: String,
    account: SocialAccount,
    done: Backfilled,
}

impl Run<'_> {
    fn own(&self) -> Own<'_> {
        Own {
            id: &self.own_id,
            handle: &self.account.handle,
        }
    }

    async fn everything(&mut self) -> Result<(), Halt> {
        let media = self.recent_media().await?;
        for media_id in &media {
            self.comments_of(media_id).await?;
        }
        self.conversations().await
    }

    /// The ids of the media of the last `MEDIA_DAYS` days (newest first), `MEDIA_PAGES` pages at most.
    async fn recent_media(&mut self) -> Result<Vec<String>, Halt> {
        let since = Utc::now() - Duration::days(MEDIA_DAYS);
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MEDIA_PAGES {
            let page = self
                .graph
                .media(&self.token, after.as_deref())
                .await
                .map_err(Halt::Api)?;
            let listed = page.items.len();
            let recent: Vec<String> = page
                .items
                .into_iter()
                .filter(|m| m.timestamp >= since)
                .map(|m| m.id)
                .collect();
            // Newest first: once a page holds an older media, the next pages hold only older ones.
            let older_reached = recent.len() < listed;
            ids.extend(recent);
            match page.after {
                Some(next) if !older_reached => after = Some(next),
                _ => break,
            }
        }
        self.done.media = ids.len();
        Ok(ids)
    }

    /// The media's comments and replies, page after page, each page stored. A media Instagram refuses
    /// to list (deleted since, comments off) is left out.
    async fn comments_of(&mut self, media_id: &str) -> Result<(), Halt> {
        let mut after: Option<String> = None;
        for _ in 0..COMMENT_PAGES {
            let page = match self
                .graph
                .comments(&self.token, media_id, after.as_deref())
                .await
            {
                Ok(page) => page,
                Err(error @ api::ApiError::Refused { .. }) => {
                    tracing::info!(account = self.account.id, media_id, %error, "a media's comments could not be read; it is left out");
                    return Ok(());
                }
                Err(error) => return Err(Halt::Api(error)),
            };
            self.done.comments += page.items.len();
            let own = self.own();
            let read: Vec<webhook::Event> = page
                .items
                .iter()
                .map(|c| events::from_comment(own, c))
                .collect();
            self.store(read, Vec::new()).await?;
            match page.after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(())
    }

    /// The latest conversations and their latest messages, page after page, each page stored.
    async fn conversations(&mut self) -> Result<(), Halt> {
        let mut after: Option<String> = None;
        for _ in 0..CONVERSATION_PAGES {
            let page = self
                .graph
                .conversations(&self.token, after.as_deref())
                .await
                .map_err(Halt::Api)?;
            let messages: Vec<&api::Message> =
                page.items.iter().flat_map(|c| &c.messages).collect();
            self.done.messages += messages.len();
            let own = self.own();
            let named = messages
                .iter()
                .flat_map(|m| events::named_in(own, m))
                .collect();
            let read = messages
                .iter()
                .map(|m| events::from_message(own, m))
                .collect();
            self.store(read, named).await?;
            match page.after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(())
    }

    /// Names the events' people (the usernames the answers gave, then the cache, then the Graph API),
    /// remembers the new names, and ingests the events. An event whose person cannot be named is left
    /// for a later run; throttling or a dead token while naming stops the run after storing the rest.
    async fn store(
        &mut self,
        read: Vec<webhook::Event>,
        given: Vec<(String, String)>,
    ) -> Result<(), Halt> {
        if read.is_empty() {
            return Ok(());
        }
        let mut people = self.known_people(&read, &given).await?;
        let mut learned: HashMap<String, Person> = HashMap::new();
        let key = |id: &str| (self.account.id, id.to_owned());
        for (id, handle) in given {
            let cached = people.get(&key(&id));
            if cached.is_some_and(|p| p.handle == handle) {
                continue;
            }
            let person = Person {
                external_id: id.clone(),
                handle,
                display_name: cached.and_then(|p| p.display_name.clone()),
            };
            people.insert(key(&id), person.clone());
            learned.insert(id, person);
        }
        let halted = self.look_up(&read, &mut people, &mut learned).await;
        let mut rows = Vec::with_capacity(read.len());
        let mut unnamed = 0;
        for event in &read {
            match events::observed(event, &self.account, &people) {
                Routed::Row(row) => rows.push(*row),
                Routed::NeedsName(_) => unnamed += 1,
                Routed::Ignored => {}
            }
        }
        if unnamed > 0 {
            tracing::info!(
                account = self.account.id,
                unnamed,
                "events whose person has no name yet are left for the next run"
            );
        }
        let source = Source {
            workspace_id: self.account.workspace_id,
            account_id: self.account.id,
            platform: Platform::Instagram,
        };
        let learned: Vec<Person> = learned.into_values().collect();
        let stored = with_db(&self.state.pool, move |conn| {
            if !learned.is_empty() {
                queries::platform_people::remember(
                    conn,
                    source.workspace_id,
                    source.account_id,
                    &learned,
                )?;
            }
            let mut stored = 0;
            let mut rows = rows;
            while !rows.is_empty() {
                let rest = rows.split_off(rows.len().min(CHUNK));
                stored += queries::interactions::ingest(conn, source, rows)?.new;
                rows = rest;
            }
            Ok(stored)
        })
        .await?;
        self.done.stored += stored;
        halted.map_or(Ok(()), |error| Err(Halt::Api(error)))
    }

    /// The cached names of the people the events and the answers name.
    async fn known_people(
        &self,
        read: &[webhook::Event],
        given: &[(String, String)],
    ) -> Result<People, Halt> {
        let mut ids: HashSet<String> = read
            .iter()
            .filter(|e| events::needs_known_name(e))
            .filter_map(|e| e.person_id.clone())
            .collect();
        ids.extend(given.iter().map(|(id, _)| id.clone()));
        if ids.is_empty() {
            return Ok(People::new());
        }
        let (workspace_id, account_id) = (self.account.workspace_id, self.account.id);
        let found = with_db(&self.state.pool, move |conn| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            Ok(queries::platform_people::find(
                conn,
                workspace_id,
                account_id,
                &ids,
            )?)
        })
        .await?;
        Ok(found
            .into_iter()
            .map(|p| ((account_id, p.external_id.clone()), p))
            .collect())
    }

    /// Reads from the Graph API the names still unknown. A person Instagram will not describe is
    /// skipped; throttling, a dead token or an unreachable API stops the lookups and is answered.
    async fn look_up(
        &self,
        read: &[webhook::Event],
        people: &mut People,
        learned: &mut HashMap<String, Person>,
    ) -> Option<api::ApiError> {
        let mut asked = HashSet::new();
        for event in read {
            let Routed::NeedsName(id) = events::observed(event, &self.account, people) else {
                continue;
            };
            if !asked.insert(id.clone()) {
                continue;
            }
            match self.graph.person(&self.token, &id).await {
                Ok(found) => {
                    let person = Person {
                        external_id: id.clone(),
                        handle: found.username.to_lowercase(),
                        display_name: found.name,
                    };
                    people.insert((self.account.id, id.clone()), person.clone());
                    learned.insert(id, person);
                }
                Err(error @ api::ApiError::Refused { .. }) => {
                    tracing::info!(account = self.account.id, %error, "a person's name could not be read");
                }
                Err(error) => return Some(error),
            }
        }
        None
    }
}
