//! The person's own account: who they are, and changing their password.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection as _;
use serde::Deserialize;

use crate::auth::password;
use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::domain::NewPassword;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::{Htmx, SignedIn};
use crate::web::pages::login::start_session;
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Template)]
#[template(path = "pages/account/index.html")]
pub struct AccountPage {
    ctx: Chrome,
    email: String,
    display_name: String,
    errors: FormErrors,
}

/// `GET /account`
pub async fn show(signed_in: SignedIn) -> Result<HttpResponse, AppError> {
    let SignedIn { user, chrome, .. } = signed_in;
    render::html(
        StatusCode::OK,
        &AccountPage {
            ctx: chrome,
            email: user.email,
            display_name: user.display_name,
            errors: FormErrors::default(),
        },
    )
}

/// `POST /account/password`: ends every other session of the person and voids their reset links, then
/// starts a fresh one here.
pub async fn update_password(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let SignedIn {
        session,
        user,
        chrome,
        ip,
    } = signed_in;
    let mut errors = FormErrors::default();
    let current = form.current_password.clone();
    let stored = user.password_hash.clone();
    let current_ok = tokio::task::spawn_blocking(move || password::verify(&current, &stored))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if !current_ok {
        errors.add("current_password", "errors.current_password_wrong");
    }
    let new_password = errors.check(
        "new_password",
        NewPassword::parse(&form.new_password, &[&user.email, &user.display_name]),
    );
    let (Some(new_password), true) = (new_password, errors.is_empty()) else {
        return render::invalid(&AccountPage {
            ctx: chrome,
            email: user.email,
            display_name: user.display_name,
            errors,
        });
    };

    let hash = password::hash_blocking(new_password.expose().to_owned()).await?;
    let user_id = user.id;
    with_db(&state.pool, move |conn| {
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            queries::users::set_password_hash(conn, user_id, &hash)?;
            // A reset link sent before the change must not undo it.
            queries::password_resets::void_for_user(conn, user_id, chrono::Utc::now())?;
            queries::sessions::delete_for_user(conn, user_id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new("user.password_changed", Some(user_id), None, Some(&ip)),
            )?;
            Ok(())
        })?;
        Ok(())
    })
    .await?;
    start_session(&session, &user, chrome.lang)?;
    render::flash(
        &session,
        FlashKind::Success,
        chrome.t("account.password_changed"),
    );
    Ok(render::redirect(htmx.0, "/account"))
}
