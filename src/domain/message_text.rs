//! The text of a message template: its variables (`{handle}`, `{display_name}`, `{platform}`,
//! `{interaction}`) and how they are filled or checked, without a lead.

/// The variables a template may use.
pub const VARIABLES: [&str; 4] = ["handle", "display_name", "platform", "interaction"];

/// A template names a variable that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariable(pub String);

/// Fills `template`'s variables; an unknown `{name}` is refused, a lone brace is kept as it is.
pub fn render(
    template: &str,
    value_of: impl Fn(&str) -> Option<String>,
) -> Result<String, UnknownVariable> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
                    && close > 0 =>
            {
                let name = &after[..close];
                out.push_str(&value_of(name).ok_or_else(|| UnknownVariable(name.to_owned()))?);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Refuses a template that names a variable outside [`VARIABLES`] (the first one found), without a lead.
pub fn check(template: &str) -> Result<(), UnknownVariable> {
    render(template, |name| VARIABLES.contains(&name).then(String::new)).map(drop)
}
