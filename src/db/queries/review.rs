//! The Review page's reads and writes: pending drafts with their lead's context, edits, rejections,
//! approvals within each account's quota (counted in `quota_usage` under a lock on the account, so two
//! approvals racing for the last slot cannot both win), the approved drafts waiting to be sent by hand,
//! and marking them sent.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::queries::{counts, leads};
use crate::db::schema::suggested_messages as drafts;
use crate::db::schema::{interactions, leads as leads_table, quota_usage, social_accounts};
use crate::domain::contact::Intent;
use crate::domain::draft::{DraftStatus, SentVia};
use crate::domain::interaction::Kind;
use crate::domain::lead_status::LeadStatus;
use crate::domain::lead_type::LeadType;
use crate::domain::platform::Platform;
use crate::domain::quota::{self, Allowance, Quota};
use crate::i18n::Lang;

/// The most pending drafts the page shows at once.
pub const PAGE_SIZE: i64 = 50;

/// A draft waiting for review, with what the reviewer needs to judge it.
#[derive(Debug, Clone)]
pub struct PendingDraft {
    pub id: i64,
    pub body: String,
    pub language: Lang,
    pub created_at: DateTime<Utc>,
    pub lead_id: i64,
    pub handle: String,
    pub display_name: Option<String>,
    pub platform: Platform,
    pub lead_type: Option<LeadType>,
    pub score: i16,
    pub intent: Option<Intent>,
    /// What the lead wrote most recently (comments and messages), newest first.
    pub wrote: Vec<String>,
}

/// A pending draft with its lead, as read (in the order of `pending`'s select), before the lead's
/// latest words are added.
#[derive(Queryable)]
struct PendingRow {
    id: i64,
    body: String,
    language: Lang,
    created_at: DateTime<Utc>,
    lead_id: i64,
    handle: String,
    display_name: Option<String>,
    platform: Platform,
    lead_type: Option<LeadType>,
    score: i16,
    intent: Option<Intent>,
}

/// How many of a lead's latest words the review shows.
const WORDS_SHOWN: i64 = 3;

#[derive(QueryableByName)]
struct Said {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    lead_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// The latest `WORDS_SHOWN` comments, messages and mentions (`Kind::carries_text`) of each lead, newest
/// first, their own words only (not the creator's replies): one index walk per lead, however much they
/// wrote.
fn latest_words(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_ids: &[i64],
) -> QueryResult<Vec<Said>> {
    let said: Vec<String> = Kind::ALL
        .into_iter()
        .filter(|k| k.carries_text())
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    diesel::sql_query(format!(
        "SELECT l.id AS lead_id, w.text FROM unnest($1::bigint[]) AS l(id) \
         CROSS JOIN LATERAL (SELECT i.text, i.occurred_at FROM interactions i \
           WHERE i.workspace_id = $2 AND i.lead_id = l.id AND i.text IS NOT NULL \
             AND i.kind IN ({kinds}) AND {counted} \
           ORDER BY i.occurred_at DESC LIMIT $3) w \
         ORDER BY l.id, w.occurred_at DESC",
        kinds = said.join(", "),
        counted = counts::counted_sql("i"),
    ))
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(lead_ids)
    .bind::<diesel::sql_types::BigInt, _>(workspace_id)
    .bind::<diesel::sql_types::BigInt, _>(WORDS_SHOWN)
    .load(conn)
}

/// How many of the workspace's drafts wait for review.
pub fn pending_count(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<i64> {
    drafts::table
        .filter(drafts::workspace_id.eq(workspace_id))
        .filter(drafts::status.eq(DraftStatus::Pending))
        .count()
        .get_result(conn)
}

/// The workspace's pending drafts, highest score first, at most `PAGE_SIZE` (only draft `only` when
/// given).
pub fn pending(
    conn: &mut PgConnection,
    workspace_id: i64,
    only: Option<i64>,
) -> QueryResult<Vec<PendingDraft>> {
    let mut query = drafts::table
        .inner_join(leads_table::table)
        .filter(drafts::workspace_id.eq(workspace_id))
        .filter(leads_table::workspace_id.eq(workspace_id))
        .filter(drafts::status.eq(DraftStatus::Pending))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(drafts::id.eq(id));
    }
    let rows: Vec<PendingRow> = query
        .order((leads_table::score.desc(), drafts::id.asc()))
        .limit(PAGE_SIZE)
        .select((
            drafts::id,
            drafts::body,
            drafts::language,
            drafts::created_at,
            leads_table::id,
            leads_table::handle,
            leads_table::display_name,
            leads_table::platform,
            leads_table::lead_type,
            leads_table::score,
            leads_table::intent,
        ))
        .load(conn)?;
    let lead_ids: Vec<i64> = rows.iter().map(|r| r.lead_id).collect();
    let mut words: HashMap<i64, Vec<String>> = HashMap::new();
    for said in latest_words(conn, workspace_id, &lead_ids)? {
        words.entry(said.lead_id).or_default().push(said.text);
    }
    let list = rows
        .into_iter()
        .map(|r| PendingDraft {
            wrote: words.remove(&r.lead_id).unwrap_or_default(),
            id: r.id,
            body: r.body,
            language: r.language,
            created_at: r.created_at,
            lead_id: r.lead_id,
            handle: r.handle,
            display_name: r.display_name,
            platform: r.platform,
            lead_type: r.lead_type,
            score: r.score,
            intent: r.intent,
        })
        .collect();
    Ok(list)
}

/// Whether `id` is one of the workspace's drafts (in any status).
pub fn exists(conn: &mut PgConnection, workspace_id: i64, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq(id)),
    ))
    .get_result(conn)
}

/// Replaces the text of the workspace's pending draft `id`; `false` when there is no such draft (or it
/// is no longer pending).
pub fn edit(conn: &mut PgConnection, workspace_id: i64, id: i64, body: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq(id))
            .filter(drafts::status.eq(DraftStatus::Pending)),
    )
    .set((drafts::body.eq(body), drafts::edited_at.eq(Utc::now())))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Rejects the workspace's pending drafts among `ids`; answers how many.
pub fn reject(
    conn: &mut PgConnection,
    workspace_id: i64,
    ids: &[i64],
    by: i64,
) -> QueryResult<usize> {
    diesel::update(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq_any(ids))
            .filter(drafts::status.eq(DraftStatus::Pending)),
    )
    .set((
        drafts::status.eq(DraftStatus::Rejected),
        drafts::reviewed_by.eq(by),
        drafts::reviewed_at.eq(Utc::now()),
    ))
    .execute(conn)
}

/// Why a draft was not approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The account it would be sent from has no slot left; one opens at that time (never, with a
    /// quota of 0).
    QuotaFull {
        account_handle: String,
        next_slot: Option<DateTime<Utc>>,
    },
    /// The lead has no interaction left to tell which account to send from.
    NoAccount,
}

/// What an approval did.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    pub approved: Vec<i64>,
    pub refused: Vec<(i64, Refusal)>,
}

/// The account each lead last interacted with (the one a message to them is sent from).
fn sending_accounts(
    conn: &mut PgConnection,
    workspace_id: i64,
    lead_ids: &[i64],
) -> QueryResult<HashMap<i64, i64>> {
    let pairs: Vec<(i64, i64)> = interactions::table
        .filter(interactions::workspace_id.eq(workspace_id))
        .filter(interactions::lead_id.eq_any(lead_ids))
        .distinct_on(interactions::lead_id)
        .order((
            interactions::lead_id,
            interactions::occurred_at.desc(),
            interactions::id.desc(),
        ))
        .select((interactions::lead_id, interactions::account_id))
        .load(conn)?;
    Ok(pairs.into_iter().collect())
}

/// The times of the account's approvals in the day before `now`.
fn usage(
    conn: &mut PgConnection,
    account_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<Vec<DateTime<Utc>>> {
    quota_usage::table
        .filter(quota_usage::account_id.eq(account_id))
        .filter(quota_usage::used_at.gt(now - Duration::days(1)))
        .select(quota_usage::used_at)
        .load(conn)
}

/// Approves the workspace's pending drafts among `ids`, as many as each sending account's quota allows
/// at `now` (in the order of `ids`); the others stay pending and say why. Call it inside a transaction:
/// the account rows are locked until it ends, so concurrent approvals count each other's.
pub fn approve(
    conn: &mut PgConnection,
    workspace_id: i64,
    ids: &[i64],
    by: i64,
    limits: Quota,
    now: DateTime<Utc>,
) -> QueryResult<Approval> {
    let mut pending: Vec<(i64, i64)> = drafts::table
        .filter(drafts::workspace_id.eq(workspace_id))
        .filter(drafts::id.eq_any(ids))
        .filter(drafts::status.eq(DraftStatus::Pending))
        .order(drafts::id)
        .for_update()
        .select((drafts::id, drafts::lead_id))
        .load(conn)?;
    pending.sort_by_key(|(id, _)| ids.iter().position(|i| i == id));
    let lead_ids: Vec<i64> = pending.iter().map(|(_, lead)| *lead).collect();
    let accounts = sending_accounts(conn, workspace_id, &lead_ids)?;
    let mut by_account: Vec<(i64, Vec<i64>)> = Vec::new();
    let mut outcome = Approval::default();
    for (draft_id, lead_id) in pending {
        match accounts.get(&lead_id) {
            Some(account) => match by_account.iter_mut().find(|(a, _)| a == account) {
                Some((_, list)) => list.push(draft_id),
                None => by_account.push((*account, vec![draft_id])),
            },
            None => outcome.refused.push((draft_id, Refusal::NoAccount)),
        }
    }
    // Always lock accounts in the same order, so two batches cannot wait on each other.
    by_account.sort_by_key(|(account, _)| *account);
    for (account_id, draft_ids) in by_account {
        let account_handle: String = social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(account_id))
            .for_update()
            .select(social_accounts::handle)
            .first(conn)?;
        let mut used = usage(conn, account_id, now)?;
        let left = quota::allowance(limits, &used, now).left;
        let take = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(draft_ids.len());
        let (approved, refused) = draft_ids.split_at(take);
        if !approved.is_empty() {
            diesel::update(drafts::table.filter(drafts::id.eq_any(approved)))
                .set((
                    drafts::status.eq(DraftStatus::Approved),
                    drafts::account_id.eq(account_id),
                    drafts::approved_at.eq(now),
                    drafts::reviewed_by.eq(by),
                    drafts::reviewed_at.eq(now),
                ))
                .execute(conn)?;
            let rows: Vec<_> = approved
                .iter()
                .map(|id| {
                    (
                        quota_usage::workspace_id.eq(workspace_id),
                        quota_usage::account_id.eq(account_id),
                        quota_usage::message_id.eq(*id),
                        quota_usage::used_at.eq(now),
                    )
                })
                .collect();
            diesel::insert_into(quota_usage::table)
                .values(&rows)
                .execute(conn)?;
            used.extend(std::iter::repeat_n(now, approved.len()));
            outcome.approved.extend_from_slice(approved);
        }
        if !refused.is_empty() {
            let next_slot = quota::allowance(limits, &used, now).next_slot;
            for id in refused {
                let refusal = Refusal::QuotaFull {
                    account_handle: account_handle.clone(),
                    next_slot,
                };
                outcome.refused.push((*id, refusal));
            }
        }
    }
    Ok(outcome)
}

/// An account's quota as the page shows it.
#[derive(Debug, Clone)]
pub struct AccountQuota {
    pub account_id: i64,
    pub handle: String,
    pub platform: Platform,
    pub allowance: Allowance,
}

/// Each of the workspace's accounts (a disconnected one too: its leads' drafts are still sent from it by
/// hand) with what its quota allows at `now`.
pub fn quotas(
    conn: &mut PgConnection,
    workspace_id: i64,
    limits: Quota,
    now: DateTime<Utc>,
) -> QueryResult<Vec<AccountQuota>> {
    let accounts: Vec<(i64, String, Platform)> = social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .order((social_accounts::platform, social_accounts::handle))
        .select((
            social_accounts::id,
            social_accounts::handle,
            social_accounts::platform,
        ))
        .load(conn)?;
    let ids: Vec<i64> = accounts.iter().map(|(id, _, _)| *id).collect();
    let used: Vec<(i64, DateTime<Utc>)> = quota_usage::table
        .filter(quota_usage::workspace_id.eq(workspace_id))
        .filter(quota_usage::account_id.eq_any(&ids))
        .filter(quota_usage::used_at.gt(now - Duration::days(1)))
        .select((quota_usage::account_id, quota_usage::used_at))
        .load(conn)?;
    Ok(accounts
        .into_iter()
        .map(|(account_id, handle, platform)| {
            let times: Vec<DateTime<Utc>> = used
                .iter()
                .filter(|(a, _)| *a == account_id)
                .map(|(_, at)| *at)
                .collect();
            AccountQuota {
                account_id,
                handle,
                platform,
                allowance: quota::allowance(limits, &times, now),
            }
        })
        .collect())
}

/// An approved draft waiting to be sent by hand.
#[derive(Debug, Clone, Queryable)]
pub struct ReadyDraft {
    pub id: i64,
    pub body: String,
    pub approved_at: Option<DateTime<Utc>>,
    pub lead_id: i64,
    pub handle: String,
    pub display_name: Option<String>,
    pub platform: Platform,
    /// The account to send it from.
    pub account_handle: Option<String>,
}

/// The workspace's approved drafts not yet marked sent, oldest approval first; only `ids` when given.
pub fn ready(
    conn: &mut PgConnection,
    workspace_id: i64,
    only: Option<&[i64]>,
) -> QueryResult<Vec<ReadyDraft>> {
    let mut query = drafts::table
        .inner_join(leads_table::table)
        .left_join(social_accounts::table)
        .filter(drafts::workspace_id.eq(workspace_id))
        .filter(leads_table::workspace_id.eq(workspace_id))
        .filter(drafts::status.eq(DraftStatus::Approved))
        .into_boxed();
    if let Some(ids) = only {
        query = query.filter(drafts::id.eq_any(ids.to_vec()));
    }
    query
        .order((drafts::approved_at.asc(), drafts::id.asc()))
        .limit(200)
        .select((
            drafts::id,
            drafts::body,
            drafts::approved_at,
            leads_table::id,
            leads_table::handle,
            leads_table::display_name,
            leads_table::platform,
            social_accounts::handle.nullable(),
        ))
        .load(conn)
}

/// Marks the workspace's approved draft `id` as sent, and its lead, if still new, as contacted (with
/// the change recorded). `false` when there is no such approved draft. Call it inside a transaction.
pub fn mark_sent(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    by: i64,
) -> QueryResult<bool> {
    let lead_id: Option<i64> = diesel::update(
        drafts::table
            .filter(drafts::workspace_id.eq(workspace_id))
            .filter(drafts::id.eq(id))
            .filter(drafts::status.eq(DraftStatus::Approved)),
    )
    .set((
        drafts::status.eq(DraftStatus::Sent),
        drafts::sent_at.eq(Utc::now()),
        drafts::sent_via.eq(SentVia::Hand),
        drafts::send_started_at.eq(None::<DateTime<Utc>>),
    ))
    .returning(drafts::lead_id)
    .get_result(conn)
    .optional()?;
    let Some(lead_id) = lead_id else {
        return Ok(false);
    };
    let still_new: bool = diesel::select(diesel::dsl::exists(
        leads_table::table
            .filter(leads_table::workspace_id.eq(workspace_id))
            .filter(leads_table::id.eq(lead_id))
            .filter(leads_table::status.eq(LeadStatus::New.as_str())),
    ))
    .get_result(conn)?;
    if still_new {
        leads::set_status(
            conn,
            workspace_id,
            &[lead_id],
            LeadStatus::Contacted,
            Some(by),
        )?;
    }
    Ok(true)
}
