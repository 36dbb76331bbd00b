//! Sections of a workspace that are not built yet: an honest empty state, never sample data.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::error::AppError;
use crate::web::extract::InWorkspace;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/coming_soon/index.html")]
pub struct ComingSoonPage {
    ctx: Chrome,
    section: &'static str,
}

fn page(member: InWorkspace, section: &'static str) -> Result<HttpResponse, AppError> {
    render::html(
        StatusCode::OK,
        &ComingSoonPage {
            ctx: member.chrome,
            section,
        },
    )
}

/// `GET /w/{slug}/integrations`
pub async fn integrations(member: InWorkspace) -> Result<HttpResponse, AppError> {
    page(member, "integrations")
}
