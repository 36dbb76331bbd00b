//! Pure types and rules: values parsed from input, roles and their rules, throttling policy. No I/O here.

/// An enum stored as a text id: the variants with their ids, `ALL`, `as_str`, `parse` (`None` for any
/// other text) and `Display` (the id), plus the Diesel derives its `Text` mapping in
/// `db/column_types.rs` needs.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $id:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored id.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $id,)+
                }
            }

            /// The value stored as `text`, if any.
            #[must_use]
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($id => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod account;
pub mod analysis;
pub mod contact;
pub mod cookies;
pub mod cursor;
pub mod delivery;
pub mod draft;
pub mod email;
pub mod interaction;
pub mod lead_status;
pub mod lead_type;
pub mod mail;
pub mod message_template;
pub mod message_text;
pub mod names;
pub mod password;
pub mod platform;
pub mod platform_time;
pub mod quota;
pub mod role;
pub mod runs;
pub mod scoring;
pub mod throttle;

pub use email::EmailAddress;
pub use names::{DisplayName, Slug, WorkspaceName};
pub use password::NewPassword;
pub use role::Role;

/// Why a value was refused: a translation key (for the form) and, when useful, the offending detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The i18n key of the message shown next to the field.
    pub key: &'static str,
}

impl Invalid {
    #[must_use]
    pub const fn new(key: &'static str) -> Self {
        Self { key }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key)
    }
}

impl std::error::Error for Invalid {}
