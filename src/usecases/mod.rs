//! The use cases: what a creator, an admin or the scheduler asks VistaFlow to do (connect an account,
//! sync it, approve drafts, erase a person, invite and accept...), one function each, shared by the
//! handlers, the jobs and the CLI, each taking only what it needs. Below them sit the platforms, the
//! analyzer, mail, integrations, the database and the domain rules; above them only `web`, `jobs`,
//! `cli`, `bench` and `app`.

pub mod accounts;
pub mod admin;
pub mod analysis;
pub mod instagram;
pub mod interactions;
pub mod job_runs;
pub mod leads;
pub mod login;
pub mod password;
pub mod registration;
pub mod review;
pub mod settings;
pub mod sync;
pub mod team;
pub mod templates;

use crate::db::models::NewAuditEvent;
use crate::domain::role::Role;

/// Who asks for a use case inside a workspace: the person, their role there, and where the request
/// came from (for the audit trail). Pages build it from the logged-in member, jobs and the CLI from
/// what they act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub workspace_id: i64,
    pub role: Role,
    pub ip: String,
}

impl Actor {
    /// The audit event of `action` done by this actor in their workspace, from where they asked (add
    /// details with `with_details`).
    #[must_use]
    pub fn event<'a>(&'a self, action: &'a str) -> NewAuditEvent<'a> {
        NewAuditEvent::new(
            action,
            Some(self.user_id),
            Some(self.workspace_id),
            Some(&self.ip),
        )
    }
}
