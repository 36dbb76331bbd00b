//! An interaction stored from a platform, and the person (lead) it belongs to.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{interactions, leads};
use crate::domain::analysis::Source;
use crate::domain::contact::Intent;
use crate::domain::interaction::{Direction, Kind, KindCounts};
use crate::domain::lead_status::LeadStatus;
use crate::domain::lead_type::LeadType;
use crate::domain::platform::Platform;
use crate::domain::platform_time::Precision;
use crate::i18n::Lang;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = interactions, check_for_backend(diesel::pg::Pg))]
pub struct Interaction {
    pub id: i64,
    pub workspace_id: i64,
    pub account_id: i64,
    pub lead_id: i64,
    pub platform: Platform,
    pub kind: Kind,
    pub actor_handle: String,
    pub actor_display_name: Option<String>,
    pub text: Option<String>,
    pub post_ref: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub precision: Precision,
    pub collected_at: DateTime<Utc>,
    pub direction: Direction,
    pub external_id: Option<String>,
    pub actor_external_id: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = interactions)]
pub struct NewInteraction<'a> {
    pub workspace_id: i64,
    pub account_id: i64,
    pub lead_id: i64,
    pub platform: &'a str,
    pub kind: Kind,
    pub actor_handle: &'a str,
    pub actor_display_name: Option<&'a str>,
    pub text: Option<&'a str>,
    pub post_ref: Option<&'a str>,
    pub occurred_at: DateTime<Utc>,
    pub occurred_from: DateTime<Utc>,
    pub occurred_to: DateTime<Utc>,
    pub precision: Precision,
    pub identity: &'a [u8],
    pub fingerprint: &'a [u8],
    pub direction: Direction,
    pub external_id: Option<&'a str>,
    pub actor_external_id: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = leads, check_for_backend(diesel::pg::Pg))]
pub struct Lead {
    pub id: i64,
    pub workspace_id: i64,
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub status: LeadStatus,
    pub first_seen_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
    pub interactions_count: i32,
    pub kind_counts: KindCounts,
    pub lead_type: Option<LeadType>,
    pub confidence: Option<f32>,
    pub score: i16,
    pub score_explanation: Option<serde_json::Value>,
    pub intent: Option<Intent>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: Option<Lang>,
    pub reasoning: Option<String>,
    pub analysed_by: Option<Source>,
    pub analysed_at: Option<DateTime<Utc>>,
    pub analysed_interactions: i32,
}

/// What an analysis writes on a lead.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = leads, treat_none_as_null = true)]
pub struct LeadAnalysis {
    pub lead_type: Option<LeadType>,
    pub confidence: Option<f32>,
    pub score: i16,
    pub score_explanation: Option<serde_json::Value>,
    pub intent: Option<Intent>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: Option<Lang>,
    pub reasoning: Option<String>,
    pub analysed_by: Option<Source>,
    pub analysed_at: Option<DateTime<Utc>>,
    pub analysed_interactions: i32,
    pub scored_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = leads)]
pub struct NewLead<'a> {
    pub workspace_id: i64,
    pub platform: &'a str,
    pub handle: &'a str,
    pub display_name: Option<&'a str>,
    pub first_seen_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
}
