//! Names people give: their display name, a workspace's name, and the URL slug derived from it.

use super::Invalid;

fn clean_name(input: &str, max_chars: usize, key: &'static str) -> Result<String, Invalid> {
    let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = collapsed.chars().count();
    if length == 0 || length > max_chars || collapsed.chars().any(char::is_control) {
        return Err(Invalid::new(key));
    }
    Ok(collapsed)
}

/// How a person is shown to their team: 1 to 80 characters, inner spaces collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// # Errors
    /// `errors.display_name_invalid` when empty or longer than 80 characters.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        clean_name(input, 80, "errors.display_name_invalid").map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A workspace's name: 1 to 80 characters, inner spaces collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceName(String);

impl WorkspaceName {
    /// # Errors
    /// `errors.workspace_name_invalid` when empty or longer than 80 characters.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        clean_name(input, 80, "errors.workspace_name_invalid").map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL slug this name suggests (`Studio Nova` -> `studio-nova`); accents are folded to ASCII.
    #[must_use]
    pub fn slug_base(&self) -> Slug {
        let mut slug = String::new();
        for c in self.0.chars().flat_map(fold_accent) {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let mut slug: String = slug.trim_end_matches('-').chars().take(40).collect();
        slug = slug.trim_end_matches('-').to_owned();
        if slug.len() < 3 {
            slug = format!("workspace-{slug}")
                .trim_end_matches('-')
                .to_string();
        }
        Slug(slug)
    }
}

fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        _ => "",
    };
    let keep = folded.is_empty().then_some(c);
    folded.chars().chain(keep)
}

/// The part of a workspace URL that names it (`/w/{slug}/`): 3 to 48 of `a-z`, `0-9` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Reads a slug from a URL.
    ///
    /// # Errors
    /// `errors.not_found` when it cannot be a slug (the URL then names nothing).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let valid = (3..=48).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !input.starts_with('-')
            && !input.ends_with('-');
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(Invalid::new("errors.not_found"))
        }
    }

    /// This slug with a numeric suffix, used when the plain one is taken.
    #[must_use]
    pub fn with_suffix(&self, n: u32) -> Self {
        Self(format!("{}-{n}", self.0))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_gives_a_readable_slug_with_accents_folded() {
        let name = WorkspaceName::parse("  Studio   Équinoxe Beats ").unwrap();
        assert_eq!(name.as_str(), "Studio Équinoxe Beats");
        assert_eq!(name.slug_base().as_str(), "studio-equinoxe-beats");
    }

    #[test]
    fn a_name_without_letters_still_gives_a_valid_slug() {
        let slug = WorkspaceName::parse("🎧🎧").unwrap().slug_base();
        assert!(Slug::parse(slug.as_str()).is_ok(), "{slug}");
        assert!(Slug::parse(slug.with_suffix(12).as_str()).is_ok());
    }

    #[test]
    fn empty_and_overlong_names_are_refused() {
        assert!(WorkspaceName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(81)).is_err());
        assert!(DisplayName::parse("Nina\u{0}").is_err());
    }

    #[test]
    fn slugs_from_urls_are_checked() {
        assert!(Slug::parse("studio-nova").is_ok());
        for bad in [
            "ab",
            "Studio",
            "studio_nova",
            "-studio",
            "studio-",
            "../etc",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }
}
