-- Server-side web sessions (the cookie carries only an encrypted random key) and login throttling.
CREATE TABLE web_sessions (
    key_hash BYTEA PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    state JSONB NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX web_sessions_user_id_idx ON web_sessions (user_id);
CREATE INDEX web_sessions_expires_at_idx ON web_sessions (expires_at);

-- Failed logins per account (normalised email, whether or not it exists) and per client address.
CREATE TABLE login_throttles (
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    subject TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ,
    PRIMARY KEY (scope, subject)
);
