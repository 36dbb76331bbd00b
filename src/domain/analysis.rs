//! Who produced a lead's analysis (stored as `leads.analysed_by`).

use serde::{Deserialize, Serialize};

stored_enum! {
    /// Who produced an analysis.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Source {
        /// The built-in analyzer.
        BuiltIn = "built_in",
        /// The AI endpoint.
        Ai = "ai",
        /// The built-in analyzer, after the AI endpoint failed for this lead.
        Fallback = "fallback",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_reads_back_what_it_writes_and_serializes_as_its_id() {
        for source in Source::ALL {
            assert_eq!(Source::parse(source.as_str()), Some(*source));
            assert_eq!(
                serde_json::to_value(source).unwrap(),
                serde_json::json!(source.as_str())
            );
        }
        assert_eq!(Source::parse("openai"), None);
    }
}
