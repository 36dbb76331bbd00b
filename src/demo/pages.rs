//! The demo network's pages, shaped like TikTok's (the `data-e2e` markers and the rehydration JSON of
//! PLATFORMS.md), plus its "phone" for QR logins and a control page to expire sessions or show a captcha.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::state::{DEMO_CREATORS, DemoCreator, DemoNetwork, IssuedSession, SESSION_SECONDS};

type Network = web::Data<DemoNetwork>;

fn html(template: &impl Template) -> HttpResponse {
    match template.render() {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(error) => HttpResponse::InternalServerError().body(format!("demo template: {error}")),
    }
}

fn see_other(to: &str) -> HttpResponse {
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

#[derive(Template)]
#[template(path = "demo/home.html")]
struct HomePage {
    creator: DemoCreator,
    app_context: String,
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
        "__DEFAULT_SCOPE__": { "webapp.app-context": { "language": "en", "region": "FR", "user": { "uniqueId": creator.handle, "nickname": creator.nickname } } }
    })
    .to_string();
    html(&HomePage {
        creator,
        app_context,
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
