UPDATE sync_runs SET status = 'failed' WHERE status = 'waiting';
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'expired', 'blocked'));
