//! One module per social network, each reading only the connected account's own data.

pub mod tiktok;
