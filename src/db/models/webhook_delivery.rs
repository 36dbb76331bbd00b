//! A webhook delivery in the inbox, and an OAuth state waiting for its callback.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{oauth_states, webhook_deliveries};
use crate::domain::delivery::DeliveryStatus;
use crate::domain::platform::Platform;

/// A delivery as the admin pages list it (its body is read only by the worker and the replay).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct WebhookDelivery {
    pub id: i64,
    pub platform: Platform,
    pub received_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub events: i32,
    pub ignored_events: i32,
    pub error: Option<String>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// A delivery claimed by the worker: its id, body and attempts so far.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct ClaimedDelivery {
    pub id: i64,
    pub platform: Platform,
    pub body: Vec<u8>,
    pub attempts: i32,
}

/// An OAuth flow started by a person of a workspace.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_states, check_for_backend(diesel::pg::Pg))]
pub struct OAuthState {
    pub platform: Platform,
    pub workspace_id: i64,
    pub user_id: i64,
    pub session_hash: Vec<u8>,
    pub account_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = oauth_states)]
pub struct NewOAuthState<'a> {
    pub state_hash: &'a [u8],
    pub platform: Platform,
    pub workspace_id: i64,
    pub user_id: i64,
    pub session_hash: &'a [u8],
    pub account_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
}
