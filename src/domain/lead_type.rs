//! What kind of person a lead is, as an analyzer classifies them and a creator filters them.

use serde::{Deserialize, Serialize};

/// What kind of person a lead is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum LeadType {
    Artist,
    Beatmaker,
    PotentialClient,
    EngagedFan,
    Curious,
    PassiveObserver,
    Spam,
}

impl LeadType {
    pub const ALL: [LeadType; 7] = [
        LeadType::Artist,
        LeadType::Beatmaker,
        LeadType::PotentialClient,
        LeadType::EngagedFan,
        LeadType::Curious,
        LeadType::PassiveObserver,
        LeadType::Spam,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LeadType::Artist => "artist",
            LeadType::Beatmaker => "beatmaker",
            LeadType::PotentialClient => "potential_client",
            LeadType::EngagedFan => "engaged_fan",
            LeadType::Curious => "curious",
            LeadType::PassiveObserver => "passive_observer",
            LeadType::Spam => "spam",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<LeadType> {
        LeadType::ALL.into_iter().find(|t| t.as_str() == text)
    }
}
