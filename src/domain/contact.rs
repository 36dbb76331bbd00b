//! What a lead's own words say: phone numbers (E.164), email addresses (also written "name at gmail dot
//! com" or "arobase"), intent, and the language they write in. English and French, case- and
//! accent-insensitive.
//!
//! Everything here is hand-written scanning over one short text at a time (a comment, a message): no
//! regular expressions, no I/O, a few small allocations. How fast it is belongs to the benchmarks; the
//! tests only say what it finds.
//!
//! - Phones: a scanner finds runs that start with `+` or a digit and go on with digits, spaces, dots,
//!   dashes and parentheses; the `phonenumber` crate parses and validates each (default region France:
//!   national forms start with 0, `00` is the international prefix). Runs that belong to something
//!   else are left alone: after `#` (an order), inside dates and times (`12/05/2024`, `22:38`), glued
//!   to a letter or a currency (`500€`, `3.5k`), or not starting with `+`, `00` or `0` (`2024`,
//!   `1000 followers`).
//! - Emails: plain addresses and the usual disguises (`at`, `[at]`, `(at)`, `arobase`, `dot`, `[dot]`,
//!   `point`), always ending in a plausible domain: a label with a letter, then a top-level domain of
//!   two letters or more.
//! - Intent: phrases matched on whole words after folding case and French accents; the strongest
//!   intent wins (`Intent::ALL` order).
//! - Language: French and English marker words (and French accents and elisions) counted over all the
//!   texts; French when its markers outnumber English ones.

use std::collections::HashSet;
use std::sync::LazyLock;

use phonenumber::{Mode, PhoneNumber, country};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

stored_enum! {
    /// What a lead wants, strongest first.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Intent {
        ReadyToBuy = "ready_to_buy",
        AskingPrice = "asking_price",
        Collaboration = "collaboration",
        Interested = "interested",
        AskingInfo = "asking_info",
    }
}

impl Intent {
    /// The phrases (English and French, written naturally: they are folded like the texts) that show
    /// this intent.
    const fn phrases(self) -> &'static [&'static str] {
        match self {
            Intent::ReadyToBuy => READY_TO_BUY,
            Intent::AskingPrice => ASKING_PRICE,
            Intent::Collaboration => COLLABORATION,
            Intent::Interested => INTERESTED,
            Intent::AskingInfo => ASKING_INFO,
        }
    }
}

const READY_TO_BUY: &[&str] = &[
    "ready to buy",
    "want to buy",
    "wanna buy",
    "i'll take it",
    "i will take it",
    "i'm buying",
    "i'll buy",
    "how do i pay",
    "how can i pay",
    "where do i pay",
    "paypal",
    "je prends",
    "je le prends",
    "je la prends",
    "je les prends",
    "je veux acheter",
    "je voudrais acheter",
    "je vais acheter",
    "je l'achète",
    "je te l'achète",
    "je les achète",
    "comment je paie",
    "comment je paye",
    "comment payer",
    "comment on paie",
];
const ASKING_PRICE: &[&str] = &[
    "how much",
    "price",
    "prices",
    "pricing",
    "what's the price",
    "cost",
    "costs",
    "c'est combien",
    "combien",
    "prix",
    "tarif",
    "tarifs",
    "devis",
];
const COLLABORATION: &[&str] = &[
    "collab",
    "collabs",
    "collabo",
    "collaboration",
    "collaborations",
    "collaborate",
    "work together",
    "working together",
    "featuring",
    "feat",
    "let's cook",
    "lets cook",
    "on fait un son",
    "faire un son ensemble",
    "un son ensemble",
    "travailler ensemble",
    "bosser ensemble",
];
const INTERESTED: &[&str] = &[
    "interested",
    "intéressé",
    "intéressée",
    "intéressés",
    "i need this",
    "i want this",
    "can i get",
    "do you sell",
    "for sale",
    "custom beat",
    "custom beats",
    "exclusive",
    "exclusif",
    "exclu",
    "sur mesure",
    "j'en veux",
    "je veux ça",
    "je le veux",
    "tu vends",
    "à vendre",
];
const ASKING_INFO: &[&str] = &[
    "what daw",
    "which daw",
    "what software",
    "which software",
    "what plugin",
    "which plugin",
    "what plugins",
    "which plugins",
    "what vst",
    "which vst",
    "what keyboard",
    "what sample",
    "what's the sample",
    "how did you",
    "how do you",
    "how long did",
    "c'est quoi le logiciel",
    "c'est quoi le sample",
    "quel logiciel",
    "quel daw",
    "quel plugin",
    "quel vst",
    "quel clavier",
    "quel sample",
    "tu utilises quoi",
    "comment tu",
];

/// Every phone number in `text`, as E.164 (`+33612345678`), in order, without repeats.
#[must_use]
pub fn phones(text: &str) -> Vec<String> {
    // Repeats are told by a set: a text of thousands of numbers would be quadratic with `Vec::contains`.
    let mut seen = HashSet::new();
    let mut found: Vec<String> = Vec::new();
    for run in phone_runs(text) {
        for number in numbers_in(&run) {
            if seen.insert(number.clone()) {
                found.push(number);
            }
        }
    }
    found
}

/// Every email address in `text`, lower case, in order, without repeats.
#[must_use]
pub fn emails(text: &str) -> Vec<String> {
    let tokens = email_tokens(&text.to_lowercase());
    let mut seen = HashSet::new();
    let mut found: Vec<String> = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if let Tok::At(style) = token.tok
            && let Some(address) = address_around(&tokens, at, style)
            && seen.insert(address.clone())
        {
            found.push(address);
        }
    }
    found
}

/// The strongest intent `text` shows, if any.
#[must_use]
pub fn intent(text: &str) -> Option<Intent> {
    let words = word_line(text);
    INTENT_PHRASES
        .iter()
        .find(|(_, phrase)| words.contains(phrase.as_str()))
        .map(|(intent, _)| *intent)
}

/// The language of these texts (French or English); `None` when there is nothing to tell from.
#[must_use]
pub fn language(texts: &[&str]) -> Option<Lang> {
    let (mut french, mut english) = (0_usize, 0_usize);
    for text in texts {
        let lower = text.to_lowercase().replace(['’', '‘', 'ʼ'], "'");
        for word in lower
            .split(|c: char| !(c.is_alphabetic() || c == '\''))
            .map(|w| w.trim_matches('\''))
            .filter(|w| !w.is_empty())
        {
            match word_language(word) {
                Some(Lang::Fr) => french += 1,
                Some(Lang::En) => english += 1,
                None => {}
            }
        }
    }
    if french > english {
        Some(Lang::Fr)
    } else if english > 0 {
        Some(Lang::En)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------------
// Text folding, shared by intent and language.

/// Lower case without French accents (`"C'EST Intéressé"` → `"c'est interesse"`), typographic
/// apostrophes made straight, combining accents dropped.
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'î' | 'ï' | 'í' | 'ì' => folded.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => folded.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => folded.push('u'),
            'ÿ' => folded.push('y'),
            'ç' => folded.push('c'),
            'ñ' => folded.push('n'),
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            '’' | '‘' | 'ʼ' => folded.push('\''),
            '\u{300}'..='\u{36f}' => {}
            _ => folded.push(c),
        }
    }
    folded
}

/// The folded words of `text`, one space between them and one at each end, so that `" prix "` is
/// found in it only as a whole word. An apostrophe separates words (`c'est` → `c est`).
fn word_line(text: &str) -> String {
    let folded = fold(text);
    let mut line = String::with_capacity(folded.len() + 2);
    line.push(' ');
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        line.push_str(word);
        line.push(' ');
    }
    line
}

/// Every intent phrase as a word line, strongest intent first.
static INTENT_PHRASES: LazyLock<Vec<(Intent, String)>> = LazyLock::new(|| {
    Intent::ALL
        .iter()
        .flat_map(|&intent| {
            intent
                .phrases()
                .iter()
                .map(move |phrase| (intent, word_line(phrase)))
        })
        .collect()
});

// ---------------------------------------------------------------------------------------------------
// Language.

/// Words that say French (folded: no accents), chosen among those a short comment or DM uses and
/// English does not. Words both languages use ("prod", "beat", "collab", "on", "me", "a") are in neither.
const FRENCH_WORDS: &[&str] = &[
    "je", "tu", "il", "elle", "nous", "vous", "ils", "elles", "le", "la", "les", "des", "du", "un",
    "une", "est", "et", "pour", "avec", "dans", "sur", "pas", "mais", "ou", "qui", "que", "quoi",
    "quel", "quelle", "quels", "combien", "comment", "merci", "salut", "bonjour", "bonsoir",
    "coucou", "oui", "non", "trop", "tres", "moi", "toi", "mon", "ma", "mes", "ton", "ta", "tes",
    "son", "sa", "ses", "ce", "cette", "ces", "ca", "au", "aux", "sont", "suis", "es", "fait",
    "fais", "faire", "veux", "peux", "vais", "va", "cherche", "parfait", "lourd", "propre",
    "propres", "dessus", "encore", "frero", "frere", "grave", "vraiment", "aussi", "tout", "rien",
    "chaud", "ecris", "appelle", "contacte", "prends", "acheter", "vends", "logiciel", "clavier",
    "utilises", "texte", "projet", "instru", "en", "par", "jour", "lien", "profil", "ouais",
    "wesh", "stp", "svp", "mdr", "tkt",
];

/// Words that say English.
const ENGLISH_WORDS: &[&str] = &[
    "the",
    "an",
    "is",
    "are",
    "am",
    "was",
    "be",
    "i",
    "you",
    "your",
    "my",
    "this",
    "that",
    "it",
    "for",
    "of",
    "to",
    "and",
    "with",
    "what",
    "how",
    "much",
    "who",
    "why",
    "where",
    "when",
    "which",
    "there",
    "here",
    "can",
    "could",
    "would",
    "will",
    "do",
    "did",
    "does",
    "get",
    "got",
    "need",
    "want",
    "love",
    "like",
    "nice",
    "fire",
    "bro",
    "yo",
    "hi",
    "hey",
    "hello",
    "thanks",
    "thank",
    "please",
    "send",
    "call",
    "check",
    "free",
    "follow",
    "buy",
    "ready",
    "work",
    "together",
    "take",
    "long",
    "from",
    "in",
    "at",
    "let",
    "just",
    "so",
    "really",
    "good",
    "great",
    "new",
    "next",
    "last",
    "saw",
    "out",
    "up",
    "all",
    "yes",
    "not",
    "one",
    "price",
    "interested",
    "go",
    "crazy",
    "verse",
    "single",
    "stems",
    "bounce",
    "instrumental",
    "number",
    "email",
];

/// Which language one word (lower case, straight apostrophes) speaks, if it tells.
fn word_language(word: &str) -> Option<Lang> {
    const FRENCH_ACCENTS: &[char] = &[
        'à', 'â', 'æ', 'ç', 'é', 'è', 'ê', 'ë', 'î', 'ï', 'ô', 'œ', 'ù', 'û', 'ü', 'ÿ',
    ];
    const ELISIONS: &[&str] = &["c'", "j'", "l'", "d'", "qu'", "m'", "t'", "n'", "s'"];
    const CONTRACTIONS: &[&str] = &["'s", "'t", "'ll", "'re", "'ve", "'d", "'m"];

    if word.contains(FRENCH_ACCENTS)
        || ELISIONS
            .iter()
            .any(|e| word.len() > e.len() && word.starts_with(e))
    {
        return Some(Lang::Fr);
    }
    if CONTRACTIONS.iter().any(|c| word.ends_with(c)) {
        return Some(Lang::En);
    }
    let folded = fold(word);
    if FRENCH_WORDS.contains(&folded.as_str()) {
        Some(Lang::Fr)
    } else if ENGLISH_WORDS.contains(&folded.as_str()) {
        Some(Lang::En)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------------
// Phones.

/// A run of digit groups that may hold phone numbers.
#[derive(Debug, Default)]
struct PhoneRun {
    /// Whether the run starts with `+`.
    plus: bool,
    groups: Vec<DigitGroup>,
}

#[derive(Debug)]
struct DigitGroup {
    digits: String,
    /// Written in parentheses, as `(0)` in `+33 (0)6 ...` or `(415)`.
    parenthesised: bool,
}

const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;

/// The candidate runs of `text`, in order.
fn phone_runs(text: &str) -> Vec<PhoneRun> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = (c.is_ascii_digit()
            || (c == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            && may_start_after(&chars[..i]);
        if !starts {
            i += 1;
            continue;
        }
        let (run, end) = scan_run(&chars, i);
        if let Some(run) = run {
            runs.push(run);
        }
        i = end.max(i + 1);
    }
    runs
}

/// Whether a number may start after `before`: not glued to a word or a number, not an order number
/// (`#123`), not the next part of a date, a time or a decimal (`12/05`, `22:38`, `3.5`).
fn may_start_after(before: &[char]) -> bool {
    match before {
        [.., prev] if prev.is_alphanumeric() => false,
        [
            ..,
            '#' | '/' | '\\' | '@' | '_' | '+' | '€' | '$' | '£' | '%',
        ] => false,
        [.., digit, '.' | ',' | ':' | '-'] if digit.is_ascii_digit() => false,
        _ => true,
    }
}

/// Reads the run that starts at `start`; returns it (`None` when it is glued to something that makes
/// it no phone number) and where scanning goes on.
fn scan_run(chars: &[char], start: usize) -> (Option<PhoneRun>, usize) {
    let mut run = PhoneRun {
        plus: chars[start] == '+',
        groups: Vec::new(),
    };
    let mut current = String::new();
    let mut in_parens = false;
    let mut separators = 0;
    let mut last_useful = start;
    let mut j = if run.plus { start + 1 } else { start };

    let close = |current: &mut String, groups: &mut Vec<DigitGroup>, parenthesised: bool| {
        if !current.is_empty() {
            groups.push(DigitGroup {
                digits: std::mem::take(current),
                parenthesised,
            });
        }
    };

    while let Some(&c) = chars.get(j) {
        match c {
            '0'..='9' => {
                current.push(c);
                separators = 0;
                last_useful = j;
            }
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '.' | '-' => {
                close(&mut current, &mut run.groups, in_parens);
                separators += 1;
            }
            '(' if !in_parens => {
                close(&mut current, &mut run.groups, false);
                in_parens = true;
                separators += 1;
            }
            ')' if in_parens => {
                close(&mut current, &mut run.groups, true);
                in_parens = false;
                separators = 0;
                last_useful = j;
            }
            _ => break,
        }
        if separators > 2 {
            break;
        }
        j += 1;
    }
    close(&mut current, &mut run.groups, in_parens);

    // What follows the last digit decides: `500€`, `3.5k`, `20%` are no phone numbers. (Dates and
    // times need no rule here: their pieces are cut at `/` and `:` and are far too short.)
    let glued = chars.get(last_useful + 1).is_some_and(|&next| {
        next.is_alphanumeric() || matches!(next, '€' | '$' | '£' | '%' | '@' | '_')
    }) || (chars
        .get(last_useful + 1)
        .is_some_and(|&c| matches!(c, '.' | ','))
        && chars.get(last_useful + 2).is_some_and(char::is_ascii_digit));
    let usable = !glued && !run.groups.is_empty();
    (usable.then_some(run), j)
}

/// The numbers a run holds: from each group that can start one (the run's first, or any group written
/// with a leading 0), the longest span of groups that makes a valid number.
fn numbers_in(run: &PhoneRun) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut i = 0;
    while i < run.groups.len() {
        let international = i == 0 && run.plus;
        if !international && !run.groups[i].digits.starts_with('0') {
            i += 1;
            continue;
        }
        // Only spans that can still hold a number are tried: a run of thousands of groups ("01 01 01
        // ...") would otherwise be tried at every length from every group, in cubic time.
        let longest = (i + 1..=i + span_limit(&run.groups[i..]))
            .rev()
            .find_map(|end| number_from(&run.groups[i..end], international).map(|n| (n, end)));
        if let Some((number, end)) = longest {
            numbers.push(number);
            i = end;
        } else {
            i += 1;
        }
    }
    numbers
}

/// How many of the first `groups` can make one number: no more than `MAX_DIGITS` digits (a `(0)`, which
/// an international number drops, aside), so no more than `MAX_DIGITS` groups and that `(0)`.
fn span_limit(groups: &[DigitGroup]) -> usize {
    let mut digits = 0;
    groups
        .iter()
        .take(MAX_DIGITS + 1)
        .take_while(|group| {
            if !(group.parenthesised && group.digits == "0") {
                digits += group.digits.len();
            }
            digits <= MAX_DIGITS
        })
        .count()
}

/// The E.164 form of these groups, if they make a valid number.
fn number_from(groups: &[DigitGroup], plus: bool) -> Option<String> {
    let international = plus || groups.first()?.digits.starts_with("00");
    let mut digits = String::with_capacity(MAX_DIGITS + 2);
    for group in groups {
        // `+33 (0)6 ...`: the national trunk prefix, written in parentheses after a country code.
        if international && group.parenthesised && group.digits == "0" {
            continue;
        }
        digits.push_str(&group.digits);
    }
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
        return None;
    }
    let candidate = if plus {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else {
        digits
    };
    // No country code starts with 0: not worth the parser's time (a run of "0 0 0 ..." is made of these).
    if candidate.starts_with("+0") {
        return None;
    }
    let number = phonenumber::parse(Some(country::Id::FR), &candidate).ok()?;
    acceptable(&number).then(|| number.format().mode(Mode::E164).to_string())
}

/// Valid for the numbering plan, or shaped like a French mobile number: the metadata only knows the
/// 06/07 ranges allocated when it was built, and the 07 ranges keep opening (07 11 ... is written by
/// real people and by the demo network).
fn acceptable(number: &PhoneNumber) -> bool {
    if phonenumber::is_valid(number) {
        return true;
    }
    let national = number.national().value();
    number.code().value() == 33
        && number.extension().is_none()
        && (600_000_000..800_000_000).contains(&national)
}

// ---------------------------------------------------------------------------------------------------
// Emails.

/// How an `@` or a `.` was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `@` or `.` themselves.
    Symbol,
    /// A word: `at`, `arobase`, `dot`, `point`.
    Word,
    /// In brackets: `[at]`, `(at)`, `{dot}`, `[.]`.
    Bracketed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// Letters, digits and `_ % + -`: a local part or a domain label.
    Word(String),
    At(Style),
    Dot(Style),
    /// Anything else: ends an address.
    Other,
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    /// Whether whitespace comes right before it.
    spaced: bool,
}

/// Words that come before an English "at" that is no `@`: "find me at nina.com", "look at this".
const NOT_A_LOCAL_PART: &[&str] = &[
    "me",
    "us",
    "you",
    "him",
    "her",
    "them",
    "it",
    "this",
    "that",
    "here",
    "there",
    "i",
    "we",
    "they",
    "he",
    "she",
    "is",
    "are",
    "am",
    "was",
    "were",
    "be",
    "look",
    "looking",
    "meet",
    "see",
    "site",
    "website",
    "page",
    "call",
    "text",
    "reach",
    "find",
    "available",
    "arrive",
    "back",
    "home",
    "up",
    "out",
    "moi",
    "nous",
];

fn is_address_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '%' | '+' | '-')
}

/// `text` (lower case) cut into the tokens an address is made of.
fn email_tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut spaced = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            spaced = true;
            i += 1;
            continue;
        }
        let (tok, next) = if is_address_char(c) {
            let end = chars[i..]
                .iter()
                .position(|&c| !is_address_char(c))
                .map_or(chars.len(), |n| i + n);
            let word: String = chars[i..end].iter().collect();
            let tok = match word.as_str() {
                "at" | "arobase" => Tok::At(Style::Word),
                "dot" | "point" => Tok::Dot(Style::Word),
                _ => Tok::Word(word),
            };
            (tok, end)
        } else if c == '@' {
            (Tok::At(Style::Symbol), i + 1)
        } else if c == '.' {
            (Tok::Dot(Style::Symbol), i + 1)
        } else if let Some((tok, end)) = bracketed(&chars, i) {
            (tok, end)
        } else {
            (Tok::Other, i + 1)
        };
        tokens.push(Token { tok, spaced });
        spaced = false;
        i = next;
    }
    tokens
}

/// `[at]`, `(at)`, `{arobase}`, `<dot>`, `[.]`, `( @ )`... starting at `start`.
fn bracketed(chars: &[char], start: usize) -> Option<(Tok, usize)> {
    let closing = match chars[start] {
        '[' => ']',
        '(' => ')',
        '{' => '}',
        '<' => '>',
        _ => return None,
    };
    let len = chars[start + 1..]
        .iter()
        .take(12)
        .position(|&c| c == closing)?;
    let inside: String = chars[start + 1..start + 1 + len].iter().collect();
    let tok = match inside.trim() {
        "at" | "arobase" | "@" => Tok::At(Style::Bracketed),
        "dot" | "point" | "." => Tok::Dot(Style::Bracketed),
        _ => return None,
    };
    Some((tok, start + len + 2))
}

/// The address around the `@` (however written) at `tokens[at]`, if there is a plausible one.
fn address_around(tokens: &[Token], at: usize, style: Style) -> Option<String> {
    let after = tokens.get(at + 1)?;
    // `@nina` alone is a mention: a bare `@` must touch its local part, or stand apart on both sides.
    if style == Style::Symbol && tokens[at].spaced && !after.spaced {
        return None;
    }
    let local = local_part(tokens, at, style)?;
    let domain = domain(tokens, at + 1)?;
    Some(format!("{local}@{domain}"))
}

/// The local part right before `tokens[at]`: words joined by plain dots, touching each other.
fn local_part(tokens: &[Token], at: usize, style: Style) -> Option<String> {
    let Tok::Word(last) = &tokens.get(at.checked_sub(1)?)?.tok else {
        return None;
    };
    // "find me at nina.com", "look at this.com": the word `at` after one of these is English, not an
    // address.
    if style == Style::Word && NOT_A_LOCAL_PART.contains(&last.as_str()) {
        return None;
    }
    let mut parts = vec![last.as_str()];
    let mut first = at - 1;
    while first >= 2 {
        let (dot, word) = (&tokens[first - 1], &tokens[first - 2]);
        match (&dot.tok, &word.tok) {
            (Tok::Dot(Style::Symbol), Tok::Word(w)) if !dot.spaced && !tokens[first].spaced => {
                parts.push(w);
                first -= 2;
            }
            _ => break,
        }
    }
    parts.reverse();
    let local = parts.join(".");
    local
        .chars()
        .any(|c| c.is_ascii_alphanumeric())
        .then_some(local)
}

/// The domain starting at `tokens[start]`: labels joined by dots (a plain dot touching both labels, or
/// a dot written as a word or in brackets), at least two labels, ending in a top-level domain of two
/// letters or more.
fn domain(tokens: &[Token], start: usize) -> Option<String> {
    let Tok::Word(first) = &tokens.get(start)?.tok else {
        return None;
    };
    let mut labels = vec![first.as_str()];
    let mut i = start + 1;
    while let (Some(dot), Some(label)) = (tokens.get(i), tokens.get(i + 1)) {
        let (Tok::Dot(style), Tok::Word(word)) = (&dot.tok, &label.tok) else {
            break;
        };
        // A plain dot with a space around it ends a sentence: "look at this. then...".
        if *style == Style::Symbol && (dot.spaced || label.spaced) {
            break;
        }
        labels.push(word);
        i += 2;
    }
    // "nina@gmail.com.merci": drop trailing labels until the last one can be a top-level domain.
    while labels.len() > 2 && !is_tld(labels[labels.len() - 1]) {
        labels.pop();
    }
    let (tld, rest) = labels.split_last()?;
    let plausible = is_tld(tld)
        && !rest.is_empty()
        && rest.iter().all(|l| is_label(l))
        && rest
            .last()
            .is_some_and(|l| l.chars().any(|c| c.is_ascii_alphabetic()));
    plausible.then(|| labels.join("."))
}

fn is_tld(label: &str) -> bool {
    label.len() >= 2 && label.chars().all(|c| c.is_ascii_alphabetic())
}

fn is_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::demo::people::{
        ARTIST, BEATMAKER, CLIENT, CURIOUS, FAN, MESSAGES_ARTIST, MESSAGES_CLIENT, SPAM,
    };

    /// The demo network's `{handle}` placeholder, filled the way the demo builds handles.
    const HANDLE: &str = "nina.beats3";

    fn demo(line: &str) -> String {
        line.replace("{handle}", HANDLE)
    }

    // Phones ------------------------------------------------------------------------------------------

    #[test]
    fn phone_numbers_in_every_common_form_read_as_e164() {
        let cases = [
            ("06 12 34 56 78", "+33612345678"),
            ("06.12.34.56.78", "+33612345678"),
            ("06-12-34-56-78", "+33612345678"),
            ("0612345678", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("+33612345678", "+33612345678"),
            ("0033612345678", "+33612345678"),
            ("00 33 6 12 34 56 78", "+33612345678"),
            ("+33 (0)6 12 34 56 78", "+33612345678"),
            ("+1 (415) 555-0100", "+14155550100"),
            ("07 11 22 33 44", "+33711223344"),
            ("01 42 68 53 00", "+33142685300"),
            ("+44 20 7946 0958", "+442079460958"),
            ("tel:0612345678", "+33612345678"),
            ("appelle moi au 06 12 34 56 78.", "+33612345678"),
            ("(06 12 34 56 78)", "+33612345678"),
        ];
        for (text, expected) in cases {
            // Act
            let found = phones(text);

            // Assert
            assert_eq!(found, [expected], "{text:?}");
        }
    }

    #[test]
    fn prices_years_dates_times_and_other_digit_runs_are_no_phone_numbers() {
        let cases = [
            "500€",
            "Gagne 500€ par jour",
            "2024",
            "1000 followers",
            "12345",
            "order #123456789",
            "#123456789",
            "12/05/2024",
            "le 12/05/2024 à 22:38",
            "22:38",
            "3.5k",
            "3.5k followers en 2024",
            "123456789",
            "1 234 567 890",
            "0612",
            "06 12 34",
            "0612345678901234567",
            "version 1.2.3.4.5.6.7.8",
            "06123456789abc",
            "ref0612345678",
            "",
        ];
        for text in cases {
            // Act
            let found = phones(text);

            // Assert
            assert!(found.is_empty(), "{text:?} gave {found:?}");
        }
    }

    #[test]
    fn several_numbers_come_out_in_order_without_repeats() {
        // Arrange
        let text = "06 12 34 56 78 ou +33 6 12 34 56 78, sinon 07 11 22 33 44 / +1 415 555 0100";

        // Act
        let found = phones(text);

        // Assert
        assert_eq!(found, ["+33612345678", "+33711223344", "+14155550100"]);
    }

    #[test]
    fn an_endless_run_of_digit_groups_is_read_in_linear_time() {
        use std::fmt::Write as _;

        // Found by the hostile-input tests: every span of the run was tried from every group (cubic), so
        // 6 KB of "01 " took 6 s and 4 KB of "0 " 30 s in a debug build.
        for (piece, count) in [("01 ", 20_000), ("0 ", 20_000), ("+33 (0)", 10_000)] {
            let text = piece.repeat(count);
            let (found, took) = crate::test_support::cpu_timed(|| phones(&text));
            assert!(
                took < std::time::Duration::from_secs(2),
                "{piece:?} x{count}: {took:?}"
            );
            assert!(found.len() <= 1, "{piece:?}: {found:?}");
        }
        let mut many = String::new();
        for i in 0..10_000 {
            let (a, b, c) = (i / 10_000 % 100, i / 100 % 100, i % 100);
            write!(many, "06 12 {a:02} {b:02} {c:02}, ").unwrap();
        }
        let (found, took) = crate::test_support::cpu_timed(|| phones(&many));
        assert_eq!(found.len(), 10_000);
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn two_numbers_with_only_spaces_between_them_are_both_found() {
        // Act
        let found = phones("06 12 34 56 78 07 11 22 33 44");

        // Assert
        assert_eq!(found, ["+33612345678", "+33711223344"]);
    }

    #[test]
    fn a_french_number_that_cannot_exist_is_refused() {
        // Arrange: too short for France (8 and 3 digits), and a country code that does not exist.
        for text in ["05 12 34 56", "+33 1 23", "+999 612345678"] {
            // Act
            let found = phones(text);

            // Assert
            assert!(found.is_empty(), "{text:?} gave {found:?}");
        }
    }

    #[test]
    fn every_demo_line_with_a_phone_number_yields_it() {
        let cases = [
            (CLIENT[1], "+33612345678"),
            (CLIENT[2], "+33645781290"),
            (CLIENT[5], "+14155550100"),
            (CLIENT[6], "+33698765432"),
            (CLIENT[8], "+33698765432"),
            (MESSAGES_CLIENT[1], "+33711223344"),
        ];
        for (line, expected) in cases {
            // Act
            let found = phones(&demo(line));

            // Assert
            assert_eq!(found, [expected], "{line:?}");
        }
    }

    #[test]
    fn demo_lines_without_a_phone_number_yield_none() {
        let with_phone = [
            CLIENT[1],
            CLIENT[2],
            CLIENT[5],
            CLIENT[6],
            CLIENT[8],
            MESSAGES_CLIENT[1],
        ];
        for line in all_demo_lines() {
            if with_phone.contains(&line) {
                continue;
            }
            // Act
            let found = phones(&demo(line));

            // Assert
            assert!(found.is_empty(), "{line:?} gave {found:?}");
        }
    }

    // Emails ------------------------------------------------------------------------------------------

    #[test]
    fn plain_and_disguised_email_addresses_are_found_in_lower_case() {
        let cases = [
            ("nina@gmail.com", "nina@gmail.com"),
            ("Mail: Nina.Beats@GMail.com !", "nina.beats@gmail.com"),
            (
                "nina+demo@mail.example.co.uk",
                "nina+demo@mail.example.co.uk",
            ),
            ("nina at gmail dot com", "nina@gmail.com"),
            ("nina AT gmail DOT com", "nina@gmail.com"),
            ("nina [at] gmail [dot] com", "nina@gmail.com"),
            ("nina[at]gmail[dot]com", "nina@gmail.com"),
            ("nina(at)gmail(dot)com", "nina@gmail.com"),
            ("nina (at) gmail (dot) com", "nina@gmail.com"),
            ("nina {at} gmail {dot} com", "nina@gmail.com"),
            ("nina arobase gmail point com", "nina@gmail.com"),
            ("nina@gmail point com", "nina@gmail.com"),
            ("nina at gmail.com", "nina@gmail.com"),
            ("nina @ gmail.com", "nina@gmail.com"),
            ("nina_beats at outlook dot fr", "nina_beats@outlook.fr"),
            (
                "écris moi : nina.music arobase gmail point com merci",
                "nina.music@gmail.com",
            ),
            ("(nina@gmail.com)", "nina@gmail.com"),
            ("mail nina@gmail.com.", "nina@gmail.com"),
        ];
        for (text, expected) in cases {
            // Act
            let found = emails(text);

            // Assert
            assert_eq!(found, [expected], "{text:?}");
        }
    }

    #[test]
    fn mentions_and_everyday_at_and_dot_are_no_email_addresses() {
        let cases = [
            "@nina",
            "thanks @nina.beats",
            "hey @nina",
            "meet at 5 dot",
            "meet at 5 dot com",
            "look at this",
            "look at this. Then call me",
            "i'm at the studio. come by",
            "find me at ninabeats.com",
            "nina@localhost",
            "nina@gmail.c",
            "nina@gmail.123",
            "@",
            "at dot",
            "nina at gmail dot",
            "",
        ];
        for text in cases {
            // Act
            let found = emails(text);

            // Assert
            assert!(found.is_empty(), "{text:?} gave {found:?}");
        }
    }

    #[test]
    fn several_addresses_come_out_in_order_without_repeats() {
        // Arrange
        let text = "b@x.io or a at gmail dot com, or B@X.IO again";

        // Act
        let found = emails(text);

        // Assert
        assert_eq!(found, ["b@x.io", "a@gmail.com"]);
    }

    #[test]
    fn every_demo_line_with_an_email_address_yields_it() {
        let cases = [
            (CLIENT[3], "nina.beats3@gmail.com"),
            (CLIENT[4], "nina.beats3@gmail.com"),
            (CLIENT[7], "nina.beats3@outlook.com"),
            (MESSAGES_CLIENT[2], "nina.beats3.music@gmail.com"),
        ];
        for (line, expected) in cases {
            // Act
            let found = emails(&demo(line));

            // Assert
            assert_eq!(found, [expected], "{line:?}");
        }
    }

    #[test]
    fn demo_lines_without_an_email_address_yield_none() {
        let with_email = [CLIENT[3], CLIENT[4], CLIENT[7], MESSAGES_CLIENT[2]];
        for line in all_demo_lines() {
            if with_email.contains(&line) {
                continue;
            }
            // Act
            let found = emails(&demo(line));

            // Assert
            assert!(found.is_empty(), "{line:?} gave {found:?}");
        }
    }

    // Intent ------------------------------------------------------------------------------------------

    #[test]
    fn intents_read_in_english_and_french_whatever_the_case_and_accents() {
        use Intent::{AskingInfo, AskingPrice, Collaboration, Interested, ReadyToBuy};
        let cases = [
            ("how much?", AskingPrice),
            ("Price?", AskingPrice),
            ("what's the price", AskingPrice),
            ("What’s the PRICE", AskingPrice),
            ("c'est combien", AskingPrice),
            ("C'EST COMBIEN", AskingPrice),
            ("c’est combien frérot", AskingPrice),
            ("combien ?", AskingPrice),
            ("le prix ?", AskingPrice),
            ("tes tarifs ?", AskingPrice),
            ("ton tarif", AskingPrice),
            ("ready to buy", ReadyToBuy),
            ("I want to buy it", ReadyToBuy),
            ("i'll take it", ReadyToBuy),
            ("je prends", ReadyToBuy),
            ("JE VEUX ACHETER", ReadyToBuy),
            ("je l'achète", ReadyToBuy),
            ("je l'achete", ReadyToBuy),
            ("you take paypal?", ReadyToBuy),
            ("how do I pay", ReadyToBuy),
            ("comment je paie ?", ReadyToBuy),
            ("collab?", Collaboration),
            ("open to a collaboration", Collaboration),
            ("let's work together", Collaboration),
            ("featuring on my EP", Collaboration),
            ("feat. moi", Collaboration),
            ("on fait un son ?", Collaboration),
            ("faire un son ensemble", Collaboration),
            ("let's cook", Collaboration),
            ("interested", Interested),
            ("intéressé", Interested),
            ("interesse", Interested),
            ("INTÉRESSÉE !", Interested),
            ("i need this", Interested),
            ("j'en veux", Interested),
            ("je veux ça", Interested),
            ("je veux ca", Interested),
            ("a custom beat", Interested),
            ("exclusive?", Interested),
            ("what daw", AskingInfo),
            ("what software is that", AskingInfo),
            ("which plugin?", AskingInfo),
            ("c'est quoi le logiciel", AskingInfo),
            ("quel clavier ?", AskingInfo),
            ("how did you make this", AskingInfo),
            ("comment tu fais ça", AskingInfo),
            ("what's the sample", AskingInfo),
        ];
        for (text, expected) in cases {
            // Act
            let found = intent(text);

            // Assert
            assert_eq!(found, Some(expected), "{text:?}");
        }
    }

    #[test]
    fn phrases_count_only_as_whole_words() {
        let cases = [
            "what a surprise",
            "defeat",
            "collaborator? no",
            "preciously",
            "uninterested people",
            "the sprix",
        ];
        for text in cases {
            // Act
            let found = intent(text);

            // Assert
            assert_eq!(found, None, "{text:?}");
        }
    }

    #[test]
    fn a_question_mark_or_small_talk_alone_shows_no_intent() {
        for text in ["?", "???", "fire beat bro 🔥", "trop lourd", "", "🔥🔥🔥"] {
            // Act
            let found = intent(text);

            // Assert
            assert_eq!(found, None, "{text:?}");
        }
    }

    #[test]
    fn when_several_intents_show_the_strongest_wins() {
        use Intent::{AskingPrice, Collaboration, Interested, ReadyToBuy};
        let cases = [
            ("je prends ! c'est quoi le prix ?", ReadyToBuy),
            ("how much? I'll take it", ReadyToBuy),
            ("price for an exclusive?", AskingPrice),
            ("collab? how much", AskingPrice),
            ("interested in a collab", Collaboration),
            ("what daw? I need this", Interested),
        ];
        for (text, expected) in cases {
            // Act
            let found = intent(text);

            // Assert
            assert_eq!(found, Some(expected), "{text:?}");
        }
    }

    #[test]
    fn every_phrase_shows_its_own_intent_or_a_stronger_one() {
        for expected in Intent::ALL {
            for phrase in expected.phrases() {
                // Act
                let found = intent(phrase);

                // Assert
                let found = found.unwrap_or_else(|| panic!("{phrase:?} shows nothing"));
                let rank = |i: Intent| Intent::ALL.iter().position(|&x| x == i);
                assert!(rank(found) <= rank(*expected), "{phrase:?} gave {found:?}");
            }
        }
    }

    #[test]
    fn demo_lines_show_the_intent_their_persona_has() {
        use Intent::{AskingInfo, AskingPrice, Collaboration, Interested, ReadyToBuy};
        let cases = [
            (CLIENT[0], Some(AskingPrice)),
            (CLIENT[1], Some(AskingPrice)),
            (CLIENT[2], Some(AskingPrice)),
            (CLIENT[3], Some(AskingPrice)),
            (CLIENT[4], Some(ReadyToBuy)),
            (CLIENT[5], Some(ReadyToBuy)),
            (CLIENT[6], Some(AskingPrice)),
            (CLIENT[7], Some(Interested)),
            (CLIENT[8], Some(Interested)),
            (CLIENT[9], Some(ReadyToBuy)),
            (BEATMAKER[0], Some(AskingInfo)),
            (BEATMAKER[1], Some(Collaboration)),
            (BEATMAKER[2], Some(Collaboration)),
            (BEATMAKER[3], None),
            (BEATMAKER[4], Some(Collaboration)),
            (ARTIST[0], Some(Interested)),
            (ARTIST[2], Some(Interested)),
            (CURIOUS[0], Some(AskingInfo)),
            (CURIOUS[1], Some(AskingInfo)),
            (CURIOUS[2], Some(AskingInfo)),
            (CURIOUS[3], Some(AskingInfo)),
            (MESSAGES_CLIENT[0], Some(AskingPrice)),
            (MESSAGES_CLIENT[2], Some(ReadyToBuy)),
            (MESSAGES_CLIENT[3], Some(AskingPrice)),
            (MESSAGES_ARTIST[0], Some(Collaboration)),
            (MESSAGES_ARTIST[1], Some(Collaboration)),
        ];
        for (line, expected) in cases {
            // Act
            let found = intent(&demo(line));

            // Assert
            assert_eq!(found, expected, "{line:?}");
        }
        for line in FAN.iter().chain(&SPAM) {
            assert_eq!(intent(line), None, "{line:?}");
        }
    }

    #[test]
    fn intents_read_back_from_their_names() {
        for intent in Intent::ALL {
            assert_eq!(Intent::parse(intent.as_str()), Some(*intent));
        }
        assert_eq!(Intent::parse("unknown"), None);
    }

    // Language ----------------------------------------------------------------------------------------

    #[test]
    fn short_texts_tell_french_from_english() {
        let cases = [
            ("c'est combien ?", Lang::Fr),
            ("trop lourd", Lang::Fr),
            ("la vibe 😍", Lang::Fr),
            ("encore !!", Lang::Fr),
            ("intéressé", Lang::Fr),
            ("merci", Lang::Fr),
            ("Salut, on peut faire un son ensemble ?", Lang::Fr),
            ("how much?", Lang::En),
            ("fire beat bro", Lang::En),
            ("what's the sample?", Lang::En),
            ("I need this for my next single", Lang::En),
            ("Yo, I'd love to work together on my EP", Lang::En),
        ];
        for (text, expected) in cases {
            // Act
            let found = language(&[text]);

            // Assert
            assert_eq!(found, Some(expected), "{text:?}");
        }
    }

    #[test]
    fn nothing_to_tell_from_gives_no_language() {
        for texts in [
            &[][..],
            &["🔥🔥🔥"],
            &["", "  "],
            &["2024 !!! 💯"],
            &["🔥", "12 34"],
        ] {
            // Act
            let found = language(texts);

            // Assert
            assert_eq!(found, None, "{texts:?}");
        }
    }

    #[test]
    fn the_language_of_several_texts_is_the_one_most_of_their_words_speak() {
        // Arrange
        let mostly_french = [
            "🔥🔥",
            "fire",
            "trop lourd frérot",
            "c'est quoi le logiciel ?",
        ];
        let mostly_english = ["merci", "how much for this beat?", "send me the stems"];

        // Act
        let french = language(&mostly_french);
        let english = language(&mostly_english);

        // Assert
        assert_eq!(french, Some(Lang::Fr));
        assert_eq!(english, Some(Lang::En));
    }

    #[test]
    fn every_demo_persona_writes_in_the_language_its_lines_are_in() {
        let french = [
            CLIENT[1],
            CLIENT[4],
            CLIENT[6],
            CLIENT[8],
            CLIENT[9],
            BEATMAKER[1],
            BEATMAKER[3],
            ARTIST[1],
            ARTIST[3],
            CURIOUS[1],
            CURIOUS[3],
            FAN[1],
            FAN[3],
            FAN[4],
            SPAM[1],
            SPAM[2],
            MESSAGES_CLIENT[1],
            MESSAGES_CLIENT[3],
            MESSAGES_ARTIST[1],
        ];
        for line in all_demo_lines() {
            // Act
            let found = language(&[demo(line).as_str()]);

            // Assert
            let expected = if line == FAN[0] {
                None
            } else if french.contains(&line) {
                Some(Lang::Fr)
            } else {
                Some(Lang::En)
            };
            assert_eq!(found, expected, "{line:?}");
        }
    }

    fn all_demo_lines() -> Vec<&'static str> {
        CLIENT
            .iter()
            .chain(&BEATMAKER)
            .chain(&ARTIST)
            .chain(&CURIOUS)
            .chain(&FAN)
            .chain(&SPAM)
            .chain(&MESSAGES_CLIENT)
            .chain(&MESSAGES_ARTIST)
            .copied()
            .collect()
    }

    // Any text ----------------------------------------------------------------------------------------

    proptest! {
        #[test]
        fn any_text_is_read_without_panicking_and_finds_only_well_formed_values(text in "\\PC{0,80}") {
            // Act
            let found_phones = phones(&text);
            let found_emails = emails(&text);
            let _ = intent(&text);
            let _ = language(&[&text]);

            // Assert
            for phone in &found_phones {
                prop_assert!(phone.starts_with('+') && phone[1..].chars().all(|c| c.is_ascii_digit()), "{phone}");
            }
            for email in &found_emails {
                prop_assert_eq!(email.matches('@').count(), 1, "{}", email);
                prop_assert_eq!(email, &email.to_lowercase());
            }
        }

        #[test]
        fn digit_runs_of_any_shape_are_read_without_panicking(
            text in "[+]?[0-9]{1,4}([ .()-]{1,2}[0-9]{1,4}){0,6}",
        ) {
            // Act
            let found = phones(&text);

            // Assert
            prop_assert!(found.len() <= 3);
        }

        #[test]
        fn a_french_mobile_number_is_found_whatever_its_separator(
            digits in "[67][0-9]{8}",
            separator in "( |\\.|-|)",
        ) {
            // Arrange
            let pairs: Vec<String> = format!("0{digits}")
                .as_bytes()
                .chunks(2)
                .map(|pair| String::from_utf8_lossy(pair).into_owned())
                .collect();
            let text = format!("appelle moi au {} stp", pairs.join(&separator));

            // Act
            let found = phones(&text);

            // Assert
            prop_assert_eq!(found, vec![format!("+33{digits}")]);
        }
    }
}
