//! Admin: lead analysis runs and what the AI endpoint cost (requests, tokens, fallbacks).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};

use crate::db::queries;
use crate::db::queries::analysis::RunLine;
use crate::error::AppError;
use crate::error::with_db;
use crate::state::AppState;
use crate::web::extract::SiteAdmin;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/admin/analysis.html")]
pub struct AnalysisPage {
    ctx: Chrome,
    /// Which analyzer runs: "built_in" or "ai".
    analyzer: &'static str,
    /// Leads, requests, tokens, fallbacks: over a day, and over thirty days.
    day: [i64; 4],
    month: [i64; 4],
    runs: Vec<RunLine>,
}

/// `GET /admin/analysis`
pub async fn index(admin: SiteAdmin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let now = Utc::now();
    let (day, month, runs) = with_db(&state.pool, move |conn| {
        Ok((
            queries::analysis::totals_since(conn, now - Duration::days(1))?,
            queries::analysis::totals_since(conn, now - Duration::days(30))?,
            queries::analysis::recent_runs(conn, 50)?,
        ))
    })
    .await?;
    let analyzer = match state.analyzer {
        crate::ai::Configured::BuiltIn(_) => "built_in",
        crate::ai::Configured::OpenAi(_) => "ai",
    };
    render::html(
        StatusCode::OK,
        &AnalysisPage {
            ctx: admin.chrome,
            analyzer,
            day,
            month,
            runs,
        },
    )
}
