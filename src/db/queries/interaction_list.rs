//! The Interactions page's reads: a workspace's interactions newest first, narrowed by filters, one page
//! at a time by keyset on (occurred_at, id), with the handle of the account each came through; and the
//! workspace's accounts for the account filter.

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamptz};

use crate::db::models::Interaction;
use crate::db::queries::like_pattern;
use crate::db::schema::{interactions, social_accounts};
use crate::domain::cursor::Cursor;
use crate::domain::interaction::Kind;
use crate::domain::platform::Platform;

/// Rows per page.
pub const PAGE_SIZE: usize = 50;

/// What narrows the list, already parsed. Days are UTC days, both ends included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub platform: Option<Platform>,
    pub account_id: Option<i64>,
    pub kind: Option<Kind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Matched case-insensitively, literally, inside the text, the handle or the display name.
    pub text: Option<String>,
}

impl Filters {
    /// Whether no filter is set (the whole list).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One row of the list.
#[derive(Debug, Clone)]
pub struct Line {
    pub interaction: Interaction,
    /// The handle of the workspace's account the interaction was read from.
    pub account_handle: String,
}

/// One page of the list, and where the next (older) one starts, if there is one.
#[derive(Debug, Clone)]
pub struct Page {
    pub lines: Vec<Line>,
    pub next: Option<Cursor>,
}

/// An account as the account filter offers it.
#[derive(Debug, Clone, Queryable)]
pub struct AccountChoice {
    pub id: i64,
    pub platform: Platform,
    pub handle: String,
}

impl AccountChoice {
    #[must_use]
    pub fn platform_name(&self) -> &'static str {
        self.platform.name()
    }
}

/// The workspace's accounts, disconnected ones included (what they collected stays listed).
pub fn accounts(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Vec<AccountChoice>> {
    social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .order((
            social_accounts::platform.asc(),
            social_accounts::handle.asc(),
            social_accounts::id.asc(),
        ))
        .select((
            social_accounts::id,
            social_accounts::platform,
            social_accounts::handle,
        ))
        .load(conn)
}

/// The start of a UTC day.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The page of the workspace's interactions matching `filters` that comes after `before` (the newest
/// when `None`), newest first.
pub fn page(
    conn: &mut PgConnection,
    workspace_id: i64,
    filters: &Filters,
    before: Option<Cursor>,
) -> QueryResult<Page> {
    let mut query = interactions::table
        .inner_join(social_accounts::table)
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .into_boxed();
    if let Some(platform) = filters.platform {
        query = query.filter(interactions::platform.eq(platform.as_str()));
    }
    if let Some(account_id) = filters.account_id {
        query = query.filter(interactions::account_id.eq(account_id));
    }
    if let Some(kind) = filters.kind {
        query = query.filter(interactions::kind.eq(kind));
    }
    if let Some(from) = filters.from {
        query = query.filter(interactions::occurred_at.ge(start_of(from)));
    }
    if let Some(next_day) = filters.to.and_then(|to| to.checked_add_days(Days::new(1))) {
        query = query.filter(interactions::occurred_at.lt(start_of(next_day)));
    }
    if let Some(text) = &filters.text {
        let pattern = like_pattern(text);
        query = query.filter(
            interactions::actor_handle
                .ilike(pattern.clone())
                .or(interactions::actor_display_name.ilike(pattern.clone()))
                .or(interactions::text.ilike(pattern)),
        );
    }
    if let Some(cursor) = before {
        // A row comparison, so PostgreSQL walks the (workspace_id, occurred_at DESC, id DESC) index from
        // the cursor on.
        query = query.filter(
            sql::<Bool>("(interactions.occurred_at, interactions.id) < (")
                .bind::<Timestamptz, _>(cursor.at)
                .sql(", ")
                .bind::<BigInt, _>(cursor.id)
                .sql(")"),
        );
    }
    let rows: Vec<(Interaction, String)> = query
        .order((interactions::occurred_at.desc(), interactions::id.desc()))
        // One more than a page tells whether another page follows.
        .limit(i64::try_from(PAGE_SIZE + 1).unwrap_or(i64::MAX))
        .select((Interaction::as_select(), social_accounts::handle))
        .load(conn)?;
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(interaction, account_handle)| Line {
            interaction,
            account_handle,
        })
        .collect();
    let next = if lines.len() > PAGE_SIZE {
        lines.truncate(PAGE_SIZE);
        lines.last().map(|line| Cursor {
            at: line.interaction.occurred_at,
            id: line.interaction.id,
        })
    } else {
        None
    };
    Ok(Page { lines, next })
}
