//! The connection pool: deadpool's pool of diesel connections whose recycle check asks the server
//! only about connections that have sat unused for a while.
//!
//! deadpool-diesel's own manager runs `SELECT 1` on a blocking thread every time a connection is
//! handed out: under load that is one round trip and two thread hand-offs more for every database
//! call, and a page makes three (session, person, page). A connection handed out a moment ago is
//! trusted instead, as HikariCP does; one that has been idle is still checked. A call that fails on a
//! connection that no longer answers (the server restarted, say) takes that connection out of the
//! pool and makes the manager doubt every connection handed out before: each is checked once more
//! before its next use, so one request, not one per connection, meets a restart (see `db::run`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use deadpool_diesel::{Error, Runtime};
use diesel::PgConnection;
use diesel::connection::{Connection, SimpleConnection, TransactionManager};

/// A pooled connection: the diesel connection behind a mutex, used on blocking threads.
pub type Pooled = deadpool_diesel::Connection<PgConnection>;

/// How long after its last hand-out a connection is trusted without asking the server.
pub const TRUSTED_FOR: Duration = Duration::from_secs(2);

/// Opens PostgreSQL connections and decides whether an idle one can be handed out again.
#[derive(Debug)]
pub struct PgManager {
    database_url: String,
    /// The instant `doubted_until` counts from.
    started: Instant,
    /// Nanoseconds after `started` of the last lost connection (0: none yet): connections last handed
    /// out before then are checked before their next use.
    doubted_until: AtomicU64,
}

impl PgManager {
    #[must_use]
    pub fn new(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            started: Instant::now(),
            doubted_until: AtomicU64::new(0),
        }
    }

    /// A connection was found dead: every connection last handed out before now is checked before its
    /// next use.
    pub fn doubt_all(&self) {
        let now = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.doubted_until.store(now.max(1), Ordering::Relaxed);
    }

    /// Whether a connection last handed out at `last_use` was handed out before a connection was lost.
    fn doubted(&self, last_use: Instant) -> bool {
        match self.doubted_until.load(Ordering::Relaxed) {
            0 => false,
            nanos => last_use <= self.started + Duration::from_nanos(nanos),
        }
    }
}

/// Whether the connection was left inside a transaction it cannot leave (a panic or an error mid-way).
fn transaction_broken(conn: &mut PgConnection) -> bool {
    <PgConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
}

/// Whether the server still answers on this connection.
pub fn answers(conn: &mut PgConnection) -> bool {
    conn.batch_execute("SELECT 1").is_ok()
}

impl managed::Manager for PgManager {
    type Type = Pooled;
    type Error = Error;

    async fn create(&self) -> Result<Pooled, Error> {
        let url = self.database_url.clone();
        Pooled::new(Runtime::Tokio1, move || {
            PgConnection::establish(&url).map_err(Error::from)
        })
        .await
    }

    async fn recycle(&self, conn: &mut Pooled, metrics: &Metrics) -> RecycleResult<Error> {
        if conn.is_mutex_poisoned() {
            return Err(RecycleError::message("a panic poisoned the connection"));
        }
        let last_use = metrics.recycled.unwrap_or(metrics.created);
        if last_use.elapsed() < TRUSTED_FOR && !self.doubted(last_use) {
            // The connection is back in the pool, so nobody holds its lock: checked without a thread hop.
            let broken = conn
                .try_lock()
                .map_or(true, |mut guard| transaction_broken(&mut guard));
            return if broken {
                Err(RecycleError::message(
                    "the connection's transaction is broken",
                ))
            } else {
                Ok(())
            };
        }
        let fine = conn
            .interact(|c| !transaction_broken(c) && answers(c))
            .await
            .map_err(|e| RecycleError::message(format!("checking a connection: {e}")))?;
        if fine {
            Ok(())
        } else {
            Err(RecycleError::message("the connection no longer answers"))
        }
    }
}

/// The pool type the application uses.
pub type DbPool = managed::Pool<PgManager>;
