//! Secrets at rest: XChaCha20-Poly1305 with a fresh random nonce per write, bound by associated data to
//! their workspace, account and purpose, under keys that carry ids so they can rotate.

mod keyring;

pub use keyring::{CryptoError, Keyring, KeyringError, Purpose, Sealed, SecretContext};
