//! One collection run of one account: when, how long, what it read and stored, and what went wrong.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::sync_runs;
use crate::domain::runs::{SyncPhase, SyncStatus, SyncTrigger};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sync_runs, check_for_backend(diesel::pg::Pg))]
pub struct SyncRun {
    pub id: i64,
    pub workspace_id: i64,
    pub account_id: i64,
    pub trigger: SyncTrigger,
    pub status: SyncStatus,
    pub phase: SyncPhase,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rows_read: i32,
    pub new_interactions: i32,
    pub unknown_rows: i32,
    pub page_reads: i32,
    pub round_trips: i32,
    pub error_key: Option<String>,
    pub error_detail: Option<String>,
}

impl SyncRun {
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.finished_at.is_none()
    }

    /// Whether `run` is there and still under way (for templates, which take no closures).
    #[must_use]
    pub fn running(run: Option<&SyncRun>) -> bool {
        run.is_some_and(SyncRun::is_running)
    }

    /// How long the run took (so far).
    #[must_use]
    pub fn duration(&self) -> chrono::Duration {
        self.finished_at.unwrap_or_else(Utc::now) - self.started_at
    }
}

/// How a run ended, written back in one update.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = sync_runs)]
pub struct SyncOutcome {
    pub status: SyncStatus,
    pub phase: SyncPhase,
    pub finished_at: Option<DateTime<Utc>>,
    pub rows_read: i32,
    pub new_interactions: i32,
    pub unknown_rows: i32,
    pub page_reads: i32,
    pub round_trips: i32,
    pub error_key: Option<&'static str>,
    pub error_detail: Option<String>,
}
