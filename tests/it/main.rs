//! The integration tests: the real app, a real database of its own per test, real HTTP.

mod harness;

mod accounts;
mod admin;
mod ai;
mod architecture;
mod browser_pool;
mod chrome;
mod cli;
mod collection;
mod demo_network;
mod forms;
mod health;
mod instagram_accounts;
mod instagram_backfill;
mod instagram_crash;
mod instagram_demo;
mod instagram_sending;
mod instagram_support;
mod instagram_tokens;
mod instagram_webhooks;
mod interactions;
mod journey;
mod language;
mod leads;
mod mail;
mod review;
mod sessions;
mod templates;
mod tiktok_accounts;
mod verification;
mod workspaces;
