//! Database access (`PostgreSQL`): the connection pool, the embedded migrations and the one way handlers reach a connection.

pub mod models;
pub mod pool;
pub mod queries;
pub mod schema;

use anyhow::{Context as _, anyhow};
use deadpool::managed::{Object, PoolError};
use deadpool_diesel::Runtime;
use diesel::PgConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

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

/// Runs `work` on a pooled connection, off the async runtime's threads.
///
/// # Errors
/// `Unavailable` when no connection can be had in time; otherwise whatever `work` returns.
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let conn = pool.get().await.map_err(|error| match error {
        PoolError::Timeout(_) => AppError::Unavailable,
        other => AppError::Internal(anyhow!("database connection: {other}")),
    })?;
    let (result, dead) = conn
        .interact(move |c| {
            let result = work(c);
            // A failure may mean the server went away: such a connection must not be handed out again.
            let dead = result.is_err() && !pool::answers(c);
            (result, dead)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow!("database task: {e}")))?;
    if dead {
        pool.manager().doubt_all();
        drop(Object::take(conn));
    }
    result
}

/// Whether every migration this binary knows has been applied (for `/readyz`).
///
/// # Errors
/// When the database cannot be asked.
pub fn migrations_pending(conn: &mut PgConnection) -> anyhow::Result<bool> {
    conn.has_pending_migration(MIGRATIONS)
        .map_err(|e| anyhow!("checking migrations: {e}"))
}
