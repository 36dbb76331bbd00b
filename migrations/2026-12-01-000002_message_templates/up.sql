-- Message templates a workspace writes: drafts for a lead of `lead_type` (none: any type) in `language`
-- start from its default template instead of the built-in one.
CREATE TABLE message_templates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 100),
    lead_type TEXT CHECK (lead_type IN ('artist', 'beatmaker', 'potential_client', 'engaged_fan',
        'curious', 'passive_observer', 'spam')),
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    body TEXT NOT NULL CHECK (btrim(body) <> '' AND char_length(body) <= 2000),
    is_default BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- At most one default per workspace, lead type (any type counts as one) and language.
CREATE UNIQUE INDEX message_templates_one_default_key
    ON message_templates (workspace_id, coalesce(lead_type, ''), language) WHERE is_default;
CREATE INDEX message_templates_workspace_idx ON message_templates (workspace_id);

-- A draft can now come from one of the workspace's templates.
ALTER TABLE suggested_messages DROP CONSTRAINT suggested_messages_source_check;
ALTER TABLE suggested_messages ADD CONSTRAINT suggested_messages_source_check
    CHECK (source IN ('built_in', 'ai', 'fallback', 'template'));
