//! Forgotten passwords: ask for a link by email (the answer never says whether the address has an
//! account, nor whether the request was throttled: three an hour per email, twenty per client), then
//! choose a new password from the link (single use, valid one hour). Every session of that person
//! ends, and every other link they were sent stops working.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use diesel::Connection as _;
use serde::Deserialize;

use crate::auth::password;
use crate::auth::token::{self, LinkToken};
use crate::db::models::NewAuditEvent;
use crate::db::queries;
use crate::domain::throttle::{RESETS_PER_ADDRESS, RESETS_PER_EMAIL};
use crate::domain::{EmailAddress, NewPassword};
use crate::error::AppError;
use crate::error::with_db;
use crate::mail;
use crate::state::AppState;
use crate::web::extract::Visitor;
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

/// How long a reset link works.
const VALID_FOR_MINUTES: i64 = 60;

/// The throttles of reset requests (see their policies in `domain::throttle`).
const EMAIL_SCOPE: &str = "reset_email";
const ADDRESS_SCOPE: &str = "reset_address";

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
    let LinkToken { token, hash } = LinkToken::generate();
    let link = format!(
        "{}/password/reset/{token}",
        state.settings.public_url.trim_end_matches('/')
    );
    let (ip, fallback_lang) = (visitor.ip.clone(), visitor.chrome.lang);
    with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // Every request counts, for an address with an account or not, and a throttled one gets
            // the same answer as the others: the page tells nothing either way.
            let now = Utc::now();
            let per_email = queries::throttles::record_failure(
                conn,
                EMAIL_SCOPE,
                email.as_str(),
                &RESETS_PER_EMAIL,
                now,
            )?;
            let per_address = queries::throttles::record_failure(
                conn,
                ADDRESS_SCOPE,
                &ip,
                &RESETS_PER_ADDRESS,
                now,
            )?;
            if !RESETS_PER_EMAIL.allows(per_email) || !RESETS_PER_ADDRESS.allows(per_address) {
                return Ok(());
            }
            let Some(user) = queries::users::find_by_email(conn, email.as_str())? else {
                return Ok(());
            };
            if user.disabled_at.is_some() {
                return Ok(());
            }
            let expires = Utc::now() + Duration::minutes(VALID_FOR_MINUTES);
            queries::password_resets::create(conn, user.id, &hash, expires)?;
            let lang = user.lang().unwrap_or(fallback_lang);
            let plain = mail::message::Plain {
                lang,
                greeting: lang.t_with("mail.hello", "name", &user.display_name),
                paragraphs: vec![
                    lang.t("mail.reset_body").into_owned(),
                    lang.t("mail.reset_ignore").into_owned(),
                ],
                action: lang.t("mail.reset_action").into_owned(),
                link,
            };
            mail::queue(
                conn,
                &plain.email(
                    None,
                    &user.email,
                    crate::domain::mail::MailKind::PasswordReset,
                    lang.t("mail.reset_subject").into_owned(),
                ),
            )?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new(
                    "user.password_reset_requested",
                    Some(user.id),
                    None,
                    Some(&ip),
                ),
            )?;
            Ok(())
        })
    })
    .await?;
    mail::deliver_soon(&state.pool, &state.mailer);
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
    let hash = token::hash(&token);
    let valid = with_db(&state.pool, move |conn| {
        Ok(queries::password_resets::valid_user(conn, &hash, Utc::now())?.is_some())
    })
    .await?;
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
    let hash = token::hash(&token);
    let lookup = hash.clone();
    let user = with_db(&state.pool, move |conn| {
        let Some(user_id) = queries::password_resets::valid_user(conn, &lookup, Utc::now())? else {
            return Ok(None);
        };
        Ok(queries::users::find(conn, user_id)?)
    })
    .await?;
    let Some(user) = user else {
        return render::html(
            StatusCode::GONE,
            &ResetPage {
                ctx: visitor.chrome,
                token,
                valid: false,
                errors: FormErrors::default(),
            },
        );
    };
    let mut errors = FormErrors::default();
    let Some(new_password) = errors.check(
        "new_password",
        NewPassword::parse(&form.new_password, &[&user.email, &user.display_name]),
    ) else {
        return render::invalid(&ResetPage {
            ctx: visitor.chrome,
            token,
            valid: true,
            errors,
        });
    };
    let new_hash = password::hash_blocking(new_password.expose().to_owned()).await?;
    let ip = visitor.ip.clone();
    let done = with_db(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // Whoever uses the link first wins; a second use finds it spent.
            let Some(user_id) = queries::password_resets::consume(conn, &hash, Utc::now())? else {
                return Ok(false);
            };
            queries::users::set_password_hash(conn, user_id, &new_hash)?;
            queries::password_resets::void_for_user(conn, user_id, Utc::now())?;
            queries::sessions::delete_for_user(conn, user_id)?;
            queries::audit::record(
                conn,
                &NewAuditEvent::new("user.password_reset", Some(user_id), None, Some(&ip)),
            )?;
            Ok(true)
        })
    })
    .await?;
    if !done {
        return render::html(
            StatusCode::GONE,
            &ResetPage {
                ctx: visitor.chrome,
                token,
                valid: false,
                errors: FormErrors::default(),
            },
        );
    }
    render::flash(
        &visitor.session,
        FlashKind::Success,
        visitor.chrome.t("password.reset_done"),
    );
    Ok(render::redirect(false, "/login"))
}
