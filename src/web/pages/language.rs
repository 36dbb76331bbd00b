//! Switching the interface language: kept in the session, in a cookie of this browser (so it outlives a
//! logout), and on the person's account when logged in.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::session_keys;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::usecases::registration;
use crate::web::extract::{Htmx, LANG_COOKIE, Visitor};
use crate::web::render;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    pub lang: String,
    pub next: String,
}

/// `POST /language`
pub async fn update(
    visitor: Visitor,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let lang =
        Lang::from_code(&form.lang).ok_or(AppError::Validation("errors.language_invalid"))?;
    visitor
        .session
        .insert(session_keys::LANG, lang.code())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    if let Some(user) = &visitor.user {
        registration::set_language(&state.pool, user.id, lang).await?;
    }
    let next = render::local_path(Some(&form.next)).unwrap_or_else(|| "/".to_owned());
    let mut response = render::redirect(htmx.0, &next);
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(Duration::days(365))
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("setting the language cookie: {e}")))?;
    Ok(response)
}
