//! What the demo's Instagram accounts hold, read from the simulation: the two professional accounts, their
//! posts, the comments on them (the simulation's comments and mentions, some as replies) and the direct
//! messages (the simulation's messages, plus what the account sent through the API). Every id derives from
//! the creator and the event, so the API and the webhook deliveries name the same thing the same way.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest as _, Sha256};

use super::super::activity::{Event, Kind, Person};
use super::super::state::{DEMO_CREATORS, DemoCreator, DemoNetwork};

/// A demo professional account, mirroring a demo creator.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    pub index: usize,
    /// The professional account id: `entry[].id` in deliveries, `user_id` in `/me`.
    pub user_id: &'static str,
    /// The app-scoped id: `user_id` of the code exchange, `id` in `/me`.
    pub app_scoped_id: &'static str,
    pub account_type: &'static str,
}

pub const ACCOUNTS: [Account; 2] = [
    Account {
        index: 0,
        user_id: "17841400000000001",
        app_scoped_id: "26900000000000001",
        account_type: "BUSINESS",
    },
    Account {
        index: 1,
        user_id: "17841400000000002",
        app_scoped_id: "26900000000000002",
        account_type: "MEDIA_CREATOR",
    },
];

impl Account {
    #[must_use]
    pub fn creator(self) -> DemoCreator {
        DEMO_CREATORS[self.index]
    }

    #[must_use]
    pub fn username(self) -> &'static str {
        self.creator().handle
    }

    #[must_use]
    pub fn by_username(username: &str) -> Option<Account> {
        ACCOUNTS.iter().copied().find(|a| a.username() == username)
    }
}

/// Posts on every demo account, newest last; they predate the simulated history.
const CAPTIONS: [(&str, &str, &str); 4] = [
    (
        "Behind the scenes: how this loop was made",
        "VIDEO",
        "REELS",
    ),
    ("Studio session, late night vibes 🌙", "IMAGE", "FEED"),
    (
        "Nouvelle prod dispo, dites-moi ce que vous en pensez",
        "VIDEO",
        "REELS",
    ),
    (
        "New beat out now 🎧 collabs open, DM me",
        "CAROUSEL_ALBUM",
        "FEED",
    ),
];

#[derive(Debug, Clone)]
pub struct Media {
    pub id: String,
    pub caption: &'static str,
    pub media_type: &'static str,
    pub product_type: &'static str,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: String,
    pub media: usize,
    pub parent_id: Option<String>,
    pub person: usize,
    pub text: String,
    pub at: DateTime<Utc>,
    /// A mention of the account: delivered in the `mentions` field.
    pub mention: bool,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub mid: String,
    pub person: usize,
    pub text: String,
    pub at: DateTime<Utc>,
    /// Sent by the account (through the API), not by the person.
    pub outgoing: bool,
}

/// A message the account sent through `POST /me/messages`.
#[derive(Debug, Clone)]
pub struct Sent {
    pub account: usize,
    pub person: usize,
    pub mid: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// One account's Instagram, as of now.
#[derive(Debug)]
pub struct World {
    pub account: Account,
    pub people: Vec<Person>,
    pub media: Vec<Media>,
    /// Oldest first.
    pub comments: Vec<Comment>,
    /// Oldest first.
    pub messages: Vec<Message>,
}

/// A stable number from `parts` (SHA-256, first eight bytes).
fn digest(parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let bytes = hasher.finalize();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(first)
}

fn event_key(handle: &str, event: &Event) -> u64 {
    digest(&[
        handle,
        &event.at.timestamp_micros().to_string(),
        &event.person.to_string(),
        event.kind.as_str(),
        event.text.as_deref().unwrap_or_default(),
    ])
}

/// A comment id, digits only like Meta's.
fn comment_id(key: u64) -> String {
    format!("17{:016}", key % 10_u64.pow(16))
}

/// A message id shaped like Meta's (`aWdf` is the base64 of `ig_`).
#[must_use]
pub fn mid(key: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("ig_demo_message:{key:020}"))
}

/// The Instagram-scoped id of one of `account`'s people: digits, stable.
#[must_use]
pub fn igsid(account: Account, person: &Person) -> String {
    let key = digest(&[account.username(), &person.handle]);
    format!("{}", 1_000_000_000_000_000 + key % 9_000_000_000_000_000)
}

/// The id of the conversation between the account and a person.
#[must_use]
pub fn conversation_id(igsid: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("ig_demo_thread:{igsid}"))
}

impl World {
    /// `account`'s posts, comments and messages, from the network's events and what was sent.
    #[must_use]
    pub fn read(network: &DemoNetwork, account: Account, sent: &[Sent]) -> Self {
        let handle = account.username();
        let Some(simulation) = network.simulation(handle) else {
            return Self::empty(account);
        };
        let first_post = simulation.epoch() - Duration::days(3 + 4 * 2);
        let media = CAPTIONS
            .iter()
            .zip(0_i64..)
            .map(|(&(caption, media_type, product_type), k)| Media {
                id: format!("18{}{:015}", account.index + 1, k + 1),
                caption,
                media_type,
                product_type,
                at: first_post + Duration::days(2 * k),
            })
            .collect::<Vec<_>>();
        let mut events = network.events(handle);
        events.reverse();
        let mut comments: Vec<Comment> = Vec::new();
        let mut messages = Vec::new();
        for event in events {
            let key = event_key(handle, &event);
            let text = event.text.clone().unwrap_or_default();
            match event.kind {
                Kind::Comment | Kind::Mention => {
                    let on = usize::try_from(key % 4).unwrap_or(0);
                    let parent_id = (key / 7)
                        .is_multiple_of(4)
                        .then(|| {
                            comments
                                .iter()
                                .rev()
                                .find(|c| c.media == on && c.parent_id.is_none())
                                .map(|c| c.id.clone())
                        })
                        .flatten();
                    comments.push(Comment {
                        id: comment_id(key),
                        media: on,
                        parent_id,
                        person: event.person,
                        text,
                        at: event.at,
                        mention: event.kind == Kind::Mention,
                    });
                }
                Kind::Message => messages.push(Message {
                    mid: mid(key),
                    person: event.person,
                    text,
                    at: event.at,
                    outgoing: false,
                }),
                _ => {}
            }
        }
        messages.extend(
            sent.iter()
                .filter(|s| s.account == account.index)
                .map(|s| Message {
                    mid: s.mid.clone(),
                    person: s.person,
                    text: s.text.clone(),
                    at: s.at,
                    outgoing: true,
                }),
        );
        messages.sort_by_key(|m| m.at);
        Self {
            account,
            people: simulation.people.clone(),
            media,
            comments,
            messages,
        }
    }

    fn empty(account: Account) -> Self {
        Self {
            account,
            people: Vec::new(),
            media: Vec::new(),
            comments: Vec::new(),
            messages: Vec::new(),
        }
    }

    #[must_use]
    pub fn igsid(&self, person: usize) -> String {
        self.people
            .get(person)
            .map(|p| igsid(self.account, p))
            .unwrap_or_default()
    }

    #[must_use]
    pub fn person_by_igsid(&self, id: &str) -> Option<usize> {
        (0..self.people.len()).find(|&p| self.igsid(p) == id)
    }

    #[must_use]
    pub fn username_of(&self, person: usize) -> &str {
        self.people.get(person).map_or("", |p| p.handle.as_str())
    }

    #[must_use]
    pub fn media_index(&self, id: &str) -> Option<usize> {
        self.media.iter().position(|m| m.id == id)
    }

    #[must_use]
    pub fn comment(&self, id: &str) -> Option<&Comment> {
        self.comments.iter().find(|c| c.id == id)
    }

    /// When `person` last wrote to the account.
    #[must_use]
    pub fn last_message_from(&self, person: usize) -> Option<DateTime<Utc>> {
        self.messages
            .iter()
            .filter(|m| m.person == person && !m.outgoing)
            .map(|m| m.at)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_digits_and_the_same_on_every_reading() {
        let network = DemoNetwork::default();
        let first = World::read(&network, ACCOUNTS[0], &[]);
        let second = World::read(&network, ACCOUNTS[0], &[]);

        assert!(!first.comments.is_empty() && !first.messages.is_empty());
        assert!(
            first
                .comments
                .iter()
                .all(|c| c.id.chars().all(|d| d.is_ascii_digit()))
        );
        assert!(first.igsid(3).chars().all(|d| d.is_ascii_digit()));
        let ids = |w: &World| w.comments.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&second));
        assert!(first.messages.iter().all(|m| m.mid.starts_with("aWdf")));
    }

    #[test]
    fn some_comments_are_replies_to_a_comment_on_the_same_post() {
        let world = World::read(&DemoNetwork::default(), ACCOUNTS[1], &[]);

        let replies: Vec<_> = world
            .comments
            .iter()
            .filter(|c| c.parent_id.is_some())
            .collect();

        assert!(!replies.is_empty());
        for reply in replies {
            let parent = world.comment(reply.parent_id.as_deref().unwrap_or_default());
            assert_eq!(parent.map(|p| p.media), Some(reply.media));
        }
    }
}
