//! Web sessions for actix-session, stored in the database: the cookie holds only a random key (encrypted); the state lives
//! here, so logging out, a password change or a disabled account really end a session.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use anyhow::anyhow;
use chrono::Utc;
use rand::distr::{Alphanumeric, SampleString as _};
use sha2::{Digest, Sha256};

use crate::auth::session_keys;
use crate::db::{self, DbPool, queries::sessions};

type SessionState = HashMap<String, String>;

#[derive(Clone)]
pub struct PgSessionStore {
    pool: DbPool,
}

impl PgSessionStore {
    #[must_use]
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// The logged-in person, kept in its own column so all their sessions can be ended at once.
fn user_id(state: &SessionState) -> Option<i64> {
    state
        .get(session_keys::USER_ID)
        .and_then(|raw| serde_json::from_str(raw).ok())
}

fn expiry(ttl: &Duration) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(ttl.whole_seconds())
}

impl SessionStore for PgSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        let hash = key_hash(session_key.as_ref());
        let stored = db::run(&self.pool, move |conn| {
            Ok(sessions::load(conn, &hash, Utc::now())?)
        })
        .await
        .map_err(|e| LoadError::Other(anyhow!("loading a session: {e}")))?;
        stored
            .map(|value| {
                serde_json::from_value(value).map_err(|e| LoadError::Deserialization(anyhow!(e)))
            })
            .transpose()
    }

    async fn save(
        &self,
        session_state: SessionState,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = Alphanumeric.sample_string(&mut rand::rng(), 64);
        let hash = key_hash(&key);
        let user = user_id(&session_state);
        let state = serde_json::to_value(&session_state)
            .map_err(|e| SaveError::Serialization(anyhow!(e)))?;
        let expires_at = expiry(ttl);
        db::run(&self.pool, move |conn| {
            sessions::purge_expired(conn, Utc::now(), 100)?;
            Ok(sessions::insert(conn, &hash, user, &state, expires_at)?)
        })
        .await
        .map_err(|e| SaveError::Other(anyhow!("saving a session: {e}")))?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(anyhow!(e)))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: SessionState,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let hash = key_hash(session_key.as_ref());
        let user = user_id(&session_state);
        let state = serde_json::to_value(&session_state)
            .map_err(|e| UpdateError::Serialization(anyhow!(e)))?;
        let expires_at = expiry(ttl);
        let updated = db::run(&self.pool, move |conn| {
            Ok(sessions::update(conn, &hash, user, &state, expires_at)?)
        })
        .await
        .map_err(|e| UpdateError::Other(anyhow!("updating a session: {e}")))?;
        if updated == 0 {
            // The session ended meanwhile (logout elsewhere, expiry): start a fresh one rather than revive it.
            return self
                .save(session_state, ttl)
                .await
                .map_err(|e| UpdateError::Other(anyhow!("{e}")));
        }
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let hash = key_hash(session_key.as_ref());
        let expires_at = expiry(ttl);
        db::run(&self.pool, move |conn| {
            Ok(sessions::extend(conn, &hash, expires_at)?)
        })
        .await
        .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let hash = key_hash(session_key.as_ref());
        db::run(&self.pool, move |conn| Ok(sessions::delete(conn, &hash)?))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }
}
