//! The person's own account: who they are, and changing their password.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::password::{self, ChangeRefusal};
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

/// Each refused field of the password form with its message key.
fn refusal_errors(refusal: ChangeRefusal) -> FormErrors {
    let mut errors = FormErrors::default();
    if refusal.current_wrong {
        errors.add("current_password", "errors.current_password_wrong");
    }
    if let Some(invalid) = refusal.new_password {
        errors.add("new_password", invalid.key);
    }
    errors
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
    let outcome = password::change(
        &state,
        &user,
        &ip,
        &form.current_password,
        &form.new_password,
    )
    .await?;
    if let Err(refusal) = outcome {
        return render::invalid(&AccountPage {
            ctx: chrome,
            email: user.email,
            display_name: user.display_name,
            errors: refusal_errors(refusal),
        });
    }
    start_session(&session, &user, chrome.lang)?;
    render::flash(
        &session,
        FlashKind::Success,
        chrome.t("account.password_changed"),
    );
    Ok(render::redirect(htmx.0, "/account"))
}
