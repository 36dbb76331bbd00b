//! Static files compiled into the binary (one file to deploy), served with long cache lifetimes:
//! htmx carries its version in its name, and the stylesheet's URL carries a hash of its content.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::error::AppError;

pub const HTMX_PATH: &str = "/static/js/htmx-2.0.11.min.js";
const HTMX: &[u8] = include_bytes!("../../static/js/htmx-2.0.11.min.js");
const CSS: &[u8] = include_bytes!("../../static/css/app.css");
const SCRIPT: &[u8] = include_bytes!("../../static/js/vistaflow.js");
const FAVICON: &[u8] = include_bytes!("../../static/img/favicon.svg");

/// The stylesheet's URL with a content hash, so a new release is never served a stale copy.
pub static CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    let digest = format!("{:x}", Sha256::digest(CSS));
    format!("/static/css/app.css?v={}", &digest[..8])
});

/// The app's own script's URL with a content hash.
pub static SCRIPT_PATH: LazyLock<String> = LazyLock::new(|| {
    let digest = format!("{:x}", Sha256::digest(SCRIPT));
    format!("/static/js/vistaflow.js?v={}", &digest[..8])
});

/// `GET /static/{path}`
///
/// # Errors
/// `NotFound` for any other path.
pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (body, content_type) = match path.as_str() {
        "js/htmx-2.0.11.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "css/app.css" => (CSS, "text/css; charset=utf-8"),
        "js/vistaflow.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "img/favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return Err(AppError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body))
}
