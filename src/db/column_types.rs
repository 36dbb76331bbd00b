//! How domain types are stored: each enum as its text id (a `Lang` as its code) (`ToSql`/`FromSql` on a `Text` column), the
//! lead's per-kind counts as a JSON object. A stored value that does not read back is an error naming
//! the value and the column, never a default.

use std::io::Write as _;

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Jsonb, Text};

use crate::domain::Role;
use crate::domain::account::{AccountStatus, ConnectedVia};
use crate::domain::analysis::Source;
use crate::domain::contact::Intent;
use crate::domain::delivery::DeliveryStatus;
use crate::domain::draft::{DraftSource, DraftStatus, SentVia};
use crate::domain::interaction::{Direction, Kind, KindCounts};
use crate::domain::lead_status::LeadStatus;
use crate::domain::lead_type::LeadType;
use crate::domain::mail::{MailKind, MailStatus};
use crate::domain::platform_time::Precision;
use crate::domain::runs::{AnalysisTrigger, JobStatus, SyncPhase, SyncStatus, SyncTrigger};
use crate::i18n::Lang;

/// Reads a stored text id back into its enum, or says which value of which column did not parse.
pub(crate) fn parse_stored<T>(
    text: &str,
    column: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> deserialize::Result<T> {
    parse(text).ok_or_else(|| format!("unknown value {text:?} in {column}").into())
}

/// `ToSql`/`FromSql` on `Text` for an enum with `as_str` and `parse`.
macro_rules! text_enum {
    ($type:ty, $column:literal) => {
        text_enum!($type, $column, <$type>::parse);
    };
    ($type:ty, $column:literal, $parse:expr) => {
        impl ToSql<Text, Pg> for $type {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $type {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                parse_stored(&text, $column, $parse)
            }
        }
    };
}

text_enum!(Kind, "interactions.kind");
text_enum!(Direction, "interactions.direction");
text_enum!(DeliveryStatus, "webhook_deliveries.status");
text_enum!(SentVia, "suggested_messages.sent_via");
text_enum!(Precision, "interactions.precision");
text_enum!(Role, "memberships.role or invitations.role", |t| {
    Role::parse(t).ok()
});
text_enum!(AccountStatus, "social_accounts.status");
text_enum!(ConnectedVia, "social_accounts.connected_via");
text_enum!(LeadStatus, "leads.status");
text_enum!(LeadType, "leads.lead_type or message_templates.lead_type");
text_enum!(DraftStatus, "suggested_messages.status");
text_enum!(DraftSource, "suggested_messages.source");
text_enum!(Intent, "leads.intent");
text_enum!(Source, "leads.analysed_by");
text_enum!(SyncTrigger, "sync_runs.trigger");
text_enum!(SyncStatus, "sync_runs.status");
text_enum!(SyncPhase, "sync_runs.phase");
text_enum!(JobStatus, "job_runs.status");
text_enum!(AnalysisTrigger, "analysis_runs.trigger");
text_enum!(MailKind, "sent_emails.kind");
text_enum!(MailStatus, "sent_emails.status");

impl ToSql<Text, Pg> for Lang {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.code().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Text, Pg> for Lang {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
        parse_stored(
            &text,
            "a language column (leads.language, sent_emails.language, message_templates.language, workspaces.language or users.locale)",
            Lang::stored,
        )
    }
}

impl ToSql<Jsonb, Pg> for KindCounts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        // The binary jsonb format: a version byte, then the text.
        out.write_all(&[1])?;
        serde_json::to_writer(&mut *out, &self.to_json())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Jsonb, Pg> for KindCounts {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let value = <serde_json::Value as FromSql<Jsonb, Pg>>::from_sql(bytes)?;
        KindCounts::from_json(&value).map_err(|e| format!("leads.kind_counts: {e}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_kind_that_does_not_parse_is_an_error_naming_it_and_its_column() {
        let error = parse_stored("save", "interactions.kind", Kind::parse).unwrap_err();

        assert_eq!(
            error.to_string(),
            "unknown value \"save\" in interactions.kind"
        );
        assert_eq!(
            parse_stored("comment_like", "interactions.kind", Kind::parse).unwrap(),
            Kind::CommentLike
        );
    }

    #[test]
    fn a_stored_draft_status_or_source_that_does_not_parse_is_an_error_naming_it_and_its_column() {
        reads_back(
            DraftStatus::ALL,
            DraftStatus::as_str,
            DraftStatus::parse,
            "suggested_messages.status",
            "archived",
        );
        reads_back(
            DraftSource::ALL,
            DraftSource::as_str,
            DraftSource::parse,
            "suggested_messages.source",
            "openai",
        );
    }

    /// Every value of `all` reads back from its stored id, and `unknown` is an error naming it and
    /// `column`.
    fn reads_back<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
        column: &str,
        unknown: &str,
    ) {
        for value in all {
            assert_eq!(parse_stored(as_str(*value), column, parse).unwrap(), *value);
        }
        let error = parse_stored(unknown, column, parse).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("unknown value {unknown:?} in {column}")
        );
    }

    #[test]
    fn sync_runs_read_back_their_trigger_status_and_phase_and_refuse_anything_else() {
        use crate::domain::runs::{SyncPhase, SyncStatus, SyncTrigger};

        reads_back(
            SyncTrigger::ALL,
            SyncTrigger::as_str,
            SyncTrigger::parse,
            "sync_runs.trigger",
            "cron",
        );
        reads_back(
            SyncStatus::ALL,
            SyncStatus::as_str,
            SyncStatus::parse,
            "sync_runs.status",
            "done",
        );
        reads_back(
            SyncPhase::ALL,
            SyncPhase::as_str,
            SyncPhase::parse,
            "sync_runs.phase",
            "messages",
        );
    }

    #[test]
    fn job_and_analysis_runs_read_back_their_status_and_trigger_and_refuse_anything_else() {
        use crate::domain::runs::{AnalysisTrigger, JobStatus};

        reads_back(
            JobStatus::ALL,
            JobStatus::as_str,
            JobStatus::parse,
            "job_runs.status",
            "waiting",
        );
        reads_back(
            AnalysisTrigger::ALL,
            AnalysisTrigger::as_str,
            AnalysisTrigger::parse,
            "analysis_runs.trigger",
            "rescore",
        );
    }

    #[test]
    fn sent_emails_read_back_their_kind_and_status_and_refuse_anything_else() {
        use crate::domain::mail::{MailKind, MailStatus};

        reads_back(
            MailKind::ALL,
            MailKind::as_str,
            MailKind::parse,
            "sent_emails.kind",
            "test",
        );
        reads_back(
            MailStatus::ALL,
            MailStatus::as_str,
            MailStatus::parse,
            "sent_emails.status",
            "bounced",
        );
    }

    #[test]
    fn an_account_reads_back_how_it_was_connected_and_refuses_anything_else() {
        reads_back(
            ConnectedVia::ALL,
            ConnectedVia::as_str,
            ConnectedVia::parse,
            "social_accounts.connected_via",
            "password",
        );
    }

    #[test]
    fn a_lead_reads_back_its_intent_and_analyser_and_refuses_anything_else() {
        reads_back(
            Intent::ALL,
            Intent::as_str,
            Intent::parse,
            "leads.intent",
            "buying",
        );
        reads_back(
            Source::ALL,
            Source::as_str,
            Source::parse,
            "leads.analysed_by",
            "openai",
        );
    }

    #[test]
    fn a_stored_language_reads_back_exactly_and_anything_else_is_an_error_not_english() {
        reads_back(&Lang::ALL, Lang::code, Lang::stored, "users.locale", "de");
        for loose in ["EN", " fr", "fr-FR"] {
            assert!(
                parse_stored(loose, "users.locale", Lang::stored).is_err(),
                "{loose}"
            );
        }
    }
}
