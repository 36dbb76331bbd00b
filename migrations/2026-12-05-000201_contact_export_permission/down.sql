ALTER TABLE workspaces DROP COLUMN members_export_contacts;
