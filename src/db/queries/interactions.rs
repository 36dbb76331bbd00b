//! Storing interactions once, with their leads, in one transaction; and reading them back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::upsert::excluded;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};

use crate::db::models::{NewInteraction, NewLead};
use crate::db::schema::{interactions, leads, suppressions};
use crate::domain::interaction::{Direction, Kind, KindCounts, Observed, When, distinct};
use crate::domain::platform::Platform;
use crate::domain::platform_time::Precision;

/// Where interactions were read: the account, its workspace and platform.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub workspace_id: i64,
    pub account_id: i64,
    pub platform: Platform,
}

/// What one ingestion did with the rows it was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ingested {
    pub new: usize,
    pub already_stored: usize,
    pub suppressed: usize,
}

/// The first number of the advisory lock that serialises ingestion per account.
const INGEST_LOCK: i32 = 0x5653_0001;
/// Rows per multi-row insert (PostgreSQL takes at most 65,535 parameters a statement).
const CHUNK: usize = 2_000;

/// Stores the rows not stored yet (nor suppressed) and creates or updates their leads, all at once.
/// Ingestion of one account is serialised (a transaction-scoped advisory lock), so two syncs of one
/// account at the same time cannot both decide that a row is new.
pub fn ingest(
    conn: &mut PgConnection,
    source: Source,
    rows: Vec<Observed>,
) -> QueryResult<Ingested> {
    conn.transaction(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, ($2 % 2147483647)::int)")
            .bind::<Integer, _>(INGEST_LOCK)
            .bind::<BigInt, _>(source.account_id)
            .execute(conn)?;
        let given = rows.len();
        let rows = distinct(rows);
        let (rows, suppressed) = without_suppressed(conn, source, rows)?;
        let rows = not_stored_yet(conn, source, rows)?;
        let lead_ids = upsert_leads(conn, source, &rows)?;
        let stored = insert_interactions(conn, source, &rows, &lead_ids)?;
        add_to_lead_counts(conn, source.workspace_id, &stored)?;
        Ok(Ingested {
            new: stored.len(),
            already_stored: given - suppressed - stored.len(),
            suppressed,
        })
    })
}

fn without_suppressed(
    conn: &mut PgConnection,
    source: Source,
    rows: Vec<Observed>,
) -> QueryResult<(Vec<Observed>, usize)> {
    let mut handles: Vec<&str> = rows.iter().map(|r| r.handle.as_str()).collect();
    handles.sort_unstable();
    handles.dedup();
    let suppressed: Vec<String> = suppressions::table
        .filter(suppressions::workspace_id.eq(source.workspace_id))
        .filter(suppressions::platform.eq(source.platform.as_str()))
        .filter(suppressions::handle.eq_any(&handles))
        .select(suppressions::handle)
        .load(conn)?;
    let before = rows.len();
    let kept: Vec<Observed> = rows
        .into_iter()
        .filter(|r| !suppressed.contains(&r.handle))
        .collect();
    let dropped = before - kept.len();
    Ok((kept, dropped))
}

/// A stored interaction's identity, window and precision.
type StoredWindow = (Vec<u8>, DateTime<Utc>, DateTime<Utc>, Precision);

/// The rows that match no stored interaction of the account (same identity, overlapping time).
fn not_stored_yet(
    conn: &mut PgConnection,
    source: Source,
    rows: Vec<Observed>,
) -> QueryResult<Vec<Observed>> {
    let Some(earliest) = rows.iter().map(|r| r.when.from).min() else {
        return Ok(rows);
    };
    let identities: Vec<Vec<u8>> = rows.iter().map(|r| r.identity().to_vec()).collect();
    let stored: Vec<StoredWindow> = interactions::table
        .filter(interactions::account_id.eq(source.account_id))
        .filter(interactions::identity.eq_any(&identities))
        .filter(interactions::occurred_to.gt(earliest))
        .select((
            interactions::identity,
            interactions::occurred_from,
            interactions::occurred_to,
            interactions::precision,
        ))
        .load(conn)?;
    let mut by_identity: HashMap<Vec<u8>, Vec<When>> = HashMap::new();
    for (identity, from, to, precision) in stored {
        by_identity.entry(identity).or_default().push(When {
            at: to,
            from,
            to,
            precision,
        });
    }
    Ok(rows
        .into_iter()
        .zip(identities)
        .filter(|(row, identity)| {
            by_identity
                .get(identity)
                .is_none_or(|windows| !windows.iter().any(|w| w.overlaps(&row.when)))
        })
        .map(|(row, _)| row)
        .collect())
}

/// Creates the leads not known yet and returns every row's lead id, by handle.
fn upsert_leads(
    conn: &mut PgConnection,
    source: Source,
    rows: &[Observed],
) -> QueryResult<HashMap<String, i64>> {
    let mut people: HashMap<&str, NewLead<'_>> = HashMap::new();
    for row in rows {
        let lead = people.entry(&row.handle).or_insert(NewLead {
            workspace_id: source.workspace_id,
            platform: source.platform.as_str(),
            handle: &row.handle,
            display_name: None,
            first_seen_at: row.when.at,
            last_interaction_at: row.when.at,
        });
        lead.display_name = lead.display_name.or(row.display_name.as_deref());
        lead.first_seen_at = lead.first_seen_at.min(row.when.at);
        lead.last_interaction_at = lead.last_interaction_at.max(row.when.at);
    }
    let people: Vec<NewLead<'_>> = people.into_values().collect();
    let mut ids = HashMap::with_capacity(people.len());
    for chunk in people.chunks(CHUNK) {
        let returned: Vec<(i64, String)> = diesel::insert_into(leads::table)
            .values(chunk)
            .on_conflict((leads::workspace_id, leads::platform, leads::handle))
            .do_update()
            .set((
                leads::display_name.eq(sql::<Nullable<Text>>(
                    "COALESCE(excluded.display_name, leads.display_name)",
                )),
                leads::updated_at.eq(excluded(leads::updated_at)),
            ))
            .returning((leads::id, leads::handle))
            .get_results(conn)?;
        ids.extend(returned.into_iter().map(|(id, handle)| (handle, id)));
    }
    Ok(ids)
}

/// A stored interaction, as the lead counters need it.
type Stored = (i64, Kind, Direction, DateTime<Utc>);

fn insert_interactions(
    conn: &mut PgConnection,
    source: Source,
    rows: &[Observed],
    lead_ids: &HashMap<String, i64>,
) -> QueryResult<Vec<Stored>> {
    let keys: Vec<([u8; 32], [u8; 32])> = rows
        .iter()
        .map(|r| (r.identity(), r.fingerprint()))
        .collect();
    let new: Vec<NewInteraction<'_>> = rows
        .iter()
        .zip(&keys)
        .filter_map(|(row, (identity, fingerprint))| {
            Some(NewInteraction {
                workspace_id: source.workspace_id,
                account_id: source.account_id,
                lead_id: *lead_ids.get(&row.handle)?,
                platform: source.platform.as_str(),
                kind: row.kind,
                actor_handle: &row.handle,
                actor_display_name: row.display_name.as_deref(),
                text: row.text.as_deref(),
                post_ref: row.post_ref.as_deref(),
                occurred_at: row.when.at,
                occurred_from: row.when.from,
                occurred_to: row.when.to,
                precision: row.when.precision,
                identity: identity.as_slice(),
                fingerprint: fingerprint.as_slice(),
                direction: row.direction,
                external_id: row.ids.as_ref().map(|ids| ids.event.as_str()),
                actor_external_id: row.ids.as_ref().and_then(|ids| ids.person.as_deref()),
            })
        })
        .collect();
    let mut stored = Vec::with_capacity(new.len());
    for chunk in new.chunks(CHUNK) {
        stored.extend(
            diesel::insert_into(interactions::table)
                .values(chunk)
                .on_conflict((interactions::account_id, interactions::fingerprint))
                .do_nothing()
                .returning((
                    interactions::lead_id,
                    interactions::kind,
                    interactions::direction,
                    interactions::occurred_at,
                ))
                .get_results::<Stored>(conn)?,
        );
    }
    Ok(stored)
}

/// Adds what was stored and counts (`counts::counted`) to each lead's counters and times, in one
/// statement.
fn add_to_lead_counts(
    conn: &mut PgConnection,
    workspace_id: i64,
    stored: &[Stored],
) -> QueryResult<()> {
    #[derive(Default)]
    struct Delta {
        kinds: KindCounts,
        first: Option<DateTime<Utc>>,
        last: Option<DateTime<Utc>>,
    }
    let mut deltas: HashMap<i64, Delta> = HashMap::new();
    for (lead_id, kind, direction, at) in stored {
        if !direction.is_counted() {
            continue;
        }
        let delta = deltas.entry(*lead_id).or_default();
        delta.kinds.add(*kind, 1);
        delta.first = Some(delta.first.map_or(*at, |f| f.min(*at)));
        delta.last = Some(delta.last.map_or(*at, |l| l.max(*at)));
    }
    if deltas.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = deltas.keys().copied().collect();
    let kinds: Vec<KindCounts> = ids.iter().map(|id| deltas[id].kinds).collect();
    let totals: Vec<i32> = kinds.iter().map(KindCounts::total).collect();
    let firsts: Vec<DateTime<Utc>> = ids.iter().filter_map(|id| deltas[id].first).collect();
    let lasts: Vec<DateTime<Utc>> = ids.iter().filter_map(|id| deltas[id].last).collect();
    diesel::sql_query(
        "UPDATE leads SET \
            kind_counts = kind_counts_add(kind_counts, d.kinds), \
            interactions_count = interactions_count + d.total, \
            first_seen_at = LEAST(first_seen_at, d.first), \
            last_interaction_at = GREATEST(last_interaction_at, d.last), updated_at = now() \
         FROM unnest($1, $2, $3, $4, $5) AS d(id, kinds, total, first, last) \
         WHERE leads.id = d.id AND leads.workspace_id = $6",
    )
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<Jsonb>, _>(kinds)
    .bind::<Array<Integer>, _>(totals)
    .bind::<Array<Timestamptz>, _>(firsts)
    .bind::<Array<Timestamptz>, _>(lasts)
    .bind::<BigInt, _>(workspace_id)
    .execute(conn)?;
    Ok(())
}

/// The newest time stored for the account's Activity rows: the collector stops scrolling once it reads
/// rows older than this.
pub fn activity_watermark(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
) -> QueryResult<Option<DateTime<Utc>>> {
    interactions::table
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(interactions::account_id.eq(account_id))
        .filter(interactions::kind.ne(Kind::Message))
        .select(diesel::dsl::max(interactions::occurred_from))
        .first(conn)
}

/// A stored message: its author's handle and display name, and its text.
pub type KnownMessage = (String, Option<String>, Option<String>);

/// Which of the given (name, last message) pairs already have that message stored for the account, so
/// the collector opens only the conversations with something new.
pub fn known_last_messages(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    previews: &[String],
) -> QueryResult<Vec<KnownMessage>> {
    interactions::table
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(interactions::account_id.eq(account_id))
        .filter(interactions::kind.eq(Kind::Message))
        .filter(interactions::text.eq_any(previews))
        .select((
            interactions::actor_handle,
            interactions::actor_display_name,
            interactions::text,
        ))
        .load(conn)
}

/// Puts a handle on the workspace's suppression list (nothing of theirs is stored again).
pub fn suppress(
    conn: &mut PgConnection,
    workspace_id: i64,
    platform: Platform,
    handle: &str,
) -> QueryResult<()> {
    diesel::insert_into(suppressions::table)
        .values((
            suppressions::workspace_id.eq(workspace_id),
            suppressions::platform.eq(platform.as_str()),
            suppressions::handle.eq(handle.to_lowercase()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}
