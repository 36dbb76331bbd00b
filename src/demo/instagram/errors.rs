//! The Graph API's error shape: `{"error":{"message","type":"OAuthException","code","error_subcode","fbtrace_id"}}`
//! with a non-2xx status. 190 means a dead token, 4/17/32/613/80002 throttling, the rest a refusal.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::state::random_hex;

/// The header of Meta's call budget, on every Graph answer.
pub const USAGE_HEADER: &str = "x-business-use-case-usage";

#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: u32,
    pub subcode: Option<u32>,
    pub message: String,
    /// The `X-Business-Use-Case-Usage` header to send with it.
    pub usage: Option<String>,
}

impl GraphError {
    #[must_use]
    pub fn dead_token(message: &str, subcode: Option<u32>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: 190,
            subcode,
            message: message.to_owned(),
            usage: None,
        }
    }

    /// A bad parameter: an unknown code, a wrong secret, a missing field (code 100).
    #[must_use]
    pub fn invalid(message: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: 100,
            subcode: None,
            message: message.to_owned(),
            usage: None,
        }
    }

    /// A refusal of the messaging rules (code 10), with the subcode saying which.
    #[must_use]
    pub fn not_allowed(message: &str, subcode: u32) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: 10,
            subcode: Some(subcode),
            message: message.to_owned(),
            usage: None,
        }
    }

    #[must_use]
    pub fn throttled(code: u32) -> Self {
        let message = match code {
            4 => "Application request limit reached",
            17 => "User request limit reached",
            32 => "Page request limit reached",
            613 => "Calls to this api have exceeded the rate limit.",
            _ => "There have been too many calls to this Instagram account.",
        };
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            code,
            subcode: None,
            message: message.to_owned(),
            usage: None,
        }
    }

    #[must_use]
    pub fn response(&self) -> HttpResponse {
        let mut error = serde_json::json!({
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
            "fbtrace_id": format!("Ademo{}", random_hex(6)),
        });
        if let Some(subcode) = self.subcode {
            error["error_subcode"] = subcode.into();
        }
        let mut response = HttpResponse::build(self.status);
        if let Some(usage) = &self.usage {
            response.insert_header((USAGE_HEADER, usage.as_str()));
        }
        response.json(serde_json::json!({ "error": error }))
    }
}
