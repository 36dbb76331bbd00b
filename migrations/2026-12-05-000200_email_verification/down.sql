ALTER TABLE invitations DROP COLUMN token_hash;
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
