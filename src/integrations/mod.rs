//! Ways leads leave VistaFlow: the CSV export (webhooks, Google Sheets and Notion come later).

pub mod csv;
