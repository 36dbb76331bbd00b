//! The leads CSV export: RFC 4180 records (quoted when needed, CRLF line ends) or, for Excel, a UTF-8
//! byte order mark and semicolons. Cells that a spreadsheet would read as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) get a leading apostrophe, so an exported comment can never
//! run as one. The columns are listed in the README.

use std::borrow::Cow;

use chrono::SecondsFormat;

use crate::db::queries::lead_list::ExportLine;
use crate::domain::contact::Intent;
use crate::domain::interaction::Kind;
use crate::domain::lead_type::LeadType;
use crate::i18n::Lang;

/// The columns before the per-kind counts, in order.
const LEAD_COLUMNS: [&str; 15] = [
    "id",
    "platform",
    "handle",
    "display_name",
    "status",
    "type",
    "confidence",
    "score",
    "intent",
    "phone",
    "email",
    "language",
    "first_seen_at",
    "last_interaction_at",
    "interactions",
];

/// The columns, in order: the lead's, then one count per kind (`Kind::csv_column`).
#[must_use]
pub fn columns() -> Vec<&'static str> {
    LEAD_COLUMNS
        .into_iter()
        .chain(Kind::ALL.into_iter().map(Kind::csv_column))
        .collect()
}

/// How the file is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dialect {
    /// RFC 4180: commas.
    #[default]
    Standard,
    /// What Excel opens as UTF-8 with columns in a French or English locale: a BOM and semicolons.
    Excel,
}

impl Dialect {
    const fn delimiter(self) -> u8 {
        match self {
            Dialect::Standard => b',',
            Dialect::Excel => b';',
        }
    }
}

/// A cell a spreadsheet will show as text, never evaluate.
#[must_use]
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn writer(dialect: Dialect, capacity: usize) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(dialect.delimiter())
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::with_capacity(capacity))
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Flushing into memory cannot fail; were it to, the buffered bytes are still the writer's.
    writer
        .into_inner()
        .unwrap_or_else(|e| e.into_inner().into_inner().unwrap_or_default())
}

/// The start of the file: the byte order mark for Excel, and the header row.
#[must_use]
pub fn header(dialect: Dialect) -> Vec<u8> {
    let mut out = writer(dialect, 256);
    // Writing into memory cannot fail (the only errors are the writer's I/O).
    let _ = out.write_record(columns());
    let mut bytes = Vec::new();
    if dialect == Dialect::Excel {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    bytes.extend(finish(out));
    bytes
}

/// The records of `lines`.
#[must_use]
pub fn records(lines: &[ExportLine], dialect: Dialect) -> Vec<u8> {
    let mut out = writer(dialect, lines.len() * 160);
    for line in lines {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let lead_cells: [String; LEAD_COLUMNS.len()] = [
            line.id.to_string(),
            line.platform.as_str().to_owned(),
            line.handle.clone(),
            text(&line.display_name),
            line.status.as_str().to_owned(),
            line.lead_type
                .map(LeadType::as_str)
                .unwrap_or_default()
                .to_owned(),
            line.confidence
                .map(|c| format!("{c:.2}"))
                .unwrap_or_default(),
            line.score.to_string(),
            line.intent
                .map(Intent::as_str)
                .unwrap_or_default()
                .to_owned(),
            text(&line.phone),
            text(&line.email),
            line.language.map(Lang::code).unwrap_or_default().to_owned(),
            line.first_seen_at
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            line.last_interaction_at
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            line.interactions_count.to_string(),
        ];
        let kind_cells = line.kind_counts.iter().map(|(_, n)| n.to_string());
        let cells: Vec<String> = lead_cells.into_iter().chain(kind_cells).collect();
        // A phone number in E.164 starts with "+": it is data, and stays readable with the apostrophe.
        // Writing into memory cannot fail.
        let _ = out.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()));
    }
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::interaction::KindCounts;
    use crate::domain::lead_status::LeadStatus;
    use chrono::{TimeZone as _, Utc};

    fn line(display_name: &str) -> ExportLine {
        let at = Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap();
        ExportLine {
            id: 7,
            platform: crate::domain::platform::Platform::DEFAULT,
            handle: "nina.beats".into(),
            display_name: Some(display_name.into()),
            status: LeadStatus::New,
            lead_type: Some(LeadType::Artist),
            confidence: Some(0.8),
            score: 42,
            intent: None,
            phone: Some("+33612345678".into()),
            email: None,
            language: Some(Lang::Fr),
            first_seen_at: at,
            last_interaction_at: at,
            interactions_count: 3,
            kind_counts: {
                let mut counts = KindCounts::default();
                counts.add(Kind::Like, 1);
                counts.add(Kind::Comment, 2);
                counts
            },
        }
    }

    fn parse(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn quotes_commas_and_newlines_are_quoted_and_read_back_the_same() {
        let name = "Nina \"la voix\", Paris\nFrance";

        let bytes = records(&[line(name)], Dialect::Standard);

        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains("\"Nina \"\"la voix\"\", Paris\nFrance\""),
            "{text}"
        );
        assert!(text.ends_with("\r\n"));
        assert_eq!(parse(&bytes, b',')[0][3], name);
    }

    #[test]
    fn formula_looking_cells_are_prefixed_with_an_apostrophe() {
        for cell in ["=HYPERLINK(\"x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            let bytes = records(&[line(cell)], Dialect::Standard);
            assert_eq!(parse(&bytes, b',')[0][3], format!("'{cell}"), "{cell:?}");
        }
        assert_eq!(spreadsheet_safe("Nina"), "Nina");
        assert_eq!(spreadsheet_safe("a=b"), "a=b");
    }

    #[test]
    fn the_excel_dialect_starts_with_a_byte_order_mark_and_uses_semicolons() {
        let head = header(Dialect::Excel);

        assert!(head.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(head[3..].to_vec()).unwrap();
        assert!(text.starts_with("id;platform;handle;"), "{text}");
        let body = records(&[line("Nina; Paris")], Dialect::Excel);
        assert_eq!(parse(&body, b';')[0][3], "Nina; Paris");
    }

    #[test]
    fn the_header_names_every_column_once_and_each_record_has_them_all() {
        let head = parse(&header(Dialect::Standard), b',');
        let body = parse(&records(&[line("Nina")], Dialect::Standard), b',');

        assert_eq!(head[0], columns());
        assert_eq!(body[0].len(), columns().len());
        assert_eq!(body[0][9], "'+33612345678");
        assert_eq!(body[0][14..], ["3", "1", "2", "0", "0", "0", "0", "0", "0"]);
    }

    #[test]
    fn the_columns_are_the_ones_the_readme_lists_in_its_order() {
        assert_eq!(
            columns(),
            [
                "id",
                "platform",
                "handle",
                "display_name",
                "status",
                "type",
                "confidence",
                "score",
                "intent",
                "phone",
                "email",
                "language",
                "first_seen_at",
                "last_interaction_at",
                "interactions",
                "likes",
                "comments",
                "follows",
                "shares",
                "mentions",
                "comment_likes",
                "messages",
                "reactions",
            ]
        );
    }
}
