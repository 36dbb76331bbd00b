DROP FUNCTION kind_counts_add(JSONB, JSONB);

ALTER TABLE leads
    ADD COLUMN likes_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN comments_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN follows_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN shares_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN mentions_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN comment_likes_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN messages_count INTEGER NOT NULL DEFAULT 0;
UPDATE leads SET
    likes_count = COALESCE((kind_counts ->> 'like')::int, 0),
    comments_count = COALESCE((kind_counts ->> 'comment')::int, 0),
    follows_count = COALESCE((kind_counts ->> 'follow')::int, 0),
    shares_count = COALESCE((kind_counts ->> 'share')::int, 0),
    mentions_count = COALESCE((kind_counts ->> 'mention')::int, 0),
    comment_likes_count = COALESCE((kind_counts ->> 'comment_like')::int, 0),
    messages_count = COALESCE((kind_counts ->> 'message')::int, 0);
ALTER TABLE leads DROP COLUMN kind_counts;

-- The schema before had no outgoing interactions: the creator's own replies go rather than be taken
-- for the person's.
DELETE FROM interactions WHERE direction = 'outgoing';
ALTER TABLE interactions DROP COLUMN direction;
