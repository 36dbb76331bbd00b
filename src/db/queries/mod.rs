//! Query functions grouped by aggregate. Each takes `&mut PgConnection` so callers can compose them in one
//! transaction; every query on workspace data filters by the workspace id.

pub mod accounts;
pub mod admin;
pub mod analysis;
pub mod audit;
pub mod counts;
pub mod dashboard;
pub mod demo_data;
pub mod email_verifications;
pub mod interaction_list;
pub mod interactions;
pub mod invitations;
pub mod jobs;
pub mod lead_list;
pub mod leads;
pub mod mail;
pub mod memberships;
pub mod oauth_states;
pub mod password_resets;
pub mod platform_people;
pub mod review;
pub mod sending;
pub mod sessions;
pub mod syncs;
pub mod templates;
pub mod throttles;
pub mod users;
pub mod webhook_deliveries;
pub mod workspaces;

/// Escapes `%`, `_` and `\` so a person's search text matches literally inside an ILIKE pattern.
#[must_use]
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
