DELETE FROM analysis_runs WHERE trigger = 'webhook';
ALTER TABLE analysis_runs DROP CONSTRAINT analysis_runs_trigger_check;
ALTER TABLE analysis_runs ADD CONSTRAINT analysis_runs_trigger_check
    CHECK (trigger IN ('sync', 'schedule', 'daily_rescore', 'manual'));
DROP TABLE platform_people;
DROP TABLE webhook_deliveries;
DROP TABLE oauth_states;
DROP INDEX social_accounts_by_external_id_idx;
DROP INDEX social_accounts_external_id_idx;
ALTER TABLE social_accounts DROP COLUMN token_refreshed_at;
ALTER TABLE social_accounts DROP COLUMN external_id;
ALTER TABLE interactions DROP COLUMN actor_external_id;
ALTER TABLE interactions DROP COLUMN external_id;
DELETE FROM interactions WHERE kind = 'reaction';
ALTER TABLE interactions DROP CONSTRAINT interactions_kind_check;
ALTER TABLE interactions ADD CONSTRAINT interactions_kind_check
    CHECK (kind IN ('like', 'comment', 'follow', 'share', 'mention', 'comment_like', 'message'));
