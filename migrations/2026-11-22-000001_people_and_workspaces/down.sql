DROP TABLE audit_events;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE workspaces;
DROP TABLE users;
