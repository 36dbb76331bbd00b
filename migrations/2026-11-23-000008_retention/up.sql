-- How long a workspace keeps interactions (days); none keeps them all. The clean-up job enforces it.
ALTER TABLE workspaces
    ADD COLUMN retention_days SMALLINT CHECK (retention_days BETWEEN 30 AND 3650);
