//! Pasted cookies: whatever is pasted, `cookies::parse` answers in time with a jar that holds only the
//! site's cookies, with a live session, or with a refusal.

use chrono::{DateTime, TimeZone as _, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{HUGE, budget, config, config_divided, hostile_text, mutated, nasty, repeated, timed};
use crate::domain::cookies::{CookieImportError, CookieJar, Site, parse};

const SITE: Site<'static> = Site {
    host: "www.example.com",
    session_cookies: &["sessionid", "sessionid_ss", "sid_tt"],
    expiry_cookie: Some("sid_guard"),
};
const SESSION: &str = "4f9c2a7e1b8d3c6a5e0f";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

/// One valid paste of each format the parser reads.
fn samples() -> Vec<String> {
    let issued = now().timestamp() - 7 * 86_400;
    let guard = format!("{SESSION}%7C{issued}%7C5184000%7CSat%2C+16-Jan-2027+12%3A00%3A00+GMT");
    vec![
        format!(
            "Cookie: sessionid={SESSION}; tt_csrf_token=Ab-12_cd; ttwid=1%7Cxyz; sid_guard={guard}"
        ),
        format!(
            "# Netscape HTTP Cookie File\n\n.example.com\tTRUE\t/\tTRUE\t1800000000\tsid_guard\t{guard}\n\
             #HttpOnly_.example.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\t{SESSION}\n\
             .instagram.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\tother-site-session\n"
        ),
        format!(
            r#"[{{"domain": ".example.com", "expirationDate": 1800000000.5, "hostOnly": false, "httpOnly": true, "name": "sessionid", "path": "/", "secure": true, "session": false, "storeId": "0", "value": "{SESSION}"}},
               {{"domain": ".google.com", "expirationDate": 1800000000, "name": "NID", "path": "/", "value": "g"}}]"#
        ),
        format!(
            r#"{{"cookies": [{{"name": "sessionid", "value": "{SESSION}", "domain": ".example.com", "path": "/", "expires": -1, "httpOnly": true, "secure": true, "sameSite": "Lax"}}], "origins": []}}"#
        ),
        format!(
            "Name\tValue\tDomain\tPath\tExpires / Max-Age\tSize\tHttpOnly\tSecure\n\
             sessionid\t{SESSION}\t.example.com\t/\t2027-01-16T12:00:00.000Z\t41\t✓\t✓\n"
        ),
        format!(
            "sessionid    {SESSION}    .example.com    /    2027-01-16T12:00:00.000Z    41    ✓    ✓\n"
        ),
    ]
}

/// Whether a cookie set for `domain` reaches the site: the site itself or a domain it is under.
fn for_the_site(domain: &str) -> bool {
    let domain = domain.trim_start_matches('.').to_ascii_lowercase();
    !domain.is_empty() && (SITE.host == domain || SITE.host.ends_with(&format!(".{domain}")))
}

/// What `parse` promises, checked on one input.
fn check(input: &str) -> Result<(), TestCaseError> {
    let (read, took) = timed(|| parse(input, SITE, now()));
    prop_assert!(
        took <= budget(input.len()),
        "{took:?} for {} bytes",
        input.len()
    );
    match read {
        Ok(jar) => check_jar(input, &jar),
        Err(CookieImportError::NoCookiesForSite { found, .. }) => {
            prop_assert!(
                found <= input.len(),
                "{found} cookies in {} bytes",
                input.len()
            );
            Ok(())
        }
        Err(_) => Ok(()),
    }
}

fn check_jar(input: &str, jar: &CookieJar) -> Result<(), TestCaseError> {
    prop_assert!(!jar.cookies.is_empty());
    prop_assert!(
        jar.cookies.len() <= input.len(),
        "{} cookies from {} bytes",
        jar.cookies.len(),
        input.len()
    );
    for cookie in &jar.cookies {
        prop_assert!(
            for_the_site(&cookie.domain),
            "{cookie:?} is not for {}",
            SITE.host
        );
        prop_assert!(cookie.name.len() <= input.len() && cookie.value.len() <= input.len());
        prop_assert!(cookie.path.len() <= input.len().max(1));
    }
    prop_assert!(
        SITE.session_cookies
            .iter()
            .any(|name| jar.get(name).is_some()),
        "a jar without a session cookie"
    );
    prop_assert!(
        jar.session_expires.is_none_or(|at| at > now()),
        "an expired session was accepted: {:?}",
        jar.session_expires
    );
    Ok(())
}

/// A JSON value of any of the kinds a field might hold, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            any::<f64>(),
            Just(1e308),
            Just(-1e308),
            Just(f64::MAX),
            Just(1_800_000_000.5),
            Just(-1.0),
            Just(0.0),
        ]
        .prop_map(Value::from),
        prop_oneof![
            nasty(),
            any::<String>(),
            Just(SESSION.to_owned()),
            Just(".example.com".to_owned())
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: &[&str] = &[
    "name",
    "value",
    "domain",
    "path",
    "expires",
    "expirationDate",
    "session",
    "secure",
    "httpOnly",
    "hostOnly",
    "storeId",
    "sameSite",
    "cookies",
];

/// An entry that is almost a cookie: the right field names with right or wrong kinds of values.
fn almost_cookie() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        proptest::sample::select(FIELDS).prop_map(str::to_owned),
        any::<String>(),
    ];
    let right = prop_oneof![
        Just(("name".to_owned(), json!("sessionid"))),
        Just(("value".to_owned(), json!(SESSION))),
        Just(("domain".to_owned(), json!(".example.com"))),
        Just(("domain".to_owned(), json!(".com"))),
        Just(("domain".to_owned(), json!("."))),
        Just(("domain".to_owned(), json!("evil-example.com"))),
        Just(("domain".to_owned(), json!("example.com.evil.com"))),
    ];
    proptest::collection::vec(prop_oneof![(field, any_json()), right], 0..12)
        .prop_map(|fields| Value::Object(fields.into_iter().collect()))
}

/// A paste that is almost a cookie export: a list or a `storageState` of almost-cookies, nested lists,
/// or any JSON at all.
fn almost_cookie_json() -> impl Strategy<Value = String> {
    let entries = proptest::collection::vec(prop_oneof![almost_cookie(), any_json()], 0..8);
    prop_oneof![
        entries.clone().prop_map(|e| Value::Array(e).to_string()),
        entries
            .clone()
            .prop_map(|e| json!({ "cookies": e, "origins": [] }).to_string()),
        entries.prop_map(|e| json!([[e]]).to_string()),
        any_json().prop_map(|v| v.to_string()),
    ]
}

/// `count` distinct cookies of the site, then a session, in each format; or JSON nested `size` deep.
fn huge_paste(format: usize, size: usize) -> String {
    let count = size / 30;
    let numbered = |f: &dyn Fn(usize) -> String| (0..count).map(f).collect::<String>();
    match format % 5 {
        0 => format!(
            "{}sessionid={SESSION}",
            numbered(&|i| format!("cookie_{i}=value_{i}; "))
        ),
        1 => format!(
            "{}.example.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\t{SESSION}\n",
            numbered(&|i| format!(".example.com\tTRUE\t/\tTRUE\t1800000000\tc{i}\tv{i}\n"))
        ),
        2 => format!(
            r#"[{}{{"name":"sessionid","value":"{SESSION}","domain":".example.com"}}]"#,
            numbered(&|i| format!(r#"{{"name":"c{i}","value":"v","domain":".example.com"}},"#))
        ),
        3 => format!(
            "{}sessionid\t{SESSION}\t.example.com\t/\tSession\t10\t\t✓\n",
            numbered(&|i| format!("c{i}\tv{i}\t.example.com\t/\tSession\t10\t\t✓\n"))
        ),
        _ => format!("{}{}", repeated("[", size), repeated("]", size)),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_pasted_as_cookies_is_read_in_time_and_keeps_only_the_sites_live_session(input in hostile_text()) {
        check(&input)?;
    }

    #[test]
    fn a_valid_paste_of_any_format_cut_up_and_spliced_is_read_in_time_and_keeps_only_the_sites_live_session(input in mutated(samples())) {
        check(&input)?;
    }

    #[test]
    fn json_that_is_almost_a_cookie_export_is_read_in_time_and_keeps_only_the_sites_live_session(input in almost_cookie_json()) {
        check(&input)?;
    }
}

proptest! {
    #![proptest_config(config_divided(32))]

    #[test]
    fn a_huge_paste_of_distinct_cookies_in_any_format_is_read_in_time(format in 0_usize..5, size in HUGE) {
        check(&huge_paste(format, size))?;
    }
}

#[test]
fn the_valid_samples_are_accepted() {
    for sample in samples() {
        assert!(parse(&sample, SITE, now()).is_ok(), "{sample}");
    }
}
