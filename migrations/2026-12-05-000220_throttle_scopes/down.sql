DELETE FROM login_throttles WHERE scope NOT IN ('account', 'address');
ALTER TABLE login_throttles DROP CONSTRAINT login_throttles_scope_check;
ALTER TABLE login_throttles ADD CONSTRAINT login_throttles_scope_check CHECK (scope IN ('account', 'address'));
