//! The Interactions page: what was collected from the workspace's accounts, newest first, 50 at a time,
//! filtered by platform, account, kind, UTC days and text. A plain GET renders the whole page; an htmx
//! request (the filter form, the "Older" link) gets only the rows, swapped in place.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike as _, NaiveDate, SecondsFormat};
use serde::{Deserialize, Serialize};

use crate::db::queries::interaction_list::{AccountChoice, Filters, Line, Page};
use crate::domain::Invalid;
use crate::domain::cursor::Cursor;
use crate::domain::interaction::Kind;
use crate::domain::platform::Platform;
use crate::domain::platform_time::Precision;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases;
use crate::usecases::interactions::Listing;
use crate::web::extract::{Htmx, InWorkspace};
use crate::web::render::{self, Chrome, FormErrors};

/// The longest search text kept.
const MAX_TEXT: usize = 100;

/// The query string as sent. Every field is a string so that nothing is refused before it can be
/// explained; `parse` turns it into `Filters`. Serialised, it skips what is empty (clean links).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FilterQuery {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub platform: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub q: String,
    /// Where the page starts: the cursor of the last row of the previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub before: String,
}

impl FilterQuery {
    /// The filters and the cursor. A value that does not parse is left out and its field gets an error.
    fn parse(&self) -> (Filters, Option<Cursor>, FormErrors) {
        let mut errors = FormErrors::default();
        let mut filters = Filters {
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
            kind: given(&self.kind).and_then(|k| {
                let parsed = Kind::parse(k).ok_or(Invalid::new("errors.kind_invalid"));
                errors.check("kind", parsed)
            }),
            from: given(&self.from).and_then(|d| errors.check("from", parse_day(d))),
            to: given(&self.to).and_then(|d| errors.check("to", parse_day(d))),
            // Handles are shown with their @ but stored without it.
            text: given(&self.q)
                .and_then(|q| given(q.strip_prefix('@').unwrap_or(q)))
                .map(|q| q.chars().take(MAX_TEXT).collect()),
        };
        if let (Some(from), Some(to)) = (filters.from, filters.to)
            && to < from
        {
            errors.add("to", "errors.date_range_invalid");
            filters.to = None;
        }
        let before = given(&self.before).and_then(|c| errors.check("before", Cursor::parse(c)));
        (filters, before, errors)
    }

    /// The query that asks for `filters` from `before`: what a link to that page carries.
    fn of(filters: &Filters, before: Option<Cursor>) -> Self {
        let text = |value: Option<String>| value.unwrap_or_default();
        Self {
            platform: text(filters.platform.map(|p| p.as_str().to_owned())),
            account: text(filters.account_id.map(|id| id.to_string())),
            kind: text(filters.kind.map(|k| k.as_str().to_owned())),
            from: text(filters.from.map(|d| d.to_string())),
            to: text(filters.to.map(|d| d.to_string())),
            q: text(filters.text.clone()),
            before: text(before.map(|c| c.to_string())),
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

/// The trimmed value, unless it is empty (an empty field means "any").
fn given(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

/// A day as a date input sends it (`2026-03-10`), within years PostgreSQL and people both use.
fn parse_day(text: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|day| (1..=9999).contains(&day.year()))
        .ok_or(Invalid::new("errors.date_invalid"))
}

/// One row as the table shows it.
pub struct Row {
    id: i64,
    /// The time for machines (`<time datetime>`).
    datetime: String,
    /// The time for people, to the day only when the platform gave no more.
    when: String,
    /// The precision when it is coarser than the minute (`hour`, `day`, `week`).
    approx: Option<&'static str>,
    /// The display name, or the @handle when there is none.
    who: String,
    /// The @handle, shown under a display name.
    handle: Option<String>,
    lead_url: String,
    kind: Cow<'static, str>,
    text: Option<String>,
    account: String,
}

impl Row {
    fn new(ctx: &Chrome, line: Line) -> Self {
        let interaction = line.interaction;
        let precision = interaction.precision;
        let at = interaction.occurred_at;
        let kind = ctx.t_in("interactions.kind", interaction.kind.as_str());
        let name = interaction
            .actor_display_name
            .filter(|name| !name.trim().is_empty());
        let handle = format!("@{}", interaction.actor_handle);
        Self {
            id: interaction.id,
            datetime: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            when: if precision >= Precision::Day {
                ctx.date(&at)
            } else {
                ctx.datetime(&at)
            },
            approx: (precision > Precision::Minute).then(|| precision.as_str()),
            who: name.clone().unwrap_or_else(|| handle.clone()),
            handle: name.map(|_| handle),
            lead_url: format!("{}/{}", ctx.ws_url("leads"), interaction.lead_id),
            kind,
            text: interaction.text,
            account: format!("@{}", line.account_handle),
        }
    }
}

/// What the rows fragment shows, in the whole page and alone.
pub struct Results {
    rows: Vec<Row>,
    /// The link to the next (older) page, when there is one.
    next_url: Option<String>,
    /// Whether a filter narrows the list (an empty list then offers to clear them).
    filtered: bool,
    /// Whether this page continues an earlier one.
    continued: bool,
    has_accounts: bool,
    /// The values that were left out, and why.
    errors: FormErrors,
    /// The page without filters.
    base_url: String,
}

impl Results {
    /// The rows of `page` and the link to the page after them.
    fn new(ctx: &Chrome, filters: &Filters, page: Page, before: Option<Cursor>) -> Self {
        let base_url = ctx.ws_url("interactions");
        Self {
            next_url: page
                .next
                .map(|next| FilterQuery::of(filters, Some(next)).url(&base_url)),
            rows: page.lines.into_iter().map(|l| Row::new(ctx, l)).collect(),
            filtered: !filters.is_empty(),
            continued: before.is_some(),
            has_accounts: false,
            errors: FormErrors::default(),
            base_url,
        }
    }

    /// 422 when a value was left out, else 200.
    fn status(&self) -> StatusCode {
        if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

#[derive(Template)]
#[template(path = "pages/interactions/index.html")]
pub struct InteractionsPage {
    ctx: Chrome,
    /// The values as sent, shown back in the form.
    form: FilterQuery,
    /// The filters applied.
    filters: Filters,
    accounts: Vec<AccountChoice>,
    results: Results,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "askama passes a template's arguments by reference"
)]
impl InteractionsPage {
    fn is_platform(&self, platform: &Platform) -> bool {
        self.filters.platform == Some(*platform)
    }

    fn is_account(&self, id: &i64) -> bool {
        self.filters.account_id == Some(*id)
    }

    fn is_kind(&self, kind: &Kind) -> bool {
        self.filters.kind == Some(*kind)
    }
}

#[derive(Template)]
#[template(path = "pages/interactions/_rows.html")]
pub struct InteractionRows {
    ctx: Chrome,
    results: Results,
}

/// `GET /w/{slug}/interactions?platform=&account=&kind=&from=&to=&q=&before=`
pub async fn index(
    member: InWorkspace,
    state: web::Data<AppState>,
    htmx: Htmx,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let form = query.into_inner();
    let (filters, before, mut errors) = form.parse();
    let listing =
        usecases::interactions::list(&state.pool, member.workspace.id, filters, before).await?;
    if listing.unknown_account {
        errors.add("account", "errors.account_invalid");
    }
    let Listing {
        accounts,
        filters,
        page,
        ..
    } = listing;
    let ctx = member.chrome;
    let mut results = Results::new(&ctx, &filters, page, before);
    (results.has_accounts, results.errors) = (!accounts.is_empty(), errors);
    let page = InteractionsPage {
        ctx,
        form,
        filters,
        accounts,
        results,
    };
    respond(htmx.0, page, before)
}

/// The whole page, or for htmx only its rows (with the address of what was applied); 422 when a value
/// was left out.
fn respond(
    htmx: bool,
    page: InteractionsPage,
    before: Option<Cursor>,
) -> Result<HttpResponse, AppError> {
    let status = page.results.status();
    let mut response = if htmx {
        // The address bar shows what was applied, without empty fields or refused values.
        let applied = FilterQuery::of(&page.filters, before).url(&page.results.base_url);
        let rows = InteractionRows {
            ctx: page.ctx,
            results: page.results,
        };
        let mut response = render::html(status, &rows)?;
        render::push_url(&mut response, &applied);
        response
    } else {
        render::html(status, &page)?
    };
    render::vary_on_htmx(&mut response);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &str) -> FilterQuery {
        serde_urlencoded::from_str(pairs).unwrap()
    }

    #[test]
    fn well_formed_filters_are_parsed_into_their_types() {
        let (filters, before, errors) = query(
            "platform=instagram&account=7&kind=comment_like&from=2026-03-01&to=2026-03-02&q=+track+&before=2026-03-10T14:30:20.000001Z_9",
        )
        .parse();

        assert!(errors.is_empty());
        assert_eq!(filters.platform, Some(Platform::Instagram));
        assert_eq!(filters.account_id, Some(7));
        assert_eq!(filters.kind, Some(Kind::CommentLike));
        assert_eq!(filters.from, NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(filters.to, NaiveDate::from_ymd_opt(2026, 3, 2));
        assert_eq!(filters.text.as_deref(), Some("track"));
        assert_eq!(before.map(|c| c.id), Some(9));
    }

    #[test]
    fn empty_fields_mean_no_filter() {
        let (filters, before, errors) =
            query("platform=&account=&kind=&from=&to=&q=+%40+&before=").parse();

        assert!(errors.is_empty());
        assert!(filters.is_empty());
        assert_eq!(before, None);
    }

    #[test]
    fn each_malformed_value_is_left_out_with_its_own_message() {
        let (filters, before, errors) =
            query("platform=myspace&account=x&kind=hug&from=2026-02-30&to=tomorrow&before=garbage")
                .parse();

        assert!(filters.is_empty());
        assert_eq!(before, None);
        for (field, key) in [
            ("platform", "errors.platform_invalid"),
            ("account", "errors.account_invalid"),
            ("kind", "errors.kind_invalid"),
            ("from", "errors.date_invalid"),
            ("to", "errors.date_invalid"),
            ("before", "errors.cursor_invalid"),
        ] {
            assert_eq!(errors.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn an_end_before_the_start_is_refused_and_the_start_kept() {
        let (filters, _, errors) = query("from=2026-03-05&to=2026-03-01").parse();

        assert_eq!(filters.from, NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(filters.to, None);
        assert_eq!(errors.get("to"), Some("errors.date_range_invalid"));
    }

    #[test]
    fn a_link_carries_only_the_filters_applied_and_the_cursor() {
        let (filters, _, _) = query("kind=like&platform=&q=new%20track&from=bad").parse();
        let cursor = Cursor::parse("2026-03-10T14:30:20.000001Z_9").unwrap();

        let url = FilterQuery::of(&filters, Some(cursor)).url("/w/studio/interactions");

        assert_eq!(
            url,
            "/w/studio/interactions?kind=like&q=new+track&before=2026-03-10T14%3A30%3A20.000001Z_9"
        );
        assert_eq!(
            FilterQuery::of(&Filters::default(), None).url("/w/studio/interactions"),
            "/w/studio/interactions"
        );
    }
}
