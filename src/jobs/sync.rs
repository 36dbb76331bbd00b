//! One sync of one account: read its Activity and Messages through a browser, store what is new, record
//! the run, and set when the account is read next (its interval with jitter, or a backoff after failures).
//! An expired or blocked session changes the account's status and loses nothing already stored. A sync
//! that finds every browser busy is no failure: it is recorded as waiting and is due again at once.

use chrono::{DateTime, Duration, Utc};
use rand::Rng as _;
use secrecy::ExposeSecret as _;

use crate::accounts::context;
use crate::crypto::Purpose;
use crate::db::models::{AccountCheck, SocialAccount, SyncOutcome, SyncRun};
use crate::db::queries;
use crate::db::queries::interactions::{Ingested, Source};
use crate::domain::account::AccountStatus;
use crate::domain::cookies::CookieJar;
use crate::domain::interaction::{Observed, When};
use crate::error::with_db;
use crate::mail;
use crate::platforms::tiktok::collect::{Cost, Limits, NotRead, Reader};
use crate::platforms::tiktok::extract::{Profile, Row};
use crate::platforms::tiktok::session::open_with_cookies;
use crate::scrape::PoolBusy;
use crate::state::AppState;

/// How long a claimed account is kept from other instances while its sync runs.
pub const LEASE_MINUTES: i32 = 15;
/// The longest wait after failures, however many in a row.
const MAX_BACKOFF_MINUTES: i64 = 360;

/// What a finished run found, as recorded.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub rows_read: usize,
    pub unknown_rows: usize,
    pub ingested: Ingested,
    pub cost: Cost,
}

/// Why a sync did not complete: a translation key for the creator and the detail for the operator.
#[derive(Debug)]
struct Failure {
    status: &'static str,
    key: &'static str,
    detail: Option<String>,
}

impl Failure {
    fn new(key: &'static str) -> Self {
        Self {
            status: "failed",
            key,
            detail: None,
        }
    }

    /// Whether the sync only waited for a browser (not a failure of the account or of the sync).
    fn is_waiting(&self) -> bool {
        self.status == "waiting"
    }

    /// No browser came free: nothing was read, and nothing is known about the account.
    fn waiting() -> Self {
        Self {
            status: "waiting",
            key: WAITING_KEY,
            detail: None,
        }
    }

    fn with(key: &'static str, error: &anyhow::Error) -> Self {
        Self {
            status: "failed",
            key,
            detail: Some(format!("{error:#}")),
        }
    }
}

/// Everything read in one browser session.
struct Read {
    activity: Vec<Row>,
    messages: Vec<Row>,
    cost: Cost,
}

/// The message key of a sync that found every browser busy: it waits for the next round.
const WAITING_KEY: &str = "sync.waiting_browser";

/// How a sync that did not complete ended, once recorded.
#[derive(Debug, Clone, Copy)]
pub struct NotSynced {
    /// The message key of what happened.
    pub key: &'static str,
    /// Every browser was busy: nothing went wrong, the sync waits for the next round.
    pub waited: bool,
}

/// Runs the sync recorded as `run` to its end and records how it went; never fails (a failure is
/// recorded). `Err` says what stopped it, and whether it only waited for a browser.
pub async fn perform(state: &AppState, run: SyncRun) -> Result<Summary, NotSynced> {
    let started = std::time::Instant::now();
    let outcome = collect(state, &run).await;
    let elapsed_ms = started.elapsed().as_millis();
    let (workspace_id, account_id) = (run.workspace_id, run.account_id);
    let account_change = record(state, &run, &outcome).await;
    if account_change.is_some()
        && let Err(error) = mail::deliver_due(&state.pool, &state.mailer, 20).await
    {
        tracing::warn!(
            ?error,
            "queued mail could not be delivered now; the mail job retries"
        );
    }
    if let Ok(summary) = &outcome
        && summary.ingested.new > 0
        && let Err(error) = super::analyze::analyse_pending(state, Some(workspace_id), "sync").await
    {
        tracing::warn!(account_id, ?error, "the analysis after a sync failed");
    }
    match outcome {
        Ok(summary) => {
            tracing::info!(
                account_id,
                rows = summary.rows_read,
                new = summary.ingested.new,
                unknown = summary.unknown_rows,
                page_reads = summary.cost.page_reads,
                round_trips = summary.cost.round_trips,
                elapsed_ms,
                "sync done"
            );
            Ok(summary)
        }
        Err(failure) if failure.is_waiting() => {
            tracing::info!(account_id, elapsed_ms, "sync waits for a free browser");
            Err(NotSynced {
                key: failure.key,
                waited: true,
            })
        }
        Err(failure) => {
            tracing::warn!(account_id, key = failure.key, detail = ?failure.detail, elapsed_ms, "sync failed");
            Err(NotSynced {
                key: failure.key,
                waited: false,
            })
        }
    }
}

fn clamp(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Records how a run ended, sets the account's next sync and, for an expired or blocked session, its
/// status (queuing the expiry alert in the same transaction); a waiting run leaves the failure streak
/// as it was and makes the account due now. Answers the status change, if any.
async fn record(
    state: &AppState,
    run: &SyncRun,
    outcome: &Result<Summary, Failure>,
) -> Option<AccountStatus> {
    let (workspace_id, account_id, run_id) = (run.workspace_id, run.account_id, run.id);
    let record = match outcome {
        Ok(summary) => SyncOutcome {
            status: "succeeded",
            phase: "done",
            finished_at: Some(Utc::now()),
            rows_read: clamp(summary.rows_read),
            new_interactions: clamp(summary.ingested.new),
            unknown_rows: clamp(summary.unknown_rows),
            page_reads: i32::try_from(summary.cost.page_reads).unwrap_or(i32::MAX),
            round_trips: i32::try_from(summary.cost.round_trips).unwrap_or(i32::MAX),
            error_key: None,
            error_detail: None,
        },
        Err(failure) => SyncOutcome {
            status: failure.status,
            phase: "done",
            finished_at: Some(Utc::now()),
            rows_read: run.rows_read,
            new_interactions: 0,
            unknown_rows: 0,
            page_reads: 0,
            round_trips: 0,
            error_key: Some(failure.key),
            error_detail: failure.detail.clone(),
        },
    };
    let account_change = match outcome {
        Err(Failure {
            status: "expired", ..
        }) => Some((AccountStatus::Expired, "accounts.reason_expired")),
        Err(Failure {
            status: "blocked", ..
        }) => Some((AccountStatus::Blocked, "accounts.reason_blocked")),
        _ => None,
    };
    let succeeded = outcome.is_ok();
    let waiting = matches!(
        outcome,
        Err(Failure {
            status: "waiting",
            ..
        })
    );
    let min_interval = state.settings.sync.min_interval_minutes;
    let public_url = state.settings.public_url.clone();
    let recorded = with_db(&state.pool, move |conn| {
        use diesel::Connection as _;
        conn.transaction(|conn| {
            let account = queries::accounts::find(conn, workspace_id, account_id)?;
            let failures = account.as_ref().map_or(0, |a| a.consecutive_failures);
            let interval = account.as_ref().map_or(3, |a| a.sync_interval_minutes);
            let next = next_sync_at(
                Utc::now(),
                interval.into(),
                min_interval,
                if succeeded { 0 } else { failures + 1 },
            );
            queries::syncs::finish(conn, run_id, &record)?;
            if waiting {
                queries::syncs::due_now(conn, workspace_id, account_id)?;
            } else {
                queries::syncs::reschedule(conn, workspace_id, account_id, next, succeeded)?;
            }
            if let Some((status, reason)) = account_change {
                let check = AccountCheck::new(status, Some(reason), Some(Utc::now()));
                queries::accounts::record_check(conn, workspace_id, account_id, &check)?;
                if status == AccountStatus::Expired {
                    mail::alerts::account_expired(
                        conn,
                        workspace_id,
                        account_id,
                        &public_url,
                        Utc::now(),
                    )?;
                }
            }
            Ok(())
        })
    })
    .await;
    if let Err(error) = recorded {
        tracing::error!(account_id, ?error, "a sync's outcome could not be recorded");
    }
    account_change.map(|(status, _)| status)
}

/// When to read an account next: its interval (never under the minimum) give or take a fifth, so
/// accounts spread out; doubled for each failure in a row, up to six hours.
#[must_use]
pub fn next_sync_at(
    now: DateTime<Utc>,
    interval_minutes: i64,
    min_interval_minutes: i64,
    failures: i32,
) -> DateTime<Utc> {
    let base = interval_minutes.max(min_interval_minutes).max(1) * 60;
    let backoff = base
        .saturating_mul(1_i64 << failures.clamp(0, 10))
        .min(MAX_BACKOFF_MINUTES * 60);
    let jitter = rand::rng().random_range(-(base / 5)..=(base / 5));
    now + Duration::seconds((backoff + jitter).max(min_interval_minutes * 60))
}

async fn progress(state: &AppState, run_id: i64, phase: &'static str, rows: usize) {
    let rows = clamp(rows);
    if let Err(error) = with_db(&state.pool, move |conn| {
        Ok(queries::syncs::set_progress(conn, run_id, phase, rows)?)
    })
    .await
    {
        tracing::warn!(run_id, ?error, "a sync's progress could not be written");
    }
}

async fn collect(state: &AppState, run: &SyncRun) -> Result<Summary, Failure> {
    let (workspace_id, account_id) = (run.workspace_id, run.account_id);
    let (account, jar) = load(state, workspace_id, account_id).await?;
    let since = with_db(&state.pool, move |conn| {
        Ok(queries::interactions::activity_watermark(
            conn,
            workspace_id,
            account_id,
        )?)
    })
    .await
    .map_err(|e| Failure::with("sync.error_database", &anyhow::anyhow!("{e:?}")))?;
    progress(state, run.id, "activity", 0).await;

    let profile = Profile::from_env().map_err(|e| Failure::with("sync.error_profile", &e))?;
    let read = read_account(state, run, &jar, &profile, since)
        .await
        .map_err(|e| {
            if e.is::<PoolBusy>() {
                Failure::waiting()
            } else {
                Failure::with("sync.error_browser", &e)
            }
        })??;

    progress(
        state,
        run.id,
        "storing",
        read.activity.len() + read.messages.len(),
    )
    .await;
    let rows_read = read.activity.len() + read.messages.len();
    let (observed, unknown) = observe(read.activity.into_iter().chain(read.messages));
    for row in &unknown {
        tracing::warn!(account_id, raw = ?row.raw, kind = ?row.kind, "a row the selector profile does not know");
    }
    let source = Source {
        workspace_id,
        account_id,
        platform: account.platform(),
    };
    let ingested = with_db(&state.pool, move |conn| {
        Ok(queries::interactions::ingest(conn, source, observed)?)
    })
    .await
    .map_err(|e| Failure::with("sync.error_database", &anyhow::anyhow!("{e:?}")))?;
    Ok(Summary {
        rows_read,
        unknown_rows: unknown.len(),
        ingested,
        cost: read.cost,
    })
}

/// The account and its opened session cookies.
async fn load(
    state: &AppState,
    workspace_id: i64,
    account_id: i64,
) -> Result<(SocialAccount, CookieJar), Failure> {
    let (account, secret) = with_db(&state.pool, move |conn| {
        Ok((
            queries::accounts::find(conn, workspace_id, account_id)?,
            queries::accounts::secret(conn, workspace_id, account_id, Purpose::TiktokSession)?,
        ))
    })
    .await
    .map_err(|e| Failure::with("sync.error_database", &anyhow::anyhow!("{e:?}")))?;
    let account = account.ok_or_else(|| Failure::new("sync.error_no_account"))?;
    let secret = secret.ok_or_else(|| Failure::new("sync.error_no_secret"))?;
    let plaintext = state
        .settings
        .secret_keys
        .open(&secret.sealed(), &context(workspace_id, account_id))
        .map_err(|_| Failure::new("sync.error_secret_unreadable"))?;
    let jar = serde_json::from_slice::<CookieJar>(plaintext.expose_secret())
        .map_err(|_| Failure::new("sync.error_secret_unreadable"))?;
    Ok((account, jar))
}

/// Reads the Activity panel down to `since`, then the conversations whose last message is not stored.
async fn read_account(
    state: &AppState,
    run: &SyncRun,
    jar: &CookieJar,
    profile: &Profile,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<Result<Read, Failure>> {
    let base_url = state.settings.tiktok_base_url.clone();
    let (run_id, workspace_id, account_id) = (run.id, run.workspace_id, run.account_id);
    let (progress_tx, mut progress_rx) = tokio::sync::watch::channel(0_usize);
    let writer = async {
        while progress_rx.changed().await.is_ok() {
            let rows = *progress_rx.borrow_and_update();
            progress(state, run_id, "activity", rows).await;
        }
    };
    let reading = state.browsers.run(|driver| async move {
        let opened = open_with_cookies(&driver, &base_url, jar).await?;
        let mut reader = Reader::new(&driver, profile, &base_url)?;
        reader.cost.round_trips += opened;
        let on_step = move |rows: usize| {
            let _ = progress_tx.send(rows);
        };
        let activity = match reader.activity(since, Limits::default(), &on_step).await? {
            Ok(rows) => rows,
            Err(not_read) => return Ok(Err(not_read)),
        };
        drop(on_step);
        let conversations = match reader.conversations().await? {
            Ok(list) => list,
            Err(not_read) => return Ok(Err(not_read)),
        };
        let previews: Vec<String> = conversations.iter().map(|c| c.preview.clone()).collect();
        let known = with_db(&state.pool, move |conn| {
            Ok(queries::interactions::known_last_messages(
                conn,
                workspace_id,
                account_id,
                &previews,
            )?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("reading the stored messages: {e:?}"))?;
        let mut messages = Vec::new();
        for (position, conversation) in conversations.iter().enumerate() {
            let stored = known.iter().any(|(handle, name, text)| {
                text.as_deref() == Some(conversation.preview.as_str())
                    && (name.as_deref() == Some(conversation.name.as_str())
                        || handle.eq_ignore_ascii_case(&conversation.name))
            });
            if !stored {
                messages.extend(reader.thread(position, conversation).await?);
            }
        }
        Ok(Ok(Read {
            activity,
            messages,
            cost: reader.cost,
        }))
    });
    let (outcome, ()) = tokio::join!(reading, writer);
    Ok(match outcome? {
        Ok(read) => Ok(read),
        Err(NotRead::Expired) => Err(Failure {
            status: "expired",
            key: "sync.error_expired",
            detail: None,
        }),
        Err(NotRead::Blocked) => Err(Failure {
            status: "blocked",
            key: "sync.error_blocked",
            detail: None,
        }),
        Err(NotRead::Unrecognised) => Err(Failure::new("sync.error_unrecognised")),
    })
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
            }),
            _ => unknown.push(row),
        }
    }
    (observed, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_sync_follows_the_interval_with_some_jitter_and_never_under_the_minimum() {
        let now = Utc::now();
        for _ in 0..50 {
            let next = next_sync_at(now, 3, 1, 0);
            let minutes = (next - now).num_seconds();
            assert!((144..=216).contains(&minutes), "{minutes}s");
        }
        assert!(next_sync_at(now, 1, 5, 0) - now >= Duration::minutes(5));
    }

    #[test]
    fn failures_in_a_row_back_off_up_to_six_hours() {
        let now = Utc::now();
        let after_three = next_sync_at(now, 3, 1, 3) - now;
        assert!(
            after_three >= Duration::minutes(24 - 5) && after_three <= Duration::minutes(24 + 5)
        );
        let after_many = next_sync_at(now, 3, 1, 30) - now;
        assert!(after_many <= Duration::minutes(360 + 1));
    }
}
