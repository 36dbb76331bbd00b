//! What a lead's own words say: phone numbers (E.164), email addresses (also written "name at gmail dot
//! com" or "arobase"), intent, and the language they write in. English and French, case- and
//! accent-insensitive.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// What a lead wants, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    ReadyToBuy,
    AskingPrice,
    Collaboration,
    Interested,
    AskingInfo,
}

impl Intent {
    pub const ALL: [Intent; 5] = [
        Intent::ReadyToBuy,
        Intent::AskingPrice,
        Intent::Collaboration,
        Intent::Interested,
        Intent::AskingInfo,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Intent::ReadyToBuy => "ready_to_buy",
            Intent::AskingPrice => "asking_price",
            Intent::Collaboration => "collaboration",
            Intent::Interested => "interested",
            Intent::AskingInfo => "asking_info",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == text)
    }
}

/// Every phone number in `text`, as E.164 (`+33612345678`), in order, without repeats.
#[must_use]
pub fn phones(text: &str) -> Vec<String> {
    let _ = text;
    Vec::new()
}

/// Every email address in `text`, lower case, in order, without repeats.
#[must_use]
pub fn emails(text: &str) -> Vec<String> {
    let _ = text;
    Vec::new()
}

/// The strongest intent `text` shows, if any.
#[must_use]
pub fn intent(text: &str) -> Option<Intent> {
    let _ = text;
    None
}

/// The language of these texts (French or English); `None` when there is nothing to tell from.
#[must_use]
pub fn language(texts: &[&str]) -> Option<Lang> {
    let _ = texts;
    None
}
