//! Instagram, through Meta's official "Instagram API with Instagram Login": an account connects by OAuth
//! (`oauth`), its token is kept alive and used for the Graph API (`api`), and interactions arrive as
//! signed webhook deliveries (`webhook`), with a periodic API pull as a safety net.

pub mod api;
pub mod webhook;

use secrecy::SecretString;

use crate::domain::interaction::Kind;

use super::{Collection, Connection};

/// Where Instagram's people are: profile links go here.
pub const BASE_URL: &str = "https://www.instagram.com";

/// The Graph API version of every versioned call.
pub const GRAPH_VERSION: &str = "v24.0";

/// The permissions VistaFlow asks for: the profile, the comments, the messages.
pub const SCOPES: &str = "instagram_business_basic,instagram_business_manage_comments,instagram_business_manage_messages";

/// A person can be messaged for this long after their latest message to the account.
pub const MESSAGE_WINDOW_HOURS: i64 = 24;

/// A comment can get its one private reply for this long.
pub const PRIVATE_REPLY_DAYS: i64 = 7;

/// The demo network's Instagram app, the defaults when the demo is on.
pub const DEMO_APP_ID: &str = "demo-instagram-app";
pub const DEMO_APP_SECRET: &str = "demo-instagram-secret";
pub const DEMO_VERIFY_TOKEN: &str = "demo-verify-token";

/// The variables of the app's credentials.
pub const APP_ID_VARIABLE: &str = "INSTAGRAM_APP_ID";
pub const APP_SECRET_VARIABLE: &str = "INSTAGRAM_APP_SECRET";
pub const VERIFY_TOKEN_VARIABLE: &str = "INSTAGRAM_WEBHOOK_VERIFY_TOKEN";
pub const AUTHORIZE_URL_VARIABLE: &str = "INSTAGRAM_AUTHORIZE_URL";
pub const API_URL_VARIABLE: &str = "INSTAGRAM_API_URL";
pub const GRAPH_URL_VARIABLE: &str = "INSTAGRAM_GRAPH_URL";

/// An account connects through the consent screen.
pub const CONNECTIONS: &[Connection] = &[Connection::OAuth];

/// Interactions are pushed to the webhook (the API pull is a safety net, run by its own job).
pub const COLLECTION: Option<Collection> = Some(Collection::Webhook);

/// What Instagram tells: comments, mentions, messages and reactions to messages.
pub const KINDS: &[Kind] = &[Kind::Comment, Kind::Mention, Kind::Message, Kind::Reaction];

/// The Instagram app VistaFlow is registered as (App Dashboard > Instagram > API setup).
#[derive(Debug, Clone)]
pub struct App {
    pub id: String,
    pub secret: SecretString,
    pub verify_token: SecretString,
}

/// Where Instagram's hosts are, and the app's credentials when they are set.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The consent screen.
    pub authorize_url: String,
    /// The host of the code exchange (`/oauth/access_token`).
    pub api_url: String,
    /// The Graph API host (tokens, `/me`, media, conversations, messages).
    pub graph_url: String,
    /// `None` until the three app variables are set: the Accounts page then says what to set.
    pub app: Option<App>,
}

impl PartialEq for Settings {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret as _;
        let app = |s: &Self| {
            s.app.as_ref().map(|a| {
                (
                    a.id.clone(),
                    a.secret.expose_secret().to_owned(),
                    a.verify_token.expose_secret().to_owned(),
                )
            })
        };
        self.authorize_url == other.authorize_url
            && self.api_url == other.api_url
            && self.graph_url == other.graph_url
            && app(self) == app(other)
    }
}

impl Eq for Settings {}

impl Settings {
    /// The hosts through `var` (by default Meta's, or the demo network's Instagram when the demo is on)
    /// and the app's credentials through `secret` (by default the demo app's when the demo is on).
    pub fn read(
        var: &mut impl FnMut(&'static str, String) -> String,
        secret: &mut impl FnMut(&'static str) -> Option<String>,
        demo_url: Option<&str>,
    ) -> Self {
        let default = |path: &str, real: &str| {
            demo_url.map_or_else(|| real.to_owned(), |demo| format!("{demo}/instagram{path}"))
        };
        let authorize_url = var(
            AUTHORIZE_URL_VARIABLE,
            default(
                "/oauth/authorize",
                "https://www.instagram.com/oauth/authorize",
            ),
        );
        let api_url = var(
            API_URL_VARIABLE,
            default("/api", "https://api.instagram.com"),
        );
        let graph_url = var(
            GRAPH_URL_VARIABLE,
            default("/graph", "https://graph.instagram.com"),
        );
        let demo = demo_url.is_some();
        let mut credential = |name: &'static str, demo_value: &str| {
            secret(name).or_else(|| demo.then(|| demo_value.to_owned()))
        };
        let id = credential(APP_ID_VARIABLE, DEMO_APP_ID);
        let app_secret = credential(APP_SECRET_VARIABLE, DEMO_APP_SECRET);
        let verify_token = credential(VERIFY_TOKEN_VARIABLE, DEMO_VERIFY_TOKEN);
        let app = match (id, app_secret, verify_token) {
            (Some(id), Some(secret), Some(verify_token)) => Some(App {
                id,
                secret: SecretString::from(secret),
                verify_token: SecretString::from(verify_token),
            }),
            _ => None,
        };
        Self {
            authorize_url,
            api_url,
            graph_url,
            app,
        }
    }

    /// The app variables left unset, for the Accounts page's "set these to connect Instagram".
    #[must_use]
    pub fn missing(&self) -> Vec<&'static str> {
        if self.app.is_some() {
            Vec::new()
        } else {
            vec![APP_ID_VARIABLE, APP_SECRET_VARIABLE, VERIFY_TOKEN_VARIABLE]
        }
    }
}

#[must_use]
pub fn profile_url(handle: &str) -> String {
    format!("{BASE_URL}/{handle}/")
}

/// What an Instagram account does not do: it has no browser session.
pub(super) fn unsupported<T>(what: &str) -> anyhow::Result<T> {
    anyhow::bail!("Instagram does not support {what}: it connects through Meta's API")
}

/// Instagram's session cookie: Instagram accounts connect by OAuth, so no session is ever pasted, but
/// the cookie rules of every platform are known.
#[must_use]
pub fn site(host: &str) -> crate::domain::cookies::Site<'_> {
    crate::domain::cookies::Site {
        host,
        session_cookies: &["sessionid"],
        expiry_cookie: None,
    }
}
