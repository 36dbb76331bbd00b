//! Admin: the health of every workspace's social accounts (status and reason, failures in a row, syncs
//! and the last sync's error), by default those needing attention. No secret is read.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::queries;
use crate::db::queries::admin::{AccountHealth, HealthFilter};
use crate::domain::account::AccountStatus;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::SiteAdmin;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/admin/accounts.html")]
pub struct AccountsPage {
    ctx: Chrome,
    filter: HealthFilter,
    accounts: Vec<AccountHealth>,
    next: Option<i64>,
}

impl AccountsPage {
    /// The filter's label: a status by its name on the Accounts page, or one of the two groupings.
    fn filter_name(&self, filter: HealthFilter) -> String {
        match filter {
            HealthFilter::Status(status) => self.ctx.t_in("accounts.status", status.as_str()),
            other => self.ctx.t_in("admin.health_filter", other.as_str()),
        }
        .into_owned()
    }

    fn status_name(&self, row: &AccountHealth) -> String {
        self.ctx
            .t_in("accounts.status", row.account.status().as_str())
            .into_owned()
    }

    fn is_active(row: &AccountHealth) -> bool {
        row.account.status() == AccountStatus::Active
    }
}

/// `GET /admin/accounts?status=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (filter, before) = (HealthFilter::parse(&query.status), query.before);
    let accounts = with_db(&state.pool, move |conn| {
        Ok(queries::admin::account_health(
            conn, filter, before, PAGE_SIZE,
        )?)
    })
    .await?;
    let next = next_cursor(accounts.len(), accounts.last().map(|a| a.account.id));
    render::html(
        StatusCode::OK,
        &AccountsPage {
            ctx: admin.chrome,
            filter,
            accounts,
            next,
        },
    )
}
