//! Instagram webhook deliveries: whatever bytes arrive, `webhook::parse` answers in time with items or
//! a reason; a delivery it reads has one item per change, messaging and standby item, each of which
//! writes a JSON line of the command's keys. The signature check never panics either.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{HUGE, budget, config, config_divided, hostile_text, mutated, timed};
use crate::platforms::instagram::webhook::{Item, parse, signature_matches};

/// The sample bodies of the unit and command tests.
fn samples() -> Vec<String> {
    [
        include_str!("../../tests/fixtures/instagram/comment.json"),
        include_str!("../../tests/fixtures/instagram/reply.json"),
        include_str!("../../tests/fixtures/instagram/mention.json"),
        include_str!("../../tests/fixtures/instagram/message.json"),
        include_str!("../../tests/fixtures/instagram/echo.json"),
        include_str!("../../tests/fixtures/instagram/reaction.json"),
        include_str!("../../tests/fixtures/instagram/standby.json"),
        include_str!("../../tests/fixtures/instagram/batched.json"),
        include_str!("../../tests/fixtures/instagram/unknown_field.json"),
        include_str!("../../tests/fixtures/instagram/dashboard_test.json"),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Any JSON scalar, with the numbers and strings that sit on the parser's edges.
fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        proptest::sample::select(
            &[
                0,
                -1,
                99_999_999_999,
                100_000_000_000,
                1_755_779_280,
                1_761_287_294_014,
                8_210_266_876_799,
                8_210_266_876_800_000,
                i64::MAX,
                i64::MIN,
            ][..]
        )
        .prop_map(Value::from),
        "[0-9]{1,20}".prop_map(Value::from),
        hostile_text().prop_map(Value::from),
        Just(json!("")),
        Just(json!(" ")),
        Just(json!([])),
        Just(json!({})),
    ]
    .boxed()
}

/// An id: a real-looking one (the account's own now and then, to make echoes and own comments), and,
/// when `noisy`, now and then anything.
fn id(noisy: bool) -> BoxedStrategy<Value> {
    let real = prop_oneof![
        Just(json!("17841400000000001")),
        "[0-9]{1,18}".prop_map(Value::from),
    ];
    if noisy {
        prop_oneof![20 => real, 1 => leaf()].boxed()
    } else {
        real.boxed()
    }
}

/// A time in seconds or milliseconds from 1970 to the year 2200, and, when `noisy`, now and then
/// anything.
fn time(noisy: bool) -> BoxedStrategy<Value> {
    let real = prop_oneof![
        (0_i64..7_258_118_400).prop_map(Value::from),
        (100_000_000_000_i64..7_258_118_400_000).prop_map(Value::from),
    ];
    if noisy {
        prop_oneof![10 => real, 1 => leaf()].boxed()
    } else {
        real.boxed()
    }
}

/// One of `words`, and, when `noisy`, now and then anything.
fn word(words: &'static [&'static str], noisy: bool) -> BoxedStrategy<Value> {
    let real = proptest::sample::select(words).prop_map(Value::from);
    if noisy {
        prop_oneof![20 => real, 1 => leaf()].boxed()
    } else {
        real.boxed()
    }
}

/// An array of up to three `item`s, and, when `noisy`, now and then anything else.
fn array(item: BoxedStrategy<Value>, noisy: bool) -> BoxedStrategy<Value> {
    let real = proptest::collection::vec(item, 0..4).prop_map(Value::Array);
    if noisy {
        prop_oneof![20 => real, 1 => leaf()].boxed()
    } else {
        real.boxed()
    }
}

/// An object of `fields`; when `noisy`, each is missing one time in ten, and the object is now and then
/// anything else.
fn object(fields: Vec<(&'static str, BoxedStrategy<Value>)>, noisy: bool) -> BoxedStrategy<Value> {
    let pairs: Vec<BoxedStrategy<Option<(&str, Value)>>> = fields
        .into_iter()
        .map(|(key, value)| {
            let pair = value.prop_map(move |v| (key, v));
            if noisy {
                proptest::option::weighted(0.9, pair).boxed()
            } else {
                pair.prop_map(Some).boxed()
            }
        })
        .collect();
    let real = pairs.prop_map(|pairs| {
        Value::Object(
            pairs
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    });
    if noisy {
        prop_oneof![30 => real, 1 => leaf()].boxed()
    } else {
        real.boxed()
    }
}

fn change(noisy: bool) -> BoxedStrategy<Value> {
    let from = object(vec![("id", id(noisy)), ("username", leaf())], noisy);
    let value = object(
        vec![
            ("id", id(noisy)),
            ("from", from),
            ("text", leaf()),
            ("media", object(vec![("id", id(noisy))], noisy)),
            ("parent_id", id(noisy)),
            ("comment_id", id(noisy)),
            ("media_id", id(noisy)),
        ],
        noisy,
    );
    let fields = &["comments", "live_comments", "mentions", "story_insights"];
    object(
        vec![("field", word(fields, noisy)), ("value", value)],
        noisy,
    )
}

/// A messaging item: a message, a reaction or a read receipt.
fn messaging_item(noisy: bool) -> BoxedStrategy<Value> {
    let message = object(
        vec![
            ("mid", id(noisy)),
            ("text", leaf()),
            ("is_echo", any::<bool>().prop_map(Value::from).boxed()),
            ("is_deleted", leaf()),
            ("reply_to", object(vec![("mid", id(noisy))], noisy)),
        ],
        noisy,
    );
    let reaction = object(
        vec![
            ("mid", id(noisy)),
            ("action", word(&["react", "unreact"], noisy)),
            ("reaction", leaf()),
            ("emoji", leaf()),
        ],
        noisy,
    );
    let read = object(vec![("mid", id(noisy))], noisy);
    let event = prop_oneof![
        message.prop_map(|m| ("message", m)),
        reaction.prop_map(|r| ("reaction", r)),
        read.prop_map(|r| ("read", r)),
    ];
    let parties = object(
        vec![
            ("sender", object(vec![("id", id(noisy))], noisy)),
            ("recipient", object(vec![("id", id(noisy))], noisy)),
            ("timestamp", time(noisy)),
        ],
        noisy,
    );
    (parties, event)
        .prop_map(|(mut item, (key, event))| {
            if let Value::Object(fields) = &mut item {
                fields.insert(key.to_owned(), event);
            }
            item
        })
        .boxed()
}

/// A body of a delivery's shape; when `noisy`, any part of it may be missing or of the wrong type.
fn delivery(noisy: bool) -> BoxedStrategy<Value> {
    let entry = object(
        vec![
            ("id", id(noisy)),
            ("time", time(noisy)),
            ("changes", array(change(noisy), noisy)),
            ("messaging", array(messaging_item(noisy), noisy)),
            ("standby", array(messaging_item(noisy), noisy)),
        ],
        noisy,
    );
    object(
        vec![
            ("object", word(&["instagram"], noisy)),
            ("entry", array(entry, noisy)),
        ],
        noisy,
    )
}

/// The number of items a delivery holds: its entries' changes, messaging and standby items.
fn items_in(body: &Value) -> usize {
    body["entry"].as_array().map_or(0, |entries| {
        entries
            .iter()
            .flat_map(|e| ["changes", "messaging", "standby"].map(|key| &e[key]))
            .filter_map(Value::as_array)
            .map(Vec::len)
            .sum()
    })
}

/// What `parse` promises, checked on one body: it answers in time, with no more items than bytes, and
/// every item writes a JSON object line with the command's keys.
fn check(body: &[u8]) -> Result<Vec<Item>, TestCaseError> {
    let (read, took) = timed(|| parse(body));
    prop_assert!(
        took <= budget(body.len()),
        "{took:?} for {} bytes",
        body.len()
    );
    let Ok(items) = read else {
        return Ok(Vec::new());
    };
    prop_assert!(items.len() <= body.len());
    for item in &items {
        let line: Value = serde_json::from_str(&item.to_json_line())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for key in [
            "kind",
            "direction",
            "account_id",
            "external_id",
            "occurred_at",
        ] {
            prop_assert!(line.get(key).is_some(), "{key} missing from {line}");
        }
    }
    Ok(items)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_read_in_time_as_items_or_a_reason(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check(&bytes)?;
        prop_assert!(!signature_matches(b"secret", &bytes, std::str::from_utf8(&bytes).ok()));
    }

    #[test]
    fn any_text_is_read_in_time_as_items_or_a_reason(text in hostile_text()) {
        check(text.as_bytes())?;
    }

    #[test]
    fn a_real_delivery_cut_up_and_spliced_is_read_in_time(text in mutated(samples())) {
        check(text.as_bytes())?;
    }

    #[test]
    fn a_body_of_roughly_a_deliverys_shape_is_read_whole_or_refused(body in delivery(true)) {
        let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Ok(items) = parse(&bytes) {
            prop_assert_eq!(items.len(), items_in(&body));
        }
        check(&bytes)?;
    }

    #[test]
    fn a_delivery_of_the_right_shape_is_read_whole(body in delivery(false)) {
        let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read = parse(&bytes);
        prop_assert!(read.is_ok(), "{:?} for {}", read, body);
        prop_assert_eq!(read.map(|items| items.len()).unwrap_or_default(), items_in(&body));
        check(&bytes)?;
    }
}

proptest! {
    #![proptest_config(config_divided(32))]

    #[test]
    fn a_huge_batch_is_read_in_time(size in HUGE, sample in proptest::sample::select(samples())) {
        // One entry of the sample, repeated until the body is `size` bytes.
        let mut body: Value = serde_json::from_str(&sample).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let entry = body["entry"][0].clone();
        let copies = size / entry.to_string().len().max(1) + 1;
        body["entry"] = Value::Array(vec![entry; copies]);
        let bytes = serde_json::to_vec(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let items = check(&bytes)?;
        prop_assert!(items.len() >= copies);
    }
}

#[test]
fn the_samples_are_deliveries_with_items() {
    for sample in samples() {
        let items = parse(sample.as_bytes()).unwrap();
        assert!(!items.is_empty(), "{sample}");
    }
}
