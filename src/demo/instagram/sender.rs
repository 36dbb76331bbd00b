//! The webhook sender: every two seconds, the new comments, mentions and messages of each subscribed
//! account with a live token become signed deliveries to VistaFlow's webhook (`changes` with times in
//! seconds, `messaging` in milliseconds, two entries at most in one delivery), retried with back-off.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use super::super::state::DemoNetwork;
use super::world::{ACCOUNTS, Account, Comment, Message, World};
use crate::platforms::instagram::webhook::signature_header as sign;

/// How often the sender looks at the simulation.
const POLL: StdDuration = StdDuration::from_secs(2);
/// Attempts of one delivery before it is dropped, and the first wait between two (doubled each time).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: StdDuration = StdDuration::from_millis(500);

/// How a delivery is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    Right,
    /// With another secret: VistaFlow must refuse it.
    Wrong,
}

fn comment_change(world: &World, comment: &Comment) -> Value {
    let media = &world.media[comment.media];
    if comment.mention {
        return json!({ "field": "mentions", "value": { "comment_id": comment.id, "media_id": media.id } });
    }
    let mut value = json!({
        "id": comment.id,
        "from": { "id": world.igsid(comment.person), "username": world.username_of(comment.person) },
        "text": comment.text,
        "media": { "id": media.id, "media_product_type": media.product_type },
    });
    if let Some(parent) = &comment.parent_id {
        value["parent_id"] = parent.clone().into();
    }
    json!({ "field": "comments", "value": value })
}

fn changes_entry(account: Account, change: &Value, now: DateTime<Utc>) -> Value {
    json!({ "id": account.user_id, "time": now.timestamp(), "changes": [change] })
}

fn messaging_entry(account: Account, item: &Value, now: DateTime<Utc>) -> Value {
    json!({ "id": account.user_id, "time": now.timestamp_millis(), "messaging": [item] })
}

fn message_item(world: &World, message: &Message) -> Value {
    json!({
        "sender": { "id": world.igsid(message.person) },
        "recipient": { "id": world.account.user_id },
        "timestamp": message.at.timestamp_millis(),
        "message": { "mid": message.mid, "text": message.text },
    })
}

/// A delivery's line on the control page: what each entry holds.
fn summary(entries: &[Value]) -> String {
    entries
        .iter()
        .map(|entry| {
            let what = entry["changes"][0]["field"]
                .as_str()
                .map_or("messaging", |field| field);
            format!("{what} ({})", entry["id"].as_str().unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn body(entries: &[Value]) -> Vec<u8> {
    json!({ "object": "instagram", "entry": entries })
        .to_string()
        .into_bytes()
}

/// The deliveries due at `now`: what happened since the last look on every subscribed account whose
/// token lives (the others only move their mark on).
pub fn due(network: &DemoNetwork, now: DateTime<Utc>) -> Vec<(String, Vec<u8>)> {
    let peer = network.instagram();
    let mut entries = Vec::new();
    for account in ACCOUNTS {
        let Some(since) = peer.delivered_until(account.index) else {
            continue;
        };
        peer.set_delivered_until(account.index, now);
        let echoes = peer.take_echoes(account.index);
        if peer.live_tokens(account.index) == 0 {
            continue;
        }
        let world = World::read(network, account, &[]);
        let fresh = |at: DateTime<Utc>| at > since && at <= now;
        for comment in world.comments.iter().filter(|c| fresh(c.at)) {
            entries.push(changes_entry(
                account,
                &comment_change(&world, comment),
                now,
            ));
        }
        for message in world.messages.iter().filter(|m| fresh(m.at)) {
            entries.push(messaging_entry(
                account,
                &message_item(&world, message),
                now,
            ));
        }
        entries.extend(
            echoes
                .into_iter()
                .map(|echo| messaging_entry(account, &echo, now)),
        );
    }
    entries
        .chunks(2)
        .map(|pair| (summary(pair), body(pair)))
        .collect()
}

/// Meta's dashboard test delivery for the `comments` field, with its sample ids.
#[must_use]
pub fn test_delivery(now: DateTime<Utc>) -> (String, Vec<u8>) {
    let entry = json!({ "id": "0", "time": now.timestamp(), "changes": [{ "field": "comments", "value": {
        "from": { "id": "232323232", "username": "test" },
        "media": { "id": "123123123", "media_product_type": "FEED" },
        "id": "17865799348089039",
        "parent_id": "1231231234",
        "text": "This is an example.",
    }}]});
    ("test: comments (0)".to_owned(), body(&[entry]))
}

/// Posts `body` to the webhook, retrying a failure with back-off, and notes the outcome.
pub async fn deliver(
    network: Arc<DemoNetwork>,
    summary: String,
    body: Vec<u8>,
    signature: Signature,
) {
    let peer = network.instagram();
    let Some(config) = peer.config() else {
        return;
    };
    let header = match signature {
        Signature::Right => sign(config.app_secret.expose_secret().as_bytes(), &body),
        Signature::Wrong => sign(b"not-the-app-secret", &body),
    };
    let number = peer.start_delivery(summary, &body, signature == Signature::Right);
    let attempts = if signature == Signature::Right {
        ATTEMPTS
    } else {
        1
    };
    let client = reqwest::Client::builder()
        .timeout(StdDuration::from_secs(10))
        .build()
        .unwrap_or_default();
    let mut wait = FIRST_BACKOFF;
    let mut outcome = String::new();
    for attempt in 1..=attempts {
        let answer = client
            .post(&config.webhook_url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &header)
            .body(body.clone())
            .send()
            .await;
        let delivered = answer.as_ref().is_ok_and(|r| r.status().is_success());
        outcome = match answer {
            Ok(response) => response.status().as_u16().to_string(),
            Err(error) => format!("failed: {error}"),
        };
        peer.update_delivery(number, outcome.clone(), attempt);
        if delivered || attempt == attempts {
            break;
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
    if !outcome.starts_with('2') {
        tracing::warn!(
            delivery = number,
            outcome,
            "the demo's Instagram delivery was dropped"
        );
    }
}

/// Starts the sender beside the demo site; it sends once the peer knows VistaFlow's webhook.
pub fn start(network: &Arc<DemoNetwork>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the demo's Instagram sender is off");
        return;
    };
    let network = network.clone();
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if network.instagram().config().is_none() {
                continue;
            }
            for (summary, body) in due(&network, Utc::now()) {
                tokio::spawn(deliver(network.clone(), summary, body, Signature::Right));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsubscribed_account_gets_no_delivery() {
        let network = DemoNetwork::default();

        assert!(due(&network, Utc::now()).is_empty());
    }
}
