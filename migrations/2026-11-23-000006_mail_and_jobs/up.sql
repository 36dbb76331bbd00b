-- Every email the app sends: queued here, delivered (and retried on temporary failures) from here.
CREATE TABLE sent_emails (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT REFERENCES workspaces (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at TIMESTAMPTZ
);
CREATE INDEX sent_emails_due_idx ON sent_emails (next_attempt_at) WHERE status = 'pending';
CREATE INDEX sent_emails_recent_idx ON sent_emails (created_at DESC);

-- One alert per expiry (and one reminder a day later); both cleared when the account is reconnected.
ALTER TABLE social_accounts
    ADD COLUMN expiry_alerted_at TIMESTAMPTZ,
    ADD COLUMN expiry_reminded_at TIMESTAMPTZ;

-- Every run of a scheduled job: where, when, how long, what it did, what went wrong.
CREATE TABLE job_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job TEXT NOT NULL,
    instance TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    summary TEXT,
    error TEXT
);
CREATE INDEX job_runs_recent_idx ON job_runs (job, started_at DESC);
