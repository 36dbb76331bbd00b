-- Sending an approved draft on Instagram (one click per message): how it went out, the platform's
-- message id, the comment it answered privately (one private reply per comment), and a claim that
-- keeps two clicks from sending it twice.
ALTER TABLE suggested_messages ADD COLUMN sent_via TEXT CHECK (sent_via IN ('hand', 'instagram'));
ALTER TABLE suggested_messages ADD COLUMN platform_message_id TEXT;
ALTER TABLE suggested_messages ADD COLUMN reply_to_comment TEXT;
ALTER TABLE suggested_messages ADD COLUMN send_started_at TIMESTAMPTZ;
CREATE UNIQUE INDEX suggested_messages_one_private_reply_idx
    ON suggested_messages (workspace_id, reply_to_comment) WHERE reply_to_comment IS NOT NULL;
