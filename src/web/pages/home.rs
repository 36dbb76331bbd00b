//! The front door: a short presentation for visitors, the first workspace for people who are logged in.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::error::AppError;
use crate::web::extract::Visitor;
use crate::web::render::{self, Chrome};

#[derive(Template)]
#[template(path = "pages/home/index.html")]
pub struct HomePage {
    ctx: Chrome,
}

/// `GET /`
pub async fn index(visitor: Visitor) -> Result<HttpResponse, AppError> {
    if visitor.user.is_some() {
        let to = visitor
            .chrome
            .workspaces
            .first()
            .map_or_else(|| "/workspaces".to_owned(), |ws| format!("/w/{}/", ws.slug));
        return Ok(render::redirect(false, &to));
    }
    render::html(
        StatusCode::OK,
        &HomePage {
            ctx: visitor.chrome,
        },
    )
}
