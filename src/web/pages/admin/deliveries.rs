//! Admin: the webhook inbox, newest first, by status (received, processed, failed), with a replay for
//! any delivery (a failed one after a fix, say). Bodies are not shown: they hold people's messages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::{ListQuery, PAGE_SIZE, next_cursor};
use crate::db::models::{NewAuditEvent, WebhookDelivery};
use crate::db::queries;
use crate::domain::delivery::DeliveryStatus;
use crate::error::{AppError, with_db};
use crate::state::AppState;
use crate::web::extract::{Htmx, SiteAdmin};
use crate::web::render::{self, Chrome, FlashKind};

#[derive(Template)]
#[template(path = "pages/admin/deliveries.html")]
pub struct DeliveriesPage {
    ctx: Chrome,
    /// The status filter ("" for all).
    status: &'static str,
    statuses: &'static [DeliveryStatus],
    /// How many deliveries there are of each status.
    counts: Vec<(DeliveryStatus, i64)>,
    deliveries: Vec<WebhookDelivery>,
    next: Option<i64>,
}

impl DeliveriesPage {
    fn count_of(&self, status: DeliveryStatus) -> i64 {
        self.counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// `GET /admin/deliveries?status=&before=`
pub async fn index(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = DeliveryStatus::parse(query.status.trim());
    let before = query.before;
    let (deliveries, counts) = with_db(&state.pool, move |conn| {
        Ok((
            queries::webhook_deliveries::list(conn, status, before, PAGE_SIZE)?,
            queries::webhook_deliveries::counts(conn)?,
        ))
    })
    .await?;
    let next = next_cursor(deliveries.len(), deliveries.last().map(|d| d.id));
    let page = DeliveriesPage {
        ctx: admin.chrome,
        status: status.map_or("", DeliveryStatus::as_str),
        statuses: DeliveryStatus::ALL,
        counts,
        deliveries,
        next,
    };
    render::html(StatusCode::OK, &page)
}

/// `POST /admin/deliveries/{id}/replay`: the delivery goes through the worker again (ingestion is
/// idempotent, so nothing is stored twice).
pub async fn replay(
    admin: SiteAdmin,
    state: web::Data<AppState>,
    htmx: Htmx,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (admin_id, ip) = (admin.user.id, admin.ip.clone());
    with_db(&state.pool, move |conn| {
        diesel::Connection::transaction(conn, |conn| {
            if !queries::webhook_deliveries::replay(conn, id, Utc::now())? {
                return Err(AppError::NotFound);
            }
            let event = NewAuditEvent::new("delivery.replayed", Some(admin_id), None, Some(&ip))
                .with_details(serde_json::json!({ "delivery_id": id }));
            queries::audit::record(conn, &event)?;
            Ok(())
        })
    })
    .await?;
    state.inbox.notify_one();
    let text = admin
        .chrome
        .t_with("admin.delivery_replayed", "id", &id.to_string());
    render::flash(&admin.session, FlashKind::Success, text);
    Ok(render::redirect(htmx.0, "/admin/deliveries"))
}
