//! Where a lead stands in the creator's follow-up: new, contacted, in progress, converted or refused.

/// A lead's follow-up status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum LeadStatus {
    New,
    Contacted,
    InProgress,
    Converted,
    Refused,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 5] = [
        LeadStatus::New,
        LeadStatus::Contacted,
        LeadStatus::InProgress,
        LeadStatus::Converted,
        LeadStatus::Refused,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::InProgress => "in_progress",
            LeadStatus::Converted => "converted",
            LeadStatus::Refused => "refused",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_what_it_writes_and_nothing_else_is_a_status() {
        for status in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(LeadStatus::parse("archived"), None);
        assert_eq!(LeadStatus::parse("New"), None);
    }
}
