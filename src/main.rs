//! The `vistaflow` binary: parse the command line, load the configuration, run the command.

use clap::Parser as _;
use vistaflow::cli::{self, Cli, Command};
use vistaflow::config::Settings;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Reading a saved page needs no configuration at all.
    if let Some(Command::Extract { page, file, now }) = &cli.command {
        return match cli::extract(*page, file, now.as_deref()) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("vistaflow: {error:#}");
                std::process::ExitCode::FAILURE
            }
        };
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
        Command::Extract { page, file, now } => cli::extract(page, &file, now.as_deref()),
        Command::Bench {
            which: cli::Bench::SessionCheck { runs },
        } => vistaflow::bench::session_check(&settings, runs).await,
        Command::CreateAdmin { email, name } => cli::create_admin(&settings, &email, name).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("vistaflow: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
