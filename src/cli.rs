//! The command line: `serve` (the default), `migrate`, `create-admin`, `demo-data`, `bench`...

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, queries};
use crate::domain::{DisplayName, EmailAddress};
use crate::error::with_db;
use crate::usecases::registration::{self, NewAccount};

#[derive(Debug, Parser)]
#[command(
    name = "vistaflow",
    version,
    about = "Turns social-media attention into qualified leads"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the web app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Measurements against local peers (`session-check`: the time of a session check against the
    /// built-in demo network, and the memory of one browser session).
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
    /// Print, one JSON line each, the rows the selector profile finds in a page saved from a browser
    /// (the pages come from the platforms' readers, `<platform>-activity` for example), or the events of
    /// a webhook delivery's body saved as received (`<platform>-webhook`); needs no database. The
    /// platform's selector profile variable picks another profile than the built-in one.
    Extract {
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::platforms::saved_pages()))]
        page: String,
        file: std::path::PathBuf,
        /// The moment the page was read (RFC 3339); relative times count back from it. Default: now.
        #[arg(long)]
        now: Option<String>,
    },
    /// Analyse leads given as JSON lines (`{"handle", "display_name", "platform", "interactions": [{"kind",
    /// "text", "occurred_at"}]}`) and print one JSON line per lead: type, confidence, score and its
    /// explanation, phone, email, intent, language and a draft. Built-in analyzer by default (no database,
    /// no network); `--ai` uses the OpenAI-compatible endpoint of OPENAI_API_KEY / OPENAI_BASE_URL.
    Analyze {
        #[arg(long)]
        input: std::path::PathBuf,
        #[arg(long)]
        ai: bool,
        /// The language for leads whose words do not tell (en or fr).
        #[arg(long, default_value = "en")]
        language: String,
        /// The moment scores are computed at (RFC 3339). Default: now.
        #[arg(long)]
        now: Option<String>,
    },
    /// Re-encrypt every stored secret under the current (first) key of VISTAFLOW_SECRET_KEYS, so older
    /// keys can then be removed.
    RotateSecrets,
    /// Fill a workspace with generated leads and interactions (for trying the pages and for benchmarks):
    /// the workspace SLUG (created, named "Demo data", for the existing person --owner when it does not
    /// exist), one disconnected account @demo_data, N leads analysed and scored, M interactions,
    /// and a pending draft for each lead at the workspace's draft score. The same seed gives the same data.
    DemoData {
        #[arg(long)]
        leads: usize,
        #[arg(long)]
        interactions: usize,
        /// The workspace's slug (default: demo-data).
        #[arg(long)]
        workspace: Option<String>,
        /// The email of an existing person who owns the workspace if it has to be created.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Create a site admin, or make an existing person one. The password is read from standard input
    /// (asked for without echo on a terminal), never from the command line.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// The name shown to others (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
    },
}

/// Runs `extract`: no configuration needed beyond an optional selector profile.
///
/// # Errors
/// When the file or the profile cannot be read, or `--now` is not RFC 3339.
/// `--now`, or the current time.
fn moment(now: Option<&str>) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    Ok(match now {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .with_context(|| format!("--now {text:?} is not an RFC 3339 time"))?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    })
}

/// Runs `analyze`: one JSON line out per lead in.
///
/// # Errors
/// When the input cannot be read or a line is not a lead (its line number is named), or `--ai` lacks
/// its configuration.
pub async fn analyze(
    input: &std::path::Path,
    ai: bool,
    language: &str,
    now: Option<&str>,
) -> anyhow::Result<()> {
    use crate::ai::{Analyzer as _, Configured, LeadInput};
    use crate::domain::scoring::{ScoringPolicy, score};
    let now = moment(now)?;
    let language = crate::i18n::Lang::from_code(language)
        .with_context(|| format!("--language {language:?}: expected en or fr"))?;
    let text =
        std::fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let mut leads = Vec::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let lead: LeadInput = serde_json::from_str(line)
            .with_context(|| format!("line {} is not a lead", number + 1))?;
        leads.push(lead);
    }
    let analyzer = if ai {
        let settings = crate::config::openai_from_env()?.context(
            "--ai needs OPENAI_API_KEY (and OPENAI_BASE_URL for another endpoint than OpenAI's)",
        )?;
        Configured::from_settings(Some(&settings))?
    } else {
        Configured::from_settings(None)?
    };
    let analysed = analyzer.analyze(&leads, language).await;
    for (lead, analysis) in leads.iter().zip(&analysed.analyses) {
        let events: Vec<_> = lead
            .interactions
            .iter()
            .map(|i| (i.kind, i.occurred_at))
            .collect();
        let scored = score(&events, now, &ScoringPolicy::default());
        let line = serde_json::json!({
            "handle": lead.handle,
            "type": analysis.lead_type,
            "confidence": analysis.confidence,
            "score": scored.score,
            "explanation": scored.explanation,
            "phone": analysis.phone,
            "email": analysis.email,
            "intent": analysis.intent,
            "language": analysis.language,
            "draft": analysis.draft,
            "source": analysis.source,
            "reasoning": analysis.reasoning,
        });
        println!("{line}");
    }
    if ai {
        eprintln!(
            "AI endpoint: {} requests, {} prompt and {} completion tokens, {} fallbacks",
            analysed.usage.requests,
            analysed.usage.prompt_tokens,
            analysed.usage.completion_tokens,
            analysed.usage.fallbacks
        );
    }
    Ok(())
}

pub fn extract(page: &str, file: &std::path::Path, now: Option<&str>) -> anyhow::Result<()> {
    let now = moment(now)?;
    let contents = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let lines = crate::platforms::read_saved_page(page, &contents, now)
        .with_context(|| format!("reading {}", file.display()))?;
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Session checks through the browser pool against the demo network.
    SessionCheck {
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Parsing an Activity page of many rows (no database, no browser).
    ParseActivity {
        #[arg(long, default_value_t = 1000)]
        rows: usize,
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
    /// Storing many new interactions with their leads, in a scratch workspace removed afterwards.
    Ingest {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// The built-in analyzer (with scoring) over many leads (no database, no network).
    Analyze {
        #[arg(long, default_value_t = 10_000)]
        leads: usize,
    },
    /// A first and a routine sync of a demo account with about this many Activity rows, in Chromium.
    Sync {
        #[arg(long, default_value_t = 1000)]
        rows: usize,
    },
    /// Instagram's webhook: this binary serves (its inbox worker running) while a paced client posts
    /// signed comment deliveries at a steady rate and times each acknowledgement; then, with no server,
    /// the worker's drain of a queue of deliveries. In a scratch workspace removed afterwards.
    Webhook {
        /// Deliveries a second.
        #[arg(long, default_value_t = 200)]
        rate: u32,
        /// Seconds of load, after one second of warm-up.
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// HTTP connections the client spreads its requests over.
        #[arg(long, default_value_t = 4)]
        connections: usize,
        /// Deliveries queued for the drain.
        #[arg(long, default_value_t = 10_000)]
        queued: usize,
    },
}

/// Runs `migrate`.
///
/// # Errors
/// When the database cannot be reached or a migration fails.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let pool = db::build_pool(settings.database_url(), 1)?;
    let applied = db::migrate(&pool).await?;
    println!("{applied} migration(s) applied");
    Ok(())
}

/// Runs `rotate-secrets`: each secret not under the current key is opened with its own key and sealed
/// again under the current one, one transaction per secret.
///
/// # Errors
/// When the database fails, or some secret could not be opened (it is then left as it was, and named).
pub async fn rotate_secrets(settings: &Settings) -> anyhow::Result<()> {
    use crate::crypto::{Purpose, SecretContext};
    let pool = db::build_pool(settings.database_url(), 1)?;
    db::migrate(&pool).await?;
    let keyring = settings.secret_keys.clone();
    let current = keyring.current_id().to_owned();
    let (resealed, failed) = with_db(&pool, move |conn| {
        let mut resealed = 0;
        let mut failed = Vec::new();
        for secret in queries::accounts::secrets_not_under(conn, &current)? {
            let Some(purpose) = Purpose::parse(&secret.purpose) else {
                failed.push(format!(
                    "account {}: unknown purpose {:?}",
                    secret.account_id, secret.purpose
                ));
                continue;
            };
            let context = SecretContext {
                workspace_id: secret.workspace_id,
                account_id: secret.account_id,
                purpose,
            };
            match keyring.reseal(&secret.sealed(), &context) {
                Ok(Some(sealed)) => {
                    queries::accounts::store_secret(
                        conn,
                        secret.workspace_id,
                        secret.account_id,
                        purpose,
                        &sealed,
                    )?;
                    resealed += 1;
                }
                Ok(None) => {}
                Err(error) => failed.push(format!("account {}: {error}", secret.account_id)),
            }
        }
        Ok((resealed, failed))
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{resealed} secret(s) re-encrypted under key {:?}",
        settings.secret_keys.current_id()
    );
    if failed.is_empty() {
        return Ok(());
    }
    for line in &failed {
        eprintln!("  not re-encrypted: {line}");
    }
    anyhow::bail!(
        "{} secret(s) could not be opened; keep their keys in VISTAFLOW_SECRET_KEYS until they are reconnected",
        failed.len()
    )
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the admin: ")?;
        let again = rpassword::prompt_password("Same password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Runs `create-admin`: creates the person if the email is new (with the password), or promotes them.
///
/// # Errors
/// When the email or password is refused, or the database fails.
pub async fn create_admin(
    settings: &Settings,
    email: &str,
    name: Option<String>,
) -> anyhow::Result<()> {
    let typed_email = email;
    let email = EmailAddress::parse(typed_email)
        .map_err(|_| anyhow::anyhow!("{typed_email:?} is not an email address"))?;
    let pool = db::build_pool(settings.database_url(), 1)?;
    db::migrate(&pool).await?;

    if registration::promote_admin(&pool, &email)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        println!("{email} is now a site admin");
        return Ok(());
    }

    let default_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("admin")
        .to_owned();
    let name = name.unwrap_or(default_name);
    DisplayName::parse(&name)
        .map_err(|_| anyhow::anyhow!("the name must be 1 to 80 characters"))?;
    let typed = read_password()?;
    // The same rules as registration: the refusal left is the password's.
    let account = NewAccount::parse(&name, email.as_str(), &typed).map_err(|refused| {
        let messages: Vec<_> = refused
            .iter()
            .map(|(_, invalid)| crate::i18n::Lang::En.t(invalid.key).into_owned())
            .collect();
        anyhow::anyhow!("{}", messages.join("; "))
    })?;
    let user = registration::create_admin(&pool, account)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_err(|_| {
            anyhow::anyhow!("{}", crate::error::AppError::Conflict("errors.email_taken"))
        })?;
    println!("created site admin {}", user.email);
    Ok(())
}

/// Runs `demo-data` and prints what it did.
///
/// # Errors
/// `demo_data::Refused` (exit code 2) when there is no such workspace and no owner to create it, or it
/// already has demo data; otherwise when the database fails.
pub async fn demo_data(
    settings: &Settings,
    options: crate::bench::demo_data::Options,
) -> anyhow::Result<()> {
    let seed = options.seed;
    let summary = crate::bench::demo_data::run(settings, options).await?;
    println!(
        "demo-data: workspace {} (/w/{}/leads): {} leads, {} interactions, {} pending drafts, account @{}, seed {seed}, in {:.1} s",
        summary.slug,
        summary.slug,
        summary.leads,
        summary.interactions,
        summary.drafts,
        crate::bench::demo_data::ACCOUNT_HANDLE,
        summary.seconds
    );
    println!(
        "{}",
        serde_json::json!({
            "command": "demo-data",
            "workspace": summary.slug,
            "path": format!("/w/{}/leads", summary.slug),
            "leads": summary.leads,
            "interactions": summary.interactions,
            "drafts": summary.drafts,
            "seed": seed,
            "seconds": summary.seconds,
        })
    );
    Ok(())
}
