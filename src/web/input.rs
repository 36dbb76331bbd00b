//! Input every request shares, checked once before any handler: a NUL character, which PostgreSQL cannot
//! store in text, is refused in the path, the query string and a form's fields with the usual 422 message,
//! so no search, note, draft, template or filter can reach the database with one.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::AppError;
use crate::web::csrf::{is_form, read_form};

/// Whether URL-encoded text holds a NUL, raw or percent-encoded (`%00`).
#[must_use]
pub fn holds_nul(encoded: &[u8]) -> bool {
    encoded.contains(&0)
        || encoded
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// The middleware: a request with a NUL anywhere in its URL or form gets 422 and never reaches a handler.
///
/// # Errors
/// Only errors of the wrapped service.
pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let mut refused = holds_nul(req.uri().to_string().as_bytes());
    if !refused && is_form(&req) {
        refused = holds_nul(&read_form(&mut req).await?);
    }
    if refused {
        tracing::info!(
            path = req.path(),
            "request refused: a NUL character in its input"
        );
        return Ok(req
            .error_response(AppError::Validation("errors.nul_character"))
            .map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_raw_or_percent_encoded_and_nothing_else_is() {
        assert!(holds_nul(b"q=a%00b"));
        assert!(holds_nul(b"q=a\0b"));
        assert!(holds_nul(b"/w/x%00y/leads"));
        assert!(!holds_nul(b"q=100%25&price=%3100"));
        assert!(!holds_nul(b"q=%2500"));
    }
}
