//! A drafted first message for a lead: pending review, approved (to be sent by hand from one account),
//! rejected, or sent.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::suggested_messages;
use crate::domain::draft::{DraftSource, DraftStatus};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = suggested_messages, check_for_backend(diesel::pg::Pg))]
pub struct SuggestedMessage {
    pub id: i64,
    pub workspace_id: i64,
    pub lead_id: i64,
    pub body: String,
    pub language: String,
    pub source: DraftSource,
    pub status: DraftStatus,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The account it is sent from, set at approval.
    pub account_id: Option<i64>,
    pub approved_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When a person last changed the drafted text.
    pub edited_at: Option<DateTime<Utc>>,
}
