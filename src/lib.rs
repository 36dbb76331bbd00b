//! `VistaFlow` turns the attention a creator gets on social networks into qualified leads.

rust_i18n::i18n!("src/locales", fallback = "en");

pub mod ai;
pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod i18n;
pub mod integrations;
pub mod jobs;
pub mod mail;
pub mod platforms;
pub mod scrape;
pub mod state;
pub mod telemetry;
#[cfg(test)]
mod test_support;
pub mod usecases;
pub mod web;
