//! The one place errors become pages: a full page for a browser request, a toast fragment for htmx,
//! a redirect to the login page when login is required. Details stay in the log.

use actix_session::SessionExt as _;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::error::AppError;
use crate::i18n::Lang;
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

/// The error page (or, for htmx, the toast) saying `keys` in `lang`.
fn error_page(
    lang: Lang,
    htmx: bool,
    status: StatusCode,
    (title_key, message_key): (&'static str, &'static str),
) -> HttpResponse {
    let message = lang.t(message_key).into_owned();
    let body = if htmx {
        ErrorToast { message }.render()
    } else {
        ErrorPage {
            ctx: Chrome::bare(lang),
            status: status.as_u16(),
            title: lang.t(title_key).into_owned(),
            message,
        }
        .render()
    };
    let mut builder = HttpResponse::build(status);
    builder.content_type("text/html; charset=utf-8");
    if htmx {
        builder
            .insert_header(("HX-Retarget", "#toasts"))
            .insert_header(("HX-Reswap", "beforeend"));
    }
    builder.body(body.unwrap_or_else(|_| lang.t(message_key).into_owned()))
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
        let lang = request_lang(&req, Some(&req.get_session()));
        let mut page = error_page(lang, is_htmx(&req), status, keys_for(&response));
        if let Some(allow) = response.headers().get(header::ALLOW) {
            page.headers_mut().insert(header::ALLOW, allow.clone());
        }
        page
    };
    let res: ServiceResponse<BoxBody> = ServiceResponse::new(req, new_response);
    Ok(ErrorHandlerResponse::Response(
        res.map_body(|_, body| EitherBody::right(body)),
    ))
}

/// Middleware around the session layer: an error raised outside the handlers (the session store
/// unreachable, say) is logged and answered with the same error page as a handler's error, where actix
/// would send an empty 500 that no log line records. The request itself is gone by then (the router
/// must own it), so the page's language and form are read from it beforehand.
///
/// # Errors
/// The error, now carrying the error page as its response.
pub async fn catch(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<impl MessageBody>> {
    let lang = request_lang(req.request(), None);
    let htmx = is_htmx(req.request());
    let path = req.path().to_owned();
    next.call(req).await.map_err(|error| {
        tracing::error!(%error, path, "a request failed outside its handler");
        let status = error.as_response_error().status_code();
        let mut page = error_page(
            lang,
            htmx,
            status,
            ("errors.internal_title", "errors.internal"),
        );
        // The error skips the middleware that adds these to every other answer.
        for (name, value) in crate::web::headers::SECURITY_HEADERS {
            page.headers_mut().insert(
                header::HeaderName::from_static(name),
                header::HeaderValue::from_static(value),
            );
        }
        InternalError::from_response(error.to_string(), page).into()
    })
}
