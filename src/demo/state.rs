//! The demo network's memory: who is logged in, which QR codes were scanned, who gets a captcha.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::activity::{Event, Simulation};
use super::instagram::{InstagramPeer, Peer};

/// A creator account on the demo network.
#[derive(Debug, Clone, Copy)]
pub struct DemoCreator {
    pub handle: &'static str,
    pub nickname: &'static str,
}

/// The demo network's creators: the first is the one "Log in as the demo creator" uses.
pub const DEMO_CREATORS: [DemoCreator; 2] = [
    DemoCreator {
        handle: "studio.nova.demo",
        nickname: "Studio Nova 🎧",
    },
    DemoCreator {
        handle: "lina.beats.demo",
        nickname: "Lina Beats",
    },
];

/// How long a demo session lasts, like TikTok's `sid_guard` (about 60 days).
pub const SESSION_SECONDS: i64 = 5_184_000;

/// How long a QR code waits for its scan.
const QR_MINUTES: i64 = 5;

#[derive(Debug, Clone)]
struct Session {
    handle: String,
    issued_at: DateTime<Utc>,
    expired: bool,
}

#[derive(Debug, Clone)]
struct QrCode {
    created_at: DateTime<Utc>,
    approved_for: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    sessions: HashMap<String, Session>,
    qr_codes: HashMap<String, QrCode>,
    captcha: HashSet<String>,
}

/// The demo network. Its state lives in memory: it is a simulation for one machine, not a data store.
#[derive(Debug)]
pub struct DemoNetwork {
    state: Mutex<State>,
    /// One simulated audience per demo creator, from the network's seed and start.
    simulations: Vec<Simulation>,
    french: std::sync::atomic::AtomicBool,
    /// When set, the simulated audience does nothing after this moment (tests and benchmarks then add
    /// events by hand); times are still shown relative to the real clock.
    paused_at: Mutex<Option<DateTime<Utc>>>,
    /// Events added by hand, per creator handle.
    added: Mutex<Vec<(String, Event)>>,
    /// The Instagram accounts' tokens, subscriptions and webhook deliveries.
    instagram: Peer,
}

impl Default for DemoNetwork {
    fn default() -> Self {
        Self::new(DEFAULT_SEED, Utc::now())
    }
}

/// The seed of `DemoNetwork::default()`.
pub const DEFAULT_SEED: u64 = 2026;

/// A session the demo network issued, with the cookies a browser gets.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub session_id: String,
    pub handle: String,
    pub issued_at: DateTime<Utc>,
}

impl IssuedSession {
    /// The cookies TikTok sets for a session (names from PLATFORMS.md), as (name, value) pairs.
    #[must_use]
    pub fn cookies(&self) -> Vec<(&'static str, String)> {
        let sid = &self.session_id;
        let issued = self.issued_at.timestamp();
        let expiry = (self.issued_at + Duration::seconds(SESSION_SECONDS))
            .format("%a,+%d-%b-%Y+%H:%M:%S+GMT");
        vec![
            ("sessionid", sid.clone()),
            ("sessionid_ss", sid.clone()),
            ("sid_tt", sid.clone()),
            (
                "sid_guard",
                format!("{sid}%7C{issued}%7C{SESSION_SECONDS}%7C{expiry}"),
            ),
            ("uid_tt", format!("{issued:x}")),
            ("tt_csrf_token", format!("demo-{}", &sid[..8])),
            ("ttwid", format!("1%7Cdemo{issued}")),
        ]
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0_u8; bytes];
    rand::fill(&mut buffer[..]);
    buffer
        .iter()
        .fold(String::with_capacity(bytes * 2), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

impl DemoNetwork {
    /// A network whose history derives from `seed` and starts at `epoch`.
    #[must_use]
    pub fn new(seed: u64, epoch: DateTime<Utc>) -> Self {
        Self::with_history(seed, epoch, super::activity::HISTORY_EVENTS)
    }

    /// A network whose accounts already have `history_events` interactions each when it starts.
    #[must_use]
    pub fn with_history(seed: u64, epoch: DateTime<Utc>, history_events: i64) -> Self {
        let simulations = (0..DEMO_CREATORS.len())
            .map(|i| {
                Simulation::new(seed ^ (i as u64 + 1).wrapping_mul(0x1000_0001), epoch)
                    .with_history(history_events)
            })
            .collect();
        Self {
            state: Mutex::default(),
            simulations,
            french: std::sync::atomic::AtomicBool::new(false),
            paused_at: Mutex::new(None),
            added: Mutex::new(Vec::new()),
            instagram: Peer::default(),
        }
    }

    /// The same network, whose Instagram peer posts signed deliveries to VistaFlow's webhook.
    #[must_use]
    pub fn with_instagram(mut self, peer: InstagramPeer) -> Self {
        self.instagram = Peer::new(Some(peer));
        self
    }

    /// The Instagram peer's memory.
    #[must_use]
    pub fn instagram(&self) -> &Peer {
        &self.instagram
    }

    /// Stops (or, with `None`, resumes) the simulated audience at `at`.
    pub fn pause_audience(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut paused) = self.paused_at.lock() {
            *paused = at;
        }
    }

    /// Adds an event to `handle`'s account, by one of its simulated people, at `at`.
    pub fn add_event(&self, handle: &str, event: Event) {
        if let Ok(mut added) = self.added.lock() {
            added.push((handle.to_owned(), event));
        }
    }

    /// Everything that happened on `handle`'s account up to now, newest first.
    #[must_use]
    pub fn events(&self, handle: &str) -> Vec<Event> {
        let Some(simulation) = self.simulation(handle) else {
            return Vec::new();
        };
        let now = Utc::now();
        let until = self
            .paused_at
            .lock()
            .ok()
            .and_then(|p| *p)
            .map_or(now, |p| p.min(now));
        let mut events = simulation.events_until(until);
        if let Ok(added) = self.added.lock() {
            events.extend(
                added
                    .iter()
                    .filter(|(h, e)| h == handle && e.at <= now)
                    .map(|(_, e)| e.clone()),
            );
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        events
    }

    /// The audience of `handle`'s account.
    #[must_use]
    pub fn simulation(&self, handle: &str) -> Option<&Simulation> {
        DEMO_CREATORS
            .iter()
            .position(|c| c.handle == handle)
            .map(|i| &self.simulations[i])
    }

    /// Whether the site speaks French (the Activity panel's texts follow).
    #[must_use]
    pub fn french(&self) -> bool {
        self.french.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_french(&self, on: bool) {
        self.french.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Logs `handle` in and returns the session to set as cookies.
    #[must_use]
    pub fn issue_session(&self, handle: &str) -> IssuedSession {
        let session = IssuedSession {
            session_id: random_hex(16),
            handle: handle.to_owned(),
            issued_at: Utc::now(),
        };
        self.state().sessions.insert(
            session.session_id.clone(),
            Session {
                handle: handle.to_owned(),
                issued_at: session.issued_at,
                expired: false,
            },
        );
        session
    }

    /// Whose session `session_id` is, while it is valid.
    #[must_use]
    pub fn session_owner(&self, session_id: &str) -> Option<DemoCreator> {
        let state = self.state();
        let session = state.sessions.get(session_id).filter(|s| {
            !s.expired && Utc::now() - s.issued_at < Duration::seconds(SESSION_SECONDS)
        })?;
        DEMO_CREATORS
            .iter()
            .copied()
            .find(|c| c.handle == session.handle)
    }

    /// Expires every session of `handle`, or every session when `None`. Returns how many ended.
    pub fn expire(&self, handle: Option<&str>) -> usize {
        let mut state = self.state();
        let mut ended = 0;
        for session in state
            .sessions
            .values_mut()
            .filter(|s| !s.expired && handle.is_none_or(|h| h == s.handle))
        {
            session.expired = true;
            ended += 1;
        }
        ended
    }

    /// Shows (or stops showing) a captcha to `handle`'s sessions.
    pub fn set_captcha(&self, handle: &str, on: bool) {
        let mut state = self.state();
        if on {
            state.captcha.insert(handle.to_owned());
        } else {
            state.captcha.remove(handle);
        }
    }

    #[must_use]
    pub fn has_captcha(&self, handle: &str) -> bool {
        self.state().captcha.contains(handle)
    }

    /// The handles of the valid sessions, with how many each has (for the control page).
    #[must_use]
    pub fn active_sessions(&self) -> Vec<(String, usize)> {
        let state = self.state();
        DEMO_CREATORS
            .iter()
            .map(|c| {
                (
                    c.handle.to_owned(),
                    state
                        .sessions
                        .values()
                        .filter(|s| s.handle == c.handle && !s.expired)
                        .count(),
                )
            })
            .collect()
    }

    /// A new QR code to scan.
    #[must_use]
    pub fn new_qr_code(&self) -> String {
        let token = random_hex(12);
        self.state().qr_codes.insert(
            token.clone(),
            QrCode {
                created_at: Utc::now(),
                approved_for: None,
            },
        );
        token
    }

    fn live_qr(&self, token: &str) -> Option<QrCode> {
        self.state()
            .qr_codes
            .get(token)
            .filter(|q| Utc::now() - q.created_at < Duration::minutes(QR_MINUTES))
            .cloned()
    }

    #[must_use]
    pub fn qr_exists(&self, token: &str) -> bool {
        self.live_qr(token).is_some()
    }

    /// The "phone" scans the code and approves the login of `handle`.
    pub fn approve_qr(&self, token: &str, handle: &str) -> bool {
        if self.live_qr(token).is_none() {
            return false;
        }
        if let Some(code) = self.state().qr_codes.get_mut(token) {
            code.approved_for = Some(handle.to_owned());
        }
        true
    }

    /// Who approved the code, if anyone did yet.
    #[must_use]
    pub fn qr_approved_for(&self, token: &str) -> Option<String> {
        self.live_qr(token)?.approved_for
    }

    /// Ends a scanned code (a code logs in once).
    pub fn consume_qr(&self, token: &str) -> Option<String> {
        let handle = self.qr_approved_for(token)?;
        self.state().qr_codes.remove(token);
        Some(handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_session_is_valid_until_it_is_expired() {
        let network = DemoNetwork::default();
        let session = network.issue_session("studio.nova.demo");
        assert_eq!(
            network.session_owner(&session.session_id).unwrap().handle,
            "studio.nova.demo"
        );

        assert_eq!(network.expire(Some("studio.nova.demo")), 1);

        assert!(network.session_owner(&session.session_id).is_none());
    }

    #[test]
    fn a_qr_code_logs_in_once_after_its_approval() {
        let network = DemoNetwork::default();
        let token = network.new_qr_code();
        assert_eq!(network.consume_qr(&token), None, "not scanned yet");

        assert!(network.approve_qr(&token, "lina.beats.demo"));

        assert_eq!(
            network.consume_qr(&token).as_deref(),
            Some("lina.beats.demo")
        );
        assert_eq!(network.consume_qr(&token), None);
    }

    #[test]
    fn session_cookies_carry_an_expiry_in_sid_guard() {
        let session = DemoNetwork::default().issue_session("studio.nova.demo");
        let cookies = session.cookies();
        let guard = &cookies
            .iter()
            .find(|(name, _)| *name == "sid_guard")
            .unwrap()
            .1;
        assert!(guard.starts_with(&format!(
            "{}%7C{}%7C5184000%7C",
            session.session_id,
            session.issued_at.timestamp()
        )));
    }
}
