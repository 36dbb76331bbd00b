//! The Instagram section of the demo's control page: expire or age an account's tokens, throttle it, send
//! a delivery with a wrong signature, replay the last delivery, send Meta's test delivery, and the list of
//! the last deliveries with VistaFlow's answers.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::super::pages::see_other;
use super::super::state::DemoNetwork;
use super::sender::{Signature, deliver, test_delivery};
use super::world::{ACCOUNTS, Account};

type Network = web::Data<DemoNetwork>;

/// An account's line on the control page.
pub struct AccountRow {
    pub username: &'static str,
    pub user_id: &'static str,
    pub subscribed: bool,
    pub live_tokens: usize,
    /// The throttling code its calls answer, or empty.
    pub throttled: String,
}

/// A delivery's line on the control page.
pub struct DeliveryRow {
    pub number: u64,
    pub at: String,
    pub summary: String,
    pub status: String,
    pub attempts: u32,
}

/// What the control page shows of the Instagram peer.
pub struct ControlView {
    /// VistaFlow's webhook, or empty when the sender is off.
    pub webhook_url: String,
    pub accounts: Vec<AccountRow>,
    pub deliveries: Vec<DeliveryRow>,
}

impl ControlView {
    #[must_use]
    pub fn of(network: &DemoNetwork) -> Self {
        let peer = network.instagram();
        Self {
            webhook_url: peer
                .config()
                .map(|c| c.webhook_url.clone())
                .unwrap_or_default(),
            accounts: ACCOUNTS
                .iter()
                .map(|a| AccountRow {
                    username: a.username(),
                    user_id: a.user_id,
                    subscribed: peer.is_subscribed(a.index),
                    live_tokens: peer.live_tokens(a.index),
                    throttled: peer
                        .throttled(a.index)
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                })
                .collect(),
            deliveries: peer
                .deliveries()
                .into_iter()
                .map(|d| DeliveryRow {
                    number: d.number,
                    at: d.at.format("%H:%M:%S").to_string(),
                    summary: d.summary,
                    status: d.status,
                    attempts: d.attempts,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub username: String,
    pub code: String,
}

fn account(form: &AccountForm) -> Account {
    Account::by_username(&form.username).unwrap_or(ACCOUNTS[0])
}

/// `POST /__demo/instagram/expire` (`username`): its tokens die; every call with them answers 190.
pub async fn expire(network: Network, form: web::Form<AccountForm>) -> HttpResponse {
    network.instagram().revoke_tokens(account(&form).index);
    see_other("/__demo")
}

/// `POST /__demo/instagram/age` (`username`): its tokens become 25 hours older, old enough to refresh.
pub async fn age(network: Network, form: web::Form<AccountForm>) -> HttpResponse {
    network
        .instagram()
        .age_tokens(account(&form).index, Duration::hours(25));
    see_other("/__demo")
}

/// `POST /__demo/instagram/throttle` (`username`, `code` such as 4, 613 or 80002; empty clears it).
pub async fn throttle(network: Network, form: web::Form<AccountForm>) -> HttpResponse {
    let code = form.code.trim().parse::<u32>().ok();
    network.instagram().throttle(account(&form).index, code);
    see_other("/__demo")
}

fn send(network: &Network, summary: String, body: Vec<u8>, signature: Signature) {
    let network: Arc<DemoNetwork> = network.clone().into_inner();
    actix_web::rt::spawn(deliver(network, summary, body, signature));
}

/// `POST /__demo/instagram/wrong-signature`: Meta's test delivery, signed with another secret.
pub async fn wrong_signature(network: Network) -> HttpResponse {
    let (summary, body) = test_delivery(Utc::now());
    send(
        &network,
        format!("wrong signature, {summary}"),
        body,
        Signature::Wrong,
    );
    see_other("/__demo")
}

/// `POST /__demo/instagram/replay`: the last correctly signed delivery, once more.
pub async fn replay(network: Network) -> HttpResponse {
    if let Some(body) = network.instagram().last_body() {
        send(
            &network,
            "replay of the last delivery".to_owned(),
            body,
            Signature::Right,
        );
    }
    see_other("/__demo")
}

/// `POST /__demo/instagram/test`: the dashboard's test delivery (`changes`, field `comments`).
pub async fn test(network: Network) -> HttpResponse {
    let (summary, body) = test_delivery(Utc::now());
    send(&network, summary, body, Signature::Right);
    see_other("/__demo")
}
