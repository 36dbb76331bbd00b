-- One lead per person per platform in a workspace; counts per kind are kept up to date by ingestion.
CREATE TABLE leads (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
    -- Lower case, without the @.
    handle TEXT NOT NULL,
    display_name TEXT,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'contacted', 'in_progress', 'converted', 'refused')),
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_interaction_at TIMESTAMPTZ NOT NULL,
    interactions_count INTEGER NOT NULL DEFAULT 0,
    likes_count INTEGER NOT NULL DEFAULT 0,
    comments_count INTEGER NOT NULL DEFAULT 0,
    follows_count INTEGER NOT NULL DEFAULT 0,
    shares_count INTEGER NOT NULL DEFAULT 0,
    mentions_count INTEGER NOT NULL DEFAULT 0,
    comment_likes_count INTEGER NOT NULL DEFAULT 0,
    messages_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, platform, handle)
);
CREATE INDEX leads_recent_idx ON leads (workspace_id, last_interaction_at DESC, id DESC);

-- What a person did with the creator's content, read from one connected account.
CREATE TABLE interactions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    platform TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
    kind TEXT NOT NULL
        CHECK (kind IN ('like', 'comment', 'follow', 'share', 'mention', 'comment_like', 'message')),
    actor_handle TEXT NOT NULL,
    actor_display_name TEXT,
    text TEXT,
    post_ref TEXT,
    -- The time as the platform gave it, to a precision: the event happened in (occurred_from, occurred_to].
    occurred_at TIMESTAMPTZ NOT NULL,
    occurred_from TIMESTAMPTZ NOT NULL,
    occurred_to TIMESTAMPTZ NOT NULL,
    precision TEXT NOT NULL CHECK (precision IN ('second', 'minute', 'hour', 'day', 'week')),
    -- SHA-256 of what happened (actor, kind, text, post), and of that plus the time bucket.
    identity BYTEA NOT NULL,
    fingerprint BYTEA NOT NULL,
    collected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (occurred_from < occurred_to),
    UNIQUE (account_id, fingerprint)
);
CREATE INDEX interactions_identity_idx ON interactions (account_id, identity, occurred_to);
CREATE INDEX interactions_recent_idx ON interactions (workspace_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_lead_idx ON interactions (lead_id, occurred_at DESC);

-- People who asked to be forgotten: never stored again.
CREATE TABLE suppressions (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
    handle TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, platform, handle)
);

-- One collection run of one account.
CREATE TABLE sync_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'succeeded', 'failed', 'expired', 'blocked')),
    -- The step under way, for the progress shown while it runs.
    phase TEXT NOT NULL DEFAULT 'starting',
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    rows_read INTEGER NOT NULL DEFAULT 0,
    new_interactions INTEGER NOT NULL DEFAULT 0,
    unknown_rows INTEGER NOT NULL DEFAULT 0,
    page_reads INTEGER NOT NULL DEFAULT 0,
    round_trips INTEGER NOT NULL DEFAULT 0,
    -- A translation key saying what went wrong, and the technical detail (never a secret).
    error_key TEXT,
    error_detail TEXT
);
CREATE INDEX sync_runs_account_idx ON sync_runs (account_id, started_at DESC);

ALTER TABLE social_accounts
    ADD COLUMN sync_interval_minutes INTEGER NOT NULL DEFAULT 3 CHECK (sync_interval_minutes >= 1),
    ADD COLUMN next_sync_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN last_synced_at TIMESTAMPTZ,
    ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX social_accounts_due_idx ON social_accounts (next_sync_at) WHERE status = 'active';
