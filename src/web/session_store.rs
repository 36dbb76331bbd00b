//! Web sessions for actix-session. A signed-in person's session is stored in the database and the cookie holds
//! only a random key (encrypted), so logging out, a password change or a disabled account really end it; a
//! deleted session is never written back. A visitor's session that holds nothing but its anti-forgery
//! token is not stored at all (the encrypted cookie carries the token), so anonymous visits store no row.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use anyhow::anyhow;
use chrono::Utc;
use rand::distr::{Alphanumeric, SampleString as _};
use sha2::{Digest, Sha256};

use crate::auth::session_keys;
use crate::db::{DbPool, queries::sessions};
use crate::error::with_db;

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

/// Keys of visitors' sessions start with this; database keys are alphanumeric and never do.
const VISITOR_PREFIX: &str = "v.";

/// A session that holds nothing but its anti-forgery token (a visitor who has not logged in, with no
/// message waiting) is not stored: its key is the token itself, `v.<expiry>.<token>`, in the cookie that
/// actix-session encrypts and authenticates, so it can be neither read nor forged. Anything more (a
/// person, a flash, a language) is stored in the database.
fn visitor_key(state: &SessionState, ttl: &Duration) -> Option<String> {
    if state.len() != 1 {
        return None;
    }
    let token: String = serde_json::from_str(state.get(session_keys::CSRF)?).ok()?;
    let plain = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| format!("{VISITOR_PREFIX}{}.{token}", expiry(ttl).timestamp()))
}

/// The state a visitor's key stands for, while it has not expired.
fn visitor_state(key: &str) -> Option<SessionState> {
    let (expires, token) = key.strip_prefix(VISITOR_PREFIX)?.split_once('.')?;
    if expires.parse::<i64>().ok()? <= Utc::now().timestamp() {
        return None;
    }
    let value = serde_json::to_string(token).ok()?;
    Some(SessionState::from([(session_keys::CSRF.to_owned(), value)]))
}

impl SessionStore for PgSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        if session_key.as_ref().starts_with(VISITOR_PREFIX) {
            return Ok(visitor_state(session_key.as_ref()));
        }
        let hash = key_hash(session_key.as_ref());
        let stored = with_db(&self.pool, move |conn| {
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
        if let Some(key) = visitor_key(&session_state, ttl) {
            return SessionKey::try_from(key).map_err(|e| SaveError::Other(anyhow!(e)));
        }
        let key = Alphanumeric.sample_string(&mut rand::rng(), 64);
        let hash = key_hash(&key);
        let user = user_id(&session_state);
        let state = serde_json::to_value(&session_state)
            .map_err(|e| SaveError::Serialization(anyhow!(e)))?;
        let expires_at = expiry(ttl);
        with_db(&self.pool, move |conn| {
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
        if session_key.as_ref().starts_with(VISITOR_PREFIX) {
            // A visitor's state lives in its key: the new state makes a new key (or a row, once signed in).
            return self
                .save(session_state, ttl)
                .await
                .map_err(|e| UpdateError::Other(anyhow!("{e}")));
        }
        let hash = key_hash(session_key.as_ref());
        let user = user_id(&session_state);
        let state = serde_json::to_value(&session_state)
            .map_err(|e| UpdateError::Serialization(anyhow!(e)))?;
        let expires_at = expiry(ttl);
        // Only an existing row is updated. A session ended while this request was in flight (logout, a
        // password change, a disabled account) stays ended: its state is never written back under any key,
        // and the cookie keeps pointing at nothing.
        with_db(&self.pool, move |conn| {
            Ok(sessions::update(conn, &hash, user, &state, expires_at)?)
        })
        .await
        .map_err(|e| UpdateError::Other(anyhow!("updating a session: {e}")))?;
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        if session_key.as_ref().starts_with(VISITOR_PREFIX) {
            return Ok(());
        }
        let hash = key_hash(session_key.as_ref());
        let expires_at = expiry(ttl);
        with_db(&self.pool, move |conn| {
            Ok(sessions::extend(conn, &hash, expires_at)?)
        })
        .await
        .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        if session_key.as_ref().starts_with(VISITOR_PREFIX) {
            return Ok(());
        }
        let hash = key_hash(session_key.as_ref());
        with_db(&self.pool, move |conn| Ok(sessions::delete(conn, &hash)?))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }
}
