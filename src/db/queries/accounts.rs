//! Queries on connected social accounts and their sealed secrets, always within one workspace.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::crypto::{Purpose, Sealed};
use crate::db::models::{AccountCheck, AccountSecret, NewSocialAccount, SocialAccount};
use crate::db::schema::{account_secrets, social_accounts};
use crate::domain::account::{AccountStatus, ConnectedVia};
use crate::domain::platform::Platform;

pub fn list(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Vec<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .order((
            social_accounts::platform.asc(),
            social_accounts::handle.asc(),
        ))
        .select(SocialAccount::as_select())
        .load(conn)
}

/// The workspace's account `id`; `None` when it is another workspace's (the caller answers 404).
pub fn find(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
) -> QueryResult<Option<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .filter(social_accounts::id.eq(id))
        .select(SocialAccount::as_select())
        .first(conn)
        .optional()
}

/// The connected accounts of `platform` whose platform ids are among `ids`, in every workspace: a
/// webhook delivery names the account by the platform's id, and each workspace that connected it gets
/// its events. Disconnected accounts are left out.
pub fn by_external_ids(
    conn: &mut PgConnection,
    platform: Platform,
    ids: &[&str],
) -> QueryResult<Vec<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::platform.eq(platform))
        .filter(social_accounts::external_id.eq_any(ids))
        .filter(social_accounts::status.ne(AccountStatus::Disconnected))
        .select(SocialAccount::as_select())
        .load(conn)
}

/// The active accounts of `platform`, in every workspace, oldest first: the scheduled passes that read
/// each connected account (the Instagram backfill) go through them one by one.
pub fn active_of(conn: &mut PgConnection, platform: Platform) -> QueryResult<Vec<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::platform.eq(platform))
        .filter(social_accounts::status.eq(AccountStatus::Active))
        .order(social_accounts::id.asc())
        .select(SocialAccount::as_select())
        .load(conn)
}

/// The workspace's account of `platform` with the platform's id `external_id`, whatever its status.
pub fn find_by_external_id(
    conn: &mut PgConnection,
    workspace_id: i64,
    platform: Platform,
    external_id: &str,
) -> QueryResult<Option<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .filter(social_accounts::platform.eq(platform))
        .filter(social_accounts::external_id.eq(external_id))
        .select(SocialAccount::as_select())
        .first(conn)
        .optional()
}

/// The OAuth accounts of `platform`, in every workspace, whose token is due for a refresh: still in use
/// (active or failing), refreshed last before `refreshed_before` (or never) and expiring before
/// `expiring_before`, or already past its expiry whatever its age. Soonest expiry first, at most
/// `limit`. A job refreshes them for every workspace, as a webhook names accounts across workspaces.
pub fn tokens_due(
    conn: &mut PgConnection,
    platform: Platform,
    refreshed_before: DateTime<Utc>,
    expiring_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::platform.eq(platform))
        .filter(social_accounts::connected_via.eq(ConnectedVia::OAuth))
        .filter(social_accounts::status.eq_any([AccountStatus::Active, AccountStatus::Failing]))
        .filter(social_accounts::session_expires_at.le(expiring_before))
        .filter(
            social_accounts::token_refreshed_at
                .le(refreshed_before)
                .or(social_accounts::token_refreshed_at.is_null())
                .or(social_accounts::session_expires_at.le(now)),
        )
        .order((
            social_accounts::session_expires_at.asc(),
            social_accounts::id.asc(),
        ))
        .limit(limit)
        .select(SocialAccount::as_select())
        .load(conn)
}

/// The workspace's account `id`, locked until the transaction ends (a refresh and a disconnection
/// must not cross).
pub fn find_for_update(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
) -> QueryResult<Option<SocialAccount>> {
    social_accounts::table
        .filter(social_accounts::workspace_id.eq(workspace_id))
        .filter(social_accounts::id.eq(id))
        .select(SocialAccount::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Records a token's new expiry after a refresh or a new consent.
pub fn set_token_refreshed(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(id)),
    )
    .set((
        social_accounts::session_expires_at.eq(expires_at),
        social_accounts::token_refreshed_at.eq(now),
        social_accounts::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Inserts an account; `None` when the workspace already has this handle on this platform.
pub fn insert(
    conn: &mut PgConnection,
    new: &NewSocialAccount<'_>,
) -> QueryResult<Option<SocialAccount>> {
    // The unique index on (workspace, platform, lower(handle)) decides, race-free.
    diesel::insert_into(social_accounts::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(SocialAccount::as_returning())
        .get_result(conn)
        .optional()
}

pub fn record_check(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    check: &AccountCheck,
) -> QueryResult<usize> {
    diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(id)),
    )
    .set(check)
    .execute(conn)
}

pub fn set_session_expiry(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    expires: Option<DateTime<Utc>>,
) -> QueryResult<usize> {
    diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(id)),
    )
    .set(social_accounts::session_expires_at.eq(expires))
    .execute(conn)
}

pub fn set_display_name(
    conn: &mut PgConnection,
    workspace_id: i64,
    id: i64,
    display_name: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(
        social_accounts::table
            .filter(social_accounts::workspace_id.eq(workspace_id))
            .filter(social_accounts::id.eq(id)),
    )
    .set(social_accounts::display_name.eq(display_name))
    .execute(conn)
}

/// Stores (or replaces) a sealed secret of the workspace's account.
pub fn store_secret(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    purpose: Purpose,
    sealed: &Sealed,
) -> QueryResult<usize> {
    let row = AccountSecret {
        account_id,
        workspace_id,
        purpose: purpose.as_str().to_owned(),
        key_id: sealed.key_id.clone(),
        nonce: sealed.nonce.clone(),
        ciphertext: sealed.ciphertext.clone(),
        updated_at: Utc::now(),
    };
    diesel::insert_into(account_secrets::table)
        .values(&row)
        .on_conflict((account_secrets::account_id, account_secrets::purpose))
        .do_update()
        .set(&row)
        .execute(conn)
}

pub fn secret(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
    purpose: Purpose,
) -> QueryResult<Option<AccountSecret>> {
    account_secrets::table
        .filter(account_secrets::workspace_id.eq(workspace_id))
        .filter(account_secrets::account_id.eq(account_id))
        .filter(account_secrets::purpose.eq(purpose.as_str()))
        .select(AccountSecret::as_select())
        .first(conn)
        .optional()
}

pub fn delete_secrets(
    conn: &mut PgConnection,
    workspace_id: i64,
    account_id: i64,
) -> QueryResult<usize> {
    diesel::delete(
        account_secrets::table
            .filter(account_secrets::workspace_id.eq(workspace_id))
            .filter(account_secrets::account_id.eq(account_id)),
    )
    .execute(conn)
}

/// Every secret sealed with another key than `current_key_id` (for rotation).
pub fn secrets_not_under(
    conn: &mut PgConnection,
    current_key_id: &str,
) -> QueryResult<Vec<AccountSecret>> {
    account_secrets::table
        .filter(account_secrets::key_id.ne(current_key_id))
        .order((
            account_secrets::account_id.asc(),
            account_secrets::purpose.asc(),
        ))
        .select(AccountSecret::as_select())
        .load(conn)
}
