//! `POST /me/messages`: a direct message within 24 hours of the person's last message, or one private
//! reply to a comment within 7 days. What is sent joins the conversation and comes back as an echo.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use super::super::state::DemoNetwork;
use super::errors::GraphError;
use super::graph::Caller;
use super::world::{Sent, World, mid};

type Network = web::Data<DemoNetwork>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Recipient {
    id: Option<String>,
    comment_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Text {
    text: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SendBody {
    recipient: Recipient,
    message: Text,
}

/// Who the message goes to, or why it may not be sent.
fn recipient(network: &DemoNetwork, world: &World, to: &Recipient) -> Result<usize, GraphError> {
    let now = Utc::now();
    if let Some(comment_id) = &to.comment_id {
        let comment = world
            .comment(comment_id)
            .ok_or_else(|| GraphError::invalid("No matching comment found"))?;
        if now - comment.at > Duration::days(7) {
            return Err(GraphError::not_allowed(
                "This reply is sent outside of the 7-day window of private replies.",
                2_534_022,
            ));
        }
        if !network.instagram().claim_private_reply(comment_id) {
            return Err(GraphError::not_allowed(
                "A private reply was already sent for this comment.",
                2_534_023,
            ));
        }
        return Ok(comment.person);
    }
    let person = to
        .id
        .as_deref()
        .and_then(|id| world.person_by_igsid(id))
        .ok_or_else(|| GraphError::invalid("No matching user found"))?;
    match world.last_message_from(person) {
        Some(last) if now - last <= Duration::hours(24) => Ok(person),
        _ => Err(GraphError::not_allowed(
            "This message is sent outside of allowed window.",
            2_534_022,
        )),
    }
}

/// `POST /v24.0/me/messages` (JSON).
pub async fn send(req: HttpRequest, network: Network, body: web::Bytes) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    let Ok(body) = serde_json::from_slice::<SendBody>(&body) else {
        return GraphError::invalid("The body must be JSON with recipient and message").response();
    };
    if body.message.text.trim().is_empty() {
        return GraphError::invalid("The parameter message.text is required").response();
    }
    let peer = network.instagram();
    let world = World::read(&network, caller.account, &peer.sent());
    let person = match recipient(&network, &world, &body.recipient) {
        Ok(person) => person,
        Err(error) => return error.response(),
    };
    let at = Utc::now();
    let message_id = mid(rand::random());
    let igsid = world.igsid(person);
    let echo = json!({
        "sender": { "id": caller.account.user_id },
        "recipient": { "id": igsid },
        "timestamp": at.timestamp_millis(),
        "message": { "mid": message_id, "text": body.message.text, "is_echo": true },
    });
    peer.record_sent(
        Sent {
            account: caller.account.index,
            person,
            mid: message_id.clone(),
            text: body.message.text,
            at,
        },
        echo,
    );
    caller.answer(&json!({ "recipient_id": igsid, "message_id": message_id }))
}
