-- What analysis says about a lead.
ALTER TABLE leads
    ADD COLUMN lead_type TEXT CHECK (lead_type IN ('artist', 'beatmaker', 'potential_client',
        'engaged_fan', 'curious', 'passive_observer', 'spam')),
    ADD COLUMN confidence REAL CHECK (confidence BETWEEN 0 AND 1),
    ADD COLUMN score SMALLINT NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
    ADD COLUMN score_explanation JSONB,
    ADD COLUMN intent TEXT CHECK (intent IN ('asking_price', 'interested', 'ready_to_buy',
        'asking_info', 'collaboration')),
    ADD COLUMN phone TEXT,
    ADD COLUMN email TEXT,
    ADD COLUMN language TEXT CHECK (language IN ('en', 'fr')),
    ADD COLUMN reasoning TEXT,
    -- Who analysed it last: the built-in analyzer, the AI endpoint, or the built-in one after the AI failed.
    ADD COLUMN analysed_by TEXT CHECK (analysed_by IN ('built_in', 'ai', 'fallback')),
    ADD COLUMN analysed_at TIMESTAMPTZ,
    -- interactions_count when it was analysed: a lead is analysed again only when this differs.
    ADD COLUMN analysed_interactions INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN scored_at TIMESTAMPTZ;
CREATE INDEX leads_to_analyse_idx ON leads (workspace_id) WHERE analysed_interactions <> interactions_count;
CREATE INDEX leads_score_idx ON leads (workspace_id, score DESC, id DESC);

-- Per workspace: when a lead is worth contacting, hot, worth a draft; and how fast interactions fade.
ALTER TABLE workspaces
    ADD COLUMN targetable_score SMALLINT NOT NULL DEFAULT 15 CHECK (targetable_score BETWEEN 0 AND 100),
    ADD COLUMN hot_score SMALLINT NOT NULL DEFAULT 70 CHECK (hot_score BETWEEN 0 AND 100),
    ADD COLUMN draft_score SMALLINT NOT NULL DEFAULT 50 CHECK (draft_score BETWEEN 0 AND 100),
    ADD COLUMN score_half_life_days SMALLINT NOT NULL DEFAULT 14 CHECK (score_half_life_days BETWEEN 1 AND 365);

-- A message drafted for a lead, waiting for the creator's review.
CREATE TABLE suggested_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    source TEXT NOT NULL CHECK (source IN ('built_in', 'ai', 'fallback')),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'sent')),
    reviewed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- At most one pending draft per lead.
CREATE UNIQUE INDEX suggested_messages_pending_key ON suggested_messages (lead_id) WHERE status = 'pending';
CREATE INDEX suggested_messages_workspace_idx ON suggested_messages (workspace_id, status, created_at DESC);

-- One analysis pass (after a sync, or the periodic catch-up): what it did.
CREATE TABLE analysis_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger TEXT NOT NULL CHECK (trigger IN ('sync', 'schedule', 'daily_rescore', 'manual')),
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    leads_analysed INTEGER NOT NULL DEFAULT 0,
    drafts_created INTEGER NOT NULL DEFAULT 0,
    ai_requests INTEGER NOT NULL DEFAULT 0,
    ai_prompt_tokens INTEGER NOT NULL DEFAULT 0,
    ai_completion_tokens INTEGER NOT NULL DEFAULT 0,
    ai_fallbacks INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX analysis_runs_started_idx ON analysis_runs (started_at DESC);

-- Scheduled jobs run once across app instances: an instance holds a job's lease while it runs it.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TIMESTAMPTZ NOT NULL
);
