//! The `vistaflow` binary: parse the command line, load the configuration, run the command.

use clap::Parser as _;
use vistaflow::cli::{self, Cli, Command};
use vistaflow::config::Settings;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Reading a saved page, parsing a generated one or analysing leads from a file needs no database.
    if let Some(Command::Analyze {
        input,
        ai,
        language,
        now,
    }) = &cli.command
    {
        return exit(cli::analyze(input, *ai, language, now.as_deref()).await);
    }
    match &cli.command {
        Some(Command::Bench {
            which: cli::Bench::ParseActivity { rows, runs },
        }) => return exit(vistaflow::bench::collection::parse_activity(*rows, *runs)),
        Some(Command::Bench {
            which: cli::Bench::Analyze { leads },
        }) => return exit(vistaflow::bench::analysis::builtin(*leads)),
        _ => {}
    }
    if let Some(Command::Extract { page, file, now }) = &cli.command {
        return exit(cli::extract(page, file, now.as_deref()));
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("vistaflow cannot start: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    vistaflow::telemetry::init(settings.log_format);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => vistaflow::app::run(settings).await,
        Command::Migrate => cli::migrate(&settings).await,
        Command::RotateSecrets => cli::rotate_secrets(&settings).await,
        Command::Extract { page, file, now } => cli::extract(&page, &file, now.as_deref()),
        Command::Analyze {
            input,
            ai,
            language,
            now,
        } => cli::analyze(&input, ai, &language, now.as_deref()).await,
        Command::Bench { which } => bench(&settings, which).await,
        Command::CreateAdmin { email, name } => cli::create_admin(&settings, &email, name).await,
        Command::DemoData {
            leads,
            interactions,
            workspace,
            owner,
            seed,
        } => {
            let options = vistaflow::bench::demo_data::Options {
                leads,
                interactions,
                workspace,
                owner,
                seed,
            };
            cli::demo_data(&settings, options).await
        }
    };
    exit(outcome)
}

async fn bench(settings: &Settings, which: cli::Bench) -> anyhow::Result<()> {
    use vistaflow::bench;
    match which {
        cli::Bench::SessionCheck { runs } => bench::session_check(settings, runs).await,
        cli::Bench::ParseActivity { rows, runs } => bench::collection::parse_activity(rows, runs),
        cli::Bench::Ingest { rows } => bench::collection::ingest(settings, rows).await,
        cli::Bench::Sync { rows } => bench::collection::sync(settings, rows).await,
        cli::Bench::Analyze { leads } => bench::analysis::builtin(leads),
        cli::Bench::Webhook {
            rate,
            seconds,
            connections,
            queued,
        } => {
            let options = bench::webhook::Options {
                rate,
                seconds,
                connections,
                queued,
            };
            bench::webhook::run(settings, options).await
        }
    }
}

fn exit(outcome: anyhow::Result<()>) -> std::process::ExitCode {
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // A request the person can correct (like a missing workspace): a usage error, code 2.
        Err(error) if error.is::<vistaflow::bench::demo_data::Refused>() => {
            eprintln!("vistaflow: {error:#}");
            std::process::ExitCode::from(2)
        }
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("vistaflow: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
