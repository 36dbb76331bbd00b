//! A workspace: the team and the data of one creator or studio.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::workspaces;
use crate::i18n::Lang;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = workspaces, check_for_backend(diesel::pg::Pg))]
pub struct Workspace {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub language: Lang,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Scores from which a lead is worth contacting, and hot.
    pub targetable_score: i16,
    pub hot_score: i16,
    /// The score from which a lead gets a draft message.
    pub draft_score: i16,
    pub score_half_life_days: i16,
    /// Days interactions are kept; none keeps them all.
    pub retention_days: Option<i16>,
    /// Approved messages allowed per account in any hour, and in any day.
    pub quota_per_hour: i16,
    pub quota_per_day: i16,
    /// Whether plain members may export contact details (owners and admins always may).
    pub members_export_contacts: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = workspaces)]
pub struct NewWorkspace<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub language: Lang,
}
