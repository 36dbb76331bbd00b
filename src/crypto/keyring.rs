//! The keyring (`VISTAFLOW_SECRET_KEYS`: `id:base64key,...`, the first one current) and sealing/opening.

use std::fmt;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretBox, SecretSlice};

use crate::domain::platform::Platform;

/// What a secret is for; part of the associated data, so a secret cannot be reused for another purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The credentials of a connected account on its platform (a browser session or an access token).
    Credentials(Platform),
}

impl Purpose {
    /// The stored purpose, from the registry of platforms (byte-identical to what sealed the secrets).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Purpose::Credentials(platform) => platform.secret_purpose(),
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Platform::ALL
            .into_iter()
            .map(Purpose::Credentials)
            .find(|p| p.as_str() == input)
    }
}

/// The owner and purpose a ciphertext is bound to: opened anywhere else, it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretContext {
    pub workspace_id: i64,
    pub account_id: i64,
    pub purpose: Purpose,
}

impl SecretContext {
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "vistaflow:v1:{}:workspace={}:account={}",
            self.purpose.as_str(),
            self.workspace_id,
            self.account_id
        )
        .into_bytes()
    }
}

/// A sealed secret as stored: the id of the key that sealed it, its nonce and the ciphertext (with tag).
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

/// Why a keyring specification was refused (named in the start-up error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("expected at least one key, as id:base64key")]
    Empty,
    #[error("entry {0} is not of the form id:base64key")]
    Malformed(usize),
    #[error("key id {0:?} must be 1 to 32 of a-z, 0-9, - and _")]
    BadId(String),
    #[error(
        "key {0:?} is not 32 bytes of base64 (make one with: head -c 32 /dev/urandom | base64)"
    )]
    BadKey(String),
    #[error("key id {0:?} appears twice")]
    Duplicate(String),
}

/// Why a sealed secret could not be opened. Deliberately vague: no detail of the secret leaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the secret was sealed with key {0:?}, which is not in VISTAFLOW_SECRET_KEYS")]
    UnknownKey(String),
    #[error("the secret does not open here (wrong owner, purpose or key, or it was altered)")]
    Rejected,
}

/// The secret keys, the first one current. Never prints its keys.
pub struct Keyring {
    keys: Vec<(String, SecretBox<[u8; 32]>)>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring")
            .field("key_ids", &ids)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// Reads `id:base64key,id:base64key` (commas, spaces or newlines between entries).
    ///
    /// # Errors
    /// A [`KeyringError`] saying which entry is wrong, without echoing any key.
    pub fn parse(spec: &str) -> Result<Self, KeyringError> {
        let mut keys: Vec<(String, SecretBox<[u8; 32]>)> = Vec::new();
        for (index, entry) in spec
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
        {
            let (id, encoded) = entry
                .split_once(':')
                .ok_or(KeyringError::Malformed(index + 1))?;
            let valid_id = (1..=32).contains(&id.len())
                && id.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !valid_id {
                return Err(KeyringError::BadId(id.to_owned()));
            }
            let bytes = SecretSlice::from(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .unwrap_or_default(),
            );
            let key: [u8; 32] = bytes
                .expose_secret()
                .try_into()
                .map_err(|_| KeyringError::BadKey(id.to_owned()))?;
            if keys.iter().any(|(existing, _)| existing == id) {
                return Err(KeyringError::Duplicate(id.to_owned()));
            }
            keys.push((id.to_owned(), SecretBox::new(Box::new(key))));
        }
        if keys.is_empty() {
            return Err(KeyringError::Empty);
        }
        Ok(Self { keys })
    }

    /// A keyring of one random key, for development and tests.
    #[must_use]
    pub fn generate(id: &str) -> Self {
        let mut key = [0_u8; 32];
        rand::fill(&mut key);
        Self {
            keys: vec![(id.to_owned(), SecretBox::new(Box::new(key)))],
        }
    }

    /// The id of the key new secrets are sealed with.
    #[must_use]
    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    fn cipher(&self, id: &str) -> Option<XChaCha20Poly1305> {
        let (_, key) = self.keys.iter().find(|(key_id, _)| key_id == id)?;
        XChaCha20Poly1305::new_from_slice(key.expose_secret()).ok()
    }

    /// Seals `plaintext` under the current key with a fresh random 192-bit nonce.
    ///
    /// # Panics
    /// Never in practice: the current key is always in the keyring, and encryption only fails for
    /// plaintexts over 256 GiB.
    #[must_use]
    pub fn seal(&self, plaintext: &[u8], context: &SecretContext) -> Sealed {
        let key_id = self.current_id().to_owned();
        let cipher = self
            .cipher(&key_id)
            .expect("the current key is in the keyring");
        let nonce = XNonce::generate();
        let aad = context.associated_data();
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        Sealed {
            key_id,
            nonce: nonce.to_vec(),
            ciphertext,
        }
    }

    /// Opens a sealed secret for exactly the context it was sealed for.
    ///
    /// # Errors
    /// `UnknownKey` when its key is not in the keyring; `Rejected` for any other mismatch or tampering.
    pub fn open(
        &self,
        sealed: &Sealed,
        context: &SecretContext,
    ) -> Result<SecretSlice<u8>, CryptoError> {
        let cipher = self
            .cipher(&sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?;
        let nonce = XNonce::try_from(sealed.nonce.as_slice()).map_err(|_| CryptoError::Rejected)?;
        let aad = context.associated_data();
        cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map(SecretSlice::from)
            .map_err(|_| CryptoError::Rejected)
    }

    /// The secret sealed again under the current key, or `None` when it already is.
    ///
    /// # Errors
    /// As [`Keyring::open`].
    pub fn reseal(
        &self,
        sealed: &Sealed,
        context: &SecretContext,
    ) -> Result<Option<Sealed>, CryptoError> {
        if sealed.key_id == self.current_id() {
            return Ok(None);
        }
        let plaintext = self.open(sealed, context)?;
        Ok(Some(self.seal(plaintext.expose_secret(), context)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: SecretContext = SecretContext {
        workspace_id: 7,
        account_id: 42,
        purpose: Purpose::Credentials(Platform::ALL[0]),
    };

    fn key(byte: u8) -> String {
        base64::engine::general_purpose::STANDARD.encode([byte; 32])
    }

    #[test]
    fn a_sealed_secret_opens_for_its_own_context() {
        let keyring = Keyring::generate("k1");

        let sealed = keyring.seal(b"sessionid=abc123", &CONTEXT);

        assert_eq!(sealed.key_id, "k1");
        assert_eq!(sealed.nonce.len(), 24);
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"abc123"));
        assert_eq!(
            keyring.open(&sealed, &CONTEXT).unwrap().expose_secret(),
            b"sessionid=abc123"
        );
    }

    #[test]
    fn two_seals_of_one_secret_use_different_nonces() {
        let keyring = Keyring::generate("k1");
        let (a, b) = (
            keyring.seal(b"same", &CONTEXT),
            keyring.seal(b"same", &CONTEXT),
        );
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn a_ciphertext_copied_to_another_account_workspace_or_purpose_does_not_open() {
        let keyring = Keyring::generate("k1");
        let sealed = keyring.seal(b"secret", &CONTEXT);

        for other in [
            SecretContext {
                account_id: 43,
                ..CONTEXT
            },
            SecretContext {
                workspace_id: 8,
                ..CONTEXT
            },
            SecretContext {
                purpose: Purpose::Credentials(Platform::ALL[1]),
                ..CONTEXT
            },
        ] {
            assert_eq!(
                keyring.open(&sealed, &other).unwrap_err(),
                CryptoError::Rejected
            );
        }
    }

    #[test]
    fn a_tampered_ciphertext_does_not_open() {
        let keyring = Keyring::generate("k1");
        let mut sealed = keyring.seal(b"secret", &CONTEXT);
        sealed.ciphertext[0] ^= 1;
        assert_eq!(
            keyring.open(&sealed, &CONTEXT).unwrap_err(),
            CryptoError::Rejected
        );
    }

    #[test]
    fn a_secret_sealed_with_an_unknown_key_id_is_refused_by_name() {
        let sealed = Keyring::generate("old").seal(b"secret", &CONTEXT);
        let error = Keyring::generate("new")
            .open(&sealed, &CONTEXT)
            .unwrap_err();
        assert_eq!(error, CryptoError::UnknownKey("old".to_owned()));
    }

    #[test]
    fn rotation_reseals_under_the_current_key_and_the_old_key_can_then_go() {
        let old_only = Keyring::parse(&format!("k1:{}", key(1))).unwrap();
        let sealed = old_only.seal(b"secret", &CONTEXT);
        let rotated = Keyring::parse(&format!("k2:{}, k1:{}", key(2), key(1))).unwrap();

        let resealed = rotated
            .reseal(&sealed, &CONTEXT)
            .unwrap()
            .expect("resealed under k2");
        let new_only = Keyring::parse(&format!("k2:{}", key(2))).unwrap();

        assert_eq!(resealed.key_id, "k2");
        assert_eq!(
            new_only.open(&resealed, &CONTEXT).unwrap().expose_secret(),
            b"secret"
        );
        assert_eq!(
            rotated.reseal(&resealed, &CONTEXT).unwrap(),
            None,
            "already current"
        );
    }

    #[test]
    fn malformed_keyrings_are_refused_without_echoing_keys() {
        assert_eq!(Keyring::parse("").unwrap_err(), KeyringError::Empty);
        assert_eq!(
            Keyring::parse("nokey").unwrap_err(),
            KeyringError::Malformed(1)
        );
        assert_eq!(
            Keyring::parse(&format!("Bad!:{}", key(1))).unwrap_err(),
            KeyringError::BadId("Bad!".to_owned())
        );
        let short = base64::engine::general_purpose::STANDARD.encode([1_u8; 16]);
        let error = Keyring::parse(&format!("k1:{short}")).unwrap_err();
        assert_eq!(error, KeyringError::BadKey("k1".to_owned()));
        assert!(!error.to_string().contains(&short));
        assert_eq!(
            Keyring::parse(&format!("k1:{},k1:{}", key(1), key(2))).unwrap_err(),
            KeyringError::Duplicate("k1".to_owned())
        );
    }

    #[test]
    fn keys_and_plaintexts_never_print() {
        let keyring = Keyring::parse(&format!("k1:{}", key(9))).unwrap();
        let sealed = keyring.seal(b"sessionid=abc123", &CONTEXT);
        let printed = format!(
            "{keyring:?} {sealed:?} {:?}",
            keyring.open(&sealed, &CONTEXT).unwrap()
        );
        assert!(
            !printed.contains(&key(9)) && !printed.contains("abc123") && !printed.contains("9, 9"),
            "{printed}"
        );
    }
}
