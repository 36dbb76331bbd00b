//! An email address as typed by a person, normalised so that one address has one spelling.

use super::Invalid;

/// A syntactically plausible, lower-cased email address (at most 254 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses what a person typed: surrounding spaces are dropped and the address is lower-cased.
    ///
    /// # Errors
    /// `errors.email_invalid` when it is empty, too long or not of the form `name@domain.tld`.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let email = input.trim().to_lowercase();
        let invalid = Invalid::new("errors.email_invalid");
        if email.is_empty() || email.len() > 254 {
            return Err(invalid);
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(invalid);
        };
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && email.chars().all(|c| !c.is_whitespace() && !c.is_control())
            && !email.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']', '\\']);
        if well_formed {
            Ok(Self(email))
        } else {
            Err(invalid)
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        let email = EmailAddress::parse("  Nina.Beats@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "nina.beats@example.com");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for input in [
            "",
            "nina",
            "nina@",
            "@example.com",
            "nina@example",
            "nina@@example.com",
            "nina @example.com",
            "nina@example..com",
            "nina@.example.com",
            "<nina@example.com>",
        ] {
            assert!(
                EmailAddress::parse(input).is_err(),
                "{input:?} should be refused"
            );
        }
    }

    #[test]
    fn an_address_longer_than_254_characters_is_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
