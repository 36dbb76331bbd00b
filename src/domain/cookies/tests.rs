//! The cookie parser against every format, their malformed variants, foreign domains and placeholders.

use chrono::{TimeZone as _, Utc};
use proptest::prelude::*;

use super::*;

const SITE: Site<'static> = Site {
    host: "www.example.com",
    session_cookies: &["sessionid", "sessionid_ss", "sid_tt"],
    expiry_cookie: Some("sid_guard"),
};
const SESSION: &str = "4f9c2a7e1b8d3c6a5e0f";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

/// A `sid_guard` issued a week before `now()`, valid for 60 days.
fn sid_guard() -> String {
    let issued = now().timestamp() - 7 * 86_400;
    format!("{SESSION}%7C{issued}%7C5184000%7CSat%2C+16-Jan-2027+12%3A00%3A00+GMT")
}

#[test]
fn a_cookie_header_string_is_read_and_gets_the_site_as_domain() {
    let jar = parse(
        &format!("Cookie: sessionid={SESSION}; tt_csrf_token=Ab-12_cd; ttwid=1%7Cxyz"),
        SITE,
        now(),
    )
    .unwrap();

    assert_eq!(jar.format, CookieFormat::HeaderString);
    assert_eq!(
        jar.cookies
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["sessionid", "tt_csrf_token", "ttwid"]
    );
    assert_eq!(jar.get("ttwid").unwrap().value, "1%7Cxyz");
    assert_eq!(jar.get("sessionid").unwrap().domain, SITE.host);
    assert_eq!(jar.session_expires, None);
}

#[test]
fn a_header_piece_without_equals_is_named_by_position() {
    let error = parse(&format!("sessionid={SESSION}; garbage; a=1"), SITE, now()).unwrap_err();
    assert_eq!(error, CookieImportError::HeaderPiece { position: 2 });
}

#[test]
fn a_netscape_file_is_read_with_http_only_lines_and_the_expiry_from_sid_guard() {
    let file = format!(
        "# Netscape HTTP Cookie File\n# This is a generated file!\n\n\
         .example.com\tTRUE\t/\tTRUE\t1800000000\tsid_guard\t{}\n\
         #HttpOnly_.example.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\t{SESSION}\n\
         .example.com\tTRUE\t/\tFALSE\t0\tmsToken\tabc\n\
         .instagram.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\tother-site-session\n",
        sid_guard()
    );

    let jar = parse(&file, SITE, now()).unwrap();

    assert_eq!(jar.format, CookieFormat::Netscape);
    assert_eq!(jar.cookies.len(), 3, "the instagram.com cookie is dropped");
    let session = jar.get("sessionid").unwrap();
    assert!(session.http_only && session.secure);
    assert_eq!(session.domain, "example.com");
    assert_eq!(jar.get("msToken").unwrap().expires, None);
    assert_eq!(
        jar.session_expires,
        Some(now() - chrono::Duration::days(7) + chrono::Duration::days(60))
    );
}

#[test]
fn a_netscape_line_with_missing_fields_is_named_with_its_count() {
    let file = format!(
        "# Netscape HTTP Cookie File\n.example.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\t{SESSION}\n.example.com\tTRUE\t/\tTRUE\t1800000000\n"
    );
    let error = parse(&file, SITE, now()).unwrap_err();
    assert_eq!(
        error,
        CookieImportError::NetscapeFields { line: 3, found: 5 }
    );
    assert_eq!(
        error.to_string(),
        "this looks like a cookies.txt file, but line 3 has 5 fields instead of 7"
    );
}

#[test]
fn a_netscape_expiry_that_is_not_a_number_is_named() {
    let file = format!(".example.com\tTRUE\t/\tTRUE\tsoon\tsessionid\t{SESSION}\n");
    assert_eq!(
        parse(&file, SITE, now()).unwrap_err(),
        CookieImportError::NetscapeExpiry { line: 1 }
    );
}

#[test]
fn editthiscookie_json_is_read_and_foreign_domains_are_dropped() {
    let json = format!(
        r#"[
          {{"domain": ".example.com", "expirationDate": 1800000000.5, "hostOnly": false, "httpOnly": true, "name": "sessionid",
            "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "storeId": "0", "value": "{SESSION}", "id": 1}},
          {{"domain": "www.example.com", "hostOnly": true, "httpOnly": false, "name": "tt_chain_token", "path": "/",
            "sameSite": "lax", "secure": true, "session": true, "storeId": "0", "value": "chain", "id": 2}},
          {{"domain": ".google.com", "expirationDate": 1800000000, "name": "NID", "path": "/", "value": "g", "id": 3}}
        ]"#
    );

    let jar = parse(&json, SITE, now()).unwrap();

    assert_eq!(jar.format, CookieFormat::ExtensionJson);
    assert_eq!(jar.cookies.len(), 2);
    assert_eq!(
        jar.get("sessionid").unwrap().expires,
        Utc.timestamp_opt(1_800_000_000, 0).single()
    );
    assert_eq!(
        jar.get("tt_chain_token").unwrap().expires,
        None,
        "a session cookie has no expiry"
    );
    assert_eq!(
        jar.session_expires,
        Utc.timestamp_opt(1_800_000_000, 0).single()
    );
}

#[test]
fn playwright_cookies_and_storage_state_are_read() {
    let list = format!(
        r#"[{{"name": "sessionid", "value": "{SESSION}", "domain": ".example.com", "path": "/", "expires": -1, "httpOnly": true, "secure": true, "sameSite": "Lax"}}]"#
    );
    let state = format!(
        r#"{{"cookies": {list}, "origins": [{{"origin": "https://www.example.com", "localStorage": []}}]}}"#
    );

    let from_list = parse(&list, SITE, now()).unwrap();
    let from_state = parse(&state, SITE, now()).unwrap();

    assert_eq!(from_list.format, CookieFormat::PlaywrightJson);
    assert_eq!(from_state.format, CookieFormat::PlaywrightJson);
    assert_eq!(from_list.cookies, from_state.cookies);
    assert_eq!(
        from_list.get("sessionid").unwrap().expires,
        None,
        "expires -1 is a session cookie"
    );
}

#[test]
fn broken_json_is_located_and_an_entry_without_value_is_named() {
    let broken = parse("[{\"name\": \"sessionid\",\n \"value\": }]", SITE, now()).unwrap_err();
    let no_value = parse(
        r#"[{"name": "sessionid", "domain": ".example.com"}]"#,
        SITE,
        now(),
    )
    .unwrap_err();
    let not_cookies = parse(r#"{"user": "nina"}"#, SITE, now()).unwrap_err();

    assert!(
        matches!(broken, CookieImportError::InvalidJson { line: 2, .. }),
        "{broken:?}"
    );
    assert_eq!(
        no_value,
        CookieImportError::JsonEntry {
            index: 1,
            field: "value"
        }
    );
    assert_eq!(not_cookies, CookieImportError::JsonNotCookies);
}

#[test]
fn a_devtools_table_copy_is_read_with_tabs_or_spaces() {
    let tabs = format!(
        "Name\tValue\tDomain\tPath\tExpires / Max-Age\tSize\tHttpOnly\tSecure\tSameSite\tPartition Key\tPriority\n\
         sessionid\t{SESSION}\t.example.com\t/\t2027-01-16T12:00:00.000Z\t41\t✓\t✓\tNone\t\tMedium\n\
         msToken\tabc\t.example.com\t/\tSession\t10\t\t✓\tNone\t\tMedium\n"
    );
    let spaces = format!(
        "sessionid    {SESSION}    .example.com    /    2027-01-16T12:00:00.000Z    41    ✓    ✓    None    Medium\n"
    );

    let jar = parse(&tabs, SITE, now()).unwrap();
    let from_spaces = parse(&spaces, SITE, now()).unwrap();

    assert_eq!(jar.format, CookieFormat::DevToolsTable);
    assert_eq!(jar.cookies.len(), 2);
    let session = jar.get("sessionid").unwrap();
    assert!(session.http_only && session.secure);
    assert_eq!(
        session.expires,
        Utc.with_ymd_and_hms(2027, 1, 16, 12, 0, 0).single()
    );
    assert!(!jar.get("msToken").unwrap().http_only);
    assert_eq!(from_spaces.format, CookieFormat::DevToolsTable);
    assert_eq!(from_spaces.get("sessionid").unwrap().value, SESSION);
}

#[test]
fn cookies_of_another_site_only_are_refused_with_the_site_named() {
    let json = r#"[{"name": "sessionid", "value": "abcdefgh12345", "domain": ".instagram.com"}, {"name": "csrftoken", "value": "x", "domain": ".instagram.com"}]"#;
    let error = parse(json, SITE, now()).unwrap_err();
    assert_eq!(
        error,
        CookieImportError::NoCookiesForSite {
            found: 2,
            site: "example.com".to_owned()
        }
    );
}

#[test]
fn cookies_without_a_session_are_refused_with_what_to_do() {
    let error = parse("tt_csrf_token=abc; ttwid=xyz", SITE, now()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no sessionid cookie found for example.com: copy the cookies while logged in to example.com"
    );
}

#[test]
fn placeholders_are_refused() {
    for value in [
        "<your sessionid>",
        "xxxxxxxxxxxx",
        "...",
        "PASTE_HERE",
        "abc",
        "0000000000000000",
        "your_session_id_here",
    ] {
        let error = parse(&format!("sessionid={value}"), SITE, now()).unwrap_err();
        assert_eq!(error, CookieImportError::Placeholder, "{value}");
    }
}

#[test]
fn an_expired_session_is_refused_with_its_date() {
    let issued = now().timestamp() - 90 * 86_400;
    let guard = format!("{SESSION}%7C{issued}%7C5184000%7Cwhenever");
    let error = parse(
        &format!("sessionid={SESSION}; sid_guard={guard}"),
        SITE,
        now(),
    )
    .unwrap_err();
    assert!(
        matches!(error, CookieImportError::Expired { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("log in to example.com again"));
}

#[test]
fn the_demo_network_on_a_local_address_is_a_site_like_any_other() {
    let jar = parse(
        &format!(r#"[{{"name": "sessionid", "value": "{SESSION}", "domain": "127.0.0.1"}}]"#),
        Site {
            host: "127.0.0.1",
            ..SITE
        },
        now(),
    )
    .unwrap();
    assert_eq!(jar.cookies.len(), 1);
}

#[test]
fn text_that_is_not_cookies_is_unrecognised_and_nothing_is_empty() {
    assert_eq!(
        parse("hello, here are my cookies", SITE, now()).unwrap_err(),
        CookieImportError::Unrecognised
    );
    assert_eq!(
        parse("  \n ", SITE, now()).unwrap_err(),
        CookieImportError::Empty
    );
}

#[test]
fn no_refusal_repeats_a_cookie_value() {
    let secret = "s3cr3t-v4lue-never-shown";
    let inputs = [
        format!("sessionid={secret}; broken"),
        format!(".example.com\tTRUE\t/\tTRUE\t1800000000\tsessionid\n{secret}"),
        format!(r#"[{{"name": "sessionid", "value": "{secret}", "domain": ".instagram.com"}}]"#),
        format!("csrf={secret}"),
    ];
    for input in inputs {
        let error = parse(&input, SITE, now()).unwrap_err();
        assert!(
            !error.to_string().contains(secret) && !format!("{error:?}").contains(secret),
            "{error}"
        );
    }
    let jar = parse(&format!("sessionid={secret}"), SITE, now()).unwrap();
    assert!(!format!("{jar:?}").contains(secret));
}

proptest! {
    #[test]
    fn any_jar_written_as_a_header_string_reads_back_the_same(
        others in proptest::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,15}", "[A-Za-z0-9%._-]{1,40}"), 0..12),
        session in "[a-f0-9]{16,40}",
    ) {
        let mut cookies = vec![Cookie { name: "sessionid".into(), value: session, domain: SITE.host.into(), path: "/".into(), secure: true, http_only: false, expires: None }];
        for (name, value) in others {
            if cookies.iter().all(|c| c.name != name) {
                cookies.push(Cookie { name, value, domain: SITE.host.into(), path: "/".into(), secure: true, http_only: false, expires: None });
            }
        }
        let jar = CookieJar { format: CookieFormat::HeaderString, cookies, session_expires: None };

        let read = parse(&jar.to_header_string(), SITE, now()).unwrap();

        prop_assert_eq!(read.cookies, jar.cookies);
    }
}
