// @generated automatically by Diesel CLI.

diesel::table! {
    account_secrets (account_id, purpose) {
        account_id -> Int8,
        workspace_id -> Int8,
        purpose -> Text,
        key_id -> Text,
        nonce -> Bytea,
        ciphertext -> Bytea,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    analysis_runs (id) {
        id -> Int8,
        trigger -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        leads_analysed -> Int4,
        drafts_created -> Int4,
        ai_requests -> Int4,
        ai_prompt_tokens -> Int4,
        ai_completion_tokens -> Int4,
        ai_fallbacks -> Int4,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_user_id -> Nullable<Int8>,
        workspace_id -> Nullable<Int8>,
        action -> Text,
        details -> Jsonb,
        ip_address -> Nullable<Text>,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> Int8,
        user_id -> Int8,
        email -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    interactions (id) {
        id -> Int8,
        workspace_id -> Int8,
        account_id -> Int8,
        lead_id -> Int8,
        platform -> Text,
        kind -> Text,
        actor_handle -> Text,
        actor_display_name -> Nullable<Text>,
        text -> Nullable<Text>,
        post_ref -> Nullable<Text>,
        occurred_at -> Timestamptz,
        occurred_from -> Timestamptz,
        occurred_to -> Timestamptz,
        precision -> Text,
        identity -> Bytea,
        fingerprint -> Bytea,
        collected_at -> Timestamptz,
        direction -> Text,
        external_id -> Nullable<Text>,
        actor_external_id -> Nullable<Text>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Int8,
        workspace_id -> Int8,
        email -> Text,
        role -> Text,
        invited_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        token_hash -> Nullable<Bytea>,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        until -> Timestamptz,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Int8,
        job -> Text,
        instance -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        status -> Text,
        summary -> Nullable<Text>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    lead_notes (id) {
        id -> Int8,
        workspace_id -> Int8,
        lead_id -> Int8,
        author_id -> Nullable<Int8>,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    lead_status_changes (id) {
        id -> Int8,
        workspace_id -> Int8,
        lead_id -> Int8,
        from_status -> Text,
        to_status -> Text,
        changed_by -> Nullable<Int8>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    leads (id) {
        id -> Int8,
        workspace_id -> Int8,
        platform -> Text,
        handle -> Text,
        display_name -> Nullable<Text>,
        status -> Text,
        first_seen_at -> Timestamptz,
        last_interaction_at -> Timestamptz,
        interactions_count -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        lead_type -> Nullable<Text>,
        confidence -> Nullable<Float4>,
        score -> Int2,
        score_explanation -> Nullable<Jsonb>,
        intent -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        language -> Nullable<Text>,
        reasoning -> Nullable<Text>,
        analysed_by -> Nullable<Text>,
        analysed_at -> Nullable<Timestamptz>,
        analysed_interactions -> Int4,
        scored_at -> Nullable<Timestamptz>,
        search_text -> Text,
        kind_counts -> Jsonb,
    }
}

diesel::table! {
    login_throttles (scope, subject) {
        scope -> Text,
        subject -> Text,
        failures -> Int4,
        window_started_at -> Timestamptz,
        blocked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    memberships (workspace_id, user_id) {
        workspace_id -> Int8,
        user_id -> Int8,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    message_templates (id) {
        id -> Int8,
        workspace_id -> Int8,
        name -> Text,
        lead_type -> Nullable<Text>,
        language -> Text,
        body -> Text,
        is_default -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Int8>,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Bytea,
        platform -> Text,
        workspace_id -> Int8,
        user_id -> Int8,
        session_hash -> Bytea,
        account_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Int8,
        user_id -> Int8,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    platform_people (account_id, external_id) {
        account_id -> Int8,
        workspace_id -> Int8,
        external_id -> Text,
        handle -> Text,
        display_name -> Nullable<Text>,
        fetched_at -> Timestamptz,
    }
}

diesel::table! {
    quota_usage (id) {
        id -> Int8,
        workspace_id -> Int8,
        account_id -> Int8,
        message_id -> Nullable<Int8>,
        used_at -> Timestamptz,
    }
}

diesel::table! {
    sent_emails (id) {
        id -> Int8,
        workspace_id -> Nullable<Int8>,
        recipient -> Text,
        kind -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    social_accounts (id) {
        id -> Int8,
        workspace_id -> Int8,
        platform -> Text,
        handle -> Text,
        display_name -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        connected_via -> Text,
        session_expires_at -> Nullable<Timestamptz>,
        last_checked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sync_interval_minutes -> Int4,
        next_sync_at -> Timestamptz,
        last_synced_at -> Nullable<Timestamptz>,
        consecutive_failures -> Int4,
        expiry_alerted_at -> Nullable<Timestamptz>,
        expiry_reminded_at -> Nullable<Timestamptz>,
        external_id -> Nullable<Text>,
        token_refreshed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    suggested_messages (id) {
        id -> Int8,
        workspace_id -> Int8,
        lead_id -> Int8,
        body -> Text,
        language -> Text,
        source -> Text,
        status -> Text,
        reviewed_by -> Nullable<Int8>,
        reviewed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        account_id -> Nullable<Int8>,
        approved_at -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        edited_at -> Nullable<Timestamptz>,
        sent_via -> Nullable<Text>,
        platform_message_id -> Nullable<Text>,
        reply_to_comment -> Nullable<Text>,
        send_started_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    suppressions (workspace_id, platform, handle) {
        workspace_id -> Int8,
        platform -> Text,
        handle -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sync_runs (id) {
        id -> Int8,
        workspace_id -> Int8,
        account_id -> Int8,
        trigger -> Text,
        status -> Text,
        phase -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        rows_read -> Int4,
        new_interactions -> Int4,
        unknown_rows -> Int4,
        page_reads -> Int4,
        round_trips -> Int4,
        error_key -> Nullable<Text>,
        error_detail -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        locale -> Nullable<Text>,
        is_admin -> Bool,
        disabled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        email_verified_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    web_sessions (key_hash) {
        key_hash -> Bytea,
        user_id -> Nullable<Int8>,
        state -> Jsonb,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        platform -> Text,
        received_at -> Timestamptz,
        body -> Bytea,
        status -> Text,
        attempts -> Int4,
        events -> Int4,
        ignored_events -> Int4,
        error -> Nullable<Text>,
        retry_at -> Timestamptz,
        processed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    workspaces (id) {
        id -> Int8,
        slug -> Text,
        name -> Text,
        language -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        targetable_score -> Int2,
        hot_score -> Int2,
        draft_score -> Int2,
        score_half_life_days -> Int2,
        retention_days -> Nullable<Int2>,
        quota_per_hour -> Int2,
        quota_per_day -> Int2,
        members_export_contacts -> Bool,
    }
}

diesel::joinable!(account_secrets -> social_accounts (account_id));
diesel::joinable!(account_secrets -> workspaces (workspace_id));
diesel::joinable!(audit_events -> users (actor_user_id));
diesel::joinable!(audit_events -> workspaces (workspace_id));
diesel::joinable!(email_verifications -> users (user_id));
diesel::joinable!(interactions -> leads (lead_id));
diesel::joinable!(interactions -> social_accounts (account_id));
diesel::joinable!(interactions -> workspaces (workspace_id));
diesel::joinable!(invitations -> users (invited_by));
diesel::joinable!(invitations -> workspaces (workspace_id));
diesel::joinable!(lead_notes -> leads (lead_id));
diesel::joinable!(lead_notes -> users (author_id));
diesel::joinable!(lead_notes -> workspaces (workspace_id));
diesel::joinable!(lead_status_changes -> leads (lead_id));
diesel::joinable!(lead_status_changes -> users (changed_by));
diesel::joinable!(lead_status_changes -> workspaces (workspace_id));
diesel::joinable!(leads -> workspaces (workspace_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> workspaces (workspace_id));
diesel::joinable!(message_templates -> users (updated_by));
diesel::joinable!(message_templates -> workspaces (workspace_id));
diesel::joinable!(oauth_states -> social_accounts (account_id));
diesel::joinable!(oauth_states -> users (user_id));
diesel::joinable!(oauth_states -> workspaces (workspace_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(platform_people -> social_accounts (account_id));
diesel::joinable!(platform_people -> workspaces (workspace_id));
diesel::joinable!(quota_usage -> social_accounts (account_id));
diesel::joinable!(quota_usage -> suggested_messages (message_id));
diesel::joinable!(quota_usage -> workspaces (workspace_id));
diesel::joinable!(sent_emails -> workspaces (workspace_id));
diesel::joinable!(social_accounts -> workspaces (workspace_id));
diesel::joinable!(suggested_messages -> leads (lead_id));
diesel::joinable!(suggested_messages -> social_accounts (account_id));
diesel::joinable!(suggested_messages -> users (reviewed_by));
diesel::joinable!(suggested_messages -> workspaces (workspace_id));
diesel::joinable!(suppressions -> workspaces (workspace_id));
diesel::joinable!(sync_runs -> social_accounts (account_id));
diesel::joinable!(sync_runs -> workspaces (workspace_id));
diesel::joinable!(web_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    account_secrets,
    analysis_runs,
    audit_events,
    email_verifications,
    interactions,
    invitations,
    job_leases,
    job_runs,
    lead_notes,
    lead_status_changes,
    leads,
    login_throttles,
    memberships,
    message_templates,
    oauth_states,
    password_resets,
    platform_people,
    quota_usage,
    sent_emails,
    social_accounts,
    suggested_messages,
    suppressions,
    sync_runs,
    users,
    web_sessions,
    webhook_deliveries,
    workspaces,
);
