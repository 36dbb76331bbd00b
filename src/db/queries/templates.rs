//! Queries on a workspace's message templates (always within one workspace): list, find, create, edit,
//! delete, the defaults analysis drafts from, and the leads a preview can be shown on.
//!
//! Making a template the default takes the workspace's template lock first, then un-defaults the
//! previous default of the same lead type and language, in one transaction: two people making two
//! templates the default at once are served one after the other, and the unique index on the defaults
//! is never hit.

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};

use crate::db::models::{Lead, MessageTemplate, MessageTemplateChanges, NewMessageTemplate};
use crate::db::schema::{leads, message_templates};

/// The first number of the advisory lock that serialises default changes per workspace.
const DEFAULTS_LOCK: i32 = 0x5653_0002;

/// The workspace's templates: by language, then lead type (any type last), then name.
pub fn list(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Vec<MessageTemplate>> {
    message_templates::table
        .filter(message_templates::workspace_id.eq(workspace_id))
        .order((
            message_templates::language,
            message_templates::lead_type.asc().nulls_last(),
            message_templates::name,
            message_templates::id,
        ))
        .select(MessageTemplate::as_select())
        .load(conn)
}

/// The workspace's template `id`; `None` when it is another workspace's (the caller answers 404).
pub fn find(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
) -> QueryResult<Option<MessageTemplate>> {
    message_templates::table
        .filter(message_templates::workspace_id.eq(workspace_id))
        .filter(message_templates::id.eq(id))
        .select(MessageTemplate::as_select())
        .first(conn)
        .optional()
}

/// Serialises default changes in the workspace until the transaction ends.
fn lock_defaults(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, ($2 % 2147483647)::int)")
        .bind::<Integer, _>(DEFAULTS_LOCK)
        .bind::<BigInt, _>(workspace_id)
        .execute(conn)?;
    Ok(())
}

/// Un-defaults the workspace's default for (`lead_type`, `language`), but `keep`.
fn undefault(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_type: Option<&str>,
    language: &str,
    keep: Option<i64>,
) -> QueryResult<()> {
    let mut query = diesel::update(message_templates::table)
        .filter(message_templates::workspace_id.eq(workspace_id))
        .filter(message_templates::is_default.eq(true))
        .filter(message_templates::language.eq(language))
        .into_boxed();
    query = match lead_type {
        Some(lead_type) => query.filter(message_templates::lead_type.eq(lead_type)),
        None => query.filter(message_templates::lead_type.is_null()),
    };
    if let Some(keep) = keep {
        query = query.filter(message_templates::id.ne(keep));
    }
    query
        .set((
            message_templates::is_default.eq(false),
            message_templates::updated_at.eq(Utc::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a template; when it is the default, the previous default of its type and language stops
/// being one.
pub fn create(
    conn: &mut PgConnection,
    new: &NewMessageTemplate<'_>,
) -> QueryResult<MessageTemplate> {
    conn.transaction(|conn| {
        if new.is_default {
            lock_defaults(conn, new.workspace_id)?;
            undefault(conn, new.workspace_id, new.lead_type, new.language, None)?;
        }
        diesel::insert_into(message_templates::table)
            .values(new)
            .returning(MessageTemplate::as_returning())
            .get_result(conn)
    })
}

/// Edits the workspace's template `id` (`None` when there is no such template in the workspace); when
/// it becomes the default, the previous default of its type and language stops being one.
pub fn update(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    changes: &MessageTemplateChanges<'_>,
) -> QueryResult<Option<MessageTemplate>> {
    conn.transaction(|conn| {
        if changes.is_default {
            lock_defaults(conn, workspace_id)?;
            undefault(
                conn,
                workspace_id,
                changes.lead_type.as_deref(),
                changes.language,
                Some(id),
            )?;
        }
        diesel::update(
            message_templates::table
                .filter(message_templates::workspace_id.eq(workspace_id))
                .filter(message_templates::id.eq(id)),
        )
        .set(changes)
        .returning(MessageTemplate::as_returning())
        .get_result(conn)
        .optional()
    })
}

/// Deletes the workspace's template `id`; the deleted row, `None` when there was none.
pub fn delete(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
) -> QueryResult<Option<MessageTemplate>> {
    diesel::delete(
        message_templates::table
            .filter(message_templates::workspace_id.eq(workspace_id))
            .filter(message_templates::id.eq(id)),
    )
    .returning(MessageTemplate::as_returning())
    .get_result(conn)
    .optional()
}

/// The default templates of these workspaces (at most one per workspace, lead type and language).
pub fn defaults_of(
    conn: &mut PgConnection,
    workspace_ids: &[i64],
) -> QueryResult<Vec<MessageTemplate>> {
    message_templates::table
        .filter(message_templates::workspace_id.eq_any(workspace_ids))
        .filter(message_templates::is_default.eq(true))
        .select(MessageTemplate::as_select())
        .load(conn)
}

/// The workspace's leads a preview can be shown on: the highest scores first, at most `limit`.
pub fn preview_leads(
    conn: &mut PgConnection,
    workspace_id: i64,
    limit: i64,
) -> QueryResult<Vec<Lead>> {
    leads::table
        .filter(leads::workspace_id.eq(workspace_id))
        .order((leads::score.desc(), leads::id.desc()))
        .limit(limit)
        .select(Lead::as_select())
        .load(conn)
}
