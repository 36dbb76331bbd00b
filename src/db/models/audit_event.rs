//! One line of the audit trail: who did what, where, and when.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::audit_events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub workspace_id: Option<i64>,
    pub action: String,
    pub details: serde_json::Value,
    pub ip_address: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub actor_user_id: Option<i64>,
    pub workspace_id: Option<i64>,
    pub action: &'a str,
    pub details: serde_json::Value,
    pub ip_address: Option<&'a str>,
}

impl<'a> NewAuditEvent<'a> {
    /// An event with no details; add them with [`NewAuditEvent::with_details`].
    #[must_use]
    pub fn new(
        action: &'a str,
        actor_user_id: Option<i64>,
        workspace_id: Option<i64>,
        ip_address: Option<&'a str>,
    ) -> Self {
        Self {
            actor_user_id,
            workspace_id,
            action,
            details: serde_json::json!({}),
            ip_address,
        }
    }

    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}
