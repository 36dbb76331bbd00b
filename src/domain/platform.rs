//! The registry of platforms: every social network VistaFlow knows, its stored id and its name. This is
//! the one file outside `platforms/` that names each network; `platforms::` dispatches on this enum to
//! each network's implementation, so adding a variant here is the first step of adding a platform.

use std::io::Write as _;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;

/// Serialized as its stored id (`"tiktok"`); any other text is an error naming it and the known ids.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    AsExpression,
    FromSqlRow,
    serde::Serialize,
    serde::Deserialize,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Tiktok,
    Instagram,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Tiktok, Platform::Instagram];

    /// The platform assumed where none is given (a line of `vistaflow analyze --input` without one, a
    /// template preview without a lead): the first network VistaFlow read.
    pub const DEFAULT: Platform = Platform::Tiktok;

    /// The id stored in the database and used in URLs and forms.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Tiktok => "tiktok",
            Platform::Instagram => "instagram",
        }
    }

    /// The platform's own name, the same in every language.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Platform::Tiktok => "TikTok",
            Platform::Instagram => "Instagram",
        }
    }

    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == input)
    }

    /// The purpose under which the account's credentials are sealed; part of the associated data of
    /// every stored secret, so these strings never change.
    #[must_use]
    pub const fn secret_purpose(self) -> &'static str {
        match self {
            Platform::Tiktok => "tiktok_session",
            Platform::Instagram => "instagram_token",
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored value that names no known platform.
#[derive(Debug, thiserror::Error)]
#[error("unknown platform {0:?} in the database")]
pub struct UnknownPlatform(pub String);

impl ToSql<Text, Pg> for Platform {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Text, Pg> for Platform {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
        Platform::parse(&text).ok_or_else(|| UnknownPlatform(text).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_platform_is_written_and_read_as_its_id() {
        for platform in Platform::ALL {
            let json = serde_json::to_value(platform).unwrap();
            assert_eq!(json, serde_json::json!(platform.as_str()));
            assert_eq!(serde_json::from_value::<Platform>(json).unwrap(), platform);
        }
        let unknown = serde_json::from_value::<Platform>(serde_json::json!("myspace")).unwrap_err();
        assert!(unknown.to_string().contains("myspace"), "{unknown}");
    }

    #[test]
    fn platforms_read_back_from_their_stored_ids() {
        for platform in Platform::ALL {
            assert_eq!(Platform::parse(platform.as_str()), Some(platform));
        }
        assert_eq!(Platform::parse("myspace"), None);
    }

    #[test]
    fn secret_purposes_stay_the_strings_existing_secrets_were_sealed_with() {
        assert_eq!(Platform::Tiktok.secret_purpose(), "tiktok_session");
        assert_eq!(Platform::Instagram.secret_purpose(), "instagram_token");
    }

    #[test]
    fn an_unknown_stored_platform_is_an_error_naming_the_value() {
        assert_eq!(
            UnknownPlatform("myspace".into()).to_string(),
            "unknown platform \"myspace\" in the database"
        );
    }
}
