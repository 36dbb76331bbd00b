//! Row types, one module per table: `Foo` (read), `NewFoo` (insert), `FooChanges` (update).

pub mod audit_event;
pub mod interaction;
pub mod invitation;
pub mod login_throttle;
pub mod membership;
pub mod message_template;
pub mod sent_email;
pub mod social_account;
pub mod suggested_message;
pub mod sync_run;
pub mod user;
pub mod webhook_delivery;
pub mod workspace;

pub use audit_event::{AuditEvent, NewAuditEvent};
pub use interaction::{Interaction, Lead, LeadAnalysis, NewInteraction, NewLead};
pub use invitation::{Invitation, NewInvitation};
pub use login_throttle::LoginThrottle;
pub use membership::{Membership, NewMembership};
pub use message_template::{MessageTemplate, MessageTemplateChanges, NewMessageTemplate};
pub use social_account::{AccountCheck, AccountSecret, NewSocialAccount, SocialAccount};
pub use suggested_message::SuggestedMessage;
pub use sync_run::{SyncOutcome, SyncRun};
pub use user::{NewUser, User};
pub use webhook_delivery::{ClaimedDelivery, NewOAuthState, OAuthState, WebhookDelivery};
pub use workspace::{NewWorkspace, Workspace};
