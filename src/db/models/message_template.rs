//! A message template a workspace wrote: drafts for leads of its type (or of any type) in its language
//! start from the workspace's default one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::message_templates;
use crate::domain::lead_type::LeadType;
use crate::i18n::Lang;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = message_templates, check_for_backend(diesel::pg::Pg))]
pub struct MessageTemplate {
    pub id: i64,
    pub workspace_id: i64,
    pub name: String,
    /// None: a template for leads of any type.
    pub lead_type: Option<LeadType>,
    pub language: Lang,
    pub body: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = message_templates)]
pub struct NewMessageTemplate<'a> {
    pub workspace_id: i64,
    pub name: &'a str,
    pub lead_type: Option<&'a str>,
    pub language: &'a str,
    pub body: &'a str,
    pub is_default: bool,
    pub updated_by: Option<i64>,
}

/// An edit of a template: every field is written (`lead_type` None means any type).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = message_templates, treat_none_as_null = true)]
pub struct MessageTemplateChanges<'a> {
    pub name: &'a str,
    // Owned: the derive's `&Option<&str>` would trip clippy's ref_option_ref.
    pub lead_type: Option<String>,
    pub language: &'a str,
    pub body: &'a str,
    pub is_default: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}
