//! A lead's page: who they are on the platform, what they did (counts per kind and the timeline).
//! Scoring, contact details, notes and drafts come with the lead intelligence and review features.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::AppState;
use crate::db::models::{Interaction, Lead};
use crate::db::{self, queries};
use crate::domain::interaction::Kind;
use crate::domain::scoring::Explanation;
use crate::error::AppError;
use crate::web::extract::InWorkspace;
use crate::web::render::{self, Chrome};

/// The most interactions the timeline shows.
const TIMELINE: i64 = 200;

#[derive(Template)]
#[template(path = "pages/leads/show.html")]
pub struct LeadPage {
    ctx: Chrome,
    lead: Lead,
    timeline: Vec<Interaction>,
    /// The person's profile on the platform.
    profile_url: String,
    /// Why the lead has its score (none before the first analysis).
    explanation: Option<Explanation>,
    /// The draft waiting for review, if any.
    draft: Option<String>,
    /// The workspace's thresholds: (targetable, hot).
    thresholds: (i16, i16),
}

impl LeadPage {
    /// "hot", "targetable" or "cold", from the workspace's thresholds.
    fn heat(&self) -> &'static str {
        let (targetable, hot) = self.thresholds;
        if self.lead.score >= hot {
            "hot"
        } else if self.lead.score >= targetable {
            "targetable"
        } else {
            "cold"
        }
    }

    /// A number as the page shows it (one decimal).
    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "askama hands template values to methods by reference"
    )]
    fn points(value: &f64) -> String {
        format!("{value:.1}")
    }

    /// Each kind with its count, the kinds they never did left out.
    fn counts(&self) -> Vec<(Kind, i32)> {
        let l = &self.lead;
        [
            (Kind::Like, l.likes_count),
            (Kind::Comment, l.comments_count),
            (Kind::Follow, l.follows_count),
            (Kind::Share, l.shares_count),
            (Kind::Mention, l.mentions_count),
            (Kind::CommentLike, l.comment_likes_count),
            (Kind::Message, l.messages_count),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}

/// `GET /w/{slug}/leads/{id}`
pub async fn show(
    member: InWorkspace,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (workspace_id, id) = (member.workspace.id, path.into_inner().1);
    let (lead, timeline, draft) = db::run(&state.pool, move |conn| {
        let lead = queries::leads::find(conn, workspace_id, id)?.ok_or(AppError::NotFound)?;
        let timeline = queries::leads::timeline(conn, workspace_id, id, TIMELINE)?;
        let draft = queries::analysis::pending_draft(conn, workspace_id, id)?;
        Ok((lead, timeline, draft))
    })
    .await?;
    let explanation = lead
        .score_explanation
        .clone()
        .and_then(|value| serde_json::from_value(value).ok());
    let thresholds = (
        member.workspace.targetable_score,
        member.workspace.hot_score,
    );
    let profile_url = format!(
        "{}/@{}",
        state.settings.tiktok_base_url.trim_end_matches('/'),
        lead.handle
    );
    render::html(
        StatusCode::OK,
        &LeadPage {
            ctx: member.chrome,
            lead,
            timeline,
            profile_url,
            explanation,
            draft,
            thresholds,
        },
    )
}
