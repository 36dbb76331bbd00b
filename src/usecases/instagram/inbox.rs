//! The webhook inbox. Receiving is one insert of the signed raw body and an immediate acknowledgement;
//! the worker (`drain`) claims due deliveries in batches, reads their events, routes each to the
//! workspaces that connected its account, and ingests them idempotently (on the comment id or the
//! message `mid`) in the same transaction that marks the deliveries processed. A crash between the
//! acknowledgement and the processing leaves the rows received: the next start processes them.
//!
//! A message names its sender by a scoped id: the handle comes from `platform_people`, filled from the
//! Graph API once per person and account. A delivery whose senders are not known yet waits (its known
//! events are stored meanwhile) while the names are read, then goes through again.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::Connection as _;
use secrecy::ExposeSecret as _;
use subtle::ConstantTimeEq as _;

use crate::db::models::SocialAccount;
use crate::db::queries;
use crate::db::queries::interactions::Source;
use crate::db::queries::platform_people::Person;
use crate::domain::delivery::{self, MAX_ATTEMPTS};
use crate::domain::interaction::Observed;
use crate::domain::platform::Platform;
use crate::error::{AppError, with_db};
use crate::platforms::instagram::{self, api, webhook};
use crate::state::AppState;

use super::events::{People, Routed, needs_known_name, observed};

/// The largest body the webhook accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Deliveries claimed per transaction.
const BATCH: i64 = 1_000;

/// The answer to Meta's subscription check: the challenge, only for `subscribe` with the right token.
#[must_use]
pub fn verify_subscription(
    settings: &instagram::Settings,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Option<String> {
    let app = settings.app.as_ref()?;
    let expected = app.verify_token.expose_secret().as_bytes();
    let token_matches = token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(expected)));
    (mode == Some("subscribe") && token_matches)
        .then(|| challenge.map(str::to_owned))
        .flatten()
}

/// What became of a posted delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// Kept in the inbox: acknowledge it.
    Kept(i64),
    /// The signature is missing or wrong: nothing was stored.
    BadSignature,
    /// Instagram is not configured here.
    NotConfigured,
}

/// Keeps a delivery whose signature matches the app secret, in one insert, and wakes the worker.
pub async fn receive(
    state: &AppState,
    body: Vec<u8>,
    signature: Option<&str>,
) -> Result<Receipt, AppError> {
    let Some(app) = state.settings.platforms.instagram.app.as_ref() else {
        return Ok(Receipt::NotConfigured);
    };
    if !webhook::signature_matches(app.secret.expose_secret().as_bytes(), &body, signature) {
        tracing::info!(
            bytes = body.len(),
            "an Instagram delivery with a wrong signature was refused"
        );
        return Ok(Receipt::BadSignature);
    }
    let id = with_db(&state.pool, move |conn| {
        Ok(queries::webhook_deliveries::insert(
            conn,
            Platform::Instagram,
            &body,
        )?)
    })
    .await?;
    state.inbox.notify_one();
    Ok(Receipt::Kept(id))
}

/// What a drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drained {
    /// Deliveries marked processed.
    pub processed: usize,
    /// Events handed to ingestion (those already stored are dropped there).
    pub events: usize,
    /// Events for no connected account, or of a kind VistaFlow does not read.
    pub ignored: usize,
    /// Deliveries kept as failed (unreadable bodies, or retries exhausted).
    pub failed: usize,
    /// Deliveries waiting for their senders' names.
    pub waiting: usize,
}

impl std::ops::AddAssign for Drained {
    fn add_assign(&mut self, other: Self) {
        self.processed += other.processed;
        self.events += other.events;
        self.ignored += other.ignored;
        self.failed += other.failed;
        self.waiting += other.waiting;
    }
}

/// Processes every due delivery, batch after batch, then reads the senders' names the waiting ones
/// need (and processes those again when they are known).
pub async fn drain(state: &AppState) -> Result<Drained, AppError> {
    let mut total = Drained::default();
    loop {
        let (drained, claimed, wanted) = process_batch(state).await?;
        total += drained;
        let named = if wanted.is_empty() {
            0
        } else {
            learn_names(state, wanted).await?
        };
        if claimed < usize::try_from(BATCH).unwrap_or(usize::MAX) && named == 0 {
            return Ok(total);
        }
    }
}

/// A sender to name: the workspace account that received their message, their id, the deliveries
/// waiting for them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[expect(
    clippy::struct_field_names,
    reason = "three ids, named as their columns"
)]
struct Wanted {
    workspace_id: i64,
    account_id: i64,
    person_id: String,
}

type Waiting = HashMap<Wanted, Vec<i64>>;

async fn process_batch(state: &AppState) -> Result<(Drained, usize, Waiting), AppError> {
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let now = Utc::now();
            let claimed = queries::webhook_deliveries::claim(conn, now, BATCH)?;
            let count = claimed.len();
            let mut drained = Drained::default();
            let mut read: Vec<(i64, i32, Vec<webhook::Event>, usize)> = Vec::new();
            for delivery in claimed {
                match webhook::parse(&delivery.body) {
                    Ok(items) => {
                        let (events, unknown) = split(items, delivery.id);
                        read.push((delivery.id, delivery.attempts, events, unknown));
                    }
                    Err(malformed) => {
                        tracing::warn!(delivery = delivery.id, %malformed, "an Instagram delivery could not be read");
                        queries::webhook_deliveries::mark_attempt_failed(
                            conn,
                            delivery.id,
                            &malformed.to_string(),
                            None,
                            now,
                        )?;
                        drained.failed += 1;
                    }
                }
            }
            let plan = plan(conn, &read)?;
            for (account, rows) in plan.rows {
                let source = Source {
                    workspace_id: account.workspace_id,
                    account_id: account.id,
                    platform: Platform::Instagram,
                };
                queries::interactions::ingest(conn, source, rows)?;
            }
            let mut done = Vec::new();
            for (id, attempts, _, unknown) in &read {
                let tally = plan.tally.get(id).copied().unwrap_or_default();
                let ignored = unknown + tally.ignored;
                if tally.waiting == 0 {
                    done.push((*id, to_i32(tally.routed), to_i32(ignored)));
                    drained.processed += 1;
                    drained.events += tally.routed;
                    drained.ignored += ignored;
                    continue;
                }
                let attempt = attempts + 1;
                let error = format!("waiting for the names of {} senders", tally.waiting);
                let retry = (attempt < MAX_ATTEMPTS).then(|| now + delivery::retry_delay(attempt));
                queries::webhook_deliveries::mark_attempt_failed(conn, *id, &error, retry, now)?;
                if retry.is_some() {
                    drained.waiting += 1;
                } else {
                    drained.failed += 1;
                }
            }
            queries::webhook_deliveries::mark_processed(conn, &done, now)?;
            Ok((drained, count, plan.waiting))
        })
    })
    .await
}

fn to_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The events of a delivery, and how many of its items are of a kind VistaFlow does not read.
fn split(items: Vec<webhook::Item>, delivery: i64) -> (Vec<webhook::Event>, usize) {
    let mut events = Vec::new();
    let mut unknown = 0;
    for item in items {
        match item {
            webhook::Item::Event(event) => events.push(event),
            webhook::Item::Unknown(other) => {
                tracing::info!(delivery, account = %other.account_id, field = %other.field, "an Instagram event of an unknown kind was kept and ignored");
                unknown += 1;
            }
        }
    }
    (events, unknown)
}

/// Per delivery: events routed to an account, ignored, and waiting for a sender's name.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    routed: usize,
    ignored: usize,
    waiting: usize,
}

/// Where a batch's events go: the rows per account, the tallies per delivery, the names to learn.
#[derive(Default)]
struct Plan {
    rows: Vec<(SocialAccount, Vec<Observed>)>,
    tally: HashMap<i64, Tally>,
    waiting: Waiting,
}

fn plan(
    conn: &mut diesel::PgConnection,
    read: &[(i64, i32, Vec<webhook::Event>, usize)],
) -> Result<Plan, AppError> {
    let account_ids: HashSet<&str> = read
        .iter()
        .flat_map(|(_, _, events, _)| events.iter().map(|e| e.account_id.as_str()))
        .collect();
    let account_ids: Vec<&str> = account_ids.into_iter().collect();
    let accounts = queries::accounts::by_external_ids(conn, Platform::Instagram, &account_ids)?;
    let mut by_external: HashMap<&str, Vec<&SocialAccount>> = HashMap::new();
    for account in &accounts {
        if let Some(external) = account.external_id.as_deref() {
            by_external.entry(external).or_default().push(account);
        }
    }
    let people = known_people(conn, read, &by_external)?;
    let mut rows: HashMap<i64, Vec<Observed>> = HashMap::new();
    let mut plan = Plan::default();
    for (id, _, events, _) in read {
        let tally = plan.tally.entry(*id).or_default();
        for event in events {
            let Some(targets) = by_external.get(event.account_id.as_str()) else {
                tracing::info!(delivery = id, account = %event.account_id, "an Instagram event for no connected account was kept and ignored");
                tally.ignored += 1;
                continue;
            };
            for account in targets {
                match observed(event, account, &people) {
                    Routed::Row(row) => {
                        rows.entry(account.id).or_default().push(*row);
                        tally.routed += 1;
                    }
                    Routed::Ignored => tally.ignored += 1,
                    Routed::NeedsName(person_id) => {
                        tally.waiting += 1;
                        let wanted = Wanted {
                            workspace_id: account.workspace_id,
                            account_id: account.id,
                            person_id,
                        };
                        plan.waiting.entry(wanted).or_default().push(*id);
                    }
                }
            }
        }
    }
    plan.rows = accounts
        .iter()
        .filter_map(|a| rows.remove(&a.id).map(|r| (a.clone(), r)))
        .collect();
    Ok(plan)
}

/// The names already known of the senders in `read`, by (account, person id).
fn known_people(
    conn: &mut diesel::PgConnection,
    read: &[(i64, i32, Vec<webhook::Event>, usize)],
    by_external: &HashMap<&str, Vec<&SocialAccount>>,
) -> Result<People, AppError> {
    let mut asked: HashMap<i64, (i64, HashSet<&str>)> = HashMap::new();
    for (_, _, events, _) in read {
        for event in events.iter().filter(|e| needs_known_name(e)) {
            let (Some(person), Some(targets)) = (
                event.person_id.as_deref(),
                by_external.get(event.account_id.as_str()),
            ) else {
                continue;
            };
            for account in targets {
                asked
                    .entry(account.id)
                    .or_insert_with(|| (account.workspace_id, HashSet::new()))
                    .1
                    .insert(person);
            }
        }
    }
    let mut known = HashMap::new();
    for (account_id, (workspace_id, ids)) in asked {
        let ids: Vec<&str> = ids.into_iter().collect();
        for person in queries::platform_people::find(conn, workspace_id, account_id, &ids)? {
            known.insert((account_id, person.external_id.clone()), person);
        }
    }
    Ok(known)
}

/// Reads the names of the senders the waiting deliveries need, from the Graph API with each account's
/// token, remembers them, and makes those deliveries due again. A name that cannot be read (throttled,
/// a dead token) leaves its deliveries waiting for their next attempt; a dead token also makes its
/// account expired (and mails its owners). Answers how many deliveries are due again.
async fn learn_names(state: &AppState, wanted: Waiting) -> Result<usize, AppError> {
    let graph = match api::Graph::new(&state.settings.platforms.instagram) {
        Ok(graph) => graph,
        Err(error) => {
            tracing::warn!(%error, "the Instagram API client could not be built");
            return Ok(0);
        }
    };
    let mut tokens: HashMap<i64, Option<secrecy::SecretString>> = HashMap::new();
    let mut learned: HashMap<(i64, i64), Vec<Person>> = HashMap::new();
    let mut ready: Vec<i64> = Vec::new();
    for (who, deliveries) in wanted {
        if let std::collections::hash_map::Entry::Vacant(entry) = tokens.entry(who.account_id) {
            entry.insert(super::token(state, who.workspace_id, who.account_id).await?);
        }
        let Some(Some(token)) = tokens.get(&who.account_id) else {
            continue;
        };
        match graph.person(token, &who.person_id).await {
            Ok(person) => {
                learned
                    .entry((who.workspace_id, who.account_id))
                    .or_default()
                    .push(Person {
                        external_id: who.person_id.clone(),
                        handle: person.username.to_lowercase(),
                        display_name: person.name,
                    });
                ready.extend(deliveries);
            }
            Err(error) if error.is_token_dead() => {
                // Every other name of this account would fail the same way.
                tokens.insert(who.account_id, None);
                account_lost_its_token(state, &who, &error).await?;
            }
            Err(error) => {
                tracing::info!(account = who.account_id, %error, "a sender's name could not be read yet");
            }
        }
    }
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            for ((workspace_id, account_id), people) in &learned {
                queries::platform_people::remember(conn, *workspace_id, *account_id, people)?;
            }
            Ok(queries::webhook_deliveries::retry_now(
                conn,
                &ready,
                Utc::now(),
            )?)
        })
    })
    .await
}

/// Marks the account whose token Instagram refused while naming a sender as expired.
async fn account_lost_its_token(
    state: &AppState,
    who: &Wanted,
    error: &api::ApiError,
) -> Result<(), AppError> {
    let (workspace_id, account_id) = (who.workspace_id, who.account_id);
    let account = with_db(&state.pool, move |conn| {
        Ok(queries::accounts::find(conn, workspace_id, account_id)?)
    })
    .await?;
    if let Some(account) = account {
        super::tokens::token_died(state, &account, &error.to_string()).await?;
    }
    Ok(())
}
