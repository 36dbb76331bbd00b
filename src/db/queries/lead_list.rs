//! The Leads page's reads: a workspace's leads narrowed by filters, sorted by score or by last
//! interaction, one page at a time by keyset; and the same filters read in batches by id for the CSV
//! export (constant memory, whatever the number of leads).

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, SmallInt, Text, Timestamptz};

use crate::db::queries::like_pattern;
use crate::db::schema::{interactions, leads};
use crate::domain::contact::Intent;
use crate::domain::cursor::{Cursor, ScoreCursor};
use crate::domain::interaction::KindCounts;
use crate::domain::lead_status::LeadStatus;
use crate::domain::lead_type::LeadType;
use crate::domain::platform::Platform;
use crate::i18n::Lang;

/// Rows per page.
pub const PAGE_SIZE: usize = 50;

/// What narrows the list, already parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFilters {
    pub lead_type: Option<LeadType>,
    pub status: Option<LeadStatus>,
    /// Both ends included.
    pub min_score: Option<i16>,
    pub max_score: Option<i16>,
    pub platform: Option<Platform>,
    /// Leads with at least one interaction through this account.
    pub account_id: Option<i64>,
    pub has_phone: bool,
    pub has_email: bool,
    pub intent: Option<Intent>,
    /// Matched case-insensitively, literally, inside the handle, the display name or the email.
    pub text: Option<String>,
    /// Only these leads (a selection on the page); empty means no such limit.
    pub ids: Vec<i64>,
}

impl LeadFilters {
    /// Whether no filter is set (the whole list).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The order of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Highest score first.
    #[default]
    Score,
    /// Latest interaction first.
    Recent,
}

impl Sort {
    pub const ALL: [Sort; 2] = [Sort::Score, Sort::Recent];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Sort::Score => "score",
            Sort::Recent => "recent",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Where a page starts: after the last row of the previous one, in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Score(ScoreCursor),
    Recent(Cursor),
}

impl std::fmt::Display for After {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            After::Score(cursor) => cursor.fmt(f),
            After::Recent(cursor) => cursor.fmt(f),
        }
    }
}

/// One row of the list.
#[derive(Debug, Clone, Queryable)]
pub struct LeadLine {
    pub id: i64,
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub status: LeadStatus,
    pub lead_type: Option<LeadType>,
    pub score: i16,
    pub intent: Option<Intent>,
    pub has_phone: bool,
    pub has_email: bool,
    pub last_interaction_at: DateTime<Utc>,
    pub interactions_count: i32,
}

/// One page of the list, and where the next one starts, if there is one.
#[derive(Debug, Clone)]
pub struct LeadPage {
    pub lines: Vec<LeadLine>,
    pub next: Option<After>,
}

/// The workspace's leads narrowed by `filters`, before any order.
fn filtered<'a>(workspace_id: i64, filters: &LeadFilters) -> leads::BoxedQuery<'a, Pg> {
    let mut query = leads::table
        .filter(leads::workspace_id.eq(workspace_id))
        .into_boxed();
    if let Some(lead_type) = filters.lead_type {
        query = query.filter(leads::lead_type.eq(lead_type.as_str()));
    }
    if let Some(status) = filters.status {
        query = query.filter(leads::status.eq(status));
    }
    if let Some(min) = filters.min_score {
        query = query.filter(leads::score.ge(min));
    }
    if let Some(max) = filters.max_score {
        query = query.filter(leads::score.le(max));
    }
    if let Some(platform) = filters.platform {
        query = query.filter(leads::platform.eq(platform.as_str()));
    }
    if let Some(account_id) = filters.account_id {
        query = query.filter(exists(
            interactions::table
                .filter(interactions::lead_id.eq(leads::id))
                .filter(interactions::workspace_id.eq(workspace_id))
                .filter(interactions::account_id.eq(account_id)),
        ));
    }
    if filters.has_phone {
        query = query.filter(leads::phone.is_not_null());
    }
    if filters.has_email {
        query = query.filter(leads::email.is_not_null());
    }
    if let Some(intent) = filters.intent {
        query = query.filter(leads::intent.eq(intent));
    }
    if let Some(text) = &filters.text {
        // `search_text` is the handle, display name and email lower-cased by PostgreSQL, with a
        // trigram index (migration `lead_search`); the pattern is lower-cased by the same function.
        // Written as SQL so that diesel does not keep the query as a prepared statement: PostgreSQL
        // must plan it with the pattern in view, to read a rare name's few rows through the trigram
        // index but walk the score index for a common word (a generic plan does one or the other).
        query = query.filter(
            sql::<Bool>("leads.search_text LIKE lower(")
                .bind::<Text, _>(like_pattern(text))
                .sql(")"),
        );
    }
    if !filters.ids.is_empty() {
        query = query.filter(leads::id.eq_any(filters.ids.clone()));
    }
    query
}

/// The page of the workspace's leads matching `filters`, in `sort` order, after `after` (the first
/// page when `None`; a cursor of the other order is ignored).
pub fn page(
    conn: &mut PgConnection,
    workspace_id: i64,
    filters: &LeadFilters,
    sort: Sort,
    after: Option<After>,
) -> QueryResult<LeadPage> {
    let mut query = filtered(workspace_id, filters);
    // Row comparisons, so PostgreSQL walks the (workspace_id, score DESC, id DESC) or
    // (workspace_id, last_interaction_at DESC, id DESC) index from the cursor on.
    query = match (sort, after) {
        (Sort::Score, Some(After::Score(c))) => query.filter(
            sql::<Bool>("(leads.score, leads.id) < (")
                .bind::<SmallInt, _>(c.score)
                .sql(", ")
                .bind::<BigInt, _>(c.id)
                .sql(")"),
        ),
        (Sort::Recent, Some(After::Recent(c))) => query.filter(
            sql::<Bool>("(leads.last_interaction_at, leads.id) < (")
                .bind::<Timestamptz, _>(c.at)
                .sql(", ")
                .bind::<BigInt, _>(c.id)
                .sql(")"),
        ),
        _ => query,
    };
    query = match sort {
        Sort::Score => query.order((leads::score.desc(), leads::id.desc())),
        Sort::Recent => query.order((leads::last_interaction_at.desc(), leads::id.desc())),
    };
    let mut lines: Vec<LeadLine> = query
        // One more than a page tells whether another page follows.
        .limit(i64::try_from(PAGE_SIZE + 1).unwrap_or(i64::MAX))
        .select((
            leads::id,
            leads::platform,
            leads::handle,
            leads::display_name,
            leads::status,
            leads::lead_type,
            leads::score,
            leads::intent,
            leads::phone.is_not_null(),
            leads::email.is_not_null(),
            leads::last_interaction_at,
            leads::interactions_count,
        ))
        .load(conn)?;
    let next = if lines.len() > PAGE_SIZE {
        lines.truncate(PAGE_SIZE);
        lines.last().map(|line| match sort {
            Sort::Score => After::Score(ScoreCursor {
                score: line.score,
                id: line.id,
            }),
            Sort::Recent => After::Recent(Cursor {
                at: line.last_interaction_at,
                id: line.id,
            }),
        })
    } else {
        None
    };
    Ok(LeadPage { lines, next })
}

/// A lead as the CSV export writes it (the columns are listed in the README).
#[derive(Debug, Clone, Queryable)]
pub struct ExportLine {
    pub id: i64,
    pub platform: Platform,
    pub handle: String,
    pub display_name: Option<String>,
    pub status: LeadStatus,
    pub lead_type: Option<LeadType>,
    pub confidence: Option<f32>,
    pub score: i16,
    pub intent: Option<Intent>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: Option<Lang>,
    pub first_seen_at: DateTime<Utc>,
    pub last_interaction_at: DateTime<Utc>,
    pub interactions_count: i32,
    pub kind_counts: KindCounts,
}

/// Up to `limit` leads matching `filters` with an id above `after_id`, by id: the export reads the
/// whole list this way, one batch at a time.
pub fn export_batch(
    conn: &mut PgConnection,
    workspace_id: i64,
    filters: &LeadFilters,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<ExportLine>> {
    filtered(workspace_id, filters)
        .filter(leads::id.gt(after_id))
        .order(leads::id.asc())
        .limit(limit)
        .select((
            leads::id,
            leads::platform,
            leads::handle,
            leads::display_name,
            leads::status,
            leads::lead_type,
            leads::confidence,
            leads::score,
            leads::intent,
            leads::phone,
            leads::email,
            leads::language,
            leads::first_seen_at,
            leads::last_interaction_at,
            leads::interactions_count,
            leads::kind_counts,
        ))
        .load(conn)
}
