//! The web layer. This file holds the one route table: every URL of the app can be read here.

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod extract;
pub mod headers;
pub mod input;
pub mod pages;
pub mod render;
pub mod session_store;

use actix_web::web::{self, get, post};

use crate::error::AppError;
use pages::{
    account, account_qr, account_sync, accounts, admin, coming_soon, dashboard, email_verification,
    health, home, instagram, interactions, language, lead, leads, login, members, password_reset,
    register, review, settings, templates, webhooks, workspaces,
};

/// Registers every route of the app.
#[expect(
    clippy::too_many_lines,
    reason = "the one route table: every URL of the app in one place, as the house style asks"
)]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", get().to(health::healthz))
        .route("/readyz", get().to(health::readyz))
        .route("/static/{path:.*}", get().to(assets::serve))
        .route("/", get().to(home::index))
        .route("/register", get().to(register::new))
        .route("/register", post().to(register::create))
        .route("/login", get().to(login::new))
        .route("/login", post().to(login::create))
        .route("/logout", post().to(login::destroy))
        .route("/password/forgot", get().to(password_reset::new))
        .route("/password/forgot", post().to(password_reset::create))
        .route("/password/reset/{token}", get().to(password_reset::edit))
        .route("/password/reset/{token}", post().to(password_reset::update))
        .route("/email/verify/{token}", get().to(email_verification::show))
        .route(
            "/email/verify/{token}",
            post().to(email_verification::confirm),
        )
        .route("/email/verification", post().to(email_verification::resend))
        .route("/invitations/join/{token}", get().to(workspaces::join_show))
        .route(
            "/invitations/join/{token}",
            post().to(workspaces::join_accept),
        )
        .route("/language", post().to(language::update))
        .route("/oauth/instagram/callback", get().to(instagram::callback))
        .service(
            web::resource("/webhooks/instagram")
                .app_data(web::PayloadConfig::new(
                    crate::usecases::instagram::inbox::MAX_BODY_BYTES,
                ))
                .route(get().to(webhooks::verify))
                .route(post().to(webhooks::receive)),
        )
        .route("/account", get().to(account::show))
        .route("/account/password", post().to(account::update_password))
        .route("/workspaces", get().to(workspaces::index))
        .route("/workspaces", post().to(workspaces::create))
        .route(
            "/invitations/{id}/accept",
            post().to(workspaces::accept_invitation),
        )
        .route(
            "/invitations/{id}/decline",
            post().to(workspaces::decline_invitation),
        )
        .service(
            web::scope("/w/{slug}")
                .route("", get().to(dashboard::show))
                .route("/", get().to(dashboard::show))
                .route("/accounts", get().to(accounts::index))
                .route("/accounts", post().to(accounts::connect))
                .route("/accounts/qr", post().to(account_qr::start))
                .route("/accounts/instagram", post().to(instagram::connect))
                .route(
                    "/accounts/{id}/reconnect-instagram",
                    post().to(instagram::reconnect),
                )
                .route("/accounts/qr/{id}", get().to(account_qr::show))
                .route("/accounts/qr/{id}/image", get().to(account_qr::image))
                .route("/accounts/qr/{id}/cancel", post().to(account_qr::cancel))
                .route("/accounts/{id}/check", post().to(accounts::check))
                .route("/accounts/{id}/sync", post().to(account_sync::start))
                .route("/accounts/{id}/sync", get().to(account_sync::show))
                .route(
                    "/accounts/{id}/reconnect-qr",
                    post().to(account_qr::reconnect),
                )
                .route("/accounts/{id}/reconnect", post().to(accounts::reconnect))
                .route("/accounts/{id}/disconnect", post().to(accounts::disconnect))
                .route("/interactions", get().to(interactions::index))
                .route("/leads", get().to(leads::index))
                .route("/leads/bulk", post().to(leads::bulk))
                .route("/leads/export.csv", get().to(leads::export))
                .route("/leads/{id}", get().to(lead::show))
                .route("/leads/{id}/status", post().to(lead::update_status))
                .route("/leads/{id}/notes", post().to(lead::add_note))
                .route("/leads/{id}/erase", post().to(lead::erase))
                .route("/leads/{id}/export.json", get().to(lead::export))
                .route("/review", get().to(review::index))
                .route("/review/batch", post().to(review::batch))
                .route("/review/{id}", post().to(review::edit))
                .route("/review/{id}/approve", post().to(review::approve))
                .route("/review/{id}/reject", post().to(review::reject))
                .route("/review/{id}/sent", post().to(review::mark_sent))
                .route(
                    "/review/{id}/send-instagram",
                    post().to(review::send_on_instagram),
                )
                .route("/templates", get().to(templates::index))
                .route("/templates", post().to(templates::create))
                .route("/templates/preview", post().to(templates::preview_fragment))
                .route("/templates/{id}", get().to(templates::edit))
                .route("/templates/{id}", post().to(templates::update))
                .route("/templates/{id}/delete", post().to(templates::delete))
                .route("/integrations", get().to(coming_soon::integrations))
                .route("/settings", get().to(settings::show))
                .route("/settings", post().to(settings::update))
                .route("/leave", post().to(settings::leave))
                .route("/members", get().to(members::index))
                .route("/members/{user_id}/role", post().to(members::change_role))
                .route("/members/{user_id}/remove", post().to(members::remove))
                .route("/invitations", post().to(members::invite))
                .route(
                    "/invitations/{id}/revoke",
                    post().to(members::revoke_invitation),
                ),
        )
        .service(
            web::scope("/admin")
                .route("", get().to(admin::index))
                .route("/", get().to(admin::index))
                .route("/users", get().to(admin::users::index))
                .route("/users/{id}/{change}", post().to(admin::users::change))
                .route("/workspaces", get().to(admin::workspaces::index))
                .route("/analysis", get().to(admin::analysis::index))
                .route("/audit", get().to(admin::audit::index))
                .route("/jobs", get().to(admin::jobs::index))
                .route("/jobs/{name}/run", post().to(admin::jobs::run_now))
                .route("/accounts", get().to(admin::accounts::index))
                .route("/emails", get().to(admin::emails::index))
                .route("/deliveries", get().to(admin::deliveries::index))
                .route(
                    "/deliveries/{id}/replay",
                    post().to(admin::deliveries::replay),
                )
                .route("/config", get().to(admin::config::index)),
        )
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
