//! A person who logs in.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::users;
use crate::i18n::Lang;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub locale: Option<Lang>,
    pub is_admin: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the person proved they read mail at `email` (a verification or invitation link).
    pub email_verified_at: Option<DateTime<Utc>>,
}

impl User {
    /// The language the person chose, if any.
    #[must_use]
    pub fn lang(&self) -> Option<Lang> {
        self.locale
    }

    #[must_use]
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    #[must_use]
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub locale: Option<&'a str>,
    pub is_admin: bool,
    /// Set for people an operator vouches for (`create-admin`); others verify by link.
    pub email_verified_at: Option<DateTime<Utc>>,
}
