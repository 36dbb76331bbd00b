//! The Leads page: the workspace's people with their score, type, status, last interaction, intent and
//! contact details; filtered, sorted by score or by last interaction, 50 at a time by keyset. A plain GET
//! renders the whole page; an htmx request (the filter form, the "More" link) gets only the rows, with
//! `HX-Push-Url` so the address stays bookmarkable. Selected leads change status in one step or are
//! exported; the export streams the CSV in batches, in constant memory.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};

use crate::ai::LeadType;
use crate::db::queries::interaction_list::AccountChoice;
use crate::db::queries::lead_list::{After, LeadFilters, LeadLine, LeadPage, Sort};
use crate::domain::Invalid;
use crate::domain::contact::Intent;
use crate::domain::cursor::{Cursor, ScoreCursor};
use crate::domain::lead_status::LeadStatus;
use crate::domain::platform::Platform;
use crate::error::AppError;
use crate::integrations::csv::Dialect;
use crate::state::AppState;
use crate::usecases;
use crate::web::extract::{Htmx, InWorkspace, repeated_ids};
use crate::web::render::{self, Chrome, FlashKind, FormErrors};

/// The longest search text kept.
const MAX_TEXT: usize = 100;

/// The query string as sent. Every field is a string so that nothing is refused before it can be
/// explained; `parse` turns it into filters. Serialised, it skips what is empty (clean links).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LeadQuery {
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub lead_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub min_score: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub max_score: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub platform: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub has_phone: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub has_email: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub intent: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub q: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sort: String,
    /// Where the page starts: the cursor of the last row of the previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub after: String,
    /// The export's dialect: `excel`, or the standard CSV.
    #[serde(skip_serializing)]
    pub format: String,
}

/// The trimmed value, unless it is empty (an empty field means "any").
fn given(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

fn parse_score(text: &str) -> Result<i16, Invalid> {
    text.parse::<i16>()
        .ok()
        .filter(|s| (0..=100).contains(s))
        .ok_or(Invalid::new("errors.score_invalid"))
}

/// A checkbox: on when sent with any value but an explicit "0" or "false".
fn checked(text: &str) -> bool {
    given(text).is_some_and(|t| t != "0" && t != "false")
}

/// The filters, order and cursor a query asks for.
#[derive(Debug, Clone, Default)]
struct Asked {
    filters: LeadFilters,
    sort: Sort,
    after: Option<After>,
}

impl LeadQuery {
    /// What the query asks for. A value that does not parse is left out and its field gets an error.
    fn parse(&self) -> (Asked, FormErrors) {
        let mut errors = FormErrors::default();
        let mut filters = LeadFilters {
            lead_type: given(&self.lead_type).and_then(|t| {
                let parsed = LeadType::parse(t).ok_or(Invalid::new("errors.lead_type_invalid"));
                errors.check("type", parsed)
            }),
            status: given(&self.status).and_then(|s| {
                let parsed = LeadStatus::parse(s).ok_or(Invalid::new("errors.status_invalid"));
                errors.check("status", parsed)
            }),
            min_score: given(&self.min_score)
                .and_then(|s| errors.check("min_score", parse_score(s))),
            max_score: given(&self.max_score)
                .and_then(|s| errors.check("max_score", parse_score(s))),
            platform: given(&self.platform).and_then(|p| {
                let parsed = Platform::parse(p).ok_or(Invalid::new("errors.platform_invalid"));
                errors.check("platform", parsed)
            }),
            account_id: given(&self.account).and_then(|a| {
                let parsed = a
                    .parse::<i64>()
                    .map_err(|_| Invalid::new("errors.account_invalid"));
                errors.check("account", parsed)
            }),
            has_phone: checked(&self.has_phone),
            has_email: checked(&self.has_email),
            intent: given(&self.intent).and_then(|i| {
                let parsed = Intent::parse(i).ok_or(Invalid::new("errors.intent_invalid"));
                errors.check("intent", parsed)
            }),
            // Handles are shown with their @ but stored without it. Control characters go: nobody
            // types them, and the line breaks that separate the searched fields must not match.
            text: {
                let q: String = self.q.chars().filter(|c| !c.is_control()).collect();
                given(&q)
                    .and_then(|q| given(q.strip_prefix('@').unwrap_or(q)))
                    .map(|q| q.chars().take(MAX_TEXT).collect())
            },
            ids: Vec::new(),
        };
        if let (Some(min), Some(max)) = (filters.min_score, filters.max_score)
            && max < min
        {
            errors.add("max_score", "errors.score_range_invalid");
            filters.max_score = None;
        }
        let sort = given(&self.sort).map_or(Some(Sort::default()), |s| {
            let parsed = Sort::parse(s).ok_or(Invalid::new("errors.sort_invalid"));
            errors.check("sort", parsed)
        });
        let sort = sort.unwrap_or_default();
        let after = given(&self.after).and_then(|c| {
            let parsed = match sort {
                Sort::Score => ScoreCursor::parse(c).map(After::Score),
                Sort::Recent => Cursor::parse(c).map(After::Recent),
            };
            errors.check("after", parsed)
        });
        (
            Asked {
                filters,
                sort,
                after,
            },
            errors,
        )
    }

    /// The query that asks for `asked`: what a link to that page carries.
    fn of(asked: &Asked) -> Self {
        let f = &asked.filters;
        let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
        let flag = |on: bool| if on { "1".to_owned() } else { String::new() };
        Self {
            lead_type: text(f.lead_type.map(LeadType::as_str)),
            status: text(f.status.map(LeadStatus::as_str)),
            min_score: f.min_score.map(|s| s.to_string()).unwrap_or_default(),
            max_score: f.max_score.map(|s| s.to_string()).unwrap_or_default(),
            platform: text(f.platform.map(Platform::as_str)),
            account: f.account_id.map(|a| a.to_string()).unwrap_or_default(),
            has_phone: flag(f.has_phone),
            has_email: flag(f.has_email),
            intent: text(f.intent.map(Intent::as_str)),
            q: text(f.text.as_deref()),
            sort: if asked.sort == Sort::default() {
                String::new()
            } else {
                asked.sort.as_str().to_owned()
            },
            after: asked.after.map(|a| a.to_string()).unwrap_or_default(),
            format: String::new(),
        }
    }

    /// The export's dialect: Excel's when asked for, else the standard CSV.
    fn dialect(&self) -> Dialect {
        if self.format == "excel" {
            Dialect::Excel
        } else {
            Dialect::Standard
        }
    }

    /// `base` with this query, if any.
    fn url(&self, base: &str) -> String {
        match serde_urlencoded::to_string(self) {
            Ok(query) if !query.is_empty() => format!("{base}?{query}"),
            _ => base.to_owned(),
        }
    }
}

/// One row as the table shows it.
pub struct Row {
    line: LeadLine,
    /// The display name, or the @handle when there is none.
    who: String,
    /// Whether `who` is a display name (the handle is then shown beside it).
    named: bool,
    url: String,
    last: String,
    last_datetime: String,
}

/// What the rows fragment shows, in the whole page and alone.
pub struct Results {
    rows: Vec<Row>,
    next_url: Option<String>,
    filtered: bool,
    continued: bool,
    /// The values that were left out, and why.
    errors: FormErrors,
    base_url: String,
    /// This page's address, where a bulk change comes back to.
    here: String,
    /// The export link with the same filters.
    export_url: String,
    /// Whether the visitor may export contact details (the workspace's rule for their role).
    can_export: bool,
    thresholds: (i16, i16),
}

impl Results {
    /// 422 when a value was left out, else 200.
    fn status(&self) -> StatusCode {
        if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "askama passes a template's arguments by reference"
    )]
    fn heat(&self, score: &i16) -> &'static str {
        let score = *score;
        let (targetable, hot) = self.thresholds;
        if score >= hot {
            "hot"
        } else if score >= targetable {
            "targetable"
        } else {
            "cold"
        }
    }
}

#[derive(Template)]
#[template(path = "pages/leads/index.html")]
pub struct LeadsPage {
    ctx: Chrome,
    form: LeadQuery,
    asked_sort: Sort,
    filters: LeadFilters,
    accounts: Vec<AccountChoice>,
    results: Results,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "askama passes a template's arguments by reference"
)]
impl LeadsPage {
    fn is_type(&self, t: &LeadType) -> bool {
        self.filters.lead_type == Some(*t)
    }
    fn is_status(&self, s: &LeadStatus) -> bool {
        self.filters.status == Some(*s)
    }
    fn is_platform(&self, p: &Platform) -> bool {
        self.filters.platform == Some(*p)
    }
    fn is_account(&self, id: &i64) -> bool {
        self.filters.account_id == Some(*id)
    }
    fn is_intent(&self, i: &Intent) -> bool {
        self.filters.intent == Some(*i)
    }
    fn is_sort(&self, s: &Sort) -> bool {
        self.asked_sort == *s
    }
}

#[derive(Template)]
#[template(path = "pages/leads/_rows.html")]
pub struct LeadRows {
    ctx: Chrome,
    results: Results,
}

/// `GET /w/{slug}/leads?type=&status=&min_score=&max_score=&platform=&account=&has_phone=&has_email=&intent=&q=&sort=&after=`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    query: web::Query<LeadQuery>,
) -> Result<HttpResponse, AppError> {
    let form = query.into_inner();
    let (mut asked, mut errors) = form.parse();
    let (filters, sort, after) = (asked.filters.clone(), asked.sort, asked.after);
    let listing =
        usecases::leads::list(&state.pool, member.workspace.id, filters, sort, after).await?;
    if listing.unknown_account {
        asked.filters.account_id = None;
        errors.add("account", "errors.account_invalid");
    }
    let can_export = member.may_export_contacts();
    let ctx = member.chrome;
    let thresholds = (
        member.workspace.targetable_score,
        member.workspace.hot_score,
    );
    let results = results(&ctx, &asked, listing.page, errors, (thresholds, can_export));
    let page = LeadsPage {
        ctx,
        form,
        asked_sort: asked.sort,
        filters: asked.filters,
        accounts: listing.accounts,
        results,
    };
    respond(htmx.0, page)
}

/// The whole page, or for htmx only its rows (with the address of what was applied); 422 when a value
/// was left out.
fn respond(htmx: bool, page: LeadsPage) -> Result<HttpResponse, AppError> {
    let status = page.results.status();
    let mut response = if htmx {
        // The address bar shows what was applied, without empty fields or refused values.
        let here = page.results.here.clone();
        let rows = LeadRows {
            ctx: page.ctx,
            results: page.results,
        };
        let mut response = render::html(status, &rows)?;
        render::push_url(&mut response, &here);
        response
    } else {
        render::html(status, &page)?
    };
    render::vary_on_htmx(&mut response);
    Ok(response)
}

fn results(
    ctx: &Chrome,
    asked: &Asked,
    page: LeadPage,
    errors: FormErrors,
    (thresholds, can_export): ((i16, i16), bool),
) -> Results {
    let base_url = ctx.ws_url("leads");
    let next_url = page.next.map(|next| {
        let next_page = Asked {
            after: Some(next),
            ..asked.clone()
        };
        LeadQuery::of(&next_page).url(&base_url)
    });
    let rows = page
        .lines
        .into_iter()
        .map(|line| {
            let name = line.display_name.clone().filter(|n| !n.trim().is_empty());
            Row {
                named: name.is_some(),
                who: name.unwrap_or_else(|| format!("@{}", line.handle)),
                url: format!("{base_url}/{}", line.id),
                last: ctx.datetime(&line.last_interaction_at),
                last_datetime: line
                    .last_interaction_at
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
                line,
            }
        })
        .collect();
    let first_page = Asked {
        after: None,
        ..asked.clone()
    };
    Results {
        rows,
        next_url,
        filtered: !asked.filters.is_empty(),
        continued: asked.after.is_some(),
        errors,
        here: LeadQuery::of(asked).url(&base_url),
        export_url: LeadQuery::of(&first_page).url(&format!("{base_url}/export.csv")),
        can_export,
        base_url,
        thresholds,
    }
}

/// The bulk form: the selected leads and the status to give them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BulkForm {
    status: String,
    back: String,
}

/// `POST /w/{slug}/leads/bulk`: gives the selected leads (`ids`) one status, each change recorded.
pub async fn bulk(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    body: Bytes,
) -> Result<HttpResponse, AppError> {
    let form: BulkForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let ids = repeated_ids(&body, "ids");
    let back = render::local_path(Some(&form.back))
        .filter(|path| path.starts_with(&member.chrome.ws_url("leads")))
        .unwrap_or_else(|| member.chrome.ws_url("leads"));
    let (kind, text) = match (LeadStatus::parse(form.status.trim()), ids.is_empty()) {
        (None, _) => (
            FlashKind::Error,
            member.chrome.t("errors.status_invalid").into_owned(),
        ),
        (Some(_), true) => (
            FlashKind::Error,
            member.chrome.t("leads.none_selected").into_owned(),
        ),
        (Some(status), false) => {
            let actor = member.actor();
            let changed = usecases::leads::set_status(&state.pool, &actor, ids, status).await?;
            let text = member
                .chrome
                .t_with("leads.status_changed", "count", &changed.to_string());
            (FlashKind::Success, text)
        }
    };
    render::flash(&member.session, kind, text);
    Ok(render::redirect(htmx.0, &back))
}

/// `GET /w/{slug}/leads/export.csv?<filters>&format=excel&ids=...`: the leads the filters (or the
/// selection) name, as CSV, streamed one batch at a time.
pub async fn export(
    member: InWorkspace,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LeadQuery>,
) -> Result<HttpResponse, AppError> {
    let (asked, errors) = query.parse();
    if let Some((_, key)) = errors.iter().next() {
        return Err(AppError::Validation(key));
    }
    member.require_contact_export()?;
    let dialect = query.dialect();
    // The filters as the Leads page writes them (`LeadQuery::of`), so only what was understood.
    let described = LeadQuery::of(&asked)
        .url("")
        .trim_start_matches('?')
        .to_owned();
    let mut filters = asked.filters;
    filters.ids = repeated_ids(req.query_string().as_bytes(), "ids");
    let actor = member.actor();
    let chunks =
        usecases::leads::export_csv(&state.pool, &actor, filters, dialect, described).await?;
    let name = format!(
        "leads-{}-{}.csv",
        member.workspace.slug,
        chrono::Utc::now().format("%Y%m%d")
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(futures_util::StreamExt::map(chunks, |chunk| {
            chunk.map(Bytes::from)
        })))
}
