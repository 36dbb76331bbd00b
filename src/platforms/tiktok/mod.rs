//! TikTok, read through a real browser with the creator's own session: the same code path for
//! tiktok.com and for the built-in demo network.

pub mod collect;
pub mod extract;
pub mod page;
pub mod session;

pub use page::{SessionState, classify};
