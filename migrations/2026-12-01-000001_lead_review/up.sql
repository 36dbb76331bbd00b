-- A member's notes on a lead.
CREATE TABLE lead_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX lead_notes_lead_idx ON lead_notes (lead_id, created_at DESC);

-- Every change of a lead's status: from what, to what, by whom, when.
CREATE TABLE lead_status_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL
        CHECK (to_status IN ('new', 'contacted', 'in_progress', 'converted', 'refused')),
    changed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX lead_status_changes_lead_idx ON lead_status_changes (lead_id, changed_at DESC);

-- An approved draft names the account it is to be sent from, and when it was approved and sent.
ALTER TABLE suggested_messages
    ADD COLUMN account_id BIGINT REFERENCES social_accounts (id) ON DELETE SET NULL,
    ADD COLUMN approved_at TIMESTAMPTZ,
    ADD COLUMN sent_at TIMESTAMPTZ,
    ADD COLUMN edited_at TIMESTAMPTZ;

-- Outreach quotas per account, counted at approval over the last hour and the last day. A row stays
-- when its draft or lead is erased: the message was approved all the same.
CREATE TABLE quota_usage (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    message_id BIGINT REFERENCES suggested_messages (id) ON DELETE SET NULL,
    used_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX quota_usage_account_idx ON quota_usage (account_id, used_at DESC);

ALTER TABLE workspaces
    ADD COLUMN quota_per_hour SMALLINT NOT NULL DEFAULT 10 CHECK (quota_per_hour BETWEEN 0 AND 1000),
    ADD COLUMN quota_per_day SMALLINT NOT NULL DEFAULT 50 CHECK (quota_per_day BETWEEN 0 AND 10000);

-- The Leads page's filters: the account filter looks for one interaction of the lead through it.
CREATE INDEX interactions_lead_account_idx ON interactions (lead_id, account_id);
