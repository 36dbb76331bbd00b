//! Anti-forgery tokens: one random token per session, sent back by every form (`csrf_token`) and every
//! htmx request (`X-CSRF-Token`), checked here for every state-changing method before any handler runs.

use actix_session::{Session, SessionExt as _};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use base64::Engine as _;
use subtle::ConstantTimeEq as _;

use crate::auth::session_keys;
use crate::error::AppError;

pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";

/// The session's token, created on first use.
///
/// # Errors
/// When the session cannot hold it.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(existing)) = session.get::<String>(session_keys::CSRF) {
        return Ok(existing);
    }
    let fresh = new_token();
    session
        .insert(session_keys::CSRF, &fresh)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("storing the csrf token: {e}")))?;
    Ok(fresh)
}

/// A new random token (256 bits).
#[must_use]
pub fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Paths that sessions never reach: platforms post to them, and each request is checked by its own
/// signature (`X-Hub-Signature-256`), not by a session's token.
pub const SIGNED_BY_THE_PLATFORM: [&str; 1] = ["/webhooks/instagram"];

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Whether the request carries a URL-encoded form.
pub(crate) fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The request's form body, read and handed back to the request, so that the handler reads it too.
///
/// # Errors
/// When the body cannot be read (too large, cut off).
pub(crate) async fn read_form(req: &mut ServiceRequest) -> Result<Bytes, actix_web::Error> {
    let body = req.extract::<Bytes>().await?;
    req.set_payload(body.clone().into());
    Ok(body)
}

fn form_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

/// The middleware: unsafe methods without the session's token get 403 and never reach a handler.
///
/// # Errors
/// Only errors of the wrapped service.
pub async fn verify(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_safe(req.method()) || SIGNED_BY_THE_PLATFORM.contains(&req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expected = req
        .get_session()
        .get::<String>(session_keys::CSRF)
        .ok()
        .flatten();
    let mut provided = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if provided.is_none() && is_form(&req) {
        provided = form_token(&read_form(&mut req).await?);
    }
    let valid = matches!((&expected, &provided), (Some(e), Some(p)) if bool::from(e.as_bytes().ct_eq(p.as_bytes())));
    if !valid {
        tracing::info!(
            path = req.path(),
            "request refused: missing or wrong csrf token"
        );
        return Ok(req.error_response(AppError::Csrf).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_among_the_form_fields() {
        assert_eq!(
            form_token(b"email=a%40b.c&csrf_token=abc-123&x=1"),
            Some("abc-123".to_owned())
        );
        assert_eq!(form_token(b"email=a%40b.c"), None);
    }

    #[test]
    fn tokens_are_long_and_unique() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
