//! What collecting gives back, the same for every platform: interactions ready to store, what reading
//! cost, or why the account could not be read.

use std::future::Future;

use crate::domain::interaction::Observed;

/// What reading cost: page sources read and WebDriver commands sent (zero for an API).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    pub page_reads: u32,
    pub round_trips: u32,
}

/// Why an account could not be read; each changes what the account's status says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRead {
    /// The session ended: the creator must reconnect.
    Expired,
    /// A captcha or a block: reported, never solved.
    Blocked,
    /// The page is none the reader knows.
    Unrecognised,
}

/// The reader's own configuration is broken (a selector profile that does not parse): nothing was read,
/// and no account is at fault.
#[derive(Debug, thiserror::Error)]
#[error("the reader's configuration: {0:#}")]
pub struct ReaderConfig(pub anyhow::Error);

/// One collection's result.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// The interactions read, ready to store.
    pub observed: Vec<Observed>,
    /// Rows read in all, stored or not.
    pub rows_read: usize,
    /// Rows the reader could not make an interaction of (logged by the reader).
    pub unknown_rows: usize,
    pub cost: Cost,
}

/// A stored message as a reader compares it with a conversation: the person's handle, their display
/// name and the text.
pub type StoredMessage = (String, Option<String>, Option<String>);

/// The last messages already stored, so a reader opens only the conversations with something new.
pub trait KnownMessages: Sync {
    /// The (handle, display name, text) of the stored messages whose text is one of `previews`.
    fn known(
        &self,
        previews: Vec<String>,
    ) -> impl Future<Output = anyhow::Result<Vec<StoredMessage>>> + Send;
}
