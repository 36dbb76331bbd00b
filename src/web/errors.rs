//! The one place errors become pages: a full page for a browser request, a toast fragment for htmx,
//! a redirect to the login page when login is required. Details stay in the log.

use actix_session::SessionExt as _;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::error::AppError;
use crate::web::extract::{is_htmx, request_lang};
use crate::web::render::Chrome;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    ctx: Chrome,
    status: u16,
    title: String,
    message: String,
}

#[derive(Template)]
#[template(path = "errors/_toast.html")]
struct ErrorToast {
    message: String,
}

fn keys_for(response: &HttpResponse<impl MessageBody>) -> (&'static str, &'static str) {
    if let Some(app_error) = response.error().and_then(|e| e.as_error::<AppError>()) {
        return app_error.message_keys();
    }
    match response.status() {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            ("errors.not_found_title", "errors.not_found")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("errors.invalid_title", "errors.too_large"),
        status if status.is_client_error() => ("errors.invalid_title", "errors.bad_request"),
        _ => ("errors.internal_title", "errors.internal"),
    }
}

fn login_redirect(req: &HttpRequest) -> HttpResponse {
    let next = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let location = format!("/login?next={}", urlencode(next));
    if is_htmx(req) {
        HttpResponse::Unauthorized()
            .insert_header(("HX-Redirect", location))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish()
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// `ErrorHandlers` default handler: replaces the body of every 4xx/5xx response that carries an error.
///
/// # Errors
/// Never; a template failure falls back to plain text.
pub fn render<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A handler's own 4xx page (a form with errors, a throttled login, a probe) is already what it should be.
    if res.response().error().is_none() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, response) = res.into_parts();
    let unauthorized = response
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .is_some_and(|e| matches!(e, AppError::Unauthorized));
    let new_response = if unauthorized {
        login_redirect(&req)
    } else {
        let (title_key, message_key) = keys_for(&response);
        let lang = request_lang(&req, Some(&req.get_session()));
        let message = lang.t(message_key).into_owned();
        let (body, htmx) = if is_htmx(&req) {
            (ErrorToast { message }.render(), true)
        } else {
            let page = ErrorPage {
                ctx: Chrome::bare(lang),
                status: status.as_u16(),
                title: lang.t(title_key).into_owned(),
                message,
            };
            (page.render(), false)
        };
        let mut builder = HttpResponse::build(status);
        builder.content_type("text/html; charset=utf-8");
        if htmx {
            builder
                .insert_header(("HX-Retarget", "#toasts"))
                .insert_header(("HX-Reswap", "beforeend"));
        }
        if let Some(allow) = response.headers().get(header::ALLOW) {
            builder.insert_header((header::ALLOW, allow.clone()));
        }
        builder.body(body.unwrap_or_else(|_| lang.t(message_key).into_owned()))
    };
    let res: ServiceResponse<BoxBody> = ServiceResponse::new(req, new_response);
    Ok(ErrorHandlerResponse::Response(
        res.map_body(|_, body| EitherBody::right(body)),
    ))
}
