//! The interface's two languages and the one way to translate a visible string (`src/locales/app.yml`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The locale file's keys: the lines that start a key (`nav.skip:`).
const LOCALES: &str = include_str!("locales/app.yml");

fn keys() -> impl Iterator<Item = &'static str> {
    LOCALES
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '_']) && l.ends_with(':'))
        .map(|l| l.trim_end_matches(':'))
}

/// Every text of each language, read once: a page borrows its strings instead of copying each one.
static TEXTS: LazyLock<[HashMap<&'static str, String>; 2]> = LazyLock::new(|| {
    Lang::ALL.map(|lang| {
        keys()
            .map(|key| (key, rust_i18n::t!(key, locale = lang.code()).into_owned()))
            .collect()
    })
});

/// A language the interface speaks.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language stored as `code`, exactly (a stored code is never trimmed or lowercased).
    #[must_use]
    pub fn stored(code: &str) -> Option<Self> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language's own name, as shown in the language menu.
    #[must_use]
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header, honouring its quality values.
    #[must_use]
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(Lang, f32)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default().trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            if let Some(lang) = Lang::from_code(primary)
                && quality > 0.0
                && best.is_none_or(|(_, q)| quality > q)
            {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The text for `key` in this language.
    #[must_use]
    pub fn t(self, key: &str) -> Cow<'static, str> {
        let texts: &'static [HashMap<&'static str, String>; 2] = &TEXTS;
        match texts[self as usize].get(key) {
            Some(text) => Cow::Borrowed(text.as_str()),
            // Not a key of the file: rust-i18n's own answer (it names the missing key).
            None => Cow::Owned(rust_i18n::t!(key, locale = self.code()).into_owned()),
        }
    }

    /// The text for `key` with `%{name}` replaced by `value`.
    #[must_use]
    pub fn t_with(self, key: &str, name: &str, value: &str) -> String {
        self.t(key).replace(&format!("%{{{name}}}"), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_quality_known_language() {
        assert_eq!(
            Lang::negotiate("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::negotiate("de-DE,de;q=0.9,en;q=0.5,fr;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(Lang::negotiate("de-DE"), None);
        assert_eq!(Lang::negotiate("fr;q=0,en"), Some(Lang::En));
    }

    #[test]
    fn every_key_has_an_english_and_a_french_text() {
        let mut count = 0;
        for key in keys() {
            for lang in Lang::ALL {
                let text = lang.t(key);
                assert!(
                    !text.is_empty() && text != key && !text.ends_with(key),
                    "{key} missing in {}",
                    lang.code()
                );
            }
            count += 1;
        }
        assert!(
            count > 50,
            "the locale file should hold the interface's strings, found {count}"
        );
    }

    #[test]
    fn a_key_outside_the_file_is_named_as_missing_and_a_key_of_the_file_is_borrowed() {
        assert!(Lang::Fr.t("no.such.key").ends_with("no.such.key"));
        assert!(matches!(Lang::Fr.t("nav.skip"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_placeholder_is_filled_in() {
        assert!(
            Lang::En
                .t_with("auth.throttled", "seconds", "30")
                .contains("30")
        );
    }
}
