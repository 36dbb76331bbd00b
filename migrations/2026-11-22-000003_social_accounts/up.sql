-- A connected social account (named by the handle its own page shows) and its sealed credentials.
CREATE TABLE social_accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
    handle TEXT NOT NULL,
    display_name TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'blocked', 'failing', 'disconnected')),
    -- The translation key saying why, when the status is not active.
    status_reason TEXT,
    connected_via TEXT NOT NULL CHECK (connected_via IN ('cookies', 'qr', 'oauth')),
    session_expires_at TIMESTAMPTZ,
    last_checked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX social_accounts_handle_key ON social_accounts (workspace_id, platform, lower(handle));

-- Sealed with the keyring; the associated data binds each row to its workspace, account and purpose.
CREATE TABLE account_secrets (
    account_id BIGINT NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    key_id TEXT NOT NULL,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, purpose)
);
CREATE INDEX account_secrets_key_id_idx ON account_secrets (key_id);
