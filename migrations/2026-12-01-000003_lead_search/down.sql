DROP INDEX leads_search_idx;
ALTER TABLE leads DROP COLUMN search_text;
-- The extension stays: other database objects may have come to use it.
