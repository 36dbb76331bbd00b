//! The security headers every answer carries.

/// The content security policy: everything from this origin, nothing inline.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The headers every answer carries (the error page of a failed middleware too, see `errors::catch`);
/// names in lower case, as HTTP/2 writes them and `HeaderName::from_static` demands.
pub const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    // Pages show private data: no browser or proxy keeps a copy (static assets set their own policy).
    ("cache-control", "no-store"),
];

/// Sent when the app is served over https: browsers then refuse plain http for a year.
pub const STRICT_TRANSPORT_SECURITY: (&str, &str) = (
    "strict-transport-security",
    "max-age=31536000; includeSubDomains",
);
