//! A message template as the Templates form sends it, parsed: a name, the lead type it is for (or any),
//! a language, a body that uses known variables only, and whether it is the default for its type and
//! language. Every refusal says which field it belongs to.

use super::lead_type::LeadType;
use super::message_text;
use crate::i18n::Lang;

/// The longest name, in characters.
pub const NAME_MAX: usize = 100;
/// The longest body, in characters (line breaks count one).
pub const BODY_MAX: usize = 2_000;

/// A template ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    pub name: String,
    /// None: for leads of any type.
    pub lead_type: Option<LeadType>,
    pub language: Lang,
    pub body: String,
    pub is_default: bool,
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NameEmpty,
    NameTooLong,
    LeadTypeUnknown,
    LanguageUnknown,
    BodyEmpty,
    BodyTooLong,
    /// The body names a variable that does not exist.
    UnknownVariable(String),
}

impl Refusal {
    /// The form field the refusal is shown next to.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        match self {
            Refusal::NameEmpty | Refusal::NameTooLong => "name",
            Refusal::LeadTypeUnknown => "lead_type",
            Refusal::LanguageUnknown => "language",
            Refusal::BodyEmpty | Refusal::BodyTooLong | Refusal::UnknownVariable(_) => "body",
        }
    }

    /// The message, in `lang`.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::NameEmpty => lang.t("templates.errors.name_empty").into_owned(),
            Refusal::NameTooLong => lang.t_with(
                "templates.errors.name_too_long",
                "max",
                &NAME_MAX.to_string(),
            ),
            Refusal::LeadTypeUnknown => lang.t("templates.errors.lead_type_unknown").into_owned(),
            Refusal::LanguageUnknown => lang.t("templates.errors.language_unknown").into_owned(),
            Refusal::BodyEmpty => lang.t("templates.errors.body_empty").into_owned(),
            Refusal::BodyTooLong => lang.t_with(
                "templates.errors.body_too_long",
                "max",
                &BODY_MAX.to_string(),
            ),
            Refusal::UnknownVariable(name) => lang
                .t_with(
                    "templates.errors.unknown_variable",
                    "name",
                    &format!("{{{name}}}"),
                )
                .replace("%{known}", &known_variables()),
        }
    }
}

/// `{handle}, {display_name}, ...`: the variables a body may use, as written in one.
#[must_use]
pub fn known_variables() -> String {
    message_text::VARIABLES
        .iter()
        .map(|v| format!("{{{v}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lead type field: empty (or "any") is any type.
pub fn parse_lead_type(text: &str) -> Result<Option<LeadType>, Refusal> {
    match text.trim() {
        "" | "any" => Ok(None),
        text => LeadType::parse(text)
            .map(Some)
            .ok_or(Refusal::LeadTypeUnknown),
    }
}

/// The body with its line breaks made `\n` (browsers send `\r\n`) and outer blank space removed.
#[must_use]
pub fn normalise_body(text: &str) -> String {
    text.replace("\r\n", "\n").trim().to_owned()
}

/// Parses the body alone (the preview uses it too).
pub fn parse_body(text: &str) -> Result<String, Refusal> {
    let body = normalise_body(text);
    if body.is_empty() {
        return Err(Refusal::BodyEmpty);
    }
    if body.chars().count() > BODY_MAX {
        return Err(Refusal::BodyTooLong);
    }
    message_text::check(&body).map_err(|unknown| Refusal::UnknownVariable(unknown.0))?;
    Ok(body)
}

/// Parses the form's fields; every refusal is returned, in the form's order.
pub fn parse(
    name: &str,
    lead_type: &str,
    language: &str,
    body: &str,
    is_default: bool,
) -> Result<TemplateInput, Vec<Refusal>> {
    let mut refused = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        refused.push(Refusal::NameEmpty);
    } else if name.chars().count() > NAME_MAX {
        refused.push(Refusal::NameTooLong);
    }
    let lead_type = parse_lead_type(lead_type).map_err(|r| refused.push(r)).ok();
    let language = Lang::from_code(language);
    if language.is_none() {
        refused.push(Refusal::LanguageUnknown);
    }
    let body = parse_body(body).map_err(|r| refused.push(r)).ok();
    match (lead_type, language, body) {
        (Some(lead_type), Some(language), Some(body)) if refused.is_empty() => Ok(TemplateInput {
            name: name.to_owned(),
            lead_type,
            language,
            body,
            is_default,
        }),
        _ => Err(refused),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_template_is_parsed_with_its_line_breaks_made_plain() {
        let parsed = parse(
            " Price ",
            "potential_client",
            "fr",
            "Salut {display_name}\r\n!  ",
            true,
        );
        assert_eq!(
            parsed,
            Ok(TemplateInput {
                name: "Price".into(),
                lead_type: Some(LeadType::PotentialClient),
                language: Lang::Fr,
                body: "Salut {display_name}\n!".into(),
                is_default: true,
            })
        );
        assert_eq!(parse("Any", "", "en", "Hi", false).unwrap().lead_type, None);
    }

    #[test]
    fn each_bad_field_gets_its_own_refusal() {
        assert_eq!(
            parse("  ", "superfan", "de", "   ", false),
            Err(vec![
                Refusal::NameEmpty,
                Refusal::LeadTypeUnknown,
                Refusal::LanguageUnknown,
                Refusal::BodyEmpty
            ])
        );
        assert_eq!(
            parse(
                &"n".repeat(NAME_MAX + 1),
                "",
                "en",
                &"é".repeat(BODY_MAX + 1),
                false
            ),
            Err(vec![Refusal::NameTooLong, Refusal::BodyTooLong])
        );
        assert!(parse("Long", "", "en", &"é".repeat(BODY_MAX), false).is_ok());
    }

    #[test]
    fn an_unknown_variable_is_named_with_the_known_ones_listed() {
        let refused = parse("Hi", "", "en", "Hi {first_name}", false).unwrap_err();
        assert_eq!(refused, vec![Refusal::UnknownVariable("first_name".into())]);
        let message = refused[0].message(Lang::En);
        assert!(message.contains("{first_name}"), "{message}");
        assert!(
            message.contains("{handle}, {display_name}, {platform}, {interaction}"),
            "{message}"
        );
    }
}
