-- Exports of contact details (the leads CSV, a person's data) are for owners and admins unless the
-- workspace lets its members export too.
ALTER TABLE workspaces ADD COLUMN members_export_contacts BOOLEAN NOT NULL DEFAULT FALSE;
