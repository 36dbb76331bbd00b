//! Admin: the running configuration, variable by variable, with every secret masked (`Settings::shown`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::config::Shown;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::extract::SiteAdmin;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/admin/config.html")]
pub struct ConfigPage {
    ctx: Chrome,
    settings: Vec<(&'static str, Shown)>,
}

/// `GET /admin/config`
pub async fn index(admin: SiteAdmin, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    render::html(
        StatusCode::OK,
        &ConfigPage {
            ctx: admin.chrome,
            settings: state.settings.shown(),
        },
    )
}
