//! One module per page; each function is one action (`show`, `create`, `update_password`...).

pub mod account;
pub mod account_qr;
pub mod account_sync;
pub mod accounts;
pub mod admin;
pub mod coming_soon;
pub mod dashboard;
pub mod email_verification;
pub mod health;
pub mod home;
pub mod instagram;
pub mod interactions;
pub mod language;
pub mod lead;
pub mod leads;
pub mod login;
pub mod members;
pub mod password_reset;
pub mod register;
pub mod review;
pub mod settings;
pub mod templates;
pub mod webhooks;
pub mod workspaces;
