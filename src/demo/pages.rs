//! The demo network's pages, shaped like TikTok's (the `data-e2e` markers and the rehydration JSON of
//! PLATFORMS.md), plus its "phone" for QR logins and a control page to expire sessions or show a captcha.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::activity::{Kind, row_text};
use super::state::{DEMO_CREATORS, DemoCreator, DemoNetwork, IssuedSession, SESSION_SECONDS};

type Network = web::Data<DemoNetwork>;

pub(super) fn html(template: &impl Template) -> HttpResponse {
    match template.render() {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(error) => HttpResponse::InternalServerError().body(format!("demo template: {error}")),
    }
}

pub(super) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn owner(req: &HttpRequest, network: &DemoNetwork) -> Option<DemoCreator> {
    network.session_owner(req.cookie("sessionid")?.value())
}

/// A response that logs the browser in: TikTok's session cookies, host-only, for about 60 days.
fn with_session(mut response: HttpResponse, session: &IssuedSession) -> HttpResponse {
    for (name, value) in session.cookies() {
        let cookie = Cookie::build(name, value)
            .path("/")
            .http_only(name != "tt_csrf_token")
            .same_site(SameSite::Lax)
            .max_age(Duration::seconds(SESSION_SECONDS))
            .finish();
        let _ = response.add_cookie(&cookie);
    }
    response
}

/// `GET /robots.txt`
pub async fn robots() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain")
        .body("User-agent: *\nDisallow: /\n")
}

/// One row of the Activity panel.
pub struct ActivityRow {
    handle: String,
    nickname: String,
    text: String,
}

/// How many rows the panel shows before it is scrolled (TikTok loads more as the list scrolls).
const FIRST_ROWS: usize = 30;

fn activity(
    network: &DemoNetwork,
    creator: DemoCreator,
    offset: usize,
    limit: usize,
) -> Vec<ActivityRow> {
    let Some(simulation) = network.simulation(creator.handle) else {
        return Vec::new();
    };
    let now = chrono::Utc::now();
    network
        .events(creator.handle)
        .into_iter()
        .filter(|e| e.kind != Kind::Message)
        .skip(offset)
        .take(limit)
        .map(|event| {
            let person = &simulation.people[event.person];
            ActivityRow {
                handle: person.handle.clone(),
                nickname: person.nickname.clone(),
                text: row_text(&event, now, network.french()),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "demo/home.html")]
struct HomePage {
    creator: DemoCreator,
    app_context: String,
    french: bool,
    rows: Vec<ActivityRow>,
}

#[derive(Template)]
#[template(path = "demo/_rows.html")]
struct RowsFragment {
    rows: Vec<ActivityRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RowsQuery {
    pub offset: usize,
}

/// `GET /activity-rows?offset=N`: the next rows of the Activity panel, as the list scrolls.
pub async fn activity_rows(
    req: HttpRequest,
    network: Network,
    query: web::Query<RowsQuery>,
) -> HttpResponse {
    let Some(creator) = owner(&req, &network) else {
        return HttpResponse::Unauthorized().finish();
    };
    html(&RowsFragment {
        rows: activity(&network, creator, query.offset, FIRST_ROWS),
    })
}

#[derive(Template)]
#[template(path = "demo/captcha.html")]
struct CaptchaPage;

/// `GET /`: the logged-in home, a captcha, or (like TikTok) the login page for an expired session.
pub async fn home(req: HttpRequest, network: Network) -> HttpResponse {
    let Some(creator) = owner(&req, &network) else {
        let back = serde_urlencoded::to_string([("redirect_url", req.uri().to_string())])
            .unwrap_or_default();
        return HttpResponse::Found()
            .insert_header((header::LOCATION, format!("/login?{back}")))
            .finish();
    };
    if network.has_captcha(creator.handle) {
        return html(&CaptchaPage);
    }
    let app_context = serde_json::json!({
        "__DEFAULT_SCOPE__": { "webapp.app-context": { "language": if network.french() { "fr" } else { "en" }, "region": "FR", "user": { "uniqueId": creator.handle, "nickname": creator.nickname } } }
    })
    .to_string();
    let french = network.french();
    html(&HomePage {
        creator,
        app_context,
        french,
        rows: activity(&network, creator, 0, FIRST_ROWS),
    })
}

#[derive(Template)]
#[template(path = "demo/login.html")]
struct LoginPage {
    token: String,
    creators: [DemoCreator; 2],
}

/// `GET /login`: a QR code to scan with the demo "phone", or a button for people trying the demo.
pub async fn login(network: Network) -> HttpResponse {
    html(&LoginPage {
        token: network.new_qr_code(),
        creators: DEMO_CREATORS,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HandleForm {
    pub handle: String,
    pub on: String,
}

fn creator(handle: &str) -> DemoCreator {
    DEMO_CREATORS
        .iter()
        .copied()
        .find(|c| c.handle == handle)
        .unwrap_or(DEMO_CREATORS[0])
}

/// `POST /login/demo`: logs in as a demo creator and shows the cookies to copy.
pub async fn login_as_demo_creator(network: Network, form: web::Form<HandleForm>) -> HttpResponse {
    let session = network.issue_session(creator(&form.handle).handle);
    with_session(see_other("/cookies"), &session)
}

#[derive(Template)]
#[template(path = "demo/cookies.html")]
struct CookiesPage {
    handle: String,
    header_string: String,
    netscape: String,
}

/// `GET /cookies`: what a browser's cookies for this site look like, ready to paste into VistaFlow.
pub async fn cookies(req: HttpRequest, network: Network) -> HttpResponse {
    let Some(creator) = owner(&req, &network) else {
        return see_other("/login");
    };
    let host = req
        .connection_info()
        .host()
        .split(':')
        .next()
        .unwrap_or("127.0.0.1")
        .to_owned();
    let pairs: Vec<(String, String)> = req
        .cookies()
        .map(|all| {
            all.iter()
                .map(|c| (c.name().to_owned(), c.value().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let header_string = pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let expiry = chrono::Utc::now().timestamp() + SESSION_SECONDS;
    let netscape = std::iter::once("# Netscape HTTP Cookie File".to_owned())
        .chain(
            pairs
                .iter()
                .map(|(n, v)| format!("{host}\tFALSE\t/\tFALSE\t{expiry}\t{n}\t{v}")),
        )
        .collect::<Vec<_>>()
        .join("\n");
    html(&CookiesPage {
        handle: creator.handle.to_owned(),
        header_string,
        netscape,
    })
}

/// `GET /qr/{token}.svg`: the QR code, which encodes the demo phone's scan address.
pub async fn qr_image(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let info = req.connection_info();
    let scan = format!(
        "{}://{}/qr/{}/scan",
        info.scheme(),
        info.host(),
        path.into_inner()
    );
    match qrcode::QrCode::new(scan.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .build();
            HttpResponse::Ok().content_type("image/svg+xml").body(svg)
        }
        Err(error) => HttpResponse::InternalServerError().body(format!("qr: {error}")),
    }
}

#[derive(Template)]
#[template(path = "demo/scan.html")]
struct ScanPage {
    token: String,
    creators: [DemoCreator; 2],
    valid: bool,
    approved: bool,
}

/// `GET /qr/{token}/scan`: the demo "phone", where a creator approves the login.
pub async fn qr_scan(network: Network, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    html(&ScanPage {
        valid: network.qr_exists(&token),
        token,
        creators: DEMO_CREATORS,
        approved: false,
    })
}

/// `POST /qr/{token}/approve`
pub async fn qr_approve(
    network: Network,
    path: web::Path<String>,
    form: web::Form<HandleForm>,
) -> HttpResponse {
    let token = path.into_inner();
    let approved = network.approve_qr(&token, creator(&form.handle).handle);
    html(&ScanPage {
        valid: approved,
        token,
        creators: DEMO_CREATORS,
        approved,
    })
}

/// `GET /qr/{token}/status`: polled by the login page.
pub async fn qr_status(network: Network, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let status = if !network.qr_exists(&token) {
        "expired"
    } else if network.qr_approved_for(&token).is_some() {
        "approved"
    } else {
        "waiting"
    };
    HttpResponse::Ok().json(serde_json::json!({ "status": status }))
}

/// `GET /qr/{token}/complete`: the scanned code logs the browser in.
pub async fn qr_complete(network: Network, path: web::Path<String>) -> HttpResponse {
    match network.consume_qr(&path.into_inner()) {
        Some(handle) => with_session(see_other("/"), &network.issue_session(&handle)),
        None => see_other("/login"),
    }
}

#[derive(Template)]
#[template(path = "demo/control.html")]
struct ControlPage {
    sessions: Vec<(String, usize)>,
    captcha: Vec<String>,
    french: bool,
    instagram: super::instagram::ControlView,
}

/// `GET /__demo`: expire sessions or show a captcha, to try how VistaFlow reacts.
pub async fn control(network: Network) -> HttpResponse {
    let captcha = DEMO_CREATORS
        .iter()
        .filter(|c| network.has_captcha(c.handle))
        .map(|c| c.handle.to_owned())
        .collect();
    html(&ControlPage {
        sessions: network.active_sessions(),
        captcha,
        french: network.french(),
        instagram: super::instagram::ControlView::of(&network),
    })
}

/// `POST /__demo/expire` (`handle`, or every session when empty)
pub async fn expire(network: Network, form: web::Form<HandleForm>) -> HttpResponse {
    let handle = (!form.handle.is_empty()).then_some(form.handle.as_str());
    network.expire(handle);
    see_other("/__demo")
}

/// `POST /__demo/captcha` (`handle`, `on` = `1` to show it)
pub async fn captcha(network: Network, form: web::Form<HandleForm>) -> HttpResponse {
    network.set_captcha(creator(&form.handle).handle, form.on == "1");
    see_other("/__demo")
}

/// A conversation in the Messages page's list.
pub struct Conversation {
    handle: String,
    nickname: String,
    last: String,
}

/// A message of the open conversation, under its day divider.
pub struct ChatMessage {
    divider: String,
    time: String,
    text: String,
}

#[derive(Template)]
#[template(path = "demo/messages.html")]
struct MessagesPage {
    conversations: Vec<Conversation>,
    open: Option<Conversation>,
    messages: Vec<ChatMessage>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessagesQuery {
    pub u: String,
}

/// `GET /messages`: the conversations, and the one named by `?u=handle`.
pub async fn messages(
    req: HttpRequest,
    network: Network,
    query: web::Query<MessagesQuery>,
) -> HttpResponse {
    let Some(creator) = owner(&req, &network) else {
        return see_other("/login?redirect_url=%2Fmessages");
    };
    let Some(simulation) = network.simulation(creator.handle) else {
        return see_other("/");
    };
    let events: Vec<_> = network
        .events(creator.handle)
        .into_iter()
        .filter(|e| e.kind == Kind::Message)
        .collect();
    let mut conversations: Vec<Conversation> = Vec::new();
    for event in &events {
        let person = &simulation.people[event.person];
        if conversations.iter().all(|c| c.handle != person.handle) {
            conversations.push(Conversation {
                handle: person.handle.clone(),
                nickname: person.nickname.clone(),
                last: event.text.clone().unwrap_or_default(),
            });
        }
    }
    let open = conversations
        .iter()
        .find(|c| c.handle == query.u)
        .map(|c| Conversation {
            handle: c.handle.clone(),
            nickname: c.nickname.clone(),
            last: c.last.clone(),
        });
    let mut messages: Vec<ChatMessage> = events
        .iter()
        .filter(|e| {
            open.as_ref()
                .is_some_and(|o| simulation.people[e.person].handle == o.handle)
        })
        .map(|e| ChatMessage {
            divider: e.at.format("%B %-d, %Y %H:%M").to_string(),
            time: e.at.format("%H:%M").to_string(),
            text: e.text.clone().unwrap_or_default(),
        })
        .collect();
    messages.reverse();
    html(&MessagesPage {
        conversations,
        open,
        messages,
    })
}

/// `POST /__demo/language` (`on` = `1` for French)
pub async fn language(network: Network, form: web::Form<HandleForm>) -> HttpResponse {
    network.set_french(form.on == "1");
    see_other("/__demo")
}
