DROP TABLE job_runs;
ALTER TABLE social_accounts
    DROP COLUMN expiry_reminded_at,
    DROP COLUMN expiry_alerted_at;
DROP TABLE sent_emails;
