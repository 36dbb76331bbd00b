//! The one error type at the web boundary. Handlers return it; `web::errors` renders it in one place.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist, or belongs to a workspace the person is not in (same answer on purpose).
    #[error("not found")]
    NotFound,
    /// Login required.
    #[error("login required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// The anti-forgery token was missing or did not match the session's.
    #[error("the form's security token is missing or expired")]
    Csrf,
    /// Input that is not a form field (a query string, a path) was refused; the key says why.
    #[error("invalid input: {0}")]
    Validation(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A dependency (the database pool) did not answer in time.
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The translation keys of the title and message shown to the person.
    #[must_use]
    pub fn message_keys(&self) -> (&'static str, &'static str) {
        match self {
            AppError::NotFound => ("errors.not_found_title", "errors.not_found"),
            AppError::Unauthorized => ("errors.unauthorized_title", "errors.unauthorized"),
            AppError::Forbidden => ("errors.forbidden_title", "errors.forbidden"),
            AppError::Csrf => ("errors.forbidden_title", "errors.csrf"),
            AppError::Validation(key) | AppError::Conflict(key) => ("errors.invalid_title", key),
            AppError::Unavailable => ("errors.unavailable_title", "errors.unavailable"),
            AppError::Internal(_) => ("errors.internal_title", "errors.internal"),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bare response: the error-rendering middleware replaces its body with the page or fragment in the
    /// person's language. Internal details go to the log only.
    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(error) = self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        HttpResponse::build(self.status_code()).finish()
    }
}

impl From<crate::db::DbError> for AppError {
    fn from(error: crate::db::DbError) -> Self {
        match error {
            crate::db::DbError::Busy => AppError::Unavailable,
            crate::db::DbError::Failed(error) => AppError::Internal(error),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Internal(anyhow::Error::new(other).context("database query")),
        }
    }
}

impl From<crate::domain::Invalid> for AppError {
    fn from(invalid: crate::domain::Invalid) -> Self {
        if invalid.key == "errors.not_found" {
            AppError::NotFound
        } else {
            AppError::Validation(invalid.key)
        }
    }
}

/// Runs `work` on one pooled connection (see [`crate::db::run`]) for the code that answers with an
/// [`AppError`]: pages and use cases. Fixing the error type lets their closures use `?` on queries and
/// on refusals alike; a busy pool is [`AppError::Unavailable`].
///
/// # Errors
/// What `work` answers, or why no connection was to be had.
pub async fn with_db<T, F>(pool: &crate::db::DbPool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut diesel::PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    crate::db::run(pool, work).await
}
