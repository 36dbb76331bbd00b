//! Sending an approved draft through a platform's API: where the person can be answered (their latest
//! message, or a comment not yet answered privately), a claim on the draft while it is being sent (two
//! clicks never send it twice), and what the platform answered.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::interactions;
use crate::db::schema::suggested_messages as drafts;
use crate::domain::draft::{DraftStatus, SentVia};
use crate::domain::interaction::{Direction, Kind};
use crate::domain::platform::Platform;

/// The latest thing a lead wrote that can be answered: their message or their comment, on an account.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Latest {
    pub lead_id: i64,
    pub account_id: i64,
    /// The person's id on the platform (a message is addressed to it).
    pub person_id: Option<String>,
    /// The platform's id of what they wrote (a private reply answers a comment by its id).
    pub external_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// Each of `lead_ids`' latest incoming interaction of `kind` on `platform` since `since`, with the
/// platform's ids (only those can be answered through an API).
pub fn latest(
    conn: &mut PgConnection,
    workspace_id: i64,
    platform: Platform,
    kind: Kind,
    lead_ids: &[i64],
    since: DateTime<Utc>,
) -> QueryResult<Vec<Latest>> {
    interactions::table
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(interactions::lead_id.eq_any(lead_ids))
        .filter(interactions::platform.eq(platform.as_str()))
        .filter(interactions::kind.eq(kind))
        .filter(interactions::direction.eq(Direction::Incoming))
        .filter(interactions::external_id.is_not_null())
        .filter(interactions::occurred_at.gt(since))
        .distinct_on(interactions::lead_id)
        .order((
            interactions::lead_id,
            interactions::occurred_at.desc(),
            interactions::id.desc(),
        ))
        .select((
            interactions::lead_id,
            interactions::account_id,
            interactions::actor_external_id,
            interactions::external_id,
            interactions::occurred_at,
        ))
        .load(conn)
}

/// The comments among `ids` that already got their private reply.
pub fn answered_comments(
    conn: &mut PgConnection,
    workspace_id: i64,
    ids: &[String],
) -> QueryResult<Vec<String>> {
    drafts::table
        .filter(drafts::workspace_id.eq(workspace_id))
        .filter(drafts::reply_to_comment.eq_any(ids))
        .select(drafts::reply_to_comment.assume_not_null())
        .load(conn)
}

/// How long a claim on a draft being sent holds (a send that crashed frees it after this).
const CLAIM: Duration = Duration::minutes(2);

/// Claims the workspace's approved draft `id` for sending; answers its lead, or `None` when it is no
/// such draft or another click is sending it.
pub fn claim(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> QueryResult<Option<i64>> {
    diesel::update(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq(id))
            .filter(drafts::status.eq(DraftStatus::Approved))
            .filter(
                drafts::send_started_at
                    .is_null()
                    .or(drafts::send_started_at.lt(now - CLAIM)),
            ),
    )
    .set(drafts::send_started_at.eq(now))
    .returning(drafts::lead_id)
    .get_result(conn)
    .optional()
}

/// Frees a claim after a send that did not happen.
pub fn release(conn: &mut PgConnection, workspace_id: i64, id: i64) -> QueryResult<usize> {
    diesel::update(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq(id)),
    )
    .set(drafts::send_started_at.eq(None::<DateTime<Utc>>))
    .execute(conn)
}

/// Records how a draft marked sent went out: the platform's message id and the comment it answered.
pub fn record_sent(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    via: SentVia,
    message_id: &str,
    reply_to_comment: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq(id)),
    )
    .set((
        drafts::sent_via.eq(via),
        drafts::platform_message_id.eq(message_id),
        drafts::reply_to_comment.eq(reply_to_comment),
    ))
    .execute(conn)
}

/// An approved draft as a send needs it.
#[derive(Debug, Clone, Queryable)]
pub struct ToSend {
    pub lead_id: i64,
    pub account_id: Option<i64>,
    pub body: String,
    pub platform: Platform,
}

/// The workspace's approved draft `id`, with its lead's platform.
pub fn to_send(conn: &mut PgConnection, workspace_id: i64, id: i64) -> QueryResult<Option<ToSend>> {
    use crate::db::schema::leads;
    drafts::table
        .inner_join(leads::table)
        .filter(drafts::workspace_id.eq(workspace_id))
        .filter(leads::workspace_id.eq(workspace_id))
        .filter(drafts::id.eq(id))
        .filter(drafts::status.eq(DraftStatus::Approved))
        .select((
            drafts::lead_id,
            drafts::account_id,
            drafts::body,
            leads::platform,
        ))
        .first(conn)
        .optional()
}
