//! The Instagram peer's memory: authorization codes, tokens, which accounts subscribed the app, throttles,
//! what the accounts sent, and the deliveries posted to VistaFlow's webhook.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

use super::errors::GraphError;
use super::world::{Account, Sent};

/// Where VistaFlow's webhook is and the app secret that signs deliveries.
#[derive(Debug, Clone)]
pub struct InstagramPeer {
    pub webhook_url: String,
    pub app_secret: SecretString,
}

/// A code lives one hour (PLATFORMS.md).
const CODE_MINUTES: i64 = 60;
/// A short-lived token lives one hour.
const SHORT_MINUTES: i64 = 60;
/// A long-lived token's `expires_in`, as Meta answers it (about 60 days).
pub const LONG_LIVED_SECONDS: i64 = 5_183_944;
/// How many deliveries the control page lists.
const DELIVERIES_KEPT: usize = 20;

#[derive(Debug, Clone)]
struct Code {
    account: usize,
    client_id: String,
    redirect_uri: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Short,
    Long,
}

#[derive(Debug, Clone)]
struct Token {
    account: usize,
    kind: TokenKind,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked: bool,
}

/// A live token's owner and age.
#[derive(Debug, Clone, Copy)]
pub struct TokenOwner {
    pub account: usize,
    pub kind: TokenKind,
    pub issued_at: DateTime<Utc>,
}

/// A delivery posted (or being posted) to the webhook.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub number: u64,
    pub at: DateTime<Utc>,
    pub summary: String,
    /// `pending`, the HTTP status answered, or the error of the last attempt.
    pub status: String,
    pub attempts: u32,
}

#[derive(Debug, Default)]
struct State {
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Token>,
    /// Subscribed accounts, with the moment up to which their events were delivered.
    subscribed: HashMap<usize, DateTime<Utc>>,
    throttled: HashMap<usize, u32>,
    calls: HashMap<usize, u64>,
    sent: Vec<Sent>,
    private_replies: HashSet<String>,
    /// Echoes of what the accounts sent, waiting for the sender: (account, event).
    echoes: Vec<(usize, serde_json::Value)>,
    deliveries: VecDeque<Delivery>,
    next_delivery: u64,
    last_body: Option<Vec<u8>>,
}

/// The Instagram peer of a demo network.
#[derive(Debug, Default)]
pub struct Peer {
    config: std::sync::OnceLock<InstagramPeer>,
    state: Mutex<State>,
}

/// `bytes` random bytes as lowercase hex.
#[must_use]
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0_u8; bytes];
    rand::fill(&mut buffer[..]);
    buffer.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

impl Peer {
    #[must_use]
    pub fn new(config: Option<InstagramPeer>) -> Self {
        let peer = Self {
            config: std::sync::OnceLock::new(),
            state: Mutex::default(),
        };
        if let Some(config) = config {
            peer.send_to(config);
        }
        peer
    }

    /// The webhook and secret, when the peer sends deliveries.
    #[must_use]
    pub fn config(&self) -> Option<&InstagramPeer> {
        self.config.get()
    }

    /// Starts sending deliveries to `config`'s webhook (for a peer started before the app it sends to
    /// had its address); a peer that already sends somewhere keeps its webhook.
    pub fn send_to(&self, config: InstagramPeer) {
        let _ = self.config.set(config);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new single-use code for `account`, bound to the client and the redirect address.
    #[must_use]
    pub fn issue_code(&self, account: Account, client_id: &str, redirect_uri: &str) -> String {
        let code = format!("AQ{}", random_hex(24));
        self.state().codes.insert(
            code.clone(),
            Code {
                account: account.index,
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                created_at: Utc::now(),
            },
        );
        code
    }

    /// Uses `code` up (whatever the outcome) and returns its account when it is valid for the request.
    pub fn redeem_code(&self, code: &str, client_id: &str, redirect_uri: &str) -> Option<usize> {
        let found = self.state().codes.remove(code)?;
        (found.client_id == client_id
            && found.redirect_uri == redirect_uri
            && Utc::now() - found.created_at < Duration::minutes(CODE_MINUTES))
        .then_some(found.account)
    }

    /// A new token for `account`.
    #[must_use]
    pub fn issue_token(&self, account: usize, kind: TokenKind) -> String {
        let now = Utc::now();
        let (token, lifetime) = match kind {
            TokenKind::Short => (
                format!("IGQVJ{}", random_hex(32)),
                Duration::minutes(SHORT_MINUTES),
            ),
            TokenKind::Long => (
                format!("IGAA{}", random_hex(40)),
                Duration::seconds(LONG_LIVED_SECONDS),
            ),
        };
        self.state().tokens.insert(
            token.clone(),
            Token {
                account,
                kind,
                issued_at: now,
                expires_at: now + lifetime,
                revoked: false,
            },
        );
        token
    }

    /// Who `token` belongs to, or the Graph error a dead token gets (190).
    pub fn token_owner(&self, token: &str) -> Result<TokenOwner, GraphError> {
        let state = self.state();
        let Some(found) = state.tokens.get(token) else {
            return Err(GraphError::dead_token(
                "Invalid OAuth access token - Cannot parse access token",
                None,
            ));
        };
        if found.revoked {
            return Err(GraphError::dead_token(
                "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
                Some(460),
            ));
        }
        if found.expires_at <= Utc::now() {
            return Err(GraphError::dead_token(
                "Error validating access token: Session has expired.",
                Some(463),
            ));
        }
        Ok(TokenOwner {
            account: found.account,
            kind: found.kind,
            issued_at: found.issued_at,
        })
    }

    /// Kills every token of `account` (the control page's "expire"). Returns how many died.
    pub fn revoke_tokens(&self, account: usize) -> usize {
        let mut state = self.state();
        let mut revoked = 0;
        for token in state
            .tokens
            .values_mut()
            .filter(|t| t.account == account && !t.revoked)
        {
            token.revoked = true;
            revoked += 1;
        }
        revoked
    }

    /// Makes every token of `account` older by `by` (so a refresh, which needs 24 hours, can be tried).
    pub fn age_tokens(&self, account: usize, by: Duration) {
        for token in self
            .state()
            .tokens
            .values_mut()
            .filter(|t| t.account == account)
        {
            token.issued_at -= by;
        }
    }

    /// How many live tokens `account` has.
    #[must_use]
    pub fn live_tokens(&self, account: usize) -> usize {
        let now = Utc::now();
        self.state()
            .tokens
            .values()
            .filter(|t| t.account == account && !t.revoked && t.expires_at > now)
            .count()
    }

    /// Makes `account`'s calls answer the throttling error `code` (`None` clears it).
    pub fn throttle(&self, account: usize, code: Option<u32>) {
        let mut state = self.state();
        match code {
            Some(code) => state.throttled.insert(account, code),
            None => state.throttled.remove(&account),
        };
    }

    #[must_use]
    pub fn throttled(&self, account: usize) -> Option<u32> {
        self.state().throttled.get(&account).copied()
    }

    /// Counts a Graph call of `account` and returns how many it made.
    pub fn count_call(&self, account: usize) -> u64 {
        let mut state = self.state();
        let calls = state.calls.entry(account).or_default();
        *calls += 1;
        *calls
    }

    /// Subscribes the app to `account`'s events from now on (again: no change).
    pub fn subscribe(&self, account: usize) {
        self.state()
            .subscribed
            .entry(account)
            .or_insert_with(Utc::now);
    }

    pub fn unsubscribe(&self, account: usize) {
        self.state().subscribed.remove(&account);
    }

    #[must_use]
    pub fn is_subscribed(&self, account: usize) -> bool {
        self.state().subscribed.contains_key(&account)
    }

    /// Up to when `account`'s events were delivered, when it is subscribed.
    #[must_use]
    pub fn delivered_until(&self, account: usize) -> Option<DateTime<Utc>> {
        self.state().subscribed.get(&account).copied()
    }

    pub fn set_delivered_until(&self, account: usize, until: DateTime<Utc>) {
        if let Some(at) = self.state().subscribed.get_mut(&account) {
            *at = until;
        }
    }

    /// What the accounts sent.
    #[must_use]
    pub fn sent(&self) -> Vec<Sent> {
        self.state().sent.clone()
    }

    /// Records a message the account sent, and its echo for the webhook.
    pub fn record_sent(&self, sent: Sent, echo: serde_json::Value) {
        let mut state = self.state();
        state.echoes.push((sent.account, echo));
        state.sent.push(sent);
    }

    /// Marks `comment_id` as privately answered; false when it already was (one reply per comment).
    pub fn claim_private_reply(&self, comment_id: &str) -> bool {
        self.state().private_replies.insert(comment_id.to_owned())
    }

    /// The echoes waiting for `account`'s next delivery.
    pub fn take_echoes(&self, account: usize) -> Vec<serde_json::Value> {
        let mut state = self.state();
        let (mine, others) = std::mem::take(&mut state.echoes)
            .into_iter()
            .partition(|(a, _)| *a == account);
        state.echoes = others;
        mine.into_iter().map(|(_, echo)| echo).collect()
    }

    /// Lists a new delivery as pending and returns its number.
    pub fn start_delivery(&self, summary: String, body: &[u8], replayable: bool) -> u64 {
        let mut state = self.state();
        state.next_delivery += 1;
        let number = state.next_delivery;
        if replayable {
            state.last_body = Some(body.to_vec());
        }
        state.deliveries.push_front(Delivery {
            number,
            at: Utc::now(),
            summary,
            status: "pending".to_owned(),
            attempts: 0,
        });
        state.deliveries.truncate(DELIVERIES_KEPT);
        number
    }

    pub fn update_delivery(&self, number: u64, status: String, attempts: u32) {
        if let Some(delivery) = self
            .state()
            .deliveries
            .iter_mut()
            .find(|d| d.number == number)
        {
            delivery.status = status;
            delivery.attempts = attempts;
        }
    }

    /// The last deliveries, newest first.
    #[must_use]
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().deliveries.iter().cloned().collect()
    }

    /// The body of the last correctly signed delivery.
    #[must_use]
    pub fn last_body(&self) -> Option<Vec<u8>> {
        self.state().last_body.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::world::ACCOUNTS;
    use super::*;

    #[test]
    fn a_code_is_redeemed_once_and_only_for_its_redirect_address() {
        let peer = Peer::default();
        let code = peer.issue_code(ACCOUNTS[1], "app", "http://x/cb");
        let other = peer.issue_code(ACCOUNTS[1], "app", "http://x/cb");

        assert_eq!(peer.redeem_code(&code, "app", "http://x/cb"), Some(1));
        assert_eq!(peer.redeem_code(&code, "app", "http://x/cb"), None);
        assert_eq!(peer.redeem_code(&other, "app", "http://y/cb"), None);
    }

    #[test]
    fn a_revoked_token_answers_190() {
        let peer = Peer::default();
        let token = peer.issue_token(0, TokenKind::Long);
        assert!(peer.token_owner(&token).is_ok());

        peer.revoke_tokens(0);

        assert_eq!(peer.token_owner(&token).map(|_| ()).unwrap_err().code, 190);
    }
}
