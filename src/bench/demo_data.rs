//! `vistaflow demo-data`: fills a workspace with generated people and interactions, for trying the pages
//! and for benchmarks. The people come from the demo's one corpus (`demo::people`: personas, names,
//! what they write, how they leave contact details); their mix, what they do and how often is decided here.
//!
//! Every lead is generated on its own from the seed and its number, so a seed always gives the same
//! people, interactions and scores, whatever the chunking. Times count back from the moment of the run
//! ("4m ago", "3h ago", "12d ago", "5w ago", as the platform shows them), so scores, which depend only on how
//! old each interaction is, do not depend on when the command runs. Each lead is analysed and scored
//! by the app's own built-in analyzer and scoring, so what the pages show is what the analysis job would
//! have stored; the analysis job does not pick these leads up again.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Duration, Utc};
use diesel::Connection as _;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use crate::ai::builtin::BuiltIn;
use crate::ai::{InteractionInput, LeadInput};
use crate::config::Settings;
use crate::db::models::Workspace;
use crate::db::queries::demo_data::DemoLead;
use crate::db::{self, queries};
use crate::demo::people::{self, Persona};
use crate::domain::interaction::{Direction, Kind, Observed, When};
use crate::domain::platform::Platform;
use crate::domain::platform_time::Precision;
use crate::domain::scoring::{ScoringPolicy, score};
use crate::domain::{Slug, WorkspaceName};
use crate::error::with_db;
use crate::i18n::Lang;

/// The handle of the social account the generated data belongs to.
pub const ACCOUNT_HANDLE: &str = "demo_data";
/// The slug used when `--workspace` is not given.
pub const DEFAULT_SLUG: &str = "demo-data";
/// At most this many interactions per lead (a creator's most devoted fan, not a bot).
pub const MAX_PER_LEAD: usize = 1_500;
/// Leads generated and written per transaction.
const CHUNK: usize = 2_000;
/// How far back the generated interactions go.
const DAYS: i64 = 90;
/// How many videos the generated creator has.
const POSTS: u64 = 2_000;

/// What `demo-data` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub leads: usize,
    pub interactions: usize,
    pub workspace: Option<String>,
    pub owner: Option<String>,
    pub seed: u64,
}

/// A refusal to run, for a reason the person can fix (the command exits with code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub slug: String,
    pub leads: usize,
    pub interactions: usize,
    pub drafts: usize,
    pub seconds: f64,
}

/// Runs `demo-data`: finds or creates the workspace, adds the demo account, writes the leads with their
/// interactions and drafts in chunks (one transaction each), recounts the leads' counters from their
/// interactions, and refreshes the planner's statistics.
///
/// # Errors
/// `Refused` when the sizes make no sense, the workspace does not exist and no owner can be found, or
/// the workspace already has demo data; otherwise when the database fails.
pub async fn run(settings: &Settings, options: Options) -> anyhow::Result<Summary> {
    check_sizes(&options)?;
    let start = Instant::now();
    let pool = db::build_pool(settings.database_url(), 1)?;
    db::migrate(&pool).await?;
    let (workspace, account_id) = {
        let options = options.clone();
        with_db(&pool, move |conn| {
            Ok(conn.transaction(|conn| prepare(conn, &options)))
        })
        .await
        .map_err(|e| anyhow!("{e}"))??
    };
    let slug = workspace.slug.clone();
    let conn = pool
        .get()
        .await
        .map_err(|e| anyhow!("connecting to the database: {e}"))?;
    let (leads, interactions, drafts) = conn
        .interact(move |conn| load(conn, &workspace, account_id, &options))
        .await
        .map_err(|e| anyhow!("database task: {e}"))??;
    Ok(Summary {
        slug,
        leads,
        interactions,
        drafts,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn check_sizes(options: &Options) -> Result<(), Refused> {
    if options.leads == 0 {
        return Err(Refused("--leads must be at least 1".into()));
    }
    if options.interactions < options.leads {
        return Err(Refused(format!(
            "--interactions ({}) must be at least --leads ({}): every lead has at least one interaction",
            options.interactions, options.leads
        )));
    }
    if options.interactions > options.leads.saturating_mul(MAX_PER_LEAD) {
        return Err(Refused(format!(
            "--interactions ({}) is more than {MAX_PER_LEAD} a lead for {} leads",
            options.interactions, options.leads
        )));
    }
    Ok(())
}

/// The workspace (found, or created for the owner) and the demo account in it.
fn prepare(conn: &mut diesel::PgConnection, options: &Options) -> anyhow::Result<(Workspace, i64)> {
    let wanted = options.workspace.as_deref().unwrap_or(DEFAULT_SLUG);
    let slug = Slug::parse(wanted).map_err(|_| {
        Refused(format!(
            "--workspace {wanted:?} is not a workspace slug (3 to 48 lower-case letters, digits and dashes)"
        ))
    })?;
    let workspace = if let Some(found) = queries::workspaces::find_by_slug(conn, &slug)? {
        found
    } else {
        let Some(email) = options.owner.as_deref() else {
            return Err(Refused(format!(
                    "there is no workspace {wanted:?}: name an existing person with --owner EMAIL to create it"
                ))
                .into());
        };
        let owner = queries::users::find_by_email(conn, &email.trim().to_lowercase())?
                .ok_or_else(|| {
                    Refused(format!(
                        "there is no workspace {wanted:?} and nobody with the email {email:?} to own it \
                         (create the person first, for example with `vistaflow create-admin --email {email}`)"
                    ))
                })?;
        let name = WorkspaceName::parse("Demo data").map_err(|_| anyhow!("workspace name"))?;
        queries::workspaces::create_with_owner_at(conn, &name, &slug, Lang::default(), owner.id)?
    };
    let account = queries::demo_data::add_account(conn, workspace.id, ACCOUNT_HANDLE)?.ok_or_else(
        || {
            Refused(format!(
                "workspace {:?} already has demo data (the account @{ACCOUNT_HANDLE}): use another --workspace",
                workspace.slug
            ))
        },
    )?;
    Ok((workspace, account))
}

/// Writes everything; answers (leads, interactions, drafts). Generation runs on a thread of its own, a
/// chunk ahead of the database.
fn load(
    conn: &mut diesel::PgConnection,
    workspace: &Workspace,
    account_id: i64,
    options: &Options,
) -> anyhow::Result<(usize, usize, usize)> {
    let anchor = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_else(Utc::now);
    let generator = Generator {
        seed: options.seed,
        anchor,
        policy: ScoringPolicy {
            half_life_days: f64::from(workspace.score_half_life_days),
        },
        language: workspace.language,
    };
    let counts = allocate(options.seed, options.leads, options.interactions);
    let draft_score = workspace.draft_score;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<DemoLead>>(2);
    let producer = std::thread::spawn(move || {
        for (chunk_number, chunk) in counts.chunks(CHUNK).enumerate() {
            let first = chunk_number * CHUNK;
            let leads = chunk
                .iter()
                .enumerate()
                .map(|(offset, &count)| generator.lead(first + offset, count))
                .collect();
            if sender.send(leads).is_err() {
                return;
            }
        }
    });
    let (mut leads, mut interactions, mut drafts) = (0, 0, 0);
    for chunk in receiver {
        let written = conn.transaction(|conn| {
            queries::demo_data::write_chunk(
                conn,
                workspace.id,
                account_id,
                anchor,
                draft_score,
                &chunk,
            )
        })?;
        leads += chunk.len();
        interactions += chunk.iter().map(|g| g.interactions.len()).sum::<usize>();
        drafts += written;
    }
    producer
        .join()
        .map_err(|_| anyhow!("the demo data generator stopped"))?;
    queries::demo_data::recount(conn, account_id).context("recounting the leads")?;
    queries::demo_data::analyze_tables(conn).context("ANALYZE")?;
    Ok((leads, interactions, drafts))
}

/// How many interactions each lead gets: at least one, a long tail (most leads a few, some many), `total`
/// in all, at most `MAX_PER_LEAD` each.
#[must_use]
pub fn allocate(seed: u64, leads: usize, total: usize) -> Vec<usize> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_c0de_a110_ca7e);
    // Log-normal weights: the median lead gets a couple of interactions, the heaviest a few hundred.
    let weights: Vec<f64> = (0..leads)
        .map(|_| {
            let (u, v): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
            let normal = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            (1.5 * normal).exp()
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let extra = total - leads;
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "counts far below 2^52, weights positive"
    )]
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| (1 + (extra as f64 * w / sum).floor() as usize).min(MAX_PER_LEAD))
        .collect();
    // What rounding and the cap left over goes one by one to the leads below the cap.
    let mut left = total - counts.iter().sum::<usize>();
    while left > 0 {
        for count in counts.iter_mut().filter(|c| **c < MAX_PER_LEAD) {
            if left == 0 {
                break;
            }
            *count += 1;
            left -= 1;
        }
    }
    counts
}

/// Who the audience is: how many of each persona in a hundred leads.
const MIX: [(Persona, u32); 7] = [
    (Persona::Passive, 34),
    (Persona::Fan, 30),
    (Persona::Client, 13),
    (Persona::Artist, 8),
    (Persona::Beatmaker, 7),
    (Persona::Curious, 5),
    (Persona::Spammer, 3),
];

/// What a persona does: weights of like, comment, follow, share, mention, comment like, message
/// (`Kind::ALL` order).
const fn kind_weights(persona: Persona) -> [u32; 7] {
    match persona {
        Persona::Passive => [70, 0, 15, 2, 0, 13, 0],
        Persona::Fan => [45, 20, 8, 10, 4, 10, 3],
        Persona::Client => [30, 25, 8, 5, 2, 5, 25],
        Persona::Artist => [35, 25, 8, 8, 8, 6, 10],
        Persona::Beatmaker => [35, 30, 8, 6, 5, 8, 8],
        Persona::Curious => [40, 35, 8, 4, 2, 6, 5],
        Persona::Spammer => [20, 50, 15, 0, 5, 0, 10],
    }
}

/// The chance a person of this persona left a phone number, and an email address, in what they wrote.
const fn contact_chances(persona: Persona) -> (f64, f64) {
    match persona {
        Persona::Client => (0.45, 0.45),
        Persona::Artist => (0.25, 0.3),
        Persona::Beatmaker => (0.2, 0.25),
        Persona::Curious => (0.1, 0.1),
        Persona::Passive | Persona::Fan | Persona::Spammer => (0.0, 0.0),
    }
}

/// Generates leads: everything is a function of the seed, the lead's number and how old things are.
#[derive(Debug, Clone, Copy)]
struct Generator {
    seed: u64,
    anchor: DateTime<Utc>,
    policy: ScoringPolicy,
    language: Lang,
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for &(item, weight) in items {
        if roll < weight {
            return item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

/// "4m ago", "3h ago", "12d ago", "5w ago": a time counted back from `anchor` by `age` seconds, with
/// the window its precision allows.
fn counted_back(anchor: DateTime<Utc>, age: i64) -> When {
    let precision = match age {
        ..3_600 => Precision::Minute,
        3_600..86_400 => Precision::Hour,
        86_400..2_592_000 => Precision::Day,
        _ => Precision::Week,
    };
    let step = precision.step();
    let steps = age / step.num_seconds();
    let at = anchor - Duration::seconds(steps * step.num_seconds());
    When {
        at,
        from: at - step,
        to: at,
        precision,
    }
}

impl Generator {
    fn rng(&self, index: usize, stream: u64) -> StdRng {
        // SplitMix64 of (seed, lead, stream): neighbouring leads get unrelated generators.
        let mut z = self
            .seed
            .wrapping_add((index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .wrapping_add(stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        StdRng::seed_from_u64(z ^ (z >> 31))
    }

    fn lead(&self, index: usize, count: usize) -> DemoLead {
        let mut rng = self.rng(index, 1);
        let person = Person::new(&mut rng, index);
        let interactions = self.interactions(&mut rng, &person, count);
        let input = LeadInput {
            handle: person.handle.clone(),
            display_name: person.display_name.clone(),
            platform: Platform::DEFAULT,
            interactions: interactions
                .iter()
                .map(|o| InteractionInput {
                    kind: o.kind,
                    text: o.text.clone(),
                    occurred_at: o.when.at,
                })
                .collect(),
        };
        let analysis = BuiltIn.analyse(&input, self.language);
        let events: Vec<_> = interactions.iter().map(|o| (o.kind, o.when.at)).collect();
        let scored = score(&events, self.anchor, &self.policy);
        DemoLead {
            handle: person.handle,
            display_name: person.display_name,
            status: person.status,
            interactions,
            lead_type: analysis.lead_type,
            confidence: analysis.confidence,
            intent: analysis.intent,
            phone: analysis.phone,
            email: analysis.email,
            language: analysis.language.code(),
            analysed_by: analysis.source.as_str(),
            draft: analysis.draft,
            score: scored.score,
            score_explanation: scored.explanation,
        }
    }

    /// `count` interactions of `person`, the newest first, each one a different thing they did.
    fn interactions(&self, rng: &mut StdRng, person: &Person, count: usize) -> Vec<Observed> {
        // The most recent interaction is recent more often than not; the first one up to 90 days back.
        let horizon = DAYS * 86_400;
        let newest = span(horizon, rng.random::<f64>().powf(2.2));
        let oldest = if count == 1 {
            newest
        } else {
            newest + span(horizon - newest, rng.random::<f64>().powf(0.7))
        };
        let kinds: Vec<(Kind, u32)> = Kind::ALL
            .into_iter()
            .zip(kind_weights(person.persona))
            .collect();
        let texts = person.persona.writes(person.lang);
        let mut seen = HashSet::with_capacity(count);
        let mut interactions = Vec::with_capacity(count);
        let mut followed = false;
        for j in 0..count {
            let age = match j {
                0 => newest,
                1 => oldest,
                _ => rng.random_range(newest..=oldest),
            };
            // What sets the person apart (their question, their contact details) comes first.
            let mut kind = if j == 0 && person.persona != Persona::Passive {
                if person.persona == Persona::Client && rng.random_bool(0.5) {
                    Kind::Message
                } else {
                    Kind::Comment
                }
            } else {
                weighted(rng, &kinds)
            };
            if kind == Kind::Follow {
                // One follows once.
                if followed {
                    kind = Kind::Like;
                }
                followed = true;
            }
            let text = matches!(kind, Kind::Comment | Kind::Message).then(|| {
                let mut text = pick(rng, texts).to_owned();
                if j == 0 {
                    for (contact, is_email) in [(&person.phone, false), (&person.email, true)] {
                        if let Some(contact) = contact {
                            text.push_str(&people::contact_line(person.lang, contact, is_email));
                        }
                    }
                }
                text
            });
            let post_ref = match kind {
                Kind::Follow | Kind::Message => None,
                _ => Some(video(rng.random_range(0..POSTS))),
            };
            let mut observed = Observed {
                kind,
                handle: person.handle.clone(),
                display_name: person.display_name.clone(),
                text,
                post_ref,
                when: counted_back(self.anchor, age),
                direction: Direction::Incoming,
                ids: None,
            };
            // One liking one video twice is one like: what happened is unique within a lead, which
            // keeps fingerprints unique per account whatever the time of the run.
            let mut attempt = 0;
            while !seen.insert(observed.identity()) {
                attempt += 1;
                match (&mut observed.text, &mut observed.post_ref) {
                    (Some(text), _) if attempt > 4 => {
                        let _ = write!(text, " ({attempt})");
                    }
                    (Some(text), _) => pick(rng, texts).clone_into(text),
                    (None, post) => {
                        *post = Some(video(rng.random_range(0..POSTS) + POSTS * attempt));
                    }
                }
            }
            interactions.push(observed);
        }
        interactions
    }
}

fn video(number: u64) -> String {
    format!("video/{}", 7_300_000_000_000_000_000 + number)
}

/// Who a generated lead is, before what they did.
struct Person {
    persona: Persona,
    lang: Lang,
    handle: String,
    display_name: Option<String>,
    status: &'static str,
    phone: Option<String>,
    email: Option<String>,
}

impl Person {
    fn new(rng: &mut StdRng, index: usize) -> Self {
        let persona = weighted(rng, &MIX);
        let lang = if rng.random_bool(0.55) {
            Lang::Fr
        } else {
            Lang::En
        };
        let (handle, display_name) = identity(rng, persona, index);
        let status = weighted(
            rng,
            &[
                ("new", 78),
                ("contacted", 9),
                ("in_progress", 6),
                ("converted", 3),
                ("refused", 4),
            ],
        );
        let (phone_chance, email_chance) = contact_chances(persona);
        let phone = rng
            .random_bool(phone_chance)
            .then(|| people::phone_number(lang, phone_digits(rng, lang)));
        let email = rng
            .random_bool(email_chance)
            .then(|| people::email_address(&handle));
        Self {
            persona,
            lang,
            handle,
            display_name,
            status,
            phone,
            email,
        }
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "90 days of seconds fit easily"
)]
fn span(seconds: i64, fraction: f64) -> i64 {
    (seconds as f64 * fraction) as i64
}

/// The pairs of digits of a phone number, each drawn uniformly from 0-99: four for a French mobile,
/// one for an American 555-01xx number (the rest stay 0 and are not written).
fn phone_digits(rng: &mut StdRng, lang: Lang) -> [u8; 4] {
    let mut digits = [0_u8; 4];
    let pairs = if lang == Lang::Fr { 4 } else { 1 };
    for pair in &mut digits[..pairs] {
        *pair = rng.random_range(0..100);
    }
    digits
}

/// A unique handle (the lead's number ends it, after a separator, and the rest has no digit) and a
/// display name: some with emoji, some missing.
fn identity(rng: &mut StdRng, persona: Persona, index: usize) -> (String, Option<String>) {
    // The forty names demo-data has always drawn from (the demo network adds two), so a seed keeps
    // its people.
    let first = pick(rng, &people::FIRST_NAMES[..40]);
    let studio = rng.random_bool(match persona {
        Persona::Client => 0.3,
        Persona::Beatmaker => 0.2,
        _ => 0.02,
    });
    let patterns = persona.handle_patterns();
    let base = if studio {
        people::STUDIO_HANDLE.replace("{}", first)
    } else if !patterns.is_empty() {
        pick(rng, patterns).replace("{}", first)
    } else {
        match rng.random_range(0..4) {
            0 => first.to_owned(),
            1 => format!("{first}_{}", pick(rng, &people::HANDLE_WORDS)),
            2 => format!("{}.{first}", pick(rng, &people::HANDLE_WORDS)),
            _ => format!("{first}{}", pick(rng, &people::HANDLE_WORDS)),
        }
    };
    let handle = format!("{base}_{}", index + 1);
    let capitalised = people::capitalised(first);
    let display = if rng.random_bool(0.15) {
        None
    } else if studio {
        Some(format!("Studio {}", pick(rng, &people::STUDIOS)))
    } else {
        let name = match persona {
            Persona::Artist => format!("MC {capitalised}"),
            Persona::Beatmaker => format!("{capitalised} Beats"),
            _ => capitalised,
        };
        Some(if rng.random_bool(0.25) {
            format!("{name} {}", pick(rng, &people::EMOJI))
        } else {
            name
        })
    };
    (handle, display)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator(seed: u64) -> Generator {
        Generator {
            seed,
            anchor: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            policy: ScoringPolicy::default(),
            language: Lang::Fr,
        }
    }

    #[test]
    fn allocation_gives_everyone_at_least_one_and_adds_up_exactly() {
        for (leads, total) in [(1, 1), (200, 2_000), (1_000, 10_000), (10, 15_000)] {
            let counts = allocate(3, leads, total);
            assert_eq!(counts.len(), leads);
            assert_eq!(counts.iter().sum::<usize>(), total);
            assert!(counts.iter().all(|&c| (1..=MAX_PER_LEAD).contains(&c)));
        }
    }

    #[test]
    fn most_leads_get_few_interactions_and_some_get_many() {
        let mut counts = allocate(1, 10_000, 100_000);
        counts.sort_unstable();
        assert!(counts[5_000] <= 4, "median {}", counts[5_000]);
        assert!(counts[9_999] >= 100, "max {}", counts[9_999]);
    }

    #[test]
    fn a_seed_gives_the_same_leads_whenever_it_runs() {
        let later = Generator {
            anchor: generator(9).anchor + Duration::seconds(37_777),
            ..generator(9)
        };
        for index in 0..300 {
            let (a, b) = (generator(9).lead(index, 12), later.lead(index, 12));
            assert_eq!((&a.handle, a.score), (&b.handle, b.score));
            assert_eq!(a.lead_type, b.lead_type);
        }
    }

    #[test]
    fn what_happened_is_unique_within_a_lead_and_times_are_consistent() {
        let lead = generator(4).lead(17, MAX_PER_LEAD);
        let identities: HashSet<_> = lead.interactions.iter().map(Observed::identity).collect();
        assert_eq!(identities.len(), MAX_PER_LEAD);
        assert!(lead.counts().get(Kind::Follow) <= 1);
        for i in &lead.interactions {
            assert!(i.when.from < i.when.to && i.when.at <= generator(4).anchor);
            assert!(i.when.at >= generator(4).anchor - Duration::days(DAYS + 7));
        }
    }

    #[test]
    fn planted_contact_details_are_found_by_the_analyzer() {
        let leads: Vec<_> = (0..2_000).map(|i| generator(5).lead(i, 3)).collect();
        let phones = leads.iter().filter(|l| l.phone.is_some()).count();
        let emails = leads.iter().filter(|l| l.email.is_some()).count();
        assert!((100..=300).contains(&phones), "{phones} phones");
        assert!((100..=300).contains(&emails), "{emails} emails");
        let handles: HashSet<_> = leads.iter().map(|l| &l.handle).collect();
        assert_eq!(handles.len(), leads.len());
    }
}
