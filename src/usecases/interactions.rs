//! The Interactions list: one page of what was collected from the workspace's accounts, with the
//! accounts its filter offers; an account filter naming none of the workspace's accounts is left out.

use crate::db::DbPool;
use crate::db::queries::interaction_list::{self, AccountChoice, Filters, Page};
use crate::domain::cursor::Cursor;
use crate::error::AppError;
use crate::error::with_db;

/// What one request reads: the accounts for the filter, the filters as applied and the page of rows.
pub struct Listing {
    pub accounts: Vec<AccountChoice>,
    pub filters: Filters,
    pub page: Page,
    /// The account filter named none of the workspace's accounts and was left out.
    pub unknown_account: bool,
}

/// The accounts and the page `filters` ask for from `before`, in one round trip.
///
/// # Errors
/// When the database cannot be reached.
pub async fn list(
    pool: &DbPool,
    workspace_id: i64,
    mut filters: Filters,
    before: Option<Cursor>,
) -> Result<Listing, AppError> {
    with_db(pool, move |conn| {
        let accounts = interaction_list::accounts(conn, workspace_id)?;
        let unknown_account = filters
            .account_id
            .is_some_and(|id| !accounts.iter().any(|account| account.id == id));
        if unknown_account {
            filters.account_id = None;
        }
        let page = interaction_list::page(conn, workspace_id, &filters, before)?;
        Ok(Listing {
            accounts,
            filters,
            page,
            unknown_account,
        })
    })
    .await
}
