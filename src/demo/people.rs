//! The demo's people, one corpus for the demo network's audience and for `vistaflow demo-data`: the kinds of
//! person (personas), first names, the words handles are made of, display-name decorations, what each
//! persona writes, and how people leave a phone number or an email address.
//!
//! What a persona writes comes in two sections: the demo network's Activity lines (both languages mixed,
//! contact details in every form the readers must handle; the contact readers' tests read them by
//! position and language, so they stay as they are) and a phrase book by language with no contact detail
//! (`Persona::writes`), which `demo-data` draws from and plants its own contact details in. Drawing
//! `demo-data`'s comments from the Activity lines too was tried and moved its mix (in 2,000 leads,
//! collaboration intents from 81 to 141), which benchmarks compare against; so did giving its handles
//! the makers' words (beatmakers from 120 to 170).

use crate::i18n::Lang;

/// A kind of person in a creator's audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    /// Likes and follows, hardly ever writes (demo-data's silent majority).
    Passive,
    Fan,
    Client,
    Artist,
    Beatmaker,
    Curious,
    Spammer,
}

impl Persona {
    pub const ALL: [Persona; 7] = [
        Persona::Passive,
        Persona::Fan,
        Persona::Client,
        Persona::Artist,
        Persona::Beatmaker,
        Persona::Curious,
        Persona::Spammer,
    ];

    /// The demo network's Activity lines of this persona (comments and mentions): a passive person
    /// writes, when they do, like a fan.
    #[must_use]
    pub const fn activity_lines(self) -> &'static [&'static str] {
        match self {
            Persona::Passive | Persona::Fan => &FAN,
            Persona::Client => &CLIENT,
            Persona::Artist => &ARTIST,
            Persona::Beatmaker => &BEATMAKER,
            Persona::Curious => &CURIOUS,
            Persona::Spammer => &SPAM,
        }
    }

    /// Handles that say who the person is (`{}` is the first name); none for people whose handle says
    /// nothing.
    #[must_use]
    pub const fn handle_patterns(self) -> &'static [&'static str] {
        match self {
            Persona::Artist => &["{}_music", "{}officiel", "mc.{}", "{}.lyrics"],
            Persona::Beatmaker => &["prod.by.{}", "{}beats", "{}.wav", "{}_producer"],
            Persona::Spammer => &["promo.{}", "free.followers.{}", "{}.money"],
            Persona::Passive | Persona::Fan | Persona::Client | Persona::Curious => &[],
        }
    }

    /// The phrase book: what this kind of person writes in `lang`, with no contact detail (whoever
    /// uses it adds their own with `contact_line`).
    #[must_use]
    pub const fn writes(self, lang: Lang) -> &'static [&'static str] {
        match (self, lang) {
            (Persona::Passive | Persona::Fan, Lang::En) => &[
                "🔥🔥🔥",
                "this is fire",
                "love this one",
                "banger",
                "so good 😍",
                "the vibe on this",
                "play it again",
                "masterclass",
                "amazing work",
                "who else has this on repeat",
            ],
            (Persona::Passive | Persona::Fan, Lang::Fr) => &[
                "🔥🔥🔥",
                "trop lourd",
                "c'est lourd frère",
                "j'adore la vibe",
                "encore encore",
                "incroyable 😍",
                "la prod est folle",
                "tu régales",
                "masterclass",
                "je l'écoute en boucle",
            ],
            (Persona::Client, Lang::En) => &[
                "how much for a beat like this?",
                "what's the price for exclusive rights?",
                "do you do custom beats? how much?",
                "I want to buy this beat, how do I pay?",
                "hi! I'm looking for a beat for my EP, what are your prices?",
                "is this one still available? price?",
                "can I lease this? how much",
                "I'm interested, send me the details",
                "my studio needs a producer for a session, rates?",
            ],
            (Persona::Client, Lang::Fr) => &[
                "c'est combien pour une prod comme ça ?",
                "tu vends tes instrus ? quel prix ?",
                "combien pour l'exclu ?",
                "je veux acheter cette prod, comment je paie ?",
                "salut, tu fais des prods sur mesure ? c'est combien ?",
                "elle est encore dispo ? tu la vends combien ?",
                "je suis intéressé, tu peux m'envoyer les infos ?",
                "pour mon studio on cherche un beatmaker, tes tarifs ?",
                "je prends, dis-moi comment payer",
            ],
            (Persona::Artist, Lang::En) => &[
                "I'd kill a verse on this",
                "collab? I'm dropping my EP soon",
                "sending you my project, let's work",
                "can I write lyrics on this one?",
                "need this for my next single",
            ],
            (Persona::Artist, Lang::Fr) => &[
                "je pose un couplet dessus direct",
                "collab ? je sors mon projet bientôt",
                "j'ai un texte parfait pour ça",
                "il me faut ça pour mon prochain single",
                "rappeur ici, on fait un son ?",
            ],
            (Persona::Beatmaker, Lang::En) => &[
                "which DAW is this? FL Studio?",
                "those 808s hit hard",
                "producer here, love the bounce",
                "can you share the stems?",
                "what plugin on the melody?",
            ],
            (Persona::Beatmaker, Lang::Fr) => &[
                "tu bosses sur FL Studio ou Ableton ?",
                "les 808 tapent fort",
                "je fais des prods aussi, grosse inspi",
                "tu peux partager les stems ?",
                "tu utilises quoi pour la mélodie ?",
            ],
            (Persona::Curious, Lang::En) => &[
                "how do you make this?",
                "what's the name of this sound?",
                "where can I hear the full track?",
                "how long did this take?",
            ],
            (Persona::Curious, Lang::Fr) => &[
                "comment tu fais ça ?",
                "c'est quoi le nom du son ?",
                "on peut écouter la version complète où ?",
                "ça t'a pris combien de temps ?",
            ],
            (Persona::Spammer, Lang::En) => &[
                "free followers 👉 check my profile",
                "earn money per day, link in bio 💯💯",
                "follow me I follow back",
                "promo for your music, check it",
            ],
            (Persona::Spammer, Lang::Fr) => &[
                "gagne 500€ par jour, lien en bio 💯💯",
                "abonne-toi je follow back",
                "promo pour ta musique, check my profile",
                "des abonnés gratuits 👉 lien en bio",
            ],
        }
    }
}

/// First names, the root of every handle.
pub const FIRST_NAMES: [&str; 42] = [
    "nina", "karim", "lea", "yanis", "sofia", "jordan", "maya", "lucas", "ines", "theo", "amir",
    "chloe", "malik", "jade", "noah", "zoe", "ryan", "emma", "sami", "lina", "moussa", "clara",
    "hugo", "aya", "enzo", "manon", "ilyes", "sarah", "kenza", "tom", "leila", "max", "rayan",
    "eva", "adam", "louna", "nathan", "imane", "jules", "alicia", "omar", "amira",
];

/// Words anyone's handle may hold besides a first name.
pub const HANDLE_WORDS: [&str; 16] = [
    "vibes", "music", "officiel", "real", "the", "mood", "sound", "wave", "night", "city", "soul",
    "lyrics", "dream", "flow", "gold", "nova",
];

/// Words of music makers, which the analyzer reads in a handle as what the person does
/// (`nina.beats3`): the demo network's people wear them at random, demo-data's only through their
/// persona's handle patterns.
pub const MAKER_WORDS: [&str; 4] = ["beats", "prod", "wav", "studio"];

/// The studio's handle, for the studios among clients and beatmakers (`{}` is the first name).
pub const STUDIO_HANDLE: &str = "studio.{}";

/// Display names as the demo network's people set them: `{Name}` is the capitalised first name; some
/// are only emoji, one is empty (the platform then shows nothing but the handle).
pub const NICKNAMES: [&str; 6] = ["🎧", "🔥🔥", "", "✨ {Name} ✨", "{Name}", "{Name} 🎤"];

/// Emoji people add after their name.
pub const EMOJI: [&str; 8] = ["🎧", "🎤", "🔥", "✨", "🎹", "🌙", "💿", "🎶"];

/// Studio names, for the studios among clients and beatmakers.
pub const STUDIOS: [&str; 8] = [
    "Équinoxe",
    "Nova",
    "Bleu Nuit",
    "Red Room",
    "Skyline",
    "La Cave",
    "Northside",
    "Prisme",
];

/// A first name with its first letter in capitals (`nina` gives `Nina`).
#[must_use]
pub fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect::<String>())
        .unwrap_or_default()
}

// The demo network's Activity lines. `{handle}` is filled with the writer's first name.

pub const CLIENT: [&str; 10] = [
    "how much for a beat like this?",
    "c'est combien la prod ? appelle moi au 06 12 34 56 78",
    "price for an exclusive? my number is +33 6 45 78 12 90",
    "dm me the price, {handle}@gmail.com",
    "je veux acheter l'instru, écris moi : {handle} arobase gmail point com",
    "ready to buy, what's your paypal? call +1 (415) 555-0100",
    "combien pour un beat exclusif ? 06.98.76.54.32",
    "interested in a custom beat, email {handle} at outlook dot com",
    "tu vends tes prods ? contacte moi 0033698765432",
    "je prends ! c'est quoi le prix ?",
];
pub const BEATMAKER: [&str; 5] = [
    "nice bounce, what DAW?",
    "collab ? je fais des prods trap",
    "beatmaker here, let's cook 🍳",
    "les 808 sont propres",
    "send me the stems, collab?",
];
pub const ARTIST: [&str; 5] = [
    "I need this for my next single",
    "je pose dessus direct 🎤",
    "can I get the instrumental?",
    "j'ai un texte parfait pour ça",
    "this would go crazy with my verse",
];
pub const CURIOUS: [&str; 4] = [
    "what's the sample?",
    "c'est quoi le logiciel ?",
    "how long did this take?",
    "tu utilises quel clavier ?",
];
pub const FAN: [&str; 5] = [
    "🔥🔥🔥",
    "trop lourd",
    "fire beat bro",
    "encore !!",
    "la vibe 😍",
];
pub const SPAM: [&str; 3] = [
    "Follow me for free followers 💯💯",
    "Gagne 500€ par jour ➡️ lien en bio",
    "promo sur mon profil, check it!!!",
];
pub const MESSAGES_CLIENT: [&str; 4] = [
    "Hello, I saw your video. How much for an exclusive beat?",
    "Salut ! Je cherche une prod pour mon projet, tu peux m'appeler au 07 11 22 33 44 ?",
    "Hi, I want to buy the beat from your last video. Email: {handle}.music@gmail.com",
    "Bonjour, c'est quoi tes tarifs pour un beat sur mesure ?",
];
pub const MESSAGES_ARTIST: [&str; 2] = [
    "Yo, I'd love to work together on my EP",
    "Salut, on peut faire un son ensemble ?",
];

/// How a person leaves a phone number (`email` false) or an email address after what they wrote.
#[must_use]
pub fn contact_line(lang: Lang, contact: &str, email: bool) -> String {
    match (lang, email) {
        (Lang::En, false) => format!(" you can call me on {contact}"),
        (Lang::En, true) => format!(" my email: {contact}"),
        (Lang::Fr, false) => format!(" tu peux m'appeler au {contact}"),
        (Lang::Fr, true) => format!(" mon mail : {contact}"),
    }
}

/// A phone number as people type it, from four numbers below 100: a French mobile `+33 6 ...`, or a US
/// one from the 555-01xx range kept for fiction (which takes only the first).
#[must_use]
pub fn phone_number(lang: Lang, digits: [u8; 4]) -> String {
    let [a, b, c, d] = digits;
    match lang {
        Lang::Fr => format!("+33 6 {a:02} {b:02} {c:02} {d:02}"),
        Lang::En => format!("+1 (201) 555-01{a:02}"),
    }
}

/// An email address made from a handle (`nina_vibes_12` gives `nina.vibes.12@example.com`).
#[must_use]
pub fn email_address(handle: &str) -> String {
    format!("{}@example.com", handle.replace('_', "."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact;

    #[test]
    fn every_persona_writes_something_in_each_language_and_never_a_contact_detail() {
        for persona in Persona::ALL {
            for lang in Lang::ALL {
                let lines = persona.writes(lang);
                assert!(lines.len() >= 4, "{persona:?} {lang:?}: {lines:?}");
                for line in lines {
                    assert!(
                        contact::phones(line).is_empty() && contact::emails(line).is_empty(),
                        "{line:?}"
                    );
                    assert!(!line.contains("{handle}"), "{line:?}");
                }
            }
        }
    }
}
