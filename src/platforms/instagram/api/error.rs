//! What a failed Graph call means for its caller: a dead token (reconnect), throttling (back off), a
//! refusal (say why), or a platform that cannot be reached or answered nonsense (try again later).

use reqwest::StatusCode;
use serde::Deserialize;

/// The error codes Meta uses to ask a caller to slow down.
pub const THROTTLE_CODES: [i64; 5] = [4, 17, 32, 613, 80002];

/// The code of a dead access token (expired, revoked, password changed, app removed).
pub const TOKEN_DEAD_CODE: i64 = 190;

/// Why a call to Instagram gave nothing. Messages are the platform's own `message` field; none holds
/// the access token or the app secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApiError {
    /// The token (or, on the token endpoints, the code or token presented) can no longer be used:
    /// the account must connect again.
    #[error("Instagram no longer accepts the access: {message}")]
    TokenDead { message: String },
    /// Instagram asks to slow down (codes 4, 17, 32, 613, 80002, or HTTP 429).
    #[error("Instagram asks to slow down (code {code}): {message}")]
    Throttled { code: i64, message: String },
    /// Instagram refused the request for another reason (a permission, the 24-hour window, a second
    /// private reply...).
    #[error("Instagram refused the request (code {code}{}): {message}", subcode_text(*.subcode))]
    Refused {
        code: i64,
        subcode: Option<i64>,
        message: String,
    },
    /// Instagram answered with a server fault (HTTP 5xx, or an error it marks as transient): try later.
    #[error("Instagram is unavailable (HTTP {status}): {message}")]
    Unavailable { status: u16, message: String },
    /// Instagram could not be reached: connection, TLS, timeout.
    #[error("Instagram cannot be reached: {0}")]
    Unreachable(String),
    /// A successful answer whose body is not what the endpoint answers.
    #[error("Instagram answered something unexpected: {0}")]
    Unexpected(String),
    /// The client cannot work as set up: no app credentials for a token call, or a host that is no URL.
    #[error("the Instagram client is not set up: {0}")]
    NotConfigured(String),
}

impl ApiError {
    /// Whether the caller should back off and try later without counting a failure.
    #[must_use]
    pub fn is_throttle(&self) -> bool {
        matches!(self, Self::Throttled { .. })
    }

    /// Whether the account must connect again.
    #[must_use]
    pub fn is_token_dead(&self) -> bool {
        matches!(self, Self::TokenDead { .. })
    }

    /// Whether the same call may work later (network or platform trouble, not the request itself).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::Unavailable { .. })
    }

    /// The error with every occurrence of `secret` replaced, for messages that might echo a request.
    #[must_use]
    pub(super) fn scrubbed(self, secrets: &[&str]) -> Self {
        let scrub = |text: String| {
            secrets
                .iter()
                .filter(|s| !s.is_empty())
                .fold(text, |text, secret| text.replace(secret, "[hidden]"))
        };
        match self {
            Self::TokenDead { message } => Self::TokenDead {
                message: scrub(message),
            },
            Self::Throttled { code, message } => Self::Throttled {
                code,
                message: scrub(message),
            },
            Self::Refused {
                code,
                subcode,
                message,
            } => Self::Refused {
                code,
                subcode,
                message: scrub(message),
            },
            Self::Unavailable { status, message } => Self::Unavailable {
                status,
                message: scrub(message),
            },
            Self::Unreachable(message) => Self::Unreachable(scrub(message)),
            Self::Unexpected(message) => Self::Unexpected(scrub(message)),
            Self::NotConfigured(message) => Self::NotConfigured(scrub(message)),
        }
    }
}

fn subcode_text(subcode: Option<i64>) -> String {
    subcode.map_or_else(String::new, |s| format!(", subcode {s}"))
}

/// Which endpoint answered: the token endpoints read an `OAuthException` differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    /// The code exchange, the long-lived exchange and the refresh: an `OAuthException` there is about
    /// the code or token presented.
    Token,
    /// Every other Graph call.
    Graph,
}

/// The Graph error shape: `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
#[derive(Debug, Deserialize)]
struct GraphError {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<i64>,
    error_subcode: Option<i64>,
    is_transient: Option<bool>,
}

/// Either the Graph shape, or the flat shape `api.instagram.com` has long answered its OAuth errors
/// with: `{"error_type":"OAuthException","code":400,"error_message":"..."}`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: Option<GraphError>,
    error_type: Option<String>,
    code: Option<i64>,
    error_message: Option<String>,
}

const OAUTH_EXCEPTION: &str = "OAuthException";

/// The error a non-2xx answer (or a 2xx answer carrying an error object) means.
///
/// The rules, in order: a throttling code (or HTTP 429) is `Throttled`; code 190 is `TokenDead`; on a
/// token endpoint, any other `OAuthException` (a used, unknown or expired code, a dead short-lived
/// token, a refused refresh; Meta also answers a wrong app secret this way, and its message says so)
/// is `TokenDead`, since only a new consent gives a new code; codes 1 and 2, an error marked
/// `is_transient`, or an HTTP 5xx are `Unavailable`; everything else is `Refused`.
pub(super) fn classify(status: StatusCode, body: &[u8], endpoint: Endpoint) -> ApiError {
    let http = i64::from(status.as_u16());
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
    let (kind, code, subcode, message, transient) = match parsed {
        Some(ErrorBody {
            error: Some(error), ..
        }) => (
            error.kind,
            error.code.unwrap_or(http),
            error.error_subcode,
            error.message,
            error.is_transient.unwrap_or(false),
        ),
        Some(ErrorBody {
            error: None,
            error_type: Some(kind),
            code,
            error_message,
        }) => (Some(kind), code.unwrap_or(http), None, error_message, false),
        _ => {
            return without_body(status);
        }
    };
    let message = message.unwrap_or_else(|| format!("HTTP {status} without a message"));
    if THROTTLE_CODES.contains(&code) || status == StatusCode::TOO_MANY_REQUESTS {
        return ApiError::Throttled { code, message };
    }
    if code == TOKEN_DEAD_CODE
        || (endpoint == Endpoint::Token && kind.as_deref() == Some(OAUTH_EXCEPTION))
    {
        return ApiError::TokenDead { message };
    }
    if matches!(code, 1 | 2) || transient || status.is_server_error() {
        return ApiError::Unavailable {
            status: status.as_u16(),
            message,
        };
    }
    ApiError::Refused {
        code,
        subcode,
        message,
    }
}

/// An error answer without a readable error object (an HTML page from a proxy, an empty body).
fn without_body(status: StatusCode) -> ApiError {
    let message = format!("HTTP {status} without an error body");
    if status == StatusCode::TOO_MANY_REQUESTS {
        ApiError::Throttled { code: 429, message }
    } else if status.is_server_error() || status.is_success() {
        ApiError::Unavailable {
            status: status.as_u16(),
            message,
        }
    } else {
        ApiError::Refused {
            code: i64::from(status.as_u16()),
            subcode: None,
            message,
        }
    }
}

/// Whether a 2xx body is in fact an error object (Meta sometimes answers errors with a 200).
pub(super) fn carries_error(body: &[u8]) -> bool {
    serde_json::from_slice::<ErrorBody>(body).is_ok_and(|b| b.error.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(code: i64, subcode: Option<i64>, kind: &str) -> Vec<u8> {
        serde_json::json!({"error": {"message": "m", "type": kind, "code": code,
            "error_subcode": subcode, "fbtrace_id": "A1b2"}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn every_throttling_code_is_throttling_on_every_endpoint() {
        for code in THROTTLE_CODES {
            for endpoint in [Endpoint::Token, Endpoint::Graph] {
                let error = classify(
                    StatusCode::BAD_REQUEST,
                    &graph(code, None, OAUTH_EXCEPTION),
                    endpoint,
                );
                assert!(error.is_throttle(), "{code} {endpoint:?}: {error:?}");
            }
        }
    }

    #[test]
    fn an_oauth_exception_is_a_dead_credential_on_a_token_endpoint_and_a_refusal_elsewhere() {
        let body = graph(100, None, OAUTH_EXCEPTION);

        let on_token = classify(StatusCode::BAD_REQUEST, &body, Endpoint::Token);
        let on_graph = classify(StatusCode::BAD_REQUEST, &body, Endpoint::Graph);

        assert!(on_token.is_token_dead(), "{on_token:?}");
        assert_eq!(
            on_graph,
            ApiError::Refused {
                code: 100,
                subcode: None,
                message: "m".into()
            }
        );
    }

    #[test]
    fn the_flat_shape_of_the_code_exchange_is_read() {
        let body = br#"{"error_type":"OAuthException","code":400,"error_message":"No matching code found."}"#;

        let error = classify(StatusCode::BAD_REQUEST, body, Endpoint::Token);

        assert_eq!(
            error,
            ApiError::TokenDead {
                message: "No matching code found.".into()
            }
        );
    }

    #[test]
    fn a_transient_error_or_a_server_fault_is_unavailable() {
        let transient = br#"{"error":{"message":"retry","code":2,"is_transient":true}}"#;

        assert!(
            classify(StatusCode::SERVICE_UNAVAILABLE, transient, Endpoint::Graph).is_transient()
        );
        assert!(classify(StatusCode::BAD_GATEWAY, b"<html>", Endpoint::Graph).is_transient());
        assert!(classify(StatusCode::TOO_MANY_REQUESTS, b"", Endpoint::Graph).is_throttle());
        assert_eq!(
            classify(StatusCode::NOT_FOUND, b"", Endpoint::Graph),
            ApiError::Refused {
                code: 404,
                subcode: None,
                message: "HTTP 404 Not Found without an error body".into()
            }
        );
    }

    #[test]
    fn a_scrubbed_error_holds_no_secret() {
        let error = ApiError::Refused {
            code: 100,
            subcode: Some(33),
            message: "bad token IGQtoken here".into(),
        };

        let text = error.scrubbed(&["IGQtoken"]).to_string();

        assert_eq!(
            text,
            "Instagram refused the request (code 100, subcode 33): bad token [hidden] here"
        );
    }
}
