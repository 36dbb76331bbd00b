//! Platforms' webhooks: Instagram's subscription check (`GET`, answers the challenge for the right
//! verify token) and its deliveries (`POST`, no session and no CSRF token: the body's signature is
//! checked instead; a delivery is kept in the inbox and acknowledged at once).

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::instagram::inbox::{self, Receipt};

/// The subscription check's parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Verification {
    #[serde(rename = "hub.mode")]
    pub mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

/// `GET /webhooks/instagram?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`
pub async fn verify(state: web::Data<AppState>, query: web::Query<Verification>) -> HttpResponse {
    match inbox::verify_subscription(
        &state.settings.platforms.instagram,
        query.mode.as_deref(),
        query.verify_token.as_deref(),
        query.challenge.as_deref(),
    ) {
        Some(challenge) => HttpResponse::Ok()
            .content_type("text/plain")
            .body(challenge),
        None => HttpResponse::Forbidden().finish(),
    }
}

/// `POST /webhooks/instagram` (at most `inbox::MAX_BODY_BYTES`)
pub async fn receive(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: Bytes,
) -> Result<HttpResponse, AppError> {
    let signature = request
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    Ok(
        match inbox::receive(&state, body.to_vec(), signature).await? {
            Receipt::Kept(_) => HttpResponse::Ok()
                .content_type("text/plain")
                .body("EVENT_RECEIVED"),
            Receipt::BadSignature => HttpResponse::Forbidden().finish(),
            Receipt::NotConfigured => HttpResponse::new(StatusCode::NOT_FOUND),
        },
    )
}
