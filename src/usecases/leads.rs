//! The workspace's people: the Leads list (an account filter naming none of the workspace's accounts is
//! left out), the follow-up (a status for one lead or many, each change recorded; notes), the CSV export of the leads the filters name (recorded in the audit trail before a row is
//! written, streamed in batches in constant memory), and a person's rights: everything held about them
//! as one document, and erasure (their data deleted, their handle suppressed, the audit keeping that
//! someone was erased, never who).

use diesel::Connection as _;
use futures_util::Stream;

use crate::db::DbPool;
use crate::db::models::{Interaction, Lead, NewAuditEvent, SuggestedMessage};
use crate::db::queries;
use crate::db::queries::interaction_list::{self, AccountChoice};
use crate::db::queries::lead_list::{self, After, LeadFilters, LeadPage, Sort};
use crate::db::queries::leads::{NoteLine, StatusLine};
use crate::domain::lead_status::LeadStatus;
use crate::error::AppError;
use crate::error::with_db;
use crate::integrations::csv::{self, Dialect};
use crate::platforms;
use crate::usecases::Actor;

/// Leads read per batch while exporting.
const EXPORT_BATCH: i64 = 1_000;

/// One page of the Leads list with the accounts its filter offers.
pub struct Listing {
    pub accounts: Vec<AccountChoice>,
    pub page: LeadPage,
    /// The account filter named none of the workspace's accounts and was left out.
    pub unknown_account: bool,
}

/// The page of the workspace's leads that `filters`, `sort` and `after` ask for, with the workspace's
/// accounts, in one round trip.
///
/// # Errors
/// When the database cannot be reached.
pub async fn list(
    pool: &DbPool,
    workspace_id: i64,
    mut filters: LeadFilters,
    sort: Sort,
    after: Option<After>,
) -> Result<Listing, AppError> {
    with_db(pool, move |conn| {
        let accounts = interaction_list::accounts(conn, workspace_id)?;
        let unknown_account = filters
            .account_id
            .is_some_and(|id| !accounts.iter().any(|a| a.id == id));
        if unknown_account {
            filters.account_id = None;
        }
        let page = lead_list::page(conn, workspace_id, &filters, sort, after)?;
        Ok(Listing {
            accounts,
            page,
            unknown_account,
        })
    })
    .await
}

/// Gives the workspace's leads among `ids` the status `to`, each change recorded with who made it;
/// answers how many changed.
///
/// # Errors
/// When the database cannot be reached.
pub async fn set_status(
    pool: &DbPool,
    actor: &Actor,
    ids: Vec<i64>,
    to: LeadStatus,
) -> Result<usize, AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    with_db(pool, move |conn| {
        Ok(conn.transaction(|conn| {
            queries::leads::set_status(conn, workspace_id, &ids, to, Some(user_id))
        })?)
    })
    .await
}

/// Gives the workspace's lead `id` the status `to` (recorded when it changes). 404 when it is not the
/// workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn set_one_status(
    pool: &DbPool,
    actor: &Actor,
    id: i64,
    to: LeadStatus,
) -> Result<(), AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            queries::leads::find(conn, workspace_id, id)?.ok_or(AppError::NotFound)?;
            queries::leads::set_status(conn, workspace_id, &[id], to, Some(user_id))?;
            Ok(())
        })
    })
    .await
}

/// Adds a note (`body`, already checked by the page) to the workspace's lead `id`. 404 when it is not
/// the workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn add_note(pool: &DbPool, actor: &Actor, id: i64, body: String) -> Result<(), AppError> {
    let (workspace_id, user_id) = (actor.workspace_id, actor.user_id);
    let added = with_db(pool, move |conn| {
        Ok(queries::leads::add_note(
            conn,
            workspace_id,
            id,
            user_id,
            &body,
        )?)
    })
    .await?;
    if added {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The CSV export of the leads `filters` name (their `ids` when some were selected), as chunks of
/// bytes: the header, then one chunk per batch. `described` is the filters as the Leads page writes
/// them, for the audit trail. The export is recorded before anything is read (who, the filters, the
/// format, how many ids were selected), and its event gets the number of rows once it ends.
///
/// # Errors
/// When the export cannot be recorded.
pub async fn export_csv(
    pool: &DbPool,
    actor: &Actor,
    filters: LeadFilters,
    dialect: Dialect,
    described: String,
) -> Result<impl Stream<Item = Result<Vec<u8>, std::io::Error>> + use<>, AppError> {
    let format = if dialect == Dialect::Excel {
        "excel"
    } else {
        "csv"
    };
    let selected = filters.ids.len();
    let (workspace_id, user_id, ip) = (actor.workspace_id, actor.user_id, actor.ip.clone());
    let audit_id = with_db(pool, move |conn| {
        let event = NewAuditEvent::new(
            "leads.exported",
            Some(user_id),
            Some(workspace_id),
            Some(&ip),
        )
        .with_details(
            serde_json::json!({ "filters": described, "format": format, "selected": selected }),
        );
        Ok(queries::audit::record_returning_id(conn, &event)?)
    })
    .await?;
    let first = futures_util::stream::once(std::future::ready(Ok(csv::header(dialect))));
    let pool = pool.clone();
    // The state: the last id written and the rows written so far; `None` once the export is over.
    let batches = futures_util::stream::unfold(Some((0_i64, 0_usize)), move |progress| {
        let (pool, filters) = (pool.clone(), filters.clone());
        async move {
            let (after_id, written) = progress?;
            let batch = with_db(&pool, move |conn| {
                Ok(lead_list::export_batch(
                    conn,
                    workspace_id,
                    &filters,
                    after_id,
                    EXPORT_BATCH,
                )?)
            })
            .await;
            match batch {
                Ok(lines) => {
                    let written = written + lines.len();
                    let full = i64::try_from(lines.len()).unwrap_or(0) == EXPORT_BATCH;
                    let next = lines.last().map(|l| (l.id, written)).filter(|_| full);
                    if next.is_none() {
                        record_export_rows(&pool, audit_id, written).await;
                    }
                    if lines.is_empty() {
                        return None;
                    }
                    Some((Ok(csv::records(&lines, dialect)), next))
                }
                Err(error) => {
                    tracing::warn!(%error, "the leads export stopped");
                    Some((Err(std::io::Error::other("the export stopped")), None))
                }
            }
        }
    });
    Ok(futures_util::StreamExt::chain(first, batches))
}

/// Adds the number of rows written to the export's audit event.
async fn record_export_rows(pool: &DbPool, audit_id: i64, rows: usize) {
    let recorded = with_db(pool, move |conn| {
        Ok(queries::audit::add_details(
            conn,
            audit_id,
            &serde_json::json!({ "rows": rows }),
        )?)
    })
    .await;
    if let Err(error) = recorded {
        tracing::warn!(%error, "the export's row count could not be recorded");
    }
}

/// Everything the workspace holds about one person.
pub struct Person {
    pub lead: Lead,
    /// Their interactions, newest first.
    pub timeline: Vec<Interaction>,
    /// Every draft, newest first.
    pub drafts: Vec<SuggestedMessage>,
    pub notes: Vec<NoteLine>,
    pub history: Vec<StatusLine>,
}

/// The workspace's lead `id` with its newest `limit` interactions, drafts, notes and status history,
/// in one round trip; 404 when it is not the workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn person(
    pool: &DbPool,
    workspace_id: i64,
    id: i64,
    limit: i64,
) -> Result<Person, AppError> {
    with_db(pool, move |conn| {
        Ok(Person {
            lead: queries::leads::find(conn, workspace_id, id)?.ok_or(AppError::NotFound)?,
            timeline: queries::leads::timeline(conn, workspace_id, id, limit)?,
            drafts: queries::leads::drafts(conn, workspace_id, id)?,
            notes: queries::leads::notes(conn, workspace_id, id)?,
            history: queries::leads::status_history(conn, workspace_id, id)?,
        })
    })
    .await
}

/// The person's profile on their platform.
#[must_use]
pub fn profile_url(settings: &platforms::Settings, lead: &Lead) -> String {
    platforms::profile_url(settings, lead.platform, &lead.handle)
}

/// A person's data export: the document and the name of its file.
pub struct PersonExport {
    pub document: serde_json::Value,
    pub file_name: String,
}

/// Everything VistaFlow holds about the workspace's lead `id`, as one JSON document; the export is
/// recorded in the audit trail. 404 when it is not the workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn export_person(
    pool: &DbPool,
    settings: &platforms::Settings,
    actor: &Actor,
    id: i64,
) -> Result<PersonExport, AppError> {
    let workspace_id = actor.workspace_id;
    let Person {
        lead,
        timeline,
        drafts,
        notes,
        history,
    } = person(pool, workspace_id, id, i64::MAX).await?;
    let (user_id, ip) = (actor.user_id, actor.ip.clone());
    with_db(pool, move |conn| {
        let event = NewAuditEvent::new(
            "lead.exported",
            Some(user_id),
            Some(workspace_id),
            Some(&ip),
        )
        .with_details(serde_json::json!({ "lead_id": id }));
        Ok(queries::audit::record(conn, &event)?)
    })
    .await?;
    let document = serde_json::json!({
        "exported_at": chrono::Utc::now(),
        "person": {
            "platform": lead.platform.as_str(),
            "handle": lead.handle,
            "display_name": lead.display_name,
            "profile_url": profile_url(settings, &lead),
            "first_seen_at": lead.first_seen_at,
            "last_interaction_at": lead.last_interaction_at,
            "status": lead.status.as_str(),
            "type": lead.lead_type,
            "score": lead.score,
            "score_explanation": lead.score_explanation,
            "intent": lead.intent,
            "phone": lead.phone,
            "email": lead.email,
            "language": lead.language,
            "reasoning": lead.reasoning,
        },
        "interactions": timeline.iter().map(|i| serde_json::json!({
            "kind": i.kind, "text": i.text, "post": i.post_ref,
            "occurred_at": i.occurred_at, "precision": i.precision.as_str(),
            "collected_at": i.collected_at,
        })).collect::<Vec<_>>(),
        "messages": drafts.iter().map(|d| serde_json::json!({
            "body": d.body, "status": d.status.as_str(), "language": d.language,
            "created_at": d.created_at, "approved_at": d.approved_at, "sent_at": d.sent_at,
        })).collect::<Vec<_>>(),
        "notes": notes.iter().map(|n| serde_json::json!({
            "body": n.body, "author": n.author, "created_at": n.created_at,
        })).collect::<Vec<_>>(),
        "status_history": history.iter().map(|h| serde_json::json!({
            "from": h.from_status.as_str(), "to": h.to_status.as_str(), "by": h.who, "at": h.changed_at,
        })).collect::<Vec<_>>(),
    });
    Ok(PersonExport {
        document,
        file_name: format!("lead-{}-{}.json", lead.platform, lead.handle),
    })
}

/// Erases the workspace's lead `id`: their interactions, drafts, notes and lead are deleted and their
/// handle is suppressed, in one transaction with the audit event (which keeps that someone was erased,
/// never who). 404 when it is not the workspace's.
///
/// # Errors
/// `NotFound`, or when the database cannot be reached.
pub async fn erase_person(pool: &DbPool, actor: &Actor, id: i64) -> Result<(), AppError> {
    let (workspace_id, user_id, ip) = (actor.workspace_id, actor.user_id, actor.ip.clone());
    with_db(pool, move |conn| {
        conn.transaction(|conn| {
            queries::leads::erase(conn, workspace_id, id)?.ok_or(AppError::NotFound)?;
            let event =
                NewAuditEvent::new("lead.erased", Some(user_id), Some(workspace_id), Some(&ip));
            queries::audit::record(
                conn,
                &event.with_details(serde_json::json!({ "lead_id": id })),
            )?;
            Ok(())
        })
    })
    .await
}
