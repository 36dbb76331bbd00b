//! Probes for load balancers and orchestrators: `/healthz` (the process answers) and `/readyz` (the
//! database answers and every migration is applied).

use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl as _;

use crate::db;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;

/// `GET /healthz`
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// `GET /readyz`
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let checked = with_db(&state.pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        db::migrations_pending(conn).map_err(AppError::Internal)
    })
    .await;
    match checked {
        Ok(false) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(true) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("migrations pending"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}
