//! One sync of one account, shared by the scheduler (`jobs::run_due`) and "Sync now" (`start_now`):
//! reading (the platform's `collect`, in `platforms/`), storing (`db::queries::interactions::ingest`),
//! the account's status and alerts (`status.rs`), and the analysis trigger (`usecases::analysis`) when
//! something new was stored. An expired or blocked session changes the account's status and loses
//! nothing already stored. A sync that finds every browser busy is no failure: it is recorded as
//! waiting and is due again at once.

mod status;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret as _;

pub use status::next_sync_at;

use crate::crypto::Purpose;
use crate::db::models::{SocialAccount, SyncRun};
use crate::db::queries;
use crate::db::queries::interactions::{Ingested, Source};
use crate::domain::account::AccountStatus;
use crate::domain::cookies::CookieJar;
use crate::domain::platform::Platform;
use crate::domain::runs::{AnalysisTrigger, SyncPhase, SyncStatus, SyncTrigger};
use crate::error::{AppError, with_db};
use crate::mail;
use crate::platforms::collection::StoredMessage;
use crate::platforms::{self, Collected, Cost, KnownMessages, NotRead, ReaderConfig};
use crate::scrape::PoolBusy;
use crate::state::AppState;
use crate::usecases::accounts::context;

/// How long a claimed account is kept from other instances while its sync runs.
pub const LEASE_MINUTES: i32 = 15;

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
    status: SyncStatus,
    key: &'static str,
    detail: Option<String>,
}

impl Failure {
    fn new(key: &'static str) -> Self {
        Self {
            status: SyncStatus::Failed,
            key,
            detail: None,
        }
    }

    /// Whether the sync only waited for a browser (not a failure of the account or of the sync).
    fn is_waiting(&self) -> bool {
        self.status == SyncStatus::Waiting
    }

    /// No browser came free: nothing was read, and nothing is known about the account.
    fn waiting() -> Self {
        Self {
            status: SyncStatus::Waiting,
            key: WAITING_KEY,
            detail: None,
        }
    }

    fn with(key: &'static str, error: &anyhow::Error) -> Self {
        Self {
            status: SyncStatus::Failed,
            key,
            detail: Some(format!("{error:#}")),
        }
    }
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
    let account_change = status::record(state, &run, &outcome).await;
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
        && let Err(error) =
            super::analysis::analyse_pending(state, Some(workspace_id), AnalysisTrigger::Sync).await
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

async fn progress(state: &AppState, run_id: i64, phase: SyncPhase, rows: usize) {
    let rows = status::clamp(rows);
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
    let platform = account.platform();
    let since = with_db(&state.pool, move |conn| {
        Ok(queries::interactions::activity_watermark(
            conn,
            workspace_id,
            account_id,
        )?)
    })
    .await
    .map_err(|e| Failure::with("sync.error_database", &anyhow::anyhow!("{e:?}")))?;
    progress(state, run.id, SyncPhase::Activity, 0).await;

    let collected = read(state, run, platform, &jar, since).await?;
    progress(state, run.id, SyncPhase::Storing, collected.rows_read).await;
    let source = Source {
        workspace_id,
        account_id,
        platform,
    };
    let observed = collected.observed;
    let ingested = with_db(&state.pool, move |conn| {
        Ok(queries::interactions::ingest(conn, source, observed)?)
    })
    .await
    .map_err(|e| Failure::with("sync.error_database", &anyhow::anyhow!("{e:?}")))?;
    Ok(Summary {
        rows_read: collected.rows_read,
        unknown_rows: collected.unknown_rows,
        ingested,
        cost: collected.cost,
    })
}

/// The latest (or running) sync run of an account, if it ever synced.
///
/// # Errors
/// When the database cannot be reached.
pub async fn latest_run(
    state: &AppState,
    account: &SocialAccount,
) -> Result<Option<SyncRun>, AppError> {
    let (workspace_id, account_id) = (account.workspace_id, account.id);
    with_db(&state.pool, move |conn| {
        Ok(queries::syncs::history(conn, workspace_id, account_id, 1)?
            .into_iter()
            .next())
    })
    .await
}

/// The account and its opened credentials.
async fn load(
    state: &AppState,
    workspace_id: i64,
    account_id: i64,
) -> Result<(SocialAccount, CookieJar), Failure> {
    let (account, secret) = with_db(&state.pool, move |conn| {
        let Some(account) = queries::accounts::find(conn, workspace_id, account_id)? else {
            return Ok((None, None));
        };
        let purpose = Purpose::Credentials(account.platform());
        let secret = queries::accounts::secret(conn, workspace_id, account_id, purpose)?;
        Ok((Some(account), secret))
    })
    .await
    .map_err(|e| Failure::with("sync.error_database", &anyhow::anyhow!("{e:?}")))?;
    let account = account.ok_or_else(|| Failure::new("sync.error_no_account"))?;
    let secret = secret.ok_or_else(|| Failure::new("sync.error_no_secret"))?;
    let platform = account.platform();
    let plaintext = state
        .settings
        .secret_keys
        .open(
            &secret.sealed(),
            &context(platform, workspace_id, account_id),
        )
        .map_err(|_| Failure::new("sync.error_secret_unreadable"))?;
    let jar = serde_json::from_slice::<CookieJar>(plaintext.expose_secret())
        .map_err(|_| Failure::new("sync.error_secret_unreadable"))?;
    Ok((account, jar))
}

/// The stored last messages of one account, for the reader.
struct Stored<'a> {
    state: &'a AppState,
    workspace_id: i64,
    account_id: i64,
}

impl KnownMessages for Stored<'_> {
    async fn known(&self, previews: Vec<String>) -> anyhow::Result<Vec<StoredMessage>> {
        let (workspace_id, account_id) = (self.workspace_id, self.account_id);
        with_db(&self.state.pool, move |conn| {
            Ok(queries::interactions::known_last_messages(
                conn,
                workspace_id,
                account_id,
                &previews,
            )?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
    }
}

/// Reading: the platform collects what is new since `since`, while the rows read so far are written to
/// the run as its progress.
async fn read(
    state: &AppState,
    run: &SyncRun,
    platform: Platform,
    jar: &CookieJar,
    since: Option<DateTime<Utc>>,
) -> Result<Collected, Failure> {
    let run_id = run.id;
    let stored = Stored {
        state,
        workspace_id: run.workspace_id,
        account_id: run.account_id,
    };
    let (progress_tx, mut progress_rx) = tokio::sync::watch::channel(0_usize);
    let writer = async {
        while progress_rx.changed().await.is_ok() {
            let rows = *progress_rx.borrow_and_update();
            progress(state, run_id, SyncPhase::Activity, rows).await;
        }
    };
    let reading = async move {
        let on_step = move |rows: usize| {
            let _ = progress_tx.send(rows);
        };
        platforms::collect(
            &state.settings.platforms,
            &state.browsers,
            platform,
            jar,
            since,
            &stored,
            &on_step,
        )
        .await
    };
    let (outcome, ()) = tokio::join!(reading, writer);
    match outcome {
        Ok(Ok(collected)) => Ok(collected),
        Ok(Err(NotRead::Expired)) => Err(Failure {
            status: SyncStatus::Expired,
            key: "sync.error_expired",
            detail: None,
        }),
        Ok(Err(NotRead::Blocked)) => Err(Failure {
            status: SyncStatus::Blocked,
            key: "sync.error_blocked",
            detail: None,
        }),
        Ok(Err(NotRead::Unrecognised)) => Err(Failure::new("sync.error_unrecognised")),
        Err(e) if e.is::<PoolBusy>() => Err(Failure::waiting()),
        Err(e) if e.is::<ReaderConfig>() => Err(Failure::with("sync.error_profile", &e)),
        Err(e) => Err(Failure::with("sync.error_browser", &e)),
    }
}

/// "Sync now": claims the account and records a run, then syncs it in the background. Answers the run
/// to follow, or `None` when a sync of the account is already under way.
///
/// # Errors
/// `Conflict` when the account is not active (nothing to read with), or when the database cannot be
/// reached.
pub async fn start_now(
    state: Arc<AppState>,
    account: &SocialAccount,
) -> Result<Option<SyncRun>, AppError> {
    if account.status() != AccountStatus::Active {
        return Err(AppError::Conflict("sync.not_active"));
    }
    let (workspace_id, account_id) = (account.workspace_id, account.id);
    let run = with_db(&state.pool, move |conn| {
        if !queries::syncs::claim_now(conn, workspace_id, account_id, LEASE_MINUTES)? {
            return Ok(None);
        }
        Ok(Some(queries::syncs::start(
            conn,
            workspace_id,
            account_id,
            SyncTrigger::Manual,
        )?))
    })
    .await?;
    if let Some(run) = run.clone() {
        actix_web::rt::spawn(async move {
            let _ = perform(&state, run).await;
        });
    }
    Ok(run)
}
