-- A run that found every browser busy did not read anything: it waits for the next round and is not a
-- failure of its account.
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'expired', 'blocked', 'waiting'));
