//! Database access (`PostgreSQL`): the connection pool, the embedded migrations and the one way handlers reach a connection.

pub mod column_types;
pub mod models;
pub mod pool;
pub mod queries;
pub mod schema;

use anyhow::{Context as _, anyhow};
use deadpool::managed::{Object, PoolError};
use deadpool_diesel::Runtime;
use diesel::PgConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use pool::DbPool;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Builds the pool; connections open lazily, so this succeeds even before the database is up.
///
/// # Errors
/// When the pool cannot be configured.
pub fn build_pool(database_url: &str, size: usize) -> anyhow::Result<DbPool> {
    DbPool::builder(pool::PgManager::new(database_url))
        .max_size(size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Applies every pending migration.
///
/// # Errors
/// When the database is unreachable or a migration fails.
pub async fn migrate(pool: &DbPool) -> anyhow::Result<usize> {
    let conn = pool
        .get()
        .await
        .map_err(|e| anyhow!("connecting to the database: {e}"))?;
    conn.interact(|conn| {
        conn.run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.len())
            .map_err(|e| anyhow!("running migrations: {e}"))
    })
    .await
    .map_err(|e| anyhow!("running migrations: {e}"))?
}

/// Why a database call did not run: every connection was busy, or the database or its task failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection came free in time (the pool's wait timeout).
    #[error("every database connection is busy")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Runs `work` on one pooled connection, off the async threads. The work's own error type is kept (a
/// handler's closure may answer "not found"); a pool or task failure becomes that type through
/// `From<DbError>`. A call that fails on a dead connection takes it out of the pool.
///
/// # Errors
/// The work's own errors, and [`DbError`] when no connection or task was to be had.
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let conn = pool.get().await.map_err(|error| {
        E::from(match error {
            PoolError::Timeout(_) => DbError::Busy,
            other => DbError::Failed(anyhow!("database connection: {other}")),
        })
    })?;
    let (result, dead) = conn
        .interact(move |c| {
            let result = work(c);
            let dead = result.is_err() && !pool::answers(c);
            (result, dead)
        })
        .await
        .map_err(|e| E::from(DbError::Failed(anyhow!("database task: {e}"))))?;
    if dead {
        pool.manager().doubt_all();
        drop(Object::take(conn));
    }
    result
}

pub fn migrations_pending(conn: &mut PgConnection) -> anyhow::Result<bool> {
    conn.has_pending_migration(MIGRATIONS)
        .map_err(|e| anyhow!("checking migrations: {e}"))
}
