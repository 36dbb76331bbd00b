//! The Accounts page: connected accounts with their status, connecting by pasted cookies, check now,
//! reconnect and disconnect. Owners and admins change accounts; members see them. The flows are the
//! use cases of `usecases::accounts`; the platform a pasted session connects to comes from the registry.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::{SocialAccount, SyncRun};
use crate::domain::account::AccountStatus;
use crate::domain::platform::Platform;
use crate::error::AppError;
use crate::platforms::{self, Connection};
use crate::state::AppState;
use crate::usecases::accounts::{self, Refusal};
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FlashKind};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CookiesForm {
    pub cookies: String,
}

#[derive(Template)]
#[template(path = "pages/accounts/index.html")]
pub struct AccountsPage {
    ctx: Chrome,
    accounts: Vec<SocialAccount>,
    /// The latest sync of each account.
    runs: Vec<SyncRun>,
    can_manage: bool,
    /// The error of the connect form, if it was just refused.
    connect_error: Option<String>,
    /// The account whose reconnect form was refused, with the message.
    reconnect_error: Option<(i64, String)>,
    /// The account whose reconnect form opens at once (`?reconnect=ID`, the expiry email's link).
    reconnect: Option<i64>,
    demo_login_url: Option<String>,
    /// The variables to set before Instagram can be connected (none when it can).
    instagram_missing: Vec<&'static str>,
    /// The name of the platform the paste and QR forms connect.
    pasted_name: &'static str,
}

impl AccountsPage {
    fn status_name(&self, account: &SocialAccount) -> String {
        self.ctx
            .t_in("accounts.status", account.status().as_str())
            .into_owned()
    }

    fn is_active(account: &SocialAccount) -> bool {
        account.status() == AccountStatus::Active
    }

    /// Whether the reconnect form of `account_id` starts open.
    fn reconnect_open(&self, account_id: i64) -> bool {
        self.reconnect == Some(account_id)
            || self
                .reconnect_error
                .as_ref()
                .is_some_and(|(id, _)| *id == account_id)
    }

    /// The expired accounts, for the banner.
    fn expired(&self) -> Vec<&SocialAccount> {
        self.accounts
            .iter()
            .filter(|a| a.status() == AccountStatus::Expired)
            .collect()
    }

    fn run_of(&self, account_id: i64) -> Option<SyncRun> {
        self.runs
            .iter()
            .find(|r| r.account_id == account_id)
            .cloned()
    }
}

async fn page(
    state: &AppState,
    member: InWorkspace,
    connect_error: Option<String>,
    reconnect_error: Option<(i64, String)>,
) -> Result<AccountsPage, AppError> {
    let (accounts, runs) = accounts::overview(state, member.workspace.id).await?;
    let demo_login_url = state
        .settings
        .demo
        .then(pasted_platform)
        .transpose()?
        .map(|platform| platforms::login_url(&state.settings.platforms, platform));
    Ok(AccountsPage {
        ctx: member.chrome,
        accounts,
        runs,
        reconnect: None,
        can_manage: member.role.manages_members(),
        connect_error,
        reconnect_error,
        demo_login_url,
        instagram_missing: state.settings.platforms.instagram.missing(),
        pasted_name: pasted_platform()?.name(),
    })
}

/// The platform the paste form connects: the registry's first that connects by pasted session.
fn pasted_platform() -> Result<Platform, AppError> {
    platforms::connecting_via(Connection::PastedSession).ok_or(AppError::NotFound)
}

/// The workspace's account `id`, or 404.
pub(super) async fn account(
    state: &AppState,
    member: &InWorkspace,
    id: i64,
) -> Result<SocialAccount, AppError> {
    accounts::find(state, member.workspace.id, id).await
}

fn refused_status(refusal: &Refusal) -> StatusCode {
    if *refusal == Refusal::BrowserUnavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// `GET /w/{slug}/accounts`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IndexQuery {
    /// An account id whose reconnect form opens (a non-number is ignored).
    pub reconnect: String,
}

/// `GET /w/{slug}/accounts[?reconnect=ID]`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
    query: web::Query<IndexQuery>,
) -> Result<HttpResponse, AppError> {
    let mut page = page(&state, member, None, None).await?;
    page.reconnect = query.reconnect.parse().ok();
    render::html(StatusCode::OK, &page)
}

/// `POST /w/{slug}/accounts`: connect an account from pasted cookies.
pub async fn connect(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<CookiesForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    match accounts::connect_with_cookies(
        &state,
        pasted_platform()?,
        member.workspace.id,
        member.user.id,
        &member.ip,
        &form.cookies,
    )
    .await?
    {
        Ok(account) => {
            render::flash(
                &member.session,
                FlashKind::Success,
                member.chrome.t_with(
                    "accounts.connected",
                    "handle",
                    &format!("@{}", account.handle),
                ),
            );
            Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")))
        }
        Err(refusal) => {
            let message = refusal.message(member.chrome.lang);
            render::html(
                refused_status(&refusal),
                &page(&state, member, Some(message), None).await?,
            )
        }
    }
}

/// `POST /w/{slug}/accounts/{id}/check`
pub async fn check(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let account = account(&state, &member, path.into_inner().1).await?;
    let Ok(status) = accounts::check_now(&state, &account).await? else {
        let text = member.chrome.t_with(
            "accounts.check_busy",
            "handle",
            &format!("@{}", account.handle),
        );
        render::flash(&member.session, FlashKind::Error, text);
        return Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")));
    };
    let (kind, key) = if status == AccountStatus::Active {
        (FlashKind::Success, "accounts.check_active")
    } else {
        (FlashKind::Error, "accounts.check_not_active")
    };
    let text = member
        .chrome
        .t_with(key, "handle", &format!("@{}", account.handle))
        .replace(
            "%{status}",
            &member.chrome.t_in("accounts.status", status.as_str()),
        );
    render::flash(&member.session, kind, text);
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")))
}

/// `POST /w/{slug}/accounts/{id}/reconnect`: new cookies for the same account.
pub async fn reconnect(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
    form: web::Form<CookiesForm>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let account = account(&state, &member, path.into_inner().1).await?;
    if let Some(refusal) = accounts::reconnect_with_cookies(
        &state,
        &account,
        member.user.id,
        &member.ip,
        &form.cookies,
    )
    .await?
    {
        let message = refusal.message(member.chrome.lang);
        return render::html(
            refused_status(&refusal),
            &page(&state, member, None, Some((account.id, message))).await?,
        );
    }
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t_with(
            "accounts.reconnected",
            "handle",
            &format!("@{}", account.handle),
        ),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")))
}

/// `POST /w/{slug}/accounts/{id}/disconnect`: deletes the credentials; the history stays.
pub async fn disconnect(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    member.require_manager()?;
    let account = account(&state, &member, path.into_inner().1).await?;
    accounts::disconnect(&state, &account, member.user.id, &member.ip).await?;
    render::flash(
        &member.session,
        FlashKind::Success,
        member.chrome.t_with(
            "accounts.disconnected",
            "handle",
            &format!("@{}", account.handle),
        ),
    );
    Ok(render::redirect(htmx.0, &member.chrome.ws_url("accounts")))
}
