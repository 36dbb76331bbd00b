//! Instagram's consent screen and token endpoints, as the contract has them: the authorize page with
//! Allow / Deny, the code exchange, the long-lived exchange and the refresh.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use url::Url;

use super::super::pages::html;
use super::super::state::DemoNetwork;
use super::errors::GraphError;
use super::state::{LONG_LIVED_SECONDS, TokenKind};
use super::world::{ACCOUNTS, Account};
use crate::platforms::instagram::{DEMO_APP_ID, DEMO_APP_SECRET, SCOPES};

type Network = web::Data<DemoNetwork>;

/// The authorize request, as a query (the page) or a form (the decision).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: Option<String>,
    pub username: String,
    pub decision: String,
}

/// Why an authorize request is refused (an error page, never a redirect).
#[derive(Debug, Clone, Copy)]
enum Refusal {
    UnknownApp,
    RedirectUri,
    ResponseType,
    Scope,
    UnknownAccount,
}

impl Refusal {
    fn text(self, french: bool) -> &'static str {
        match (self, french) {
            (Refusal::UnknownApp, false) => "Invalid platform app: client_id is not a known app.",
            (Refusal::UnknownApp, true) => {
                "Application invalide : client_id ne correspond à aucune application."
            }
            (Refusal::RedirectUri, false) => {
                "redirect_uri is missing or is not an http(s) address."
            }
            (Refusal::RedirectUri, true) => "redirect_uri manque ou n'est pas une adresse http(s).",
            (Refusal::ResponseType, false) => "response_type must be code.",
            (Refusal::ResponseType, true) => "response_type doit valoir code.",
            (Refusal::Scope, false) => "scope must be the three instagram_business_* permissions.",
            (Refusal::Scope, true) => {
                "scope doit contenir les trois permissions instagram_business_*."
            }
            (Refusal::UnknownAccount, false) => "Choose one of the demo accounts.",
            (Refusal::UnknownAccount, true) => "Choisissez un des comptes de démo.",
        }
    }
}

fn check(request: &AuthorizeRequest) -> Result<Url, Refusal> {
    if request.client_id != DEMO_APP_ID {
        return Err(Refusal::UnknownApp);
    }
    let redirect = Url::parse(&request.redirect_uri)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or(Refusal::RedirectUri)?;
    if request.response_type != "code" {
        return Err(Refusal::ResponseType);
    }
    let mut asked: Vec<&str> = request
        .scope
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .collect();
    asked.sort_unstable();
    asked.dedup();
    let mut needed: Vec<&str> = SCOPES.split(',').collect();
    needed.sort_unstable();
    if asked != needed {
        return Err(Refusal::Scope);
    }
    Ok(redirect)
}

struct Choice {
    username: &'static str,
    name: &'static str,
    account_type: &'static str,
}

#[derive(Template)]
#[template(path = "demo/instagram/authorize.html")]
struct AuthorizePage {
    french: bool,
    request: AuthorizeRequest,
    accounts: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "demo/instagram/error.html")]
struct ErrorPage {
    french: bool,
    reason: &'static str,
}

fn refused(network: &DemoNetwork, refusal: Refusal) -> HttpResponse {
    let french = network.french();
    let mut response = html(&ErrorPage {
        french,
        reason: refusal.text(french),
    });
    *response.status_mut() = actix_web::http::StatusCode::BAD_REQUEST;
    response
}

/// `GET /instagram/oauth/authorize`: the consent screen.
pub async fn authorize(network: Network, query: web::Query<AuthorizeRequest>) -> HttpResponse {
    if let Err(refusal) = check(&query) {
        return refused(&network, refusal);
    }
    let accounts = ACCOUNTS
        .iter()
        .map(|a| Choice {
            username: a.username(),
            name: a.creator().nickname,
            account_type: a.account_type,
        })
        .collect();
    html(&AuthorizePage {
        french: network.french(),
        request: query.into_inner(),
        accounts,
    })
}

/// `POST /instagram/oauth/authorize`: Allow sends a code back, Deny the user's refusal.
pub async fn decide(network: Network, form: web::Form<AuthorizeRequest>) -> HttpResponse {
    let mut back = match check(&form) {
        Ok(url) => url,
        Err(refusal) => return refused(&network, refusal),
    };
    let fragment = if form.decision == "allow" {
        let Some(account) = Account::by_username(&form.username) else {
            return refused(&network, Refusal::UnknownAccount);
        };
        let code = network
            .instagram()
            .issue_code(account, &form.client_id, &form.redirect_uri);
        back.query_pairs_mut().append_pair("code", &code);
        Some("_")
    } else {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_reason", "user_denied")
            .append_pair("error_description", "Permissions error");
        None
    };
    if let Some(state) = &form.state {
        back.query_pairs_mut().append_pair("state", state);
    }
    back.set_fragment(fragment);
    HttpResponse::Found()
        .insert_header((header::LOCATION, back.to_string()))
        .finish()
}

fn app_secret(network: &DemoNetwork) -> String {
    network.instagram().config().map_or_else(
        || DEMO_APP_SECRET.to_owned(),
        |c| c.app_secret.expose_secret().to_owned(),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExchangeForm {
    pub client_id: String,
    pub client_secret: String,
    pub grant_type: String,
    pub redirect_uri: String,
    pub code: String,
}

/// `POST /instagram/api/oauth/access_token`: a code for a short-lived token.
pub async fn exchange_code(network: Network, form: web::Form<ExchangeForm>) -> HttpResponse {
    if form.client_id != DEMO_APP_ID || form.client_secret != app_secret(&network) {
        return GraphError::invalid("Invalid client_id or client_secret").response();
    }
    if form.grant_type != "authorization_code" {
        return GraphError::invalid("Unsupported grant_type").response();
    }
    let peer = network.instagram();
    let Some(account) = peer.redeem_code(&form.code, &form.client_id, &form.redirect_uri) else {
        return GraphError::invalid("This authorization code has been used or has expired")
            .response();
    };
    let token = peer.issue_token(account, TokenKind::Short);
    HttpResponse::Ok().json(serde_json::json!({ "data": [{
        "access_token": token,
        "user_id": ACCOUNTS[account].app_scoped_id,
        "permissions": SCOPES,
    }]}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    pub grant_type: String,
    pub client_secret: String,
    pub access_token: String,
}

fn long_lived(network: &DemoNetwork, account: usize) -> HttpResponse {
    let token = network.instagram().issue_token(account, TokenKind::Long);
    HttpResponse::Ok().json(serde_json::json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": LONG_LIVED_SECONDS,
    }))
}

/// `GET /instagram/graph/access_token`: a short-lived token for a long-lived one.
pub async fn exchange_token(network: Network, query: web::Query<TokenQuery>) -> HttpResponse {
    if query.grant_type != "ig_exchange_token" || query.client_secret != app_secret(&network) {
        return GraphError::invalid("Invalid grant_type or client_secret").response();
    }
    match network.instagram().token_owner(&query.access_token) {
        Ok(owner) if owner.kind == TokenKind::Short => long_lived(&network, owner.account),
        Ok(_) => GraphError::invalid("The token is already long-lived").response(),
        Err(error) => error.response(),
    }
}

/// `GET /instagram/graph/refresh_access_token`: a long-lived token at least 24 hours old for a new one
/// (a throttled account's refresh answers its throttling code, as its other calls do).
pub async fn refresh(network: Network, query: web::Query<TokenQuery>) -> HttpResponse {
    if query.grant_type != "ig_refresh_token" {
        return GraphError::invalid("Unsupported grant_type").response();
    }
    let peer = network.instagram();
    let owner = match peer.token_owner(&query.access_token) {
        Ok(owner) => owner,
        Err(error) => return error.response(),
    };
    if let Some(code) = peer.throttled(owner.account) {
        return GraphError::throttled(code).response();
    }
    if owner.kind == TokenKind::Short {
        GraphError::invalid("A short-lived token cannot be refreshed").response()
    } else if Utc::now() - owner.issued_at < Duration::hours(24) {
        GraphError::invalid("The token must be at least 24 hours old to be refreshed").response()
    } else {
        long_lived(&network, owner.account)
    }
}
