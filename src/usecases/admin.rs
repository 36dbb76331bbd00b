//! What a site admin does to people: disable (which also ends every session of theirs) or enable
//! them, make them site admins or not; each change recorded in the audit trail. An admin cannot
//! disable themselves nor take their own admin rights away.

use diesel::Connection as _;

use crate::db::DbPool;
use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::error::AppError;
use crate::error::with_db;

/// A change a site admin makes to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserChange {
    Disable,
    Enable,
    GrantAdmin,
    RevokeAdmin,
}

impl UserChange {
    /// The change a path segment names: `disable`, `enable`, `admin` or `revoke-admin`.
    #[must_use]
    pub fn parse(path: &str) -> Option<Self> {
        match path {
            "disable" => Some(UserChange::Disable),
            "enable" => Some(UserChange::Enable),
            "admin" => Some(UserChange::GrantAdmin),
            "revoke-admin" => Some(UserChange::RevokeAdmin),
            _ => None,
        }
    }

    /// Its audit action.
    const fn action(self) -> &'static str {
        match self {
            UserChange::Disable => "admin.user_disabled",
            UserChange::Enable => "admin.user_enabled",
            UserChange::GrantAdmin => "admin.admin_granted",
            UserChange::RevokeAdmin => "admin.admin_revoked",
        }
    }
}

/// Why a change was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An admin may not disable themselves nor revoke their own rights.
    NotYourself,
}

/// Makes `change` to person `target` for site admin `admin` (from `ip`), with its audit event. 404
/// when there is no such person.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn change_user(
    pool: &DbPool,
    (admin, ip): (i64, String),
    target: i64,
    change: UserChange,
) -> Result<Result<(), Refusal>, AppError> {
    if target == admin && matches!(change, UserChange::Disable | UserChange::RevokeAdmin) {
        return Ok(Err(Refusal::NotYourself));
    }
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            let changed = match change {
                UserChange::Disable => queries::users::set_disabled(conn, target, true)
                    .and_then(|n| queries::sessions::delete_for_user(conn, target).map(|_| n))?,
                UserChange::Enable => queries::users::set_disabled(conn, target, false)?,
                UserChange::GrantAdmin => queries::users::set_admin(conn, target, true)?,
                UserChange::RevokeAdmin => queries::users::set_admin(conn, target, false)?,
            };
            if changed == 0 {
                return Err(AppError::NotFound);
            }
            let event = NewAuditEvent::new(change.action(), Some(admin), None, Some(&ip));
            queries::audit::record(
                conn,
                &event.with_details(serde_json::json!({ "user_id": target })),
            )?;
            Ok(())
        })
    })
    .await
    .map(Ok)
}
