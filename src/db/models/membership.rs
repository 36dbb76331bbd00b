//! A person's place in a workspace, with their role.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::memberships;
use crate::domain::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = memberships, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub workspace_id: i64,
    pub user_id: i64,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl Membership {
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = memberships)]
pub struct NewMembership<'a> {
    pub workspace_id: i64,
    pub user_id: i64,
    pub role: &'a str,
}
