//! The mail queue: queued messages, the ones due for delivery, and what each attempt did.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::sent_email::Email;
use crate::db::schema::sent_emails;
use crate::domain::mail::{MailKind, MailStatus};
use crate::i18n::Lang;

/// A queued or sent message.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = sent_emails, check_for_backend(diesel::pg::Pg))]
pub struct SentEmail {
    pub id: i64,
    pub workspace_id: Option<i64>,
    pub recipient: String,
    pub kind: MailKind,
    pub language: Lang,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

pub fn insert(conn: &mut PgConnection, email: &Email) -> QueryResult<i64> {
    diesel::insert_into(sent_emails::table)
        .values((
            sent_emails::workspace_id.eq(email.workspace_id),
            sent_emails::recipient.eq(&email.recipient),
            sent_emails::kind.eq(email.kind),
            sent_emails::language.eq(email.language),
            sent_emails::subject.eq(&email.subject),
            sent_emails::body_text.eq(&email.text),
            sent_emails::body_html.eq(&email.html),
        ))
        .returning(sent_emails::id)
        .get_result(conn)
}

/// Whether a message of `kind` was queued for `recipient` since `since` (sent or not).
pub fn queued_since(
    conn: &mut PgConnection,
    recipient: &str,
    kind: MailKind,
    since: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sent_emails::table
            .filter(sent_emails::recipient.eq(recipient))
            .filter(sent_emails::kind.eq(kind))
            .filter(sent_emails::created_at.gt(since)),
    ))
    .get_result(conn)
}

/// Claims the oldest pending message that is due, if any: its next attempt moves `lease_seconds`
/// ahead, so no other sender (another instance, or an overlapping run here) takes it while this one
/// sends it. One message at a time, right before it is sent: a claim never waits behind the other
/// messages of a slow batch, so the lease only has to outlast one send.
pub fn claim_next(conn: &mut PgConnection, lease_seconds: i32) -> QueryResult<Option<SentEmail>> {
    diesel::sql_query(
        "UPDATE sent_emails SET next_attempt_at = now() + make_interval(secs => $1) \
         WHERE id = (SELECT id FROM sent_emails \
                     WHERE status = 'pending' AND next_attempt_at <= now() \
                     ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind::<diesel::sql_types::Integer, _>(lease_seconds)
    .get_result(conn)
    .optional()
}

/// The kinds whose text is not kept once delivered (see [`MailKind::carries_a_credential`]).
fn carrying_a_credential() -> Vec<MailKind> {
    MailKind::ALL
        .iter()
        .copied()
        .filter(|kind| kind.carries_a_credential())
        .collect()
}

/// Records how an attempt went; only a message still pending changes, so a late report can never
/// turn a sent message back into a pending one.
pub fn record_attempt(
    conn: &mut PgConnection,
    id: i64,
    status: MailStatus,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    error: Option<&str>,
) -> QueryResult<()> {
    let sent_at = (status == MailStatus::Sent).then(Utc::now);
    let changed = diesel::update(
        sent_emails::table
            .filter(sent_emails::id.eq(id))
            .filter(sent_emails::status.eq(MailStatus::Pending)),
    )
    .set((
        sent_emails::status.eq(status),
        sent_emails::attempts.eq(attempts),
        sent_emails::error.eq(error),
        sent_emails::sent_at.eq(sent_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(());
    }
    // A single-use link is a credential: once its message is sent (or given up), its text goes.
    if status != MailStatus::Pending {
        diesel::update(
            sent_emails::table
                .filter(sent_emails::id.eq(id))
                .filter(sent_emails::kind.eq_any(carrying_a_credential())),
        )
        .set((
            sent_emails::body_text.eq("[removed after delivery]"),
            sent_emails::body_html.eq("[removed after delivery]"),
        ))
        .execute(conn)?;
    }
    if let Some(next) = next_attempt_at {
        diesel::update(sent_emails::table.filter(sent_emails::id.eq(id)))
            .set(sent_emails::next_attempt_at.eq(next))
            .execute(conn)?;
    }
    Ok(())
}

/// A message as the admin list shows it: everything but its text, which can hold a reset link while
/// it waits.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sent_emails, check_for_backend(diesel::pg::Pg))]
pub struct EmailLine {
    pub id: i64,
    pub recipient: String,
    pub kind: MailKind,
    pub language: Lang,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A page of messages, newest first (site-wide: for admins), of one status or all; `before_id` is the
/// keyset cursor.
pub fn list(
    conn: &mut PgConnection,
    status: Option<MailStatus>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EmailLine>> {
    let mut query = sent_emails::table
        .order(sent_emails::id.desc())
        .limit(limit)
        .select(EmailLine::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(sent_emails::status.eq(status));
    }
    if let Some(before) = before_id {
        query = query.filter(sent_emails::id.lt(before));
    }
    query.load(conn)
}
