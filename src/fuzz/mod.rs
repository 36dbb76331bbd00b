//! Hostile-input property tests for the parsers of outside input, gathered in one test-only module (not
//! next to each parser) because they share their generators (hostile text, huge inputs, mutations of real
//! samples) and their budget, and one filter runs them all: `cargo test --lib fuzz` (64 cases a property,
//! a few seconds), `VISTAFLOW_FUZZ_CASES=20000 cargo test --lib fuzz` for a long run.
//!
//! Every property checks that the parser does not panic, returns within a time bound and returns output
//! bounded by its input; each parser's module adds the rules its documentation promises.

mod contact;
mod cookies;
mod pages;
mod platform_time;
mod webhook;

use std::time::Duration;

use proptest::prelude::*;

/// The variable that sets the number of cases a property runs (64 when unset).
const CASES_VAR: &str = "VISTAFLOW_FUZZ_CASES";
const DEFAULT_CASES: u32 = 64;

/// The processor time one call may take in a debug build: 2 s, and 8 µs more a byte
/// (6 s for 500 KB; the phone scanner calls the `phonenumber` crate, unoptimised in debug, for every
/// candidate). Generous so that it never flakes, small enough that a quadratic blowup exceeds it.
fn budget(input_len: usize) -> Duration {
    Duration::from_secs(2) + Duration::from_micros(8 * u64::try_from(input_len).unwrap_or(u64::MAX))
}

/// The size of the "huge" inputs.
const HUGE: std::ops::Range<usize> = 100_000..500_000;

/// The cases of a cheap property: `VISTAFLOW_FUZZ_CASES`, else 64.
fn config() -> ProptestConfig {
    config_divided(1)
}

/// The cases of a property whose every case is a huge input: a `divisor`th of `VISTAFLOW_FUZZ_CASES`
/// (so a long run stays within minutes), else 64 / `divisor`; at least 4.
fn config_divided(divisor: u32) -> ProptestConfig {
    let requested = std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases: (requested / divisor).max(4),
        // Shrinking a huge input can take long: a minute, then the smallest failure found so far.
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    }
}

use crate::test_support::cpu_timed as timed;

/// Pieces that break naive parsers: control and invisible characters, separators of every format read
/// here, markup, absurd numbers, and the words the parsers look for.
const NASTY: &[&str] = &[
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{85}",
    "\u{202e}",
    "\u{200b}",
    "\u{200d}",
    "\u{2028}",
    "\u{feff}",
    "\u{fffd}",
    "\u{10ffff}",
    "\u{301}",
    "\t",
    "\r",
    "\n",
    "\r\n",
    " ",
    "  ",
    "\u{a0}",
    "=",
    ";",
    ",",
    ":",
    "|",
    "%7C",
    "\"",
    "'",
    "\\",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "</",
    "/>",
    "<div>",
    "</div>",
    "<li>",
    "<ul>",
    "<p>",
    "<a href=\"/@x\">",
    "<!--",
    "-->",
    "<![CDATA[",
    "<script>",
    "<table>",
    "&",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&nGt;",
    "@",
    "#",
    "#HttpOnly_",
    "+",
    ".",
    "..",
    "...",
    "-",
    "/",
    "0",
    "00",
    "06",
    "+33",
    "-1",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "99999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "262143",
    "-262144",
    "TRUE",
    "false",
    "null",
    "sessionid",
    "sid_guard",
    "sessionid=",
    ".example.com",
    "example.com",
    "www.example.com",
    ".com",
    "ago",
    "il y a ",
    " weeks",
    " sem.",
    "hier",
    "yesterday",
    "janvier",
    "February",
    "23:59",
    "24:00",
    "é",
    "É",
    "🎧",
    "ﷺ",
    "ß",
    "İ",
    "ǅ",
    "at",
    " at ",
    "dot",
    "[at]",
    "(dot)",
    "arobase",
    "commented:",
    "a commenté :",
    "data-e2e=\"inbox-list-item\"",
    "data-e2e=\"chat-item\"",
];

/// A short run of nasty pieces.
fn nasty() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(NASTY), 1..24).prop_map(|p| p.concat())
}

/// Arbitrary text up to a few KB: any unicode, arbitrary bytes read as UTF-8 (lossily, as a browser or
/// a form would), nasty pieces, and nasty pieces mixed with arbitrary text.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..2048)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        proptest::collection::vec(nasty(), 0..48).prop_map(|p| p.concat()),
        proptest::collection::vec(prop_oneof![nasty(), any::<String>()], 0..32)
            .prop_map(|p| p.concat()),
    ]
}

/// `piece` repeated until the text is `size` bytes long or more.
fn repeated(piece: &str, size: usize) -> String {
    piece.repeat(size / piece.len().max(1) + 1)
}

/// A position in a sample, as a fraction of its length (`0` the start, `u32::MAX` the end), so that an
/// edit means something whatever the length the edits before it left.
type At = u32;

/// One edit of a valid sample.
#[derive(Debug, Clone)]
enum Edit {
    Insert(At, String),
    Delete(At, At),
    Duplicate(At, At),
    /// Swaps two adjacent slices.
    Swap(At, At, At),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<At>(), prop_oneof![nasty(), any::<String>()])
            .prop_map(|(at, text)| Edit::Insert(at, text)),
        (any::<At>(), any::<At>()).prop_map(|(a, b)| Edit::Delete(a, b)),
        (any::<At>(), any::<At>()).prop_map(|(a, b)| Edit::Duplicate(a, b)),
        (any::<At>(), any::<At>(), any::<At>()).prop_map(|(a, b, c)| Edit::Swap(a, b, c)),
    ]
}

/// The position `at` stands for in `len` characters (`0..=len`).
fn position(at: At, len: usize) -> usize {
    let scaled = (u128::from(at) * (len as u128 + 1)) >> 32;
    usize::try_from(scaled).map_or(len, |p| p.min(len))
}

/// Two or three positions, in order.
fn sorted<const N: usize>(at: [At; N], len: usize) -> [usize; N] {
    let mut positions = at.map(|a| position(a, len));
    positions.sort_unstable();
    positions
}

fn apply(sample: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = sample.chars().collect();
    for edit in edits {
        match edit {
            Edit::Insert(at, text) => {
                let at = position(*at, chars.len());
                chars.splice(at..at, text.chars());
            }
            Edit::Delete(a, b) => {
                let [from, to] = sorted([*a, *b], chars.len());
                chars.drain(from..to);
            }
            // Doubling stops at 100 000 characters, so a few edits cannot grow a sample without bound.
            Edit::Duplicate(a, b) if chars.len() < 100_000 => {
                let [from, to] = sorted([*a, *b], chars.len());
                let copy = chars[from..to].to_vec();
                chars.splice(to..to, copy);
            }
            Edit::Duplicate(..) => {}
            Edit::Swap(a, b, c) => {
                let [from, middle, to] = sorted([*a, *b, *c], chars.len());
                chars[from..to].rotate_left(middle - from);
            }
        }
    }
    chars.into_iter().collect()
}

/// One of `samples` after one to eight random edits: insertions of nasty or arbitrary text, deletions,
/// duplications and swaps of slices.
fn mutated(samples: Vec<String>) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(samples),
        proptest::collection::vec(edit(), 1..8),
    )
        .prop_map(|(sample, edits)| apply(&sample, &edits))
}

#[test]
fn the_edits_of_a_mutation_keep_whole_characters_and_do_what_they_say() {
    let sample = "aé🎧b";
    assert_eq!(apply(sample, &[Edit::Insert(0, "<".into())]), "<aé🎧b");
    assert_eq!(apply(sample, &[Edit::Duplicate(0, At::MAX)]), "aé🎧baé🎧b");
    assert_eq!(apply(sample, &[Edit::Delete(0, At::MAX)]), "");
    let swapped = apply(sample, &[Edit::Swap(0, 0, At::MAX)]);
    assert_eq!(swapped.chars().count(), 4);
}
