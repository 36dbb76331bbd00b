//! The built-in analyzer: rules over what a lead wrote, their handle and display name, and the pattern
//! of their interactions. No network, deterministic, and fast (it is the fallback of the AI endpoint).

use super::{Analysed, Analysis, Analyzer, LeadInput, LeadType, Source, drafts};
use crate::domain::contact::{self, Intent};
use crate::domain::interaction::Kind;
use crate::i18n::Lang;

/// The built-in analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

/// Words that point to a type, matched on whole words of the lower-cased, accent-free text.
const SPAM: [&str; 14] = [
    "free followers",
    "follow me",
    "follow back",
    "lien en bio",
    "link in bio",
    "par jour",
    "per day",
    "gagne",
    "earn money",
    "promo",
    "check my profile",
    "check it",
    "crypto",
    "abonne toi",
];
const ARTIST: [&str; 20] = [
    "single",
    "verse",
    "couplet",
    "je pose",
    "poser",
    "my ep",
    "mon ep",
    "mon projet",
    "my project",
    "texte",
    "lyrics",
    "rappeur",
    "rapper",
    "chanteur",
    "chanteuse",
    "singer",
    "instrumental",
    "my next song",
    "mon prochain son",
    "artiste",
];
const BEATMAKER: [&str; 16] = [
    "beatmaker",
    "producer",
    "daw",
    "fl studio",
    "ableton",
    "logic pro",
    "808",
    "808s",
    "stems",
    "mes prods",
    "my beats",
    "je fais des prods",
    "drum kit",
    "let's cook",
    "sample pack",
    "mixage",
];
const FAN: [&str; 14] = [
    "fire",
    "trop lourd",
    "lourd",
    "la vibe",
    "encore",
    "love this",
    "j'adore",
    "banger",
    "masterclass",
    "incroyable",
    "amazing",
    "so good",
    "trop bien",
    "goat",
];
const ARTIST_NAMES: [&str; 5] = ["officiel", "official", "music", "mc", "🎤"];
const BEATMAKER_NAMES: [&str; 4] = ["beats", "prod", "producer", "wav"];

/// Lower case without French accents, so "Intéressé" and "interesse" read the same.
fn normalise(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '’' => '\'',
            other => other,
        })
        .collect()
}

/// Whether `phrase` stands in `text` on word boundaries.
fn has_phrase(text: &str, phrase: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '\'';
    text.match_indices(phrase).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + phrase.len()..].chars().next();
        before.is_none_or(|c| !is_word(c) || !phrase.starts_with(is_word))
            && after.is_none_or(|c| !is_word(c) || !phrase.ends_with(is_word))
    })
}

/// How many of `phrases` stand in `text`, as points to weigh.
fn hits(text: &str, phrases: &[&str]) -> f32 {
    let count = phrases.iter().filter(|p| has_phrase(text, p)).count();
    f32::from(u16::try_from(count).unwrap_or(u16::MAX))
}

/// The evidence for each type, in points.
#[derive(Debug, Default)]
struct Evidence {
    points: [f32; 7],
}

impl Evidence {
    fn add(&mut self, lead_type: LeadType, points: f32) {
        if let Some(i) = LeadType::ALL.iter().position(|t| *t == lead_type) {
            self.points[i] += points;
        }
    }

    /// The type with the most points, and a confidence from its share and its lead over the next.
    fn verdict(&self) -> (LeadType, f32) {
        let mut ranked: Vec<(LeadType, f32)> = LeadType::ALL
            .iter()
            .copied()
            .zip(self.points.iter().copied())
            .collect();
        // Stable: on equal points the order of LeadType::ALL decides.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (best, first) = ranked[0];
        let second = ranked[1].1;
        let total: f32 = self.points.iter().sum();
        let confidence = if total <= 0.0 {
            0.5
        } else {
            (0.45 + 0.35 * (first / total) + 0.2 * ((first - second) / first.max(1.0))).min(0.98)
        };
        (best, (confidence * 100.0).round() / 100.0)
    }
}

impl BuiltIn {
    /// Analyses one lead; `default_language` for a lead whose words do not tell.
    #[must_use]
    pub fn analyse(self, lead: &LeadInput, default_language: Lang) -> Analysis {
        let texts: Vec<&str> = lead.texts().collect();
        let words = normalise(&texts.join(" \n "));
        let name = normalise(&format!(
            "{} {}",
            lead.handle,
            lead.display_name.as_deref().unwrap_or_default()
        ));
        let intent = texts
            .iter()
            .filter_map(|t| contact::intent(t))
            .min_by_key(|i| Intent::ALL.iter().position(|x| x == i));
        let phone = texts.iter().flat_map(|t| contact::phones(t)).next();
        let email = texts.iter().flat_map(|t| contact::emails(t)).next();
        let language = contact::language(&texts).unwrap_or(default_language);

        let mut evidence = Evidence::default();
        let spam = hits(&words, &SPAM);
        evidence.add(LeadType::Spam, 3.0 * spam);
        if words.contains("http") || words.contains("💯💯") {
            evidence.add(LeadType::Spam, 2.0);
        }
        match intent {
            Some(Intent::ReadyToBuy) => evidence.add(LeadType::PotentialClient, 6.0),
            Some(Intent::AskingPrice) => evidence.add(LeadType::PotentialClient, 5.0),
            Some(Intent::Interested) => evidence.add(LeadType::PotentialClient, 2.5),
            Some(Intent::Collaboration) => {
                evidence.add(LeadType::Beatmaker, 1.5);
                evidence.add(LeadType::Artist, 1.5);
            }
            Some(Intent::AskingInfo) => evidence.add(LeadType::Curious, 3.0),
            None => {}
        }
        if phone.is_some() || email.is_some() {
            evidence.add(LeadType::PotentialClient, 2.0);
        }
        evidence.add(LeadType::Artist, 2.0 * hits(&words, &ARTIST));
        evidence.add(LeadType::Artist, 1.0 * hits(&name, &ARTIST_NAMES));
        evidence.add(LeadType::Beatmaker, 2.0 * hits(&words, &BEATMAKER));
        evidence.add(LeadType::Beatmaker, 1.0 * hits(&name, &BEATMAKER_NAMES));
        evidence.add(LeadType::EngagedFan, 1.5 * hits(&words, &FAN));
        if words.contains("🔥") || words.contains("😍") {
            evidence.add(LeadType::EngagedFan, 1.0);
        }
        let engaged = lead.count(Kind::Comment)
            + lead.count(Kind::Share) * 2
            + lead.count(Kind::Mention)
            + lead.count(Kind::Message);
        if engaged >= 3 {
            evidence.add(LeadType::EngagedFan, 1.5);
        }
        if texts.is_empty() {
            let quiet = lead.count(Kind::Like)
                + lead.count(Kind::Follow)
                + lead.count(Kind::CommentLike)
                + lead.count(Kind::Reaction);
            if quiet >= 6 || lead.count(Kind::Share) >= 2 {
                evidence.add(LeadType::EngagedFan, 1.5);
            } else {
                evidence.add(LeadType::PassiveObserver, 1.0);
            }
        } else if words.contains('?') && evidence.points.iter().all(|p| *p < 2.0) {
            evidence.add(LeadType::Curious, 1.5);
        }
        if evidence.points.iter().all(|p| *p <= 0.0) {
            evidence.add(LeadType::PassiveObserver, 0.5);
        }
        let (lead_type, confidence) = evidence.verdict();
        let draft = drafts::draft(lead, lead_type, language);
        Analysis {
            lead_type,
            confidence,
            intent,
            phone,
            email,
            language,
            draft,
            reasoning: None,
            source: Source::BuiltIn,
        }
    }
}

impl Analyzer for BuiltIn {
    async fn analyze(&self, leads: &[LeadInput], language: Lang) -> Analysed {
        Analysed {
            analyses: leads
                .iter()
                .map(|lead| self.analyse(lead, language))
                .collect(),
            usage: super::Usage::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_on_word_boundaries_only() {
        assert!(has_phrase("nice 808s bro", "808s"));
        assert!(has_phrase("fire beat", "fire"));
        assert!(!has_phrase("campfire", "fire"));
        assert!(!has_phrase("singles", "single"));
        assert!(has_phrase("une promo !", "promo"));
    }

    /// The labelled set: 105 leads written for this test, 15 of each type, in English and French.
    const LABELLED: &str = include_str!("../../tests/data/labelled_leads.jsonl");

    #[test]
    fn the_built_in_analyzer_classifies_the_labelled_set_with_its_accuracy_printed() {
        #[derive(serde::Deserialize)]
        struct Labelled {
            label: LeadType,
            lead: LeadInput,
        }
        let set: Vec<Labelled> = LABELLED
            .lines()
            .map(|line| serde_json::from_str(line).expect("a labelled lead"))
            .collect();
        let mut wrong = Vec::new();
        for item in &set {
            let found = BuiltIn.analyse(&item.lead, Lang::En).lead_type;
            if found != item.label {
                wrong.push(format!(
                    "{}: {:?} read as {found:?}",
                    item.lead.handle, item.label
                ));
            }
        }
        let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
        let accuracy = 1.0 - count(wrong.len()) / count(set.len());
        println!(
            "built-in analyzer: {} of {} right ({:.1} %)",
            set.len() - wrong.len(),
            set.len(),
            accuracy * 100.0
        );
        for line in &wrong {
            println!("  {line}");
        }
        assert!(set.len() >= 100);
        assert!(accuracy >= 0.85, "accuracy {accuracy:.3}: {wrong:#?}");
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        assert_eq!(normalise("Intéressé ÇA"), "interesse ca");
    }
}
