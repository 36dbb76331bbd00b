//! Failed-login counters per account and per address.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::login_throttles;
use crate::domain::throttle::ThrottleState;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = login_throttles, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct LoginThrottle {
    pub scope: String,
    pub subject: String,
    pub failures: i32,
    pub window_started_at: DateTime<Utc>,
    pub blocked_until: Option<DateTime<Utc>>,
}

impl LoginThrottle {
    #[must_use]
    pub fn state(&self) -> ThrottleState {
        ThrottleState {
            failures: self.failures,
            window_started_at: self.window_started_at,
            blocked_until: self.blocked_until,
        }
    }
}
