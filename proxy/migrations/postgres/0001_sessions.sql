-- Onboarding sessions. The token itself is never stored: only its SHA-256.
CREATE TABLE sessions (
    token_hash      BYTEA PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    allowed_origins TEXT NOT NULL, -- JSON array of origins
    support_contact TEXT,
    created_at      BIGINT NOT NULL, -- seconds since the Unix epoch
    expires_at      BIGINT NOT NULL
);
