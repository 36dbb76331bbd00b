-- Instagram through Meta's API: reactions as a kind, the platform's own ids of accounts, events and
-- people, single-use OAuth states, and the inbox of signed webhook deliveries.

ALTER TABLE interactions DROP CONSTRAINT interactions_kind_check;
ALTER TABLE interactions ADD CONSTRAINT interactions_kind_check
    CHECK (kind IN ('like', 'comment', 'follow', 'share', 'mention', 'comment_like', 'message', 'reaction'));
-- The platform's id of the event (Instagram's comment id or message mid), where the platform gives one.
ALTER TABLE interactions ADD COLUMN external_id TEXT;
-- The platform's id of the person (Instagram's scoped id), which a reply is addressed to.
ALTER TABLE interactions ADD COLUMN actor_external_id TEXT;

-- The platform's id of a connected account (Instagram's professional account `user_id`, which webhook
-- entries carry); NULL for TikTok, which gives none.
ALTER TABLE social_accounts ADD COLUMN external_id TEXT;
ALTER TABLE social_accounts ADD COLUMN token_refreshed_at TIMESTAMPTZ;
CREATE UNIQUE INDEX social_accounts_external_id_idx
    ON social_accounts (workspace_id, platform, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX social_accounts_by_external_id_idx
    ON social_accounts (platform, external_id) WHERE external_id IS NOT NULL;

-- A consent screen opened by a person of a workspace: the state is kept hashed, bound to a nonce in
-- that person's session, used once, within ten minutes.
CREATE TABLE oauth_states (
    state_hash BYTEA PRIMARY KEY,
    platform TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_hash BYTEA NOT NULL,
    -- Set when the flow reconnects this account (an expiry mail's link).
    account_id BIGINT REFERENCES social_accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);

-- Signed webhook deliveries, written in one insert before the acknowledgement and turned into
-- interactions by a worker: a crash between the two loses nothing.
CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    body BYTEA NOT NULL,
    status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Once processed: the events read for connected accounts (ingestion drops those already stored),
    -- and the events ignored (an unknown account or field).
    events INTEGER NOT NULL DEFAULT 0,
    ignored_events INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    retry_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_waiting_idx ON webhook_deliveries (retry_at, id) WHERE status = 'received';
CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (status, received_at DESC);

-- Who is behind a platform's id (a message sender), read from the platform once per account.
CREATE TABLE platform_people (
    account_id BIGINT NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    handle TEXT NOT NULL,
    display_name TEXT,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, external_id)
);

-- Webhook deliveries that stored something new start an analysis pass of their own.
ALTER TABLE analysis_runs DROP CONSTRAINT analysis_runs_trigger_check;
ALTER TABLE analysis_runs ADD CONSTRAINT analysis_runs_trigger_check
    CHECK (trigger IN ('sync', 'schedule', 'daily_rescore', 'manual', 'webhook'));
