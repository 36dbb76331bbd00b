//! Queries on workspaces: create with an owner, find through a membership, list, rename, admin listing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::models::{NewMembership, NewWorkspace, Workspace};
use crate::db::schema::{memberships, workspaces};
use crate::domain::scoring::Thresholds;
use crate::domain::{Role, Slug, WorkspaceName};
use crate::i18n::Lang;

/// Creates a workspace owned by `owner_id`, with the first free slug derived from its name.
/// Call inside a transaction: the workspace and its owner's membership land together.
pub fn create_with_owner(
    conn: &mut PgConnection,
    name: &WorkspaceName,
    language: Lang,
    owner_id: i64,
) -> QueryResult<Workspace> {
    create_with_owner_at(conn, name, &name.slug_base(), language, owner_id)
}

/// Creates a workspace owned by `owner_id` at `base`, or at the first free `base-2`, `base-3`...
/// Call inside a transaction.
pub fn create_with_owner_at(
    conn: &mut PgConnection,
    name: &WorkspaceName,
    base: &Slug,
    language: Lang,
    owner_id: i64,
) -> QueryResult<Workspace> {
    let mut candidate = base.clone();
    let mut attempt = 1_u32;
    let workspace = loop {
        let inserted = diesel::insert_into(workspaces::table)
            .values(&NewWorkspace {
                slug: candidate.as_str(),
                name: name.as_str(),
                language,
            })
            .on_conflict(workspaces::slug)
            .do_nothing()
            .returning(Workspace::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(workspace) = inserted {
            break workspace;
        }
        attempt += 1;
        candidate = base.with_suffix(attempt);
    };
    diesel::insert_into(memberships::table)
        .values(&NewMembership {
            workspace_id: workspace.id,
            user_id: owner_id,
            role: Role::Owner.as_str(),
        })
        .execute(conn)?;
    Ok(workspace)
}

/// The workspace at `slug`, whoever its members (for the command line, not for web requests).
pub fn find_by_slug(conn: &mut PgConnection, slug: &Slug) -> QueryResult<Option<Workspace>> {
    workspaces::table
        .filter(workspaces::slug.eq(slug.as_str()))
        .select(Workspace::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut PgConnection, workspace_id: i64) -> QueryResult<Workspace> {
    workspaces::table
        .find(workspace_id)
        .select(Workspace::as_select())
        .first(conn)
}

pub fn update_settings(
    conn: &mut PgConnection,
    workspace_id: i64,
    name: &WorkspaceName,
    language: Lang,
    thresholds: Thresholds,
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(workspace_id))
        .set((
            workspaces::name.eq(name.as_str()),
            workspaces::language.eq(language.code()),
            workspaces::targetable_score.eq(i16::from(thresholds.targetable)),
            workspaces::hot_score.eq(i16::from(thresholds.hot)),
            workspaces::draft_score.eq(i16::from(thresholds.draft)),
            workspaces::score_half_life_days
                .eq(i16::try_from(thresholds.half_life_days).unwrap_or(i16::MAX)),
            workspaces::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

/// How long the workspace keeps interactions (days); `None` keeps them all.
pub fn set_retention(
    conn: &mut PgConnection,
    workspace_id: i64,
    days: Option<i16>,
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(workspace_id))
        .set(workspaces::retention_days.eq(days))
        .execute(conn)
}

/// The outreach quotas per account: approved messages per hour and per day.
pub fn set_quotas(
    conn: &mut PgConnection,
    workspace_id: i64,
    (per_hour, per_day): (i16, i16),
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(workspace_id))
        .set((
            workspaces::quota_per_hour.eq(per_hour),
            workspaces::quota_per_day.eq(per_day),
        ))
        .execute(conn)
}

/// Whether plain members may export contact details.
pub fn set_members_export_contacts(
    conn: &mut PgConnection,
    workspace_id: i64,
    allowed: bool,
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(workspace_id))
        .set(workspaces::members_export_contacts.eq(allowed))
        .execute(conn)
}

/// A workspace as listed on the admin page.
#[derive(Debug, Clone)]
pub struct WorkspaceListing {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub members: i64,
    pub created_at: DateTime<Utc>,
}

/// Workspaces whose name or slug contains `search`, newest first.
pub fn search(
    conn: &mut PgConnection,
    search: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<WorkspaceListing>> {
    let mut query = workspaces::table.into_boxed();
    if let Some(text) = search {
        let pattern = super::like_pattern(text);
        query = query.filter(
            workspaces::name
                .ilike(pattern.clone())
                .or(workspaces::slug.ilike(pattern)),
        );
    }
    if let Some(before) = before_id {
        query = query.filter(workspaces::id.lt(before));
    }
    let found: Vec<Workspace> = query
        .order(workspaces::id.desc())
        .limit(limit)
        .select(Workspace::as_select())
        .load(conn)?;
    let ids: Vec<i64> = found.iter().map(|w| w.id).collect();
    let counts: Vec<(i64, i64)> = memberships::table
        .filter(memberships::workspace_id.eq_any(&ids))
        .group_by(memberships::workspace_id)
        .select((memberships::workspace_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|w| {
            let members = counts
                .iter()
                .find(|(id, _)| *id == w.id)
                .map_or(0, |(_, n)| *n);
            WorkspaceListing {
                id: w.id,
                slug: w.slug,
                name: w.name,
                members,
                created_at: w.created_at,
            }
        })
        .collect())
}
