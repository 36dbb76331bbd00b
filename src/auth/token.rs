//! Single-use link tokens (password resets, email verification, invitations): 256 random bits for the
//! link, and only their SHA-256 in the database, so a copy of the database opens nothing.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// A fresh token and the hash to store.
pub struct LinkToken {
    /// What the link carries; shown once, in the email.
    pub token: String,
    pub hash: Vec<u8>,
}

impl LinkToken {
    #[must_use]
    pub fn generate() -> Self {
        let mut raw = [0_u8; 32];
        rand::fill(&mut raw);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let hash = hash(&token);
        Self { token, hash }
    }
}

/// The stored form of a token a link brought back.
#[must_use]
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_long_random_and_stored_only_as_its_hash() {
        let (a, b) = (LinkToken::generate(), LinkToken::generate());
        assert_ne!(a.token, b.token);
        assert_eq!(a.token.len(), 43);
        assert_eq!(hash(&a.token), a.hash);
        assert_ne!(a.hash, a.token.as_bytes());
    }
}
