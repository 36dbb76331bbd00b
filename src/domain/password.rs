//! The password policy for new passwords: 8 to 128 characters and not one of the common ones.

use secrecy::{ExposeSecret, SecretString};

use super::Invalid;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// A password that passed the policy; it never prints.
#[derive(Debug)]
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Checks a new password. `context` holds what the person typed elsewhere on the form (email, name):
    /// a password built from them is as weak as a common one.
    ///
    /// # Errors
    /// `errors.password_too_short`, `errors.password_too_long` or `errors.password_too_common`.
    pub fn parse(input: &str, context: &[&str]) -> Result<Self, Invalid> {
        let length = input.chars().count();
        if length < MIN_CHARS {
            return Err(Invalid::new("errors.password_too_short"));
        }
        if length > MAX_CHARS {
            return Err(Invalid::new("errors.password_too_long"));
        }
        // zxcvbn knows the 30,000 most used passwords, their l33t and reversed spellings, keyboard walks,
        // dates and the person's own inputs; a score under 2 means "guessable in under a million tries".
        let strength = zxcvbn::zxcvbn(input, context);
        if (strength.score() as u8) < 2 {
            return Err(Invalid::new("errors.password_too_common"));
        }
        Ok(Self(SecretString::from(input.to_owned())))
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused() {
        for common in [
            "password",
            "password1",
            "12345678",
            "azertyuiop",
            "qwerty123",
            "iloveyou",
            "P@ssw0rd",
        ] {
            let refused = NewPassword::parse(common, &[]).unwrap_err();
            assert_eq!(refused.key, "errors.password_too_common", "{common}");
        }
    }

    #[test]
    fn a_password_made_of_the_email_is_refused() {
        let refused =
            NewPassword::parse("ninabeats", &["ninabeats@example.com", "ninabeats"]).unwrap_err();
        assert_eq!(refused.key, "errors.password_too_common");
    }

    #[test]
    fn length_limits_are_8_and_128_characters() {
        assert_eq!(
            NewPassword::parse("Zq9#", &[]).unwrap_err().key,
            "errors.password_too_short"
        );
        assert!(NewPassword::parse("tz9-Kq2v", &[]).is_ok());
        let words = [
            "copper", "lantern", "violet", "harbour", "saffron", "kettle", "meadow", "quartz",
            "thimble", "orchard", "falcon", "juniper", "pebble", "zephyr", "marble", "cobalt",
            "tundra", "walnut", "ember", "lagoon",
        ];
        let mut joined = String::new();
        for (i, word) in words.iter().enumerate() {
            joined.push_str(word);
            joined.push_str(&i.to_string());
        }
        let long: String = joined.chars().take(128).collect();
        assert_eq!(long.chars().count(), 128);
        assert!(NewPassword::parse(&long, &[]).is_ok());
        let too_long = format!("{long}x");
        assert_eq!(
            NewPassword::parse(&too_long, &[]).unwrap_err().key,
            "errors.password_too_long"
        );
    }

    #[test]
    fn a_new_password_never_prints() {
        let password = NewPassword::parse("correct-horse-battery", &[]).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
