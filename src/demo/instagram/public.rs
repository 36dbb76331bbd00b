//! What a browser sees of the demo's Instagram accounts: their profile pictures and a post's page.

use std::fmt::Write as _;

use actix_web::{HttpResponse, web};

use super::super::state::DemoNetwork;
use super::world::{ACCOUNTS, Account, World};

/// `GET /instagram/avatar/{username}.svg`: a round picture with the account's initial.
pub async fn avatar(path: web::Path<String>) -> HttpResponse {
    let Some(account) = Account::by_username(&path) else {
        return HttpResponse::NotFound().finish();
    };
    let initial = account
        .username()
        .chars()
        .next()
        .unwrap_or('?')
        .to_ascii_uppercase();
    let colour = ["#c13584", "#405de6"][account.index % 2];
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="150" height="150" viewBox="0 0 150 150"><circle cx="75" cy="75" r="75" fill="{colour}"/><text x="75" y="98" font-size="64" font-family="sans-serif" fill="#fff" text-anchor="middle">{initial}</text></svg>"##
    );
    HttpResponse::Ok().content_type("image/svg+xml").body(svg)
}

/// `GET /instagram/p/{media_id}`: a post's caption and comments, as plain text (its permalink).
pub async fn post(network: web::Data<DemoNetwork>, path: web::Path<String>) -> HttpResponse {
    for account in ACCOUNTS {
        let world = World::read(&network, account, &[]);
        if let Some(index) = world.media_index(&path) {
            let mut text = format!(
                "@{}: {}\n\n",
                account.username(),
                world.media[index].caption
            );
            for comment in world.comments.iter().filter(|c| c.media == index) {
                let _ = writeln!(
                    text,
                    "@{}: {}",
                    world.username_of(comment.person),
                    comment.text
                );
            }
            return HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .body(text);
        }
    }
    HttpResponse::NotFound().finish()
}
