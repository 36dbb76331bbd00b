//! What kind of person a lead is, as an analyzer classifies them and a creator filters them.

use serde::{Deserialize, Serialize};

stored_enum! {
    /// What kind of person a lead is.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LeadType {
        Artist = "artist",
        Beatmaker = "beatmaker",
        PotentialClient = "potential_client",
        EngagedFan = "engaged_fan",
        Curious = "curious",
        PassiveObserver = "passive_observer",
        Spam = "spam",
    }
}
