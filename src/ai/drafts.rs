//! First messages from templates: one default per lead type and language, with variables
//! (`{handle}`, `{display_name}`, `{platform}`, `{interaction}`) filled from the lead. The creator edits
//! and sends them by hand; nothing here sends anything.

use super::{LeadInput, LeadType};
use crate::domain::interaction::Kind;
use crate::i18n::Lang;

pub use crate::domain::message_text::{UnknownVariable, VARIABLES, check, render};

/// The built-in template for a lead type in a language.
#[must_use]
pub fn default_template(lead_type: LeadType, lang: Lang) -> &'static str {
    match (lead_type, lang) {
        (LeadType::PotentialClient, Lang::En) => {
            "Hi {display_name}! Thanks for {interaction}. I'd be glad to tell you about my beats and prices: what are you working on?"
        }
        (LeadType::PotentialClient, Lang::Fr) => {
            "Salut {display_name} ! Merci pour {interaction}. Je te présente volontiers mes prods et mes tarifs : tu travailles sur quel projet ?"
        }
        (LeadType::Artist, Lang::En) => {
            "Hey {display_name}, thanks for {interaction}! I'd love to hear your music: want me to send you a few beats for your next track?"
        }
        (LeadType::Artist, Lang::Fr) => {
            "Salut {display_name}, merci pour {interaction} ! J'aimerais écouter ton son : je t'envoie quelques prods pour ton prochain titre ?"
        }
        (LeadType::Beatmaker, Lang::En) => {
            "Hey {display_name}, thanks for {interaction}! Always good to meet another producer: up for a collab?"
        }
        (LeadType::Beatmaker, Lang::Fr) => {
            "Salut {display_name}, merci pour {interaction} ! Toujours cool de croiser un beatmaker : partant pour une collab ?"
        }
        (LeadType::EngagedFan, Lang::En) => {
            "Thanks a lot for the support, {display_name}! It means a lot. Anything you'd like to hear next?"
        }
        (LeadType::EngagedFan, Lang::Fr) => {
            "Merci beaucoup pour le soutien, {display_name} ! Ça me touche. Tu aimerais entendre quoi ensuite ?"
        }
        (LeadType::Curious, Lang::En) => {
            "Hi {display_name}, thanks for {interaction}! Happy to answer your questions about how I make my beats."
        }
        (LeadType::Curious, Lang::Fr) => {
            "Salut {display_name}, merci pour {interaction} ! Je réponds volontiers à tes questions sur ma façon de faire mes prods."
        }
        (LeadType::PassiveObserver | LeadType::Spam, Lang::En) => {
            "Hi {display_name}, thanks for {interaction} on {platform}!"
        }
        (LeadType::PassiveObserver | LeadType::Spam, Lang::Fr) => {
            "Salut {display_name}, merci pour {interaction} sur {platform} !"
        }
    }
}

/// What the lead did that a message can thank them for: their most telling interaction.
#[must_use]
pub fn interaction_phrase(lead: &LeadInput, lang: Lang) -> &'static str {
    let telling = [
        Kind::Message,
        Kind::Comment,
        Kind::Share,
        Kind::Mention,
        Kind::Follow,
        Kind::Like,
        Kind::CommentLike,
        Kind::Reaction,
    ]
    .into_iter()
    .find(|k| lead.count(*k) > 0)
    .unwrap_or(Kind::Like);
    match (telling, lang) {
        (Kind::Message, Lang::En) => "your message",
        (Kind::Message, Lang::Fr) => "ton message",
        (Kind::Comment, Lang::En) => "your comment",
        (Kind::Comment, Lang::Fr) => "ton commentaire",
        (Kind::Share, Lang::En) => "sharing my video",
        (Kind::Share, Lang::Fr) => "le partage de ma vidéo",
        (Kind::Mention, Lang::En) => "the mention",
        (Kind::Mention, Lang::Fr) => "la mention",
        (Kind::Follow, Lang::En) => "the follow",
        (Kind::Follow, Lang::Fr) => "l'abonnement",
        (Kind::Like | Kind::CommentLike, Lang::En) => "the like",
        (Kind::Reaction, Lang::En) => "your reaction",
        (Kind::Reaction, Lang::Fr) => "ta réaction",
        (Kind::Like | Kind::CommentLike, Lang::Fr) => "le like",
    }
}

/// The value of a template variable for `lead`.
#[must_use]
pub fn variable(lead: &LeadInput, lang: Lang, name: &str) -> Option<String> {
    Some(match name {
        "handle" => format!("@{}", lead.handle),
        "display_name" => lead
            .display_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("@{}", lead.handle)),
        "platform" => lead.platform.name().to_owned(),
        "interaction" => interaction_phrase(lead, lang).to_owned(),
        _ => return None,
    })
}

/// The default draft for a lead of this type, in `lang`.
#[must_use]
pub fn draft(lead: &LeadInput, lead_type: LeadType, lang: Lang) -> String {
    let template = default_template(lead_type, lang);
    // The built-in templates use known variables only (a test checks every one).
    render(template, |name| variable(lead, lang, name)).unwrap_or_else(|_| template.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::platform::Platform;

    fn lead() -> LeadInput {
        LeadInput {
            handle: "nina.beats".into(),
            display_name: Some("Nina 🎧".into()),
            platform: Platform::DEFAULT,
            interactions: vec![super::super::InteractionInput {
                kind: Kind::Comment,
                text: Some("how much?".into()),
                occurred_at: chrono::Utc::now(),
            }],
        }
    }

    #[test]
    fn variables_are_filled_from_the_lead() {
        let text = render(
            "{display_name} ({handle}) on {platform}: {interaction}",
            |n| variable(&lead(), Lang::En, n),
        );
        assert_eq!(
            text,
            Ok(format!(
                "Nina 🎧 (@nina.beats) on {}: your comment",
                Platform::DEFAULT.name()
            ))
        );
    }

    #[test]
    fn an_unknown_variable_is_refused_and_a_lone_brace_kept() {
        assert_eq!(
            render("Hi {name}", |n| variable(&lead(), Lang::En, n)),
            Err(UnknownVariable("name".into()))
        );
        assert_eq!(
            render("a { b } {", |n| variable(&lead(), Lang::En, n)).as_deref(),
            Ok("a { b } {")
        );
    }

    #[test]
    fn check_names_the_first_unknown_variable_and_accepts_the_known_ones() {
        assert_eq!(check("Hi {display_name} from {platform}"), Ok(()));
        assert_eq!(
            check("Hi {first_name}, {city}"),
            Err(UnknownVariable("first_name".into()))
        );
    }

    #[test]
    fn every_built_in_template_uses_known_variables_only() {
        for &lead_type in LeadType::ALL {
            for lang in Lang::ALL {
                let rendered = render(default_template(lead_type, lang), |n| {
                    variable(&lead(), lang, n)
                });
                assert!(rendered.is_ok(), "{lead_type:?} {lang:?}: {rendered:?}");
            }
        }
    }
}
