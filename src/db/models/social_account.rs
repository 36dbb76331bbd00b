//! A connected social account and its sealed credentials.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::crypto::Sealed;
use crate::db::schema::{account_secrets, social_accounts};
use crate::domain::account::{AccountStatus, ConnectedVia};
use crate::domain::platform::Platform;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = social_accounts, check_for_backend(diesel::pg::Pg))]
pub struct SocialAccount {
    pub id: i64,
    pub workspace_id: i64,
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub status: AccountStatus,
    pub status_reason: Option<String>,
    pub connected_via: ConnectedVia,
    pub session_expires_at: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sync_interval_minutes: i32,
    pub next_sync_at: DateTime<Utc>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub consecutive_failures: i32,
    /// The platform's id of the account (Instagram's `user_id`); `None` where the platform gives none.
    pub external_id: Option<String>,
}

impl SocialAccount {
    #[must_use]
    pub fn status(&self) -> AccountStatus {
        self.status
    }

    /// The stored platform; a value the registry does not know fails the read, naming it.
    #[must_use]
    pub fn platform(&self) -> Platform {
        self.platform
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = social_accounts)]
pub struct NewSocialAccount<'a> {
    pub workspace_id: i64,
    pub platform: Platform,
    pub handle: &'a str,
    pub display_name: Option<&'a str>,
    pub status: AccountStatus,
    pub connected_via: ConnectedVia,
    pub session_expires_at: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub external_id: Option<&'a str>,
}

/// What a check found, written back to the account.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = social_accounts, treat_none_as_null = true)]
pub struct AccountCheck {
    pub status: AccountStatus,
    pub status_reason: Option<String>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl AccountCheck {
    /// The outcome of a check at `checked_at` (none when nothing was checked), stamped now.
    #[must_use]
    pub fn new(
        status: AccountStatus,
        reason: Option<&str>,
        checked_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            status,
            status_reason: reason.map(str::to_owned),
            last_checked_at: checked_at,
            updated_at: Utc::now(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = account_secrets, check_for_backend(diesel::pg::Pg))]
pub struct AccountSecret {
    pub account_id: i64,
    pub workspace_id: i64,
    pub purpose: String,
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub updated_at: DateTime<Utc>,
}

impl AccountSecret {
    #[must_use]
    pub fn sealed(&self) -> Sealed {
        Sealed {
            key_id: self.key_id.clone(),
            nonce: self.nonce.clone(),
            ciphertext: self.ciphertext.clone(),
        }
    }
}
