//! An invitation to join a workspace, waiting for the invited address to accept it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::invitations;
use crate::domain::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct Invitation {
    pub id: i64,
    pub workspace_id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The SHA-256 of the token its email carries (none for invitations sent before tokens).
    pub token_hash: Option<Vec<u8>>,
}

impl Invitation {
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation<'a> {
    pub workspace_id: i64,
    pub email: &'a str,
    pub role: &'a str,
    pub invited_by: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub token_hash: Option<&'a [u8]>,
}
