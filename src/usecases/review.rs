//! Reviewing drafts: what the Review page shows, an edit in place, approving one draft or a batch within
//! each sending account's quota (an edit sent with an approval is saved in the same transaction),
//! rejecting, and marking an approved message sent (a new lead becomes contacted). Nothing is sent from
//! here: the creator sends by hand.

use chrono::Utc;
use diesel::Connection as _;

use crate::db::DbPool;
use crate::db::queries::review::{self, AccountQuota, Approval, PendingDraft, ReadyDraft};
use crate::domain::quota::Quota;
use crate::error::AppError;
use crate::error::with_db;
use crate::usecases::Actor;

/// What a batch does to the ticked drafts. Anything else is refused, never taken for an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchAction {
    Approve,
    Reject,
}

impl BatchAction {
    /// The action a batch form names (`approve` or `reject`); `None` for anything else, empty included.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "approve" => Some(BatchAction::Approve),
            "reject" => Some(BatchAction::Reject),
            _ => None,
        }
    }
}

/// The Review page's content: the drafts waiting (a page of them, and how many in all), the approved
/// messages waiting to be sent, and each account's quota at this moment.
pub struct Overview {
    pub pending: Vec<PendingDraft>,
    pub total_pending: i64,
    pub ready: Vec<ReadyDraft>,
    pub quotas: Vec<AccountQuota>,
    /// How each ready draft to an Instagram lead can go out now, by draft id.
    pub replies: std::collections::HashMap<i64, crate::usecases::instagram::send::Reply>,
}

/// Reads the workspace's review in one round trip.
///
/// # Errors
/// When the database cannot be reached.
pub async fn overview(
    pool: &DbPool,
    workspace_id: i64,
    quota: Quota,
) -> Result<Overview, AppError> {
    with_db(pool, move |conn| {
        let ready = review::ready(conn, workspace_id, None)?;
        let replies =
            crate::usecases::instagram::send::replies(conn, workspace_id, &ready, Utc::now())?;
        Ok(Overview {
            pending: review::pending(conn, workspace_id, None)?,
            total_pending: review::pending_count(conn, workspace_id)?,
            ready,
            quotas: review::quotas(conn, workspace_id, quota, Utc::now())?,
            replies,
        })
    })
    .await
}

/// Saves `body` (when given: the page parsed it) as the text of pending draft `id`, and answers the
/// draft as it now stands with whether it was saved. 404 when the workspace has no such pending draft.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn edit(
    pool: &DbPool,
    workspace_id: i64,
    id: i64,
    body: Option<String>,
) -> Result<(PendingDraft, bool), AppError> {
    with_db(pool, move |conn| {
        let saved = match &body {
            Some(body) => review::edit(conn, workspace_id, id, body)?,
            None => false,
        };
        let card = review::pending(conn, workspace_id, Some(id))?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        Ok((card, saved))
    })
    .await
}

/// Approves the workspace's draft `id` within its account's quota, first saving `body` as its text
/// when given, in one transaction. 404 when `id` is not one of the workspace's drafts.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn approve_one(
    pool: &DbPool,
    actor: &Actor,
    quota: Quota,
    id: i64,
    body: Option<String>,
) -> Result<Approval, AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            if !review::exists(conn, workspace_id, id)? {
                return Err(AppError::NotFound);
            }
            if let Some(body) = &body {
                review::edit(conn, workspace_id, id, body)?;
            }
            Ok(review::approve(
                conn,
                workspace_id,
                &[id],
                user_id,
                quota,
                Utc::now(),
            )?)
        })
    })
    .await
}

/// Approves the workspace's pending drafts among `ids`, as many as each sending account's quota
/// allows; the others stay pending and the answer says why.
///
/// # Errors
/// When the database cannot be reached.
pub async fn approve_batch(
    pool: &DbPool,
    actor: &Actor,
    quota: Quota,
    ids: Vec<i64>,
) -> Result<Approval, AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    with_db(pool, move |conn| {
        Ok(conn.transaction(|conn| {
            review::approve(conn, workspace_id, &ids, user_id, quota, Utc::now())
        })?)
    })
    .await
}

/// Rejects the workspace's pending drafts among `ids`; answers how many.
///
/// # Errors
/// When the database cannot be reached.
pub async fn reject(pool: &DbPool, actor: &Actor, ids: Vec<i64>) -> Result<usize, AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    with_db(pool, move |conn| {
        Ok(review::reject(conn, workspace_id, &ids, user_id)?)
    })
    .await
}

/// Rejects the workspace's draft `id` (nothing when it is no longer pending); answers how many were
/// rejected. 404 when `id` is not one of the workspace's drafts.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn reject_one(pool: &DbPool, actor: &Actor, id: i64) -> Result<usize, AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    with_db(pool, move |conn| {
        if !review::exists(conn, workspace_id, id)? {
            return Err(AppError::NotFound);
        }
        Ok(review::reject(conn, workspace_id, &[id], user_id)?)
    })
    .await
}

/// The creator sent the approved draft `id` by hand: it is marked sent, and its lead, if new, becomes
/// contacted. 404 when the workspace has no such approved draft.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn mark_sent(pool: &DbPool, actor: &Actor, id: i64) -> Result<(), AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    let marked = with_db(pool, move |conn| {
        Ok(conn.transaction(|conn| review::mark_sent(conn, workspace_id, id, user_id))?)
    })
    .await?;
    if marked {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_approve_and_reject_are_batch_actions() {
        assert_eq!(BatchAction::parse("approve"), Some(BatchAction::Approve));
        assert_eq!(BatchAction::parse("reject"), Some(BatchAction::Reject));
        for unknown in ["", "archive", "Approve", "approve_all"] {
            assert_eq!(BatchAction::parse(unknown), None, "{unknown:?}");
        }
    }
}
