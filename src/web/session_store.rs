//! Web sessions for actix-session. A signed-in person's session is stored in the database and the cookie holds
//! only a random key (encrypted), so logging out, a password change or a disabled account really end it; a
//! deleted session is never written back. A visitor's session (an anti-forgery token, a flash) holds no
//! privilege and travels inside the encrypted cookie itself, so anonymous visits store no row.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use anyhow::anyhow;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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

/// Keys of visitors' sessions start with this; database keys are alphanumeric and never do.
const VISITOR_PREFIX: &str = "v.";

/// A visitor's state larger than this (an unusually long flash) is stored in the database instead.
const VISITOR_MAX: usize = 2_000;

/// The state of a session without a signed-in person, written into its key: `v.<expiry>.<base64 JSON>`.
/// The cookie that carries it is encrypted and authenticated by actix-session, so it can be neither read
/// nor forged; it holds no privilege, and one with a person in it is refused.
fn visitor_key(state: &SessionState, ttl: &Duration) -> Option<String> {
    if user_id(state).is_some() || state.contains_key(session_keys::USER_ID) {
        return None;
    }
    let json = serde_json::to_vec(state).ok()?;
    let key = format!(
        "{VISITOR_PREFIX}{}.{}",
        expiry(ttl).timestamp(),
        URL_SAFE_NO_PAD.encode(json)
    );
    (key.len() <= VISITOR_MAX).then_some(key)
}

/// The state held by a visitor's key, while it has not expired.
fn visitor_state(key: &str) -> Option<SessionState> {
    let rest = key.strip_prefix(VISITOR_PREFIX)?;
    let (expires, encoded) = rest.split_once('.')?;
    if expires.parse::<i64>().ok()? <= Utc::now().timestamp() {
        return None;
    }
    let state: SessionState =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    (!state.contains_key(session_keys::USER_ID)).then_some(state)
}

impl SessionStore for PgSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        if session_key.as_ref().starts_with(VISITOR_PREFIX) {
            return Ok(visitor_state(session_key.as_ref()));
        }
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
        if let Some(key) = visitor_key(&session_state, ttl) {
            return SessionKey::try_from(key).map_err(|e| SaveError::Other(anyhow!(e)));
        }
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
        db::run(&self.pool, move |conn| {
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
        db::run(&self.pool, move |conn| {
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
        db::run(&self.pool, move |conn| Ok(sessions::delete(conn, &hash)?))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }
}
