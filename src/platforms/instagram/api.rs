//! The client of Instagram's Graph API (Instagram API with Instagram Login): one method per endpoint the
//! app uses (the code exchange, the long-lived exchange and refresh, `/me`, `subscribed_apps`, media,
//! comments, conversations, a person, messages), typed answers, typed errors. It reads no configuration
//! and no database: it is handed the hosts, the app and the tokens.
//!
//! Tokens go in and come out as `SecretString`; they travel as the `access_token` query parameter and are
//! kept out of every log line, error and `Debug` output (URLs are logged before the token is added,
//! reqwest's errors lose their URL, `paging.next` URLs are never kept).

mod error;
mod wire;

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::{App, GRAPH_VERSION, Settings};
use error::{Endpoint, carries_error, classify};

pub use error::{ApiError, THROTTLE_CODES, TOKEN_DEAD_CODE};
pub use wire::{
    Comment, Conversation, LongLived, Media, Message, Page, Person, Profile, Sent, ShortLived,
    User, parse_time,
};

/// The whole time a call may take.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// The time to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const USER_AGENT: &str = "VistaFlow";

/// What the client reads of media, comments and conversations.
const MEDIA_FIELDS: &str =
    "id,caption,media_type,media_product_type,permalink,timestamp,comments_count,like_count";
const COMMENT_FIELDS: &str = "id,text,username,timestamp,like_count,from,parent_id,\
replies{id,text,username,timestamp,from,parent_id}";
const CONVERSATION_FIELDS: &str =
    "id,updated_time,messages.limit(20){id,created_time,from,to,message}";
const PROFILE_FIELDS: &str = "user_id,username,name,account_type,profile_picture_url";
const MEDIA_PAGE: &str = "25";
const COMMENT_PAGE: &str = "50";
const CONVERSATION_PAGE: &str = "25";

/// The usage headers Meta sends back, logged after each call.
const USAGE_HEADERS: [&str; 2] = ["x-business-use-case-usage", "x-app-usage"];
/// From this share of a budget used (in percent), the usage is logged at `info` instead of `debug`.
const USAGE_WORTH_TELLING: i64 = 75;

/// The Graph API client. Cheap to clone (the HTTP client is shared).
#[derive(Debug, Clone)]
pub struct Graph {
    http: reqwest::Client,
    /// The host of the code exchange.
    api_host: Url,
    /// The Graph host (tokens, `/me`, media, conversations, messages).
    base: Url,
    app: Option<App>,
}

/// A request body.
enum Body {
    None,
    Form(String),
    Json(String),
}

impl Graph {
    /// A client of the hosts of `settings`, with its app's credentials when they are set.
    ///
    /// # Errors
    /// `NotConfigured` when a host is no URL or the HTTP client cannot be built.
    pub fn new(settings: &Settings) -> Result<Self, ApiError> {
        let host = |name: &str, value: &str| {
            Url::parse(value).map_err(|e| {
                ApiError::NotConfigured(format!("the {name} {value:?} is no URL: {e}"))
            })
        };
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| ApiError::NotConfigured(format!("the HTTP client: {e}")))?;
        Ok(Self {
            http,
            api_host: host("API host", &settings.api_url)?,
            base: host("Graph host", &settings.graph_url)?,
            app: settings.app.clone(),
        })
    }

    /// Exchanges the code of the consent redirect for a short-lived token. A trailing `#_` (Meta adds
    /// it to the redirect) is dropped; `redirect_uri` must be the one the consent was asked with.
    ///
    /// # Errors
    /// `TokenDead` when the code is used, unknown or expired (or the app secret is wrong: the message
    /// says which); see [`ApiError`] for the rest.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<ShortLived, ApiError> {
        let app = self.app()?;
        let code = code.trim().trim_end_matches("#_");
        let form = serde_urlencoded::to_string([
            ("client_id", app.id.as_str()),
            ("client_secret", app.secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ])
        .map_err(|e| ApiError::NotConfigured(format!("the exchange form: {e}")))?;
        let url = at(&self.api_host, &["oauth", "access_token"]);
        let raw: wire::RawExchange = self
            .call(Method::POST, url, None, Body::Form(form), Endpoint::Token)
            .await
            .map_err(|e| e.scrubbed(&[code]))?;
        let short = match raw {
            wire::RawExchange::Wrapped { data } => data.into_iter().next().ok_or_else(|| {
                ApiError::Unexpected("the code exchange answered no token".to_owned())
            })?,
            wire::RawExchange::Flat(short) => short,
        };
        Ok(ShortLived {
            token: SecretString::from(short.access_token),
            user_id: short.user_id,
            permissions: short.permissions,
        })
    }

    /// Exchanges a short-lived token for a long-lived one (60 days).
    ///
    /// # Errors
    /// `TokenDead` when the short-lived token is refused.
    pub async fn long_lived(&self, short: &SecretString) -> Result<LongLived, ApiError> {
        let app = self.app()?;
        let mut url = at(&self.base, &["access_token"]);
        url.query_pairs_mut()
            .append_pair("grant_type", "ig_exchange_token");
        // The secret goes in after the URL is logged, like the token.
        let secret = app.secret.expose_secret();
        let raw: wire::RawLongLived = self
            .call_with(
                Method::GET,
                url,
                Some(short),
                &[("client_secret", secret)],
                Body::None,
                Endpoint::Token,
            )
            .await?;
        Ok(long(raw))
    }

    /// Refreshes a long-lived token (at least 24 hours old, not expired) for another 60 days.
    ///
    /// # Errors
    /// `TokenDead` when the token is expired or revoked.
    pub async fn refresh(&self, token: &SecretString) -> Result<LongLived, ApiError> {
        let mut url = at(&self.base, &["refresh_access_token"]);
        url.query_pairs_mut()
            .append_pair("grant_type", "ig_refresh_token");
        let raw: wire::RawLongLived = self
            .call(Method::GET, url, Some(token), Body::None, Endpoint::Token)
            .await?;
        Ok(long(raw))
    }

    /// The connected account: its professional id (`user_id`), username and name.
    pub async fn me(&self, token: &SecretString) -> Result<Profile, ApiError> {
        let mut url = self.versioned(&["me"]);
        url.query_pairs_mut().append_pair("fields", PROFILE_FIELDS);
        let raw: wire::RawProfile = self.graph(Method::GET, url, token, Body::None).await?;
        Ok(Profile {
            user_id: raw.user_id,
            username: raw.username,
            name: raw.name,
            account_type: raw.account_type,
            profile_picture_url: raw.profile_picture_url,
        })
    }

    /// Subscribes the app to the account's comments and messages (no webhook arrives without it).
    pub async fn subscribe(&self, token: &SecretString) -> Result<(), ApiError> {
        let mut url = self.versioned(&["me", "subscribed_apps"]);
        url.query_pairs_mut()
            .append_pair("subscribed_fields", "comments,messages");
        self.success(Method::POST, url, token).await
    }

    /// Unsubscribes the app from the account (on disconnect).
    pub async fn unsubscribe(&self, token: &SecretString) -> Result<(), ApiError> {
        let url = self.versioned(&["me", "subscribed_apps"]);
        self.success(Method::DELETE, url, token).await
    }

    /// A page of the account's media, newest first.
    pub async fn media(
        &self,
        token: &SecretString,
        after: Option<&str>,
    ) -> Result<Page<Media>, ApiError> {
        let url = paged(
            self.versioned(&["me", "media"]),
            &[("fields", MEDIA_FIELDS), ("limit", MEDIA_PAGE)],
            after,
        );
        let raw: wire::RawPage<Media> = self.graph(Method::GET, url, token, Body::None).await?;
        Ok(raw.into_page(|m| m))
    }

    /// A page of a media's comments, each followed by its replies (the first page of them, as the
    /// `replies` field gives it).
    pub async fn comments(
        &self,
        token: &SecretString,
        media_id: &str,
        after: Option<&str>,
    ) -> Result<Page<Comment>, ApiError> {
        let url = paged(
            self.versioned(&[media_id, "comments"]),
            &[("fields", COMMENT_FIELDS), ("limit", COMMENT_PAGE)],
            after,
        );
        let raw: wire::RawPage<wire::RawComment> =
            self.graph(Method::GET, url, token, Body::None).await?;
        let page = raw.into_page(|c| c);
        let mut items = Vec::with_capacity(page.items.len());
        for comment in page.items {
            comment.flatten(media_id, &mut items);
        }
        Ok(Page {
            items,
            after: page.after,
        })
    }

    /// A page of the account's conversations, each with its latest messages.
    pub async fn conversations(
        &self,
        token: &SecretString,
        after: Option<&str>,
    ) -> Result<Page<Conversation>, ApiError> {
        let url = paged(
            self.versioned(&["me", "conversations"]),
            &[
                ("platform", "instagram"),
                ("fields", CONVERSATION_FIELDS),
                ("limit", CONVERSATION_PAGE),
            ],
            after,
        );
        let raw: wire::RawPage<wire::RawConversation> =
            self.graph(Method::GET, url, token, Body::None).await?;
        Ok(raw.into_page(Conversation::from))
    }

    /// The person behind an Instagram-scoped id (a DM's sender).
    pub async fn person(&self, token: &SecretString, igsid: &str) -> Result<Person, ApiError> {
        let mut url = self.versioned(&[igsid]);
        url.query_pairs_mut().append_pair("fields", "name,username");
        self.graph(Method::GET, url, token, Body::None).await
    }

    /// Sends a direct message (within 24 hours of the person's last message).
    ///
    /// # Errors
    /// `Refused` (code 10, subcode 2534022) outside the window.
    pub async fn send_message(
        &self,
        token: &SecretString,
        recipient_igsid: &str,
        text: &str,
    ) -> Result<Sent, ApiError> {
        let body =
            serde_json::json!({"recipient": {"id": recipient_igsid}, "message": {"text": text}});
        self.message(token, &body).await
    }

    /// Sends the one private reply a comment may get, as a direct message to its author.
    ///
    /// # Errors
    /// `Refused` when the comment already had its private reply or is too old.
    pub async fn private_reply(
        &self,
        token: &SecretString,
        comment_id: &str,
        text: &str,
    ) -> Result<Sent, ApiError> {
        let body =
            serde_json::json!({"recipient": {"comment_id": comment_id}, "message": {"text": text}});
        self.message(token, &body).await
    }

    async fn message(
        &self,
        token: &SecretString,
        body: &serde_json::Value,
    ) -> Result<Sent, ApiError> {
        let url = self.versioned(&["me", "messages"]);
        let raw: wire::RawSent = self
            .graph(Method::POST, url, token, Body::Json(body.to_string()))
            .await?;
        Ok(Sent {
            message_id: raw.message_id,
        })
    }

    async fn success(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
    ) -> Result<(), ApiError> {
        let raw: wire::RawSuccess = self.graph(method, url, token, Body::None).await?;
        if raw.success {
            Ok(())
        } else {
            Err(ApiError::Unexpected(
                "subscribed_apps answered success: false".to_owned(),
            ))
        }
    }

    fn app(&self) -> Result<&App, ApiError> {
        self.app.as_ref().ok_or_else(|| {
            ApiError::NotConfigured("the Instagram app's id and secret are not set".to_owned())
        })
    }

    fn versioned(&self, segments: &[&str]) -> Url {
        let mut all = vec![GRAPH_VERSION];
        all.extend_from_slice(segments);
        at(&self.base, &all)
    }

    async fn graph<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Body,
    ) -> Result<T, ApiError> {
        self.call(method, url, Some(token), body, Endpoint::Graph)
            .await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        token: Option<&SecretString>,
        body: Body,
        endpoint: Endpoint,
    ) -> Result<T, ApiError> {
        self.call_with(method, url, token, &[], body, endpoint)
            .await
    }

    /// One call: `url` (no secret in it) is logged; `token` and `secret_query` are added after.
    async fn call_with<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        token: Option<&SecretString>,
        secret_query: &[(&str, &str)],
        body: Body,
        endpoint: Endpoint,
    ) -> Result<T, ApiError> {
        let shown = url.to_string();
        let mut secrets: Vec<&str> = secret_query.iter().map(|(_, v)| *v).collect();
        if let Some(secret) = &self.app {
            secrets.push(secret.secret.expose_secret());
        }
        let mut full = url;
        {
            let mut query = full.query_pairs_mut();
            for (name, value) in secret_query {
                query.append_pair(name, value);
            }
            if let Some(token) = token {
                query.append_pair("access_token", token.expose_secret());
                secrets.push(token.expose_secret());
            }
        }
        let request = self.http.request(method.clone(), full);
        let request = match body {
            Body::None => request,
            Body::Form(form) => request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form),
            Body::Json(json) => request.header(CONTENT_TYPE, "application/json").body(json),
        };
        let started = std::time::Instant::now();
        let result = match exchange(request).await {
            Ok((status, headers, bytes)) => {
                log_usage(&method, &shown, status, &headers, started.elapsed());
                decode(status, &bytes, endpoint)
            }
            Err(error) => Err(error),
        };
        result.map_err(|error| {
            let error = error.scrubbed(&secrets);
            tracing::debug!(%method, url = %shown, %error, "an Instagram call failed");
            error
        })
    }
}

/// Sends the request and reads the whole answer.
async fn exchange(
    request: reqwest::RequestBuilder,
) -> Result<(StatusCode, HeaderMap, Vec<u8>), ApiError> {
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.map_err(transport)?;
    Ok((status, headers, bytes.to_vec()))
}

/// A 2xx body as `T`, or the error the answer means.
fn decode<T: DeserializeOwned>(
    status: StatusCode,
    bytes: &[u8],
    endpoint: Endpoint,
) -> Result<T, ApiError> {
    if !status.is_success() || carries_error(bytes) {
        return Err(classify(status, bytes, endpoint));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        // serde quotes the values it could not read: on a token endpoint one of them may be a token.
        let what = if endpoint == Endpoint::Token {
            format!(
                "the answer is not the expected JSON ({:?} at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            )
        } else {
            e.to_string()
        };
        ApiError::Unexpected(what)
    })
}

/// A transport error, without the URL reqwest puts in it (the URL holds the token).
fn transport(error: reqwest::Error) -> ApiError {
    let timeout = error.is_timeout();
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if timeout {
        text = format!("timed out ({text})");
    }
    ApiError::Unreachable(text)
}

/// `base` with `segments` appended to its path (each escaped as a path segment).
fn at(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// `url` with the list's query and, for a later page, its cursor.
fn paged(mut url: Url, query: &[(&str, &str)], after: Option<&str>) -> Url {
    {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(query);
        if let Some(after) = after {
            pairs.append_pair("after", after);
        }
    }
    url
}

fn long(raw: wire::RawLongLived) -> LongLived {
    LongLived {
        token: SecretString::from(raw.access_token),
        expires_in: raw.expires_in,
    }
}

/// Logs the usage headers of an answer: at `info` when a budget is 75 % used or more, else at `debug`.
fn log_usage(method: &Method, url: &str, status: StatusCode, headers: &HeaderMap, took: Duration) {
    let values: Vec<(&str, &str)> = USAGE_HEADERS
        .iter()
        .filter_map(|name| Some((*name, headers.get(*name)?.to_str().ok()?)))
        .collect();
    let business = values
        .iter()
        .find(|(n, _)| *n == USAGE_HEADERS[0])
        .map(|(_, v)| *v);
    let app = values
        .iter()
        .find(|(n, _)| *n == USAGE_HEADERS[1])
        .map(|(_, v)| *v);
    let highest = values.iter().filter_map(|(_, v)| highest_share(v)).max();
    let took_ms = took.as_millis();
    if highest.is_some_and(|h| h >= USAGE_WORTH_TELLING) {
        tracing::info!(%method, url, status = status.as_u16(), took_ms, business_use_case_usage = business,
            app_usage = app, highest_usage_percent = highest, "Instagram call: the usage is high");
    } else {
        tracing::debug!(%method, url, status = status.as_u16(), took_ms, business_use_case_usage = business,
            app_usage = app, "Instagram call");
    }
}

/// The highest percentage in a usage header: `{"call_count":28,"total_time":25,"total_cputime":25}` or
/// `{"<id>":[{"type":"instagram","call_count":28,...}]}`.
fn highest_share(header: &str) -> Option<i64> {
    fn walk(value: &serde_json::Value, best: &mut Option<i64>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match value.as_i64() {
                        Some(n)
                            if matches!(
                                key.as_str(),
                                "call_count" | "total_time" | "total_cputime"
                            ) =>
                        {
                            *best = Some(best.map_or(n, |b| b.max(n)));
                        }
                        _ => walk(value, best),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, best)),
            _ => {}
        }
    }
    let value: serde_json::Value = serde_json::from_str(header).ok()?;
    let mut best = None;
    walk(&value, &mut best);
    best
}

#[cfg(test)]
mod tests;
