//! The demo network's Instagram peer, mounted under `/instagram`: a consent screen (`oauth`), the token
//! endpoints, the Graph API reads and `POST /me/messages` (`graph`, `messages`) over what the simulated
//! audience does (`world`), and a sender that posts signed webhook deliveries to VistaFlow (`sender`).
//! It serves the endpoint contract (the Instagram API with Instagram Login) exactly, in memory.

mod controls;
mod errors;
mod graph;
mod messages;
mod oauth;
mod public;
pub mod sender;
mod state;
pub mod world;

use actix_web::web::{self, delete, get, post};

use crate::platforms::instagram::GRAPH_VERSION;

pub use controls::ControlView;
pub use state::{InstagramPeer, Peer};
pub use world::{ACCOUNTS, Account};

/// The peer's routes: the consent screen, the API host, the Graph host, and the controls.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/instagram/oauth/authorize", get().to(oauth::authorize))
        .route("/instagram/oauth/authorize", post().to(oauth::decide))
        .route(
            "/instagram/api/oauth/access_token",
            post().to(oauth::exchange_code),
        )
        .route(
            "/instagram/graph/access_token",
            get().to(oauth::exchange_token),
        )
        .route(
            "/instagram/graph/refresh_access_token",
            get().to(oauth::refresh),
        )
        .route("/instagram/avatar/{username}.svg", get().to(public::avatar))
        .route("/instagram/p/{media_id}", get().to(public::post))
        .route("/__demo/instagram/expire", post().to(controls::expire))
        .route("/__demo/instagram/age", post().to(controls::age))
        .route("/__demo/instagram/throttle", post().to(controls::throttle))
        .route(
            "/__demo/instagram/wrong-signature",
            post().to(controls::wrong_signature),
        )
        .route("/__demo/instagram/replay", post().to(controls::replay))
        .route("/__demo/instagram/test", post().to(controls::test))
        .service(
            web::scope(&format!("/instagram/graph/{GRAPH_VERSION}"))
                .route("/me", get().to(graph::me))
                .route("/me/subscribed_apps", post().to(graph::subscribe))
                .route("/me/subscribed_apps", delete().to(graph::unsubscribe))
                .route("/me/media", get().to(graph::media))
                .route("/me/conversations", get().to(graph::conversations))
                .route("/me/messages", post().to(messages::send))
                .route("/{id}/comments", get().to(graph::comments))
                .route("/{id}", get().to(graph::node)),
        );
}
