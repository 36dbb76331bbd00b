//! `X-Hub-Signature-256`: the HMAC-SHA256 of a delivery's raw bytes under the app secret, written
//! `sha256=<lowercase hex>`, and its check in constant time.

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "sha256=";

/// The header Meta sends with `body` signed by `secret`: `sha256=<lowercase hex>`.
#[must_use]
pub fn signature_header(secret: &[u8], body: &[u8]) -> String {
    let digest = keyed(secret, body)
        .map(|mac| mac.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    format!("{PREFIX}{}", hex(&digest))
}

/// Whether `header` is the signature of `body` under `secret`, compared in constant time. A missing
/// header, another scheme than `sha256=`, bad hex or a digest of the wrong length never match.
#[must_use]
pub fn signature_matches(secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(claimed) = header
        .and_then(|h| h.trim().strip_prefix(PREFIX))
        .and_then(unhex)
    else {
        return false;
    };
    // `verify_slice` compares in constant time and refuses a slice of the wrong length.
    keyed(secret, body).is_some_and(|mac| mac.verify_slice(&claimed).is_ok())
}

/// The MAC of `body` under `secret`. HMAC takes a key of any length, so `None` never happens; it is
/// handled rather than unwrapped.
fn keyed(secret: &[u8], body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(body);
    Some(mac)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The bytes of hex `text` (either case), `None` when it is not hex.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

fn nibble(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"demo-instagram-secret";
    const BODY: &[u8] = br#"{"object":"instagram","entry":[]}"#;
    /// Computed apart from this code: python3 `hmac.new(b"demo-instagram-secret", body, hashlib.sha256)`.
    const EXPECTED: &str =
        "sha256=09d196815ac959b774314b5cde7d9c7c66386b686e755c600a381fd957facc84";

    #[test]
    fn the_header_is_the_lowercase_hex_hmac_sha256_of_the_body() {
        assert_eq!(signature_header(SECRET, BODY), EXPECTED);
    }

    #[test]
    fn a_key_longer_than_a_block_is_hashed_as_hmac_says() {
        // python3: hmac.new(b"k" * 100, b"", hashlib.sha256).hexdigest()
        assert_eq!(
            signature_header(&[b'k'; 100], b""),
            "sha256=d46761768ee3c864fc76c08b3d73c8092853ae3fefa01b990963dfa2d56e7334"
        );
    }

    #[test]
    fn a_delivery_signed_with_the_app_secret_matches() {
        assert!(signature_matches(SECRET, BODY, Some(EXPECTED)));
    }

    #[test]
    fn a_signature_in_uppercase_hex_matches_too() {
        let upper = format!("sha256={}", EXPECTED["sha256=".len()..].to_uppercase());
        assert!(signature_matches(SECRET, BODY, Some(&upper)));
    }

    #[test]
    fn a_delivery_with_a_wrong_signature_is_refused() {
        let other = signature_header(b"another-secret", BODY);
        assert!(!signature_matches(SECRET, BODY, Some(&other)));
    }

    #[test]
    fn a_body_changed_by_one_byte_is_refused() {
        let changed = br#"{"object":"instagram","entry":[ ]}"#;
        assert!(!signature_matches(SECRET, changed, Some(EXPECTED)));
    }

    #[test]
    fn a_missing_header_is_refused() {
        assert!(!signature_matches(SECRET, BODY, None));
    }

    #[test]
    fn a_header_without_the_sha256_prefix_is_refused() {
        let bare = &EXPECTED["sha256=".len()..];
        assert!(!signature_matches(SECRET, BODY, Some(bare)));
        let sha1 = format!("sha1={bare}");
        assert!(!signature_matches(SECRET, BODY, Some(&sha1)));
    }

    #[test]
    fn a_header_with_bad_hex_or_the_wrong_length_is_refused() {
        let bad_hex = EXPECTED.replace('d', "g");
        let short = &EXPECTED[..EXPECTED.len() - 2];
        let odd = &EXPECTED[..EXPECTED.len() - 1];
        let long = format!("{EXPECTED}00");
        for header in [
            bad_hex.as_str(),
            short,
            odd,
            long.as_str(),
            "sha256=",
            "sha256=é1",
        ] {
            assert!(!signature_matches(SECRET, BODY, Some(header)), "{header}");
        }
    }
}
