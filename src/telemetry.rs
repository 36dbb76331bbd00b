//! Logging: structured `tracing` output, text for people or JSON for log collectors.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The default levels. Browser and HTTP client internals stay at warn: at debug they would print the
/// WebDriver commands, and those carry cookie values.
pub const DEFAULT_FILTER: &str = "info,thirtyfour=warn,reqwest=warn,hyper=warn,hyper_util=warn";

/// Installs the global subscriber once; `RUST_LOG` overrides the default levels.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
