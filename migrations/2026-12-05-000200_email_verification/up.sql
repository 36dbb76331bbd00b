-- Email addresses are verified by a single-use link; invitations are accepted through the single-use
-- token of their email (or by the verified owner of the invited address).
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;

-- Verification links: only the SHA-256 of the token is kept; single use, valid 24 hours, bound to the
-- address they were sent to (a link sent before the address changed proves nothing about the new one).
CREATE TABLE email_verifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id, created_at DESC);

-- Invitations sent before this change have no token: only a verified owner of their address accepts them.
ALTER TABLE invitations ADD COLUMN token_hash BYTEA UNIQUE;
