//! The demo network: a simulated social network built into the app (on only with `VISTAFLOW_DEMO=1`)
//! that serves pages with the structure of TikTok's, issues and expires sessions, logs in by QR code,
//! and can show a captcha. The TikTok connector reads it exactly as it reads TikTok. This module holds
//! the demo site's own route table; it runs on its own port, like a separate site. Its Instagram peer
//! (`instagram`) answers under `/instagram` on the same port.

pub mod activity;
pub mod bench;
pub mod instagram;
mod pages;
pub mod people;
mod state;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::web::{self, get, post};
use actix_web::{App, HttpServer};

pub use state::{DEFAULT_SEED, DEMO_CREATORS, DemoCreator, DemoNetwork};

use crate::domain::platform::Platform;

/// The platform the demo network imitates: its connector reads the demo as it reads the real site.
pub const IMITATES: Platform = Platform::Tiktok;

/// Starts the demo site on `listener`.
///
/// # Errors
/// When the listener cannot be used.
pub fn serve(listener: TcpListener, network: Arc<DemoNetwork>) -> std::io::Result<Server> {
    instagram::sender::start(&network);
    let data = web::Data::from(network);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/robots.txt", get().to(pages::robots))
            .route("/", get().to(pages::home))
            .route("/foryou", get().to(pages::home))
            .route("/login", get().to(pages::login))
            .route("/login/demo", post().to(pages::login_as_demo_creator))
            .route("/cookies", get().to(pages::cookies))
            .route("/activity-rows", get().to(pages::activity_rows))
            .route("/messages", get().to(pages::messages))
            .route("/qr/{token}.svg", get().to(pages::qr_image))
            .route("/qr/{token}/scan", get().to(pages::qr_scan))
            .route("/qr/{token}/approve", post().to(pages::qr_approve))
            .route("/qr/{token}/status", get().to(pages::qr_status))
            .route("/qr/{token}/complete", get().to(pages::qr_complete))
            .route("/__demo", get().to(pages::control))
            .route("/__demo/expire", post().to(pages::expire))
            .route("/__demo/captcha", post().to(pages::captcha))
            .route("/__demo/language", post().to(pages::language))
            .configure(instagram::routes)
    })
    .workers(1)
    .listen(listener)?
    .run())
}
