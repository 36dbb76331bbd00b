//! What happens on the demo network: believable people (beatmakers, artists, clients asking for prices
//! with phone numbers and emails in many forms, curious people, fans, spammers) who like, comment,
//! follow, share, mention and write, over time. Who they are and what they write comes from the demo's
//! one corpus (`people.rs`). Everything derives from a seed and the network's start: the same seed gives
//! the same history.

use chrono::{DateTime, Duration, Utc};

use super::people::{self, FIRST_NAMES, HANDLE_WORDS, MAKER_WORDS, NICKNAMES, Persona};

/// A small, fast, deterministic generator (SplitMix64): the demo needs repeatability, not secrecy.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub handle: String,
    /// May be emoji, or empty (TikTok then shows nothing but the handle in the link).
    pub nickname: String,
    pub persona: Persona,
}

/// The demo's people do what the app collects.
pub use crate::domain::interaction::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub person: usize,
    pub kind: Kind,
    pub text: Option<String>,
}

/// The people and events of one demo creator's account.
#[derive(Debug, Clone)]
pub struct Simulation {
    seed: u64,
    epoch: DateTime<Utc>,
    history_events: i64,
    pub people: Vec<Person>,
}

/// One interaction every slot, on average a little less; the history starts three days before the
/// network does, so a first sync has something to read.
const SLOT_SECONDS: i64 = 90;
const HISTORY_DAYS: i64 = 3;
pub const HISTORY_EVENTS: i64 = 240;

impl Simulation {
    #[must_use]
    pub fn new(seed: u64, epoch: DateTime<Utc>) -> Self {
        let mut rng = SplitMix(seed);
        let personas = [
            Persona::Client,
            Persona::Client,
            Persona::Beatmaker,
            Persona::Artist,
            Persona::Artist,
            Persona::Curious,
            Persona::Fan,
            Persona::Fan,
            Persona::Fan,
            Persona::Spammer,
        ];
        let people = (0..40)
            .map(|i| {
                let name = *rng.pick(&FIRST_NAMES);
                // Half the styles are music makers' words, whatever the person does.
                let style = if rng.below(2) == 0 {
                    rng.pick(&MAKER_WORDS)
                } else {
                    rng.pick(&HANDLE_WORDS)
                };
                let handle = format!("{name}.{style}{i}");
                let capitalised = people::capitalised(name);
                let nickname = rng.pick(&NICKNAMES).replace("{Name}", &capitalised);
                Person {
                    handle,
                    nickname,
                    persona: *rng.pick(&personas),
                }
            })
            .collect();
        Self {
            seed,
            epoch,
            history_events: HISTORY_EVENTS,
            people,
        }
    }

    /// The same audience with `events` interactions spread over the days before the start.
    #[must_use]
    pub fn with_history(mut self, events: i64) -> Self {
        self.history_events = events.max(1);
        self
    }

    /// When the network started: the history lies in the days before it.
    #[must_use]
    pub fn epoch(&self) -> DateTime<Utc> {
        self.epoch
    }

    fn event(&self, rng: &mut SplitMix, at: DateTime<Utc>) -> Event {
        let person = rng.below(self.people.len());
        let who = &self.people[person];
        let kind = match (who.persona, rng.below(10)) {
            (_, 0) => Kind::Follow,
            (Persona::Client | Persona::Artist, 1 | 2) => Kind::Message,
            (Persona::Fan, 3..=5) | (_, 3) => Kind::Like,
            (_, 4) => Kind::Share,
            (_, 5) => Kind::CommentLike,
            (Persona::Beatmaker | Persona::Artist, 6) => Kind::Mention,
            _ => Kind::Comment,
        };
        let lines = match (kind, who.persona) {
            (Kind::Message, Persona::Client) => &people::MESSAGES_CLIENT[..],
            (Kind::Message, _) => &people::MESSAGES_ARTIST,
            (_, persona) => persona.activity_lines(),
        };
        let text = matches!(kind, Kind::Comment | Kind::Mention | Kind::Message).then(|| {
            rng.pick(lines).replace(
                "{handle}",
                who.handle.split('.').next().unwrap_or("contact"),
            )
        });
        Event {
            at,
            person,
            kind,
            text,
        }
    }

    /// Every event up to `now`, newest first, identical for the same seed and start.
    #[must_use]
    pub fn events_until(&self, now: DateTime<Utc>) -> Vec<Event> {
        let mut events = Vec::new();
        let history_start = self.epoch - Duration::days(HISTORY_DAYS);
        let spacing = (Duration::days(HISTORY_DAYS).num_seconds() / self.history_events).max(1);
        for i in 0..self.history_events {
            let mut rng = SplitMix(self.seed ^ (0xA5A5_0000_u64 + u64::try_from(i).unwrap_or(0)));
            let jitter =
                i64::try_from(rng.below(usize::try_from(spacing).unwrap_or(1))).unwrap_or(0);
            events.push(self.event(
                &mut rng,
                history_start + Duration::seconds(i * spacing + jitter),
            ));
        }
        let live_slots = (now - self.epoch).num_seconds().max(0) / SLOT_SECONDS;
        for slot in 0..=live_slots {
            let mut rng =
                SplitMix(self.seed ^ (0x5A5A_0000_0000_u64 + u64::try_from(slot).unwrap_or(0)));
            if rng.below(10) < 8 {
                let at = self.epoch
                    + Duration::seconds(
                        slot * SLOT_SECONDS
                            + i64::try_from(rng.below(usize::try_from(SLOT_SECONDS).unwrap_or(1)))
                                .unwrap_or(0),
                    );
                if at <= now {
                    events.push(self.event(&mut rng, at));
                }
            }
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        events
    }
}

/// A time as TikTok's Activity panel writes it, relative to `now`.
#[must_use]
pub fn relative_time(at: DateTime<Utc>, now: DateTime<Utc>, french: bool) -> String {
    let seconds = (now - at).num_seconds().max(0);
    let (value, en, fr) = match seconds {
        0..60 => (seconds, "s ago", " s"),
        60..3600 => (seconds / 60, "m ago", " min"),
        3600..86_400 => (seconds / 3600, "h ago", " h"),
        86_400..604_800 => (seconds / 86_400, "d ago", " j"),
        604_800..3_024_000 => (seconds / 604_800, "w ago", " sem."),
        _ => {
            return if at.format("%Y").to_string() == now.format("%Y").to_string() {
                at.format("%-m-%-d").to_string()
            } else {
                at.format("%Y-%-m-%-d").to_string()
            };
        }
    };
    if french {
        format!("il y a {value}{fr}")
    } else {
        format!("{value}{en}")
    }
}

/// The row text of an Activity event, in the panel's language.
#[must_use]
pub fn row_text(event: &Event, now: DateTime<Utc>, french: bool) -> String {
    let text = event.text.as_deref().unwrap_or_default();
    let action = match (event.kind, french) {
        (Kind::Like, false) => "liked your video.".to_owned(),
        (Kind::Like, true) => "a aimé votre vidéo.".to_owned(),
        (Kind::Comment, false) => format!("commented: {text}"),
        (Kind::Comment, true) => format!("a commenté : {text}"),
        (Kind::Follow, false) => "started following you.".to_owned(),
        (Kind::Follow, true) => "a commencé à vous suivre.".to_owned(),
        (Kind::Share, false) => "shared your video.".to_owned(),
        (Kind::Share, true) => "a partagé votre vidéo.".to_owned(),
        (Kind::Mention, false) => format!("mentioned you in a comment: {text}"),
        (Kind::Mention, true) => format!("vous a mentionné dans un commentaire : {text}"),
        (Kind::CommentLike, false) => "liked your comment.".to_owned(),
        (Kind::CommentLike, true) => "a aimé votre commentaire.".to_owned(),
        (Kind::Message, _) => text.to_owned(),
        (Kind::Reaction, false) => "reacted to your message.".to_owned(),
        (Kind::Reaction, true) => "a réagi à votre message.".to_owned(),
    };
    format!("{action} {}", relative_time(event.at, now, french))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn epoch() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_people_and_history() {
        let now = epoch() + Duration::hours(2);
        let (a, b) = (Simulation::new(7, epoch()), Simulation::new(7, epoch()));
        assert_eq!(a.people, b.people);
        assert_eq!(a.events_until(now), b.events_until(now));
        assert_ne!(
            Simulation::new(8, epoch()).events_until(now),
            a.events_until(now)
        );
    }

    #[test]
    fn history_grows_over_time_and_never_changes_the_past() {
        let simulation = Simulation::new(7, epoch());
        let earlier = simulation.events_until(epoch() + Duration::minutes(10));
        let later = simulation.events_until(epoch() + Duration::hours(1));
        assert!(
            earlier.len() >= 240 && later.len() > earlier.len() + 20,
            "{} then {}",
            earlier.len(),
            later.len()
        );
        assert!(earlier.iter().all(|e| later.contains(e)));
    }

    #[test]
    fn every_persona_and_kind_appears() {
        let simulation = Simulation::new(42, epoch());
        let events = simulation.events_until(epoch() + Duration::hours(6));
        for kind in [
            Kind::Like,
            Kind::Comment,
            Kind::Follow,
            Kind::Share,
            Kind::Mention,
            Kind::CommentLike,
            Kind::Message,
        ] {
            assert!(events.iter().any(|e| e.kind == kind), "{kind:?} missing");
        }
        assert!(events.iter().any(|e| {
            e.text
                .as_deref()
                .is_some_and(|t| t.contains("06 12 34 56 78") || t.contains("gmail"))
        }));
        assert!(
            simulation.people.iter().any(|p| p.nickname.is_empty()),
            "some display names are empty"
        );
    }

    #[test]
    fn rows_read_like_tiktok_in_both_languages() {
        let now = epoch();
        let comment = Event {
            at: now - Duration::minutes(4),
            person: 0,
            kind: Kind::Comment,
            text: Some("combien ?".into()),
        };
        let follow = Event {
            at: now - Duration::seconds(24),
            person: 0,
            kind: Kind::Follow,
            text: None,
        };
        assert_eq!(
            row_text(&comment, now, false),
            "commented: combien ? 4m ago"
        );
        assert_eq!(
            row_text(&comment, now, true),
            "a commenté : combien ? il y a 4 min"
        );
        assert_eq!(
            row_text(&follow, now, false),
            "started following you. 24s ago"
        );
        assert_eq!(relative_time(now - Duration::days(40), now, false), "10-11");
        assert_eq!(
            relative_time(now - Duration::days(400), now, false),
            "2025-10-16"
        );
    }
}
