-- The direction of an interaction: 'incoming' (what the person did) or 'outgoing' (the creator's own
-- reply). Only incoming interactions are counted on their lead and scored.
ALTER TABLE interactions ADD COLUMN direction TEXT NOT NULL DEFAULT 'incoming'
    CHECK (direction IN ('incoming', 'outgoing'));

-- One object of counts keyed by the kind's id ({"like": 3, "comment": 1}) instead of one column per
-- kind, so a platform's new kind needs no schema change. Kinds never done are left out.
ALTER TABLE leads ADD COLUMN kind_counts JSONB NOT NULL DEFAULT '{}';
UPDATE leads SET kind_counts = jsonb_strip_nulls(jsonb_build_object(
    'like', NULLIF(likes_count, 0),
    'comment', NULLIF(comments_count, 0),
    'follow', NULLIF(follows_count, 0),
    'share', NULLIF(shares_count, 0),
    'mention', NULLIF(mentions_count, 0),
    'comment_like', NULLIF(comment_likes_count, 0),
    'message', NULLIF(messages_count, 0)
));
ALTER TABLE leads
    DROP COLUMN likes_count,
    DROP COLUMN comments_count,
    DROP COLUMN follows_count,
    DROP COLUMN shares_count,
    DROP COLUMN mentions_count,
    DROP COLUMN comment_likes_count,
    DROP COLUMN messages_count;

-- The sum of two count objects, key by key: ingestion adds what it stored to a lead's counts.
CREATE FUNCTION kind_counts_add(a JSONB, b JSONB) RETURNS JSONB
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(jsonb_object_agg(key, n), '{}')
    FROM (SELECT key, sum(value::int) AS n
          FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) e
          GROUP BY key) s
$$;
