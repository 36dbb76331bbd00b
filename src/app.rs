//! The wiring: the middleware stack and the server builder, used by `main` and by the tests alike; the
//! scheduler and the demo network started beside the server. Nothing imports it but `main`, the CLI,
//! the benchmarks and the tests.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{self, DefaultHeaders, ErrorHandlers, Logger};
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::demo::{self, DemoNetwork};
use crate::jobs;
use crate::scrape::BrowserPool;
use crate::state::AppState;
use crate::state::qr_logins::QrLogins;
use crate::web::headers::{SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY};
use crate::web::{self as routes, errors, session_store::PgSessionStore};

/// A running server and the port it listens on (the tests bind port 0 and read it here).
pub struct Application {
    pub port: u16,
    pub server: Server,
    /// The state the handlers share, for the scheduler (and the tests) to use too.
    pub state: web::Data<AppState>,
}

impl Application {
    /// Binds the listener and builds the server; migrations are the caller's business.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub fn build(
        settings: Settings,
        pool: DbPool,
        browsers: Arc<BrowserPool>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((settings.host, settings.port))
            .with_context(|| format!("binding {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();
        let session_key = Key::try_from(settings.session_key.expose_secret())
            .context("VISTAFLOW_SESSION_KEY must hold at least 64 bytes")?;
        let analyzer = crate::ai::Configured::from_settings(settings.openai.as_ref())?;
        let mailer = crate::mail::Mailer::new(
            settings
                .mail
                .smtp_url
                .as_ref()
                .map(ExposeSecret::expose_secret),
            &settings.mail.from,
            &settings.mail.dir,
        )?;
        let state = web::Data::new(AppState {
            pool,
            settings: Arc::new(settings),
            browsers,
            qr_logins: QrLogins::default(),
            collecting: tokio::sync::Mutex::new(()),
            analyzer,
            instance: uuid::Uuid::new_v4().to_string(),
            mailer,
            inbox: tokio::sync::Notify::new(),
        });
        let server = serve(listener, state.clone(), session_key)?;
        Ok(Self {
            port,
            server,
            state,
        })
    }
}

fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    session_key: Key,
) -> anyhow::Result<Server> {
    let settings = &state.settings;
    let pool = state.pool.clone();
    let secure = settings.secure_cookies();
    let cookie_name = if secure {
        "__Host-vistaflow"
    } else {
        "vistaflow"
    };
    let absolute = actix_web::cookie::time::Duration::hours(settings.session_absolute_hours);

    let server = HttpServer::new(move || {
        let sessions =
            SessionMiddleware::builder(PgSessionStore::new(pool.clone()), session_key.clone())
                .cookie_name(cookie_name.to_owned())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_path("/".to_owned())
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(BrowserSession::default().state_ttl(absolute))
                .build();
        let headers = SECURITY_HEADERS
            .into_iter()
            .chain(secure.then_some(STRICT_TRANSPORT_SECURITY))
            .fold(DefaultHeaders::new(), DefaultHeaders::add);
        App::new()
            .app_data(state.clone())
            .app_data(web::FormConfig::default().limit(256 * 1024))
            .configure(routes::routes)
            .wrap(middleware::from_fn(routes::csrf::verify))
            .wrap(middleware::from_fn(routes::input::refuse_nul))
            .wrap(ErrorHandlers::new().default_handler(errors::render))
            .wrap(sessions)
            .wrap(middleware::from_fn(errors::catch))
            .wrap(headers)
            .wrap(middleware::Compress::default())
            .wrap(
                Logger::new("%{request}xi %s %b %Dms")
                    .custom_request_replace("request", |req| {
                        let target = req
                            .uri()
                            .path_and_query()
                            .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
                        format!(
                            "{} {} {:?}",
                            req.method(),
                            crate::telemetry::redacted_target(&target),
                            req.version()
                        )
                    })
                    .exclude("/healthz")
                    .exclude("/readyz"),
            )
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

/// Builds the pool, applies migrations, and starts serving: the `serve` command.
///
/// # Errors
/// When the database cannot be migrated or the address bound.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    for name in &settings.ephemeral_keys {
        tracing::warn!(
            "{name} is unset: using a random key for this run only (sessions and stored secrets will not survive a restart)"
        );
    }
    let pool = db::build_pool(settings.database_url(), settings.database_pool_size)?;
    let applied = db::migrate(&pool).await?;
    tracing::info!(applied, "database migrations applied");
    let public_url = settings.public_url.clone();
    let browsers = Arc::new(BrowserPool::new(settings.browser.clone()));
    let demo = if settings.demo {
        let listener = TcpListener::bind((settings.host, settings.demo_port))
            .with_context(|| format!("binding the demo network to port {}", settings.demo_port))?;
        tracing::info!(platforms = ?settings.platforms.shown(), "the demo network is on");
        // The demo's Instagram peer signs its deliveries to this app's webhook with the app's secret.
        let instagram = demo::instagram::InstagramPeer {
            webhook_url: format!("{}/webhooks/instagram", public_url.trim_end_matches('/')),
            app_secret: settings.platforms.instagram.app.as_ref().map_or_else(
                || crate::platforms::instagram::DEMO_APP_SECRET.into(),
                |app| app.secret.clone(),
            ),
        };
        let network = DemoNetwork::default().with_instagram(instagram);
        Some(demo::serve(listener, Arc::new(network))?)
    } else {
        None
    };
    let app = Application::build(settings, pool, browsers.clone())?;
    tracing::info!(port = app.port, url = %public_url, "VistaFlow is listening");
    let scheduler = app.state.settings.sync.scheduler.then(|| {
        let state = app.state.clone();
        actix_web::rt::spawn(async move {
            if let Err(error) = jobs::run(state).await {
                tracing::error!("{error:#}");
            }
        })
    });
    let inbox = {
        let state = app.state.clone();
        actix_web::rt::spawn(jobs::inbox::run(state))
    };
    let outcome = match demo {
        Some(demo) => tokio::try_join!(app.server, demo).map(|_| ()),
        None => app.server.await,
    };
    inbox.abort();
    let _ = inbox.await;
    if let Some(scheduler) = scheduler {
        // Cancelled and awaited here, so what it holds (pooled connections) is dropped while the
        // runtime still runs.
        scheduler.abort();
        let _ = scheduler.await;
    }
    browsers.shutdown();
    outcome.context("running the server")
}
