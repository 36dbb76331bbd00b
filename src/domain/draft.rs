//! A drafted first message: where it stands in review (pending, approved, rejected, sent) and where its
//! text came from (the built-in analyzer, the AI, the built-in one after the AI failed, or one of the
//! workspace's templates).

use crate::domain::analysis::Source;

stored_enum! {
    /// Where a draft stands in review.
    pub enum DraftStatus {
        /// Waiting for review (at most one per lead).
        Pending = "pending",
        /// Approved within its account's quota, to be sent by hand.
        Approved = "approved",
        Rejected = "rejected",
        /// The creator sent it by hand.
        Sent = "sent",
    }
}

stored_enum! {
    /// How a sent draft went out.
    pub enum SentVia {
        /// The creator sent it by hand and said so.
        Hand = "hand",
        /// One click on "Send on Instagram": the platform's messaging API.
        Instagram = "instagram",
    }
}

stored_enum! {
    /// Where a draft's text came from.
    pub enum DraftSource {
        /// The built-in analyzer.
        BuiltIn = "built_in",
        /// The AI endpoint.
        Ai = "ai",
        /// The built-in analyzer, after the AI endpoint failed for this lead.
        Fallback = "fallback",
        /// One of the workspace's message templates.
        Template = "template",
    }
}

/// A draft written by an analyzer says which one wrote it.
impl From<Source> for DraftSource {
    fn from(source: Source) -> Self {
        match source {
            Source::BuiltIn => DraftSource::BuiltIn,
            Source::Ai => DraftSource::Ai,
            Source::Fallback => DraftSource::Fallback,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_draft_status_reads_back_what_it_writes_and_nothing_else_is_one() {
        for status in DraftStatus::ALL {
            assert_eq!(DraftStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(DraftStatus::parse("archived"), None);
        assert_eq!(DraftStatus::parse("Pending"), None);
    }

    #[test]
    fn every_draft_source_reads_back_what_it_writes_and_nothing_else_is_one() {
        for source in DraftSource::ALL {
            assert_eq!(DraftSource::parse(source.as_str()), Some(*source));
        }
        assert_eq!(DraftSource::parse("openai"), None);
        assert_eq!(DraftSource::parse("builtin"), None);
    }

    #[test]
    fn a_draft_written_by_an_analyzer_names_the_same_source() {
        for source in Source::ALL {
            assert_eq!(DraftSource::from(*source).as_str(), source.as_str());
        }
    }
}
