//! Logging in and out. A successful login always starts a new session (new key, new token).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::auth::login::LoginOutcome;
use crate::auth::session_keys;
use crate::db::models::User;
use crate::domain::EmailAddress;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::usecases::login;
use crate::web::csrf;
use crate::web::extract::{Htmx, Visitor};
use crate::web::render::{self, Chrome};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    pub next: String,
    pub logged_out: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/login/index.html")]
pub struct LoginPage {
    ctx: Chrome,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

/// Puts the person in a fresh session: a new key (no session fixation), a new anti-forgery token.
///
/// # Errors
/// When the session cannot be written.
pub fn start_session(session: &Session, user: &User, lang: Lang) -> Result<(), AppError> {
    session.renew();
    let now = Utc::now().timestamp();
    let lang = user.lang().unwrap_or(lang);
    let write = || -> Result<(), actix_session::SessionInsertError> {
        session.insert(session_keys::USER_ID, user.id)?;
        session.insert(session_keys::LOGGED_IN_AT, now)?;
        session.insert(session_keys::SEEN_AT, now)?;
        session.insert(session_keys::CSRF, csrf::new_token())?;
        session.insert(session_keys::LANG, lang.code())
    };
    write().map_err(|e| AppError::Internal(anyhow::anyhow!("starting a session: {e}")))
}

/// `GET /login`
pub async fn new(
    visitor: Visitor,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = render::local_path(Some(&query.next)).unwrap_or_default();
    if visitor.user.is_some() {
        return Ok(render::redirect(
            false,
            if next.is_empty() { "/" } else { &next },
        ));
    }
    let notice = query
        .logged_out
        .is_some()
        .then(|| visitor.chrome.t("auth.logged_out").into_owned());
    render::html(
        StatusCode::OK,
        &LoginPage {
            ctx: visitor.chrome,
            email: String::new(),
            next,
            error: None,
            notice,
        },
    )
}

/// `POST /login`
pub async fn create(
    visitor: Visitor,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email: typed_email,
        password,
        next,
    } = form.into_inner();
    let next = render::local_path(Some(&next)).unwrap_or_default();
    let page = |ctx: Chrome, error: String| LoginPage {
        ctx,
        email: typed_email.clone(),
        next: next.clone(),
        error: Some(error),
        notice: None,
    };
    let lang = visitor.chrome.lang;
    // An address that does not parse gets the answer of a wrong password, and counts for nothing.
    let outcome = match EmailAddress::parse(&typed_email) {
        Ok(email) => login::log_in(&state, email, password, &visitor.ip, lang).await?,
        Err(_) => LoginOutcome::Refused { warned: false },
    };
    let (status, message) = match outcome {
        LoginOutcome::LoggedIn(user) => {
            start_session(&visitor.session, &user, lang)?;
            let to = if next.is_empty() { "/" } else { &next };
            return Ok(render::redirect(htmx.0, to));
        }
        refused => refusal(&visitor.chrome, &refused),
    };
    render::html(status, &page(visitor.chrome, message))
}

/// What a refused login shows: the same words for a wrong address, a wrong password or a disabled
/// account; the wait when throttled.
fn refusal(chrome: &Chrome, outcome: &LoginOutcome) -> (StatusCode, String) {
    match outcome {
        LoginOutcome::Throttled(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            chrome.t_with("auth.throttled", "seconds", &seconds.to_string()),
        ),
        _ => (
            StatusCode::UNPROCESSABLE_ENTITY,
            chrome.t("auth.refused").into_owned(),
        ),
    }
}

/// `POST /logout`: the session ends on the server, not only in the browser.
pub async fn destroy(
    visitor: Visitor,
    state: web::Data<AppState>,
    htmx: Htmx,
) -> Result<HttpResponse, AppError> {
    if let Some(user) = &visitor.user {
        login::log_out(&state, user.id, &visitor.ip).await?;
    }
    visitor.session.purge();
    Ok(render::redirect(htmx.0, "/login?logged_out=1"))
}
