//! Forgotten passwords: ask for a link by email (the answer never says whether the address has an
//! account, nor whether the request was throttled: three an hour per email, twenty per client), then
//! choose a new password from the link (single use, valid one hour). Every session of that person
//! ends, and every other link they were sent stops working.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::EmailAddress;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::password::{self, ResetRefusal};
use crate::web::extract::Visitor;
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    pub email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub new_password: String,
}

#[derive(Template)]
#[template(path = "pages/password/forgot.html")]
pub struct ForgotPage {
    ctx: Chrome,
    email: String,
    errors: FormErrors,
    /// Set once a request was taken: the same words whether the address has an account or not.
    sent: bool,
}

#[derive(Template)]
#[template(path = "pages/password/reset.html")]
pub struct ResetPage {
    ctx: Chrome,
    token: String,
    /// False when the link is unknown, used or expired.
    valid: bool,
    errors: FormErrors,
}

/// `GET /password/forgot`
pub async fn new(visitor: Visitor) -> Result<HttpResponse, AppError> {
    render::html(
        StatusCode::OK,
        &ForgotPage {
            ctx: visitor.chrome,
            email: String::new(),
            errors: FormErrors::default(),
            sent: false,
        },
    )
}

/// `POST /password/forgot`: queues a link when the address has an active account and neither it nor
/// the client's address asked too often; answers the same page in every case.
pub async fn create(
    visitor: Visitor,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    let Some(email) = errors.check("email", EmailAddress::parse(&form.email)) else {
        return render::invalid(&ForgotPage {
            ctx: visitor.chrome,
            email: form.email.clone(),
            errors,
            sent: false,
        });
    };
    password::request_reset(&state, email, &visitor.ip, visitor.chrome.lang).await?;
    render::html(
        StatusCode::OK,
        &ForgotPage {
            ctx: visitor.chrome,
            email: String::new(),
            errors: FormErrors::default(),
            sent: true,
        },
    )
}

/// `GET /password/reset/{token}`
pub async fn edit(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let valid = password::reset_link_works(&state, &token).await?;
    render::html(
        if valid {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        &ResetPage {
            ctx: visitor.chrome,
            token,
            valid,
            errors: FormErrors::default(),
        },
    )
}

/// `POST /password/reset/{token}`: sets the new password, uses up the link and every other link of the
/// person, ends every session.
pub async fn update(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let refusal = match password::reset(&state, &token, &form.new_password, &visitor.ip).await? {
        Ok(()) => {
            let done = visitor.chrome.t("password.reset_done");
            render::flash(&visitor.session, FlashKind::Success, done);
            return Ok(render::redirect(false, "/login"));
        }
        Err(refusal) => refusal,
    };
    let mut errors = FormErrors::default();
    let (status, valid) = match refusal {
        ResetRefusal::Gone => (StatusCode::GONE, false),
        ResetRefusal::Password(invalid) => {
            errors.add("new_password", invalid.key);
            (StatusCode::UNPROCESSABLE_ENTITY, true)
        }
    };
    let page = ResetPage {
        ctx: visitor.chrome,
        token,
        valid,
        errors,
    };
    render::html(status, &page)
}
