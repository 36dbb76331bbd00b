DROP INDEX suggested_messages_one_private_reply_idx;
ALTER TABLE suggested_messages DROP COLUMN send_started_at;
ALTER TABLE suggested_messages DROP COLUMN reply_to_comment;
ALTER TABLE suggested_messages DROP COLUMN platform_message_id;
ALTER TABLE suggested_messages DROP COLUMN sent_via;
