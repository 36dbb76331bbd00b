//! A drafted first message: where it stands in review (pending, approved, rejected, sent) and where its
//! text came from (the built-in analyzer, the AI, the built-in one after the AI failed, or one of the
//! workspace's templates).

/// Where a draft stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum DraftStatus {
    /// Waiting for review (at most one per lead).
    Pending,
    /// Approved within its account's quota, to be sent by hand.
    Approved,
    Rejected,
    /// The creator sent it by hand.
    Sent,
}

impl DraftStatus {
    pub const ALL: [DraftStatus; 4] = [
        DraftStatus::Pending,
        DraftStatus::Approved,
        DraftStatus::Rejected,
        DraftStatus::Sent,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Pending => "pending",
            DraftStatus::Approved => "approved",
            DraftStatus::Rejected => "rejected",
            DraftStatus::Sent => "sent",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<DraftStatus> {
        DraftStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Where a draft's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum DraftSource {
    /// The built-in analyzer.
    BuiltIn,
    /// The AI endpoint.
    Ai,
    /// The built-in analyzer, after the AI endpoint failed for this lead.
    Fallback,
    /// One of the workspace's message templates.
    Template,
}

impl DraftSource {
    pub const ALL: [DraftSource; 4] = [
        DraftSource::BuiltIn,
        DraftSource::Ai,
        DraftSource::Fallback,
        DraftSource::Template,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DraftSource::BuiltIn => "built_in",
            DraftSource::Ai => "ai",
            DraftSource::Fallback => "fallback",
            DraftSource::Template => "template",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<DraftSource> {
        DraftSource::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_draft_status_reads_back_what_it_writes_and_nothing_else_is_one() {
        for status in DraftStatus::ALL {
            assert_eq!(DraftStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DraftStatus::parse("archived"), None);
        assert_eq!(DraftStatus::parse("Pending"), None);
    }

    #[test]
    fn every_draft_source_reads_back_what_it_writes_and_nothing_else_is_one() {
        for source in DraftSource::ALL {
            assert_eq!(DraftSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(DraftSource::parse("openai"), None);
        assert_eq!(DraftSource::parse("builtin"), None);
    }
}
