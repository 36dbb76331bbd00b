//! Email verification: the link from the mail opens a page whose button confirms the address (a GET
//! changes nothing, so a mail scanner opening the link verifies nobody), and a signed-in person who is
//! not verified yet can ask for a new link.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::verification::Occasion;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::registration;
use crate::web::extract::{Htmx, SignedIn, Visitor};
use crate::web::render::{self, Chrome, FlashKind};

#[derive(Template)]
#[template(path = "pages/email_verification/show.html")]
pub struct VerifyPage {
    ctx: Chrome,
    token: String,
    /// False when the link is unknown, used, expired or for an address the person no longer has.
    valid: bool,
    signed_in: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    /// The page to come back to.
    pub back: String,
}

fn page(visitor: Visitor, token: String, valid: bool) -> Result<HttpResponse, AppError> {
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let signed_in = visitor.user.is_some();
    render::html(
        status,
        &VerifyPage {
            ctx: visitor.chrome,
            token,
            valid,
            signed_in,
        },
    )
}

/// `GET /email/verify/{token}`
pub async fn show(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let valid = registration::verification_link_works(&state.pool, &token).await?;
    page(visitor, token, valid)
}

/// `POST /email/verify/{token}`: uses the link and marks the address verified.
pub async fn confirm(
    visitor: Visitor,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let verified = registration::confirm_email(&state.pool, &token, &visitor.ip).await?;
    if !verified {
        return page(visitor, token, false);
    }
    render::flash(
        &visitor.session,
        FlashKind::Success,
        visitor.chrome.t("verify.done"),
    );
    let next = if visitor.user.is_some() {
        "/workspaces"
    } else {
        "/login"
    };
    Ok(render::redirect(htmx.0, next))
}

/// `POST /email/verification`: a new link for a signed-in person not verified yet (one a minute at most).
pub async fn resend(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    htmx: Htmx,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, AppError> {
    let back = render::local_path(Some(&form.back)).unwrap_or_else(|| "/workspaces".to_owned());
    let SignedIn {
        session,
        user,
        chrome,
        ..
    } = signed_in;
    let (text, kind) = if user.is_verified() {
        (chrome.t("verify.already").into_owned(), FlashKind::Success)
    } else {
        let email = user.email.clone();
        let sent =
            registration::send_verification(&state, user, chrome.lang, Occasion::Asked).await?;
        if sent {
            (
                chrome.t_with("verify.sent", "email", &email),
                FlashKind::Success,
            )
        } else {
            (chrome.t("verify.wait").into_owned(), FlashKind::Error)
        }
    };
    render::flash(&session, kind, text);
    Ok(render::redirect(htmx.0, &back))
}
