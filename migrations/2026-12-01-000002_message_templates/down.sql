-- Drafts made from a template count as built-in drafts again (the older constraint knows no other name).
UPDATE suggested_messages SET source = 'built_in' WHERE source = 'template';
ALTER TABLE suggested_messages DROP CONSTRAINT suggested_messages_source_check;
ALTER TABLE suggested_messages ADD CONSTRAINT suggested_messages_source_check
    CHECK (source IN ('built_in', 'ai', 'fallback'));

DROP TABLE message_templates;
