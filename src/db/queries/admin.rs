//! Queries for the site admins' operator view that look across workspaces: account health. Only site
//! admins reach them (the `SiteAdmin` extractor); they read no secret.

use diesel::prelude::*;

use crate::db::models::{SocialAccount, SyncRun};
use crate::db::schema::{social_accounts, sync_runs, workspaces};
use crate::domain::account::AccountStatus;

/// Which accounts the health list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HealthFilter {
    /// Not active, or active with failed syncs in a row.
    #[default]
    Attention,
    All,
    Status(AccountStatus),
}

impl HealthFilter {
    /// Every choice, in the order the filter offers them.
    pub const ALL: [HealthFilter; 7] = [
        HealthFilter::Attention,
        HealthFilter::All,
        HealthFilter::Status(AccountStatus::Expired),
        HealthFilter::Status(AccountStatus::Blocked),
        HealthFilter::Status(AccountStatus::Failing),
        HealthFilter::Status(AccountStatus::Disconnected),
        HealthFilter::Status(AccountStatus::Active),
    ];

    /// The filter named `input` in a URL; anything else is the default, "needing attention".
    #[must_use]
    pub fn parse(input: &str) -> Self {
        match input.trim() {
            "all" => HealthFilter::All,
            other => {
                AccountStatus::parse(other).map_or(HealthFilter::Attention, HealthFilter::Status)
            }
        }
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            HealthFilter::Attention => "attention",
            HealthFilter::All => "all",
            HealthFilter::Status(status) => status.as_str(),
        }
    }
}

/// One account's health: the account, its workspace's name, and its latest sync run.
#[derive(Debug, Clone)]
pub struct AccountHealth {
    pub account: SocialAccount,
    pub workspace: String,
    pub last_run: Option<SyncRun>,
}

/// A page of accounts across every workspace, newest first; `before_id` is the keyset cursor.
pub fn account_health(
    conn: &mut PgConnection,
    filter: HealthFilter,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AccountHealth>> {
    let mut query = social_accounts::table
        .inner_join(workspaces::table)
        .order(social_accounts::id.desc())
        .limit(limit)
        .select((SocialAccount::as_select(), workspaces::name))
        .into_boxed();
    query = match filter {
        HealthFilter::Attention => query.filter(
            social_accounts::status
                .ne(AccountStatus::Active.as_str())
                .or(social_accounts::consecutive_failures.gt(0)),
        ),
        HealthFilter::All => query,
        HealthFilter::Status(status) => query.filter(social_accounts::status.eq(status.as_str())),
    };
    if let Some(before) = before_id {
        query = query.filter(social_accounts::id.lt(before));
    }
    let accounts: Vec<(SocialAccount, String)> = query.load(conn)?;
    let ids: Vec<i64> = accounts.iter().map(|(a, _)| a.id).collect();
    let mut runs: Vec<SyncRun> = sync_runs::table
        .filter(sync_runs::account_id.eq_any(&ids))
        .distinct_on(sync_runs::account_id)
        .order((sync_runs::account_id, sync_runs::started_at.desc()))
        .select(SyncRun::as_select())
        .load(conn)?;
    Ok(accounts
        .into_iter()
        .map(|(account, workspace)| {
            let last_run = runs
                .iter()
                .position(|r| r.account_id == account.id)
                .map(|i| runs.swap_remove(i));
            AccountHealth {
                account,
                workspace,
                last_run,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_reads_back_from_its_name_and_anything_else_needs_attention() {
        for filter in HealthFilter::ALL {
            assert_eq!(HealthFilter::parse(filter.as_str()), filter);
        }
        assert_eq!(HealthFilter::parse("nonsense"), HealthFilter::Attention);
        assert_eq!(HealthFilter::parse(""), HealthFilter::Attention);
    }
}
