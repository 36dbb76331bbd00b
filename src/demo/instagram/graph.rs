//! The Graph API reads (`/me`, media, comments, conversations, a person) and `subscribed_apps`, with the
//! token checks, throttling, usage header and cursor paging every call shares.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::super::state::DemoNetwork;
use super::errors::{GraphError, USAGE_HEADER};
use super::world::{ACCOUNTS, Account, Comment, Message, World, conversation_id};

type Network = web::Data<DemoNetwork>;

/// A time as the Graph API writes it: `2017-08-31T18:10:30+0000`.
#[must_use]
pub fn graph_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%z").to_string()
}

/// The query's parameters, decoded.
fn params(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

fn param(req: &HttpRequest, name: &str) -> Option<String> {
    params(req)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The calling account, from `access_token` or `Authorization: Bearer`.
pub struct Caller {
    pub account: Account,
    calls: u64,
}

impl Caller {
    pub fn of(req: &HttpRequest, network: &DemoNetwork) -> Result<Self, GraphError> {
        let bearer = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let token = param(req, "access_token").or(bearer).unwrap_or_default();
        let peer = network.instagram();
        let owner = peer.token_owner(&token)?;
        let account = ACCOUNTS[owner.account];
        if let Some(code) = peer.throttled(owner.account) {
            let mut error = GraphError::throttled(code);
            error.usage = Some(usage(account, 100, 5));
            return Err(error);
        }
        Ok(Self {
            account,
            calls: peer.count_call(owner.account),
        })
    }

    /// A 200 answer with the usage header.
    #[must_use]
    pub fn answer(&self, body: &Value) -> HttpResponse {
        let used = u32::try_from(1 + self.calls / 50).unwrap_or(99).min(99);
        HttpResponse::Ok()
            .insert_header((USAGE_HEADER, usage(self.account, used, 0)))
            .json(body)
    }
}

fn usage(account: Account, percent: u32, regain_minutes: u32) -> String {
    json!({ account.user_id: [{
        "type": "instagram",
        "call_count": percent,
        "total_cputime": percent / 2,
        "total_time": percent / 2,
        "estimated_time_to_regain_access": regain_minutes,
    }]})
    .to_string()
}

/// One page of `items` (id, object), in their order, after the `after` cursor, with `paging`.
fn page(req: &HttpRequest, items: &[(String, Value)], default_limit: usize) -> Value {
    let limit = param(req, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .map_or(default_limit, |l| l.clamp(1, 100));
    let start = match param(req, "after") {
        None => 0,
        Some(cursor) => URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|id| items.iter().position(|(i, _)| i.as_bytes() == id))
            .map_or(items.len(), |at| at + 1),
    };
    let shown: Vec<&(String, Value)> = items.iter().skip(start).take(limit).collect();
    let data: Vec<&Value> = shown.iter().map(|(_, v)| v).collect();
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return json!({ "data": [] });
    };
    let after = URL_SAFE_NO_PAD.encode(&last.0);
    let mut paging = json!({ "cursors": {
        "before": URL_SAFE_NO_PAD.encode(&first.0),
        "after": after,
    }});
    if start + shown.len() < items.len() {
        let info = req.connection_info();
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params(req).iter().filter(|(k, _)| k != "after") {
            next.append_pair(k, v);
        }
        next.append_pair("after", &after);
        paging["next"] = format!(
            "{}://{}{}?{}",
            info.scheme(),
            info.host(),
            req.path(),
            next.finish()
        )
        .into();
    }
    json!({ "data": data, "paging": paging })
}

/// The address the demo serves under, as the browser reached it.
fn base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// `GET /v24.0/me`
pub async fn me(req: HttpRequest, network: Network) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    let account = caller.account;
    caller.answer(&json!({
        "id": account.app_scoped_id,
        "user_id": account.user_id,
        "username": account.username(),
        "name": account.creator().nickname,
        "account_type": account.account_type,
        "profile_picture_url": format!("{}/instagram/avatar/{}.svg", base(&req), account.username()),
    }))
}

/// `POST /v24.0/me/subscribed_apps?subscribed_fields=...`
pub async fn subscribe(req: HttpRequest, network: Network) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    if param(&req, "subscribed_fields").is_none_or(|f| f.is_empty()) {
        return GraphError::invalid("The parameter subscribed_fields is required").response();
    }
    network.instagram().subscribe(caller.account.index);
    caller.answer(&json!({ "success": true }))
}

/// `DELETE /v24.0/me/subscribed_apps`
pub async fn unsubscribe(req: HttpRequest, network: Network) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    network.instagram().unsubscribe(caller.account.index);
    caller.answer(&json!({ "success": true }))
}

fn media_json(req: &HttpRequest, world: &World, index: usize) -> Value {
    let media = &world.media[index];
    json!({
        "id": media.id,
        "caption": media.caption,
        "media_type": media.media_type,
        "media_product_type": media.product_type,
        "permalink": format!("{}/instagram/p/{}", base(req), media.id),
        "timestamp": graph_time(media.at),
        "comments_count": world.comments.iter().filter(|c| c.media == index).count(),
        "like_count": 12 + 17 * index,
        "username": world.account.username(),
    })
}

/// `GET /v24.0/me/media`: the account's posts, newest first.
pub async fn media(req: HttpRequest, network: Network) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    let world = World::read(&network, caller.account, &[]);
    let items: Vec<(String, Value)> = (0..world.media.len())
        .rev()
        .map(|i| (world.media[i].id.clone(), media_json(&req, &world, i)))
        .collect();
    caller.answer(&page(&req, &items, 25))
}

fn comment_json(world: &World, comment: &Comment) -> Value {
    let username = world.username_of(comment.person);
    let mut value = json!({
        "id": comment.id,
        "text": comment.text,
        "username": username,
        "timestamp": graph_time(comment.at),
        "like_count": comment.id.bytes().last().map_or(0, |d| d % 4),
        "from": { "id": world.igsid(comment.person), "username": username },
        "media": { "id": world.media[comment.media].id },
    });
    if let Some(parent) = &comment.parent_id {
        value["parent_id"] = parent.clone().into();
    }
    value
}

/// `GET /v24.0/{media_id}/comments`: the post's comments, newest first, each with its replies.
pub async fn comments(req: HttpRequest, network: Network, path: web::Path<String>) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    let world = World::read(&network, caller.account, &[]);
    let Some(on) = world.media_index(&path) else {
        return unknown_object(&path);
    };
    let items: Vec<(String, Value)> = world
        .comments
        .iter()
        .rev()
        .filter(|c| c.media == on && c.parent_id.is_none())
        .map(|c| {
            let replies: Vec<Value> = world
                .comments
                .iter()
                .filter(|r| r.parent_id.as_deref() == Some(c.id.as_str()))
                .map(|r| comment_json(&world, r))
                .collect();
            let mut value = comment_json(&world, c);
            value["replies"] = json!({ "data": replies });
            (c.id.clone(), value)
        })
        .collect();
    caller.answer(&page(&req, &items, 50))
}

fn unknown_object(id: &str) -> HttpResponse {
    let mut error = GraphError::invalid(&format!(
        "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
    ));
    error.subcode = Some(33);
    error.response()
}

fn message_json(world: &World, message: &Message) -> Value {
    let account = json!({ "id": world.account.user_id, "username": world.account.username() });
    let person =
        json!({ "id": world.igsid(message.person), "username": world.username_of(message.person) });
    let (from, to) = if message.outgoing {
        (account, person)
    } else {
        (person, account)
    };
    json!({
        "id": message.mid,
        "created_time": graph_time(message.at),
        "from": from,
        "to": { "data": [to] },
        "message": message.text,
    })
}

/// `GET /v24.0/me/conversations`: one thread per person who wrote, latest first, with its 20 latest
/// messages.
pub async fn conversations(req: HttpRequest, network: Network) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    let world = World::read(&network, caller.account, &network.instagram().sent());
    let mut people: Vec<usize> = Vec::new();
    for message in world.messages.iter().rev() {
        if !people.contains(&message.person) {
            people.push(message.person);
        }
    }
    let items: Vec<(String, Value)> = people
        .into_iter()
        .map(|person| {
            let thread: Vec<&Message> = world
                .messages
                .iter()
                .rev()
                .filter(|m| m.person == person)
                .collect();
            let id = conversation_id(&world.igsid(person));
            let latest: Vec<Value> = thread
                .iter()
                .take(20)
                .map(|m| message_json(&world, m))
                .collect();
            let updated = thread.first().map(|m| graph_time(m.at));
            let value =
                json!({ "id": id, "updated_time": updated, "messages": { "data": latest } });
            (id, value)
        })
        .collect();
    caller.answer(&page(&req, &items, 25))
}

/// `GET /v24.0/{id}`: a person (by IGSID: name and username) or one of the account's posts.
pub async fn node(req: HttpRequest, network: Network, path: web::Path<String>) -> HttpResponse {
    let caller = match Caller::of(&req, &network) {
        Ok(caller) => caller,
        Err(error) => return error.response(),
    };
    let world = World::read(&network, caller.account, &[]);
    if let Some(person) = world.person_by_igsid(&path) {
        let who = &world.people[person];
        let mut value = json!({ "id": path.as_str(), "username": who.handle });
        if !who.nickname.is_empty() {
            value["name"] = who.nickname.clone().into();
        }
        return caller.answer(&value);
    }
    match world.media_index(&path) {
        Some(index) => caller.answer(&media_json(&req, &world, index)),
        None => unknown_object(&path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn graph_times_have_no_colon_in_the_offset() {
        let at = Utc.with_ymd_and_hms(2017, 8, 31, 18, 10, 30).unwrap();

        assert_eq!(graph_time(at), "2017-08-31T18:10:30+0000");
    }
}
