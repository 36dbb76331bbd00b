-- Throttles for password-reset requests (per email, per client address) and, for logins, per
-- (account, client address) pair and the failures on an account from addresses it was not last
-- used from (which warn its owner).
ALTER TABLE login_throttles DROP CONSTRAINT login_throttles_scope_check;
ALTER TABLE login_throttles ADD CONSTRAINT login_throttles_scope_check CHECK (scope IN (
    'account', 'address', 'account_address', 'account_elsewhere', 'reset_email', 'reset_address'
));
