-- The latest passed validation of each session: a keyed fingerprint of the four values
-- (never the values themselves) and the report, so completing needs the very same values.
CREATE TABLE validations (
    session_hash BYTEA PRIMARY KEY NOT NULL,
    fingerprint  BYTEA NOT NULL,
    report       TEXT NOT NULL, -- JSON ValidationReport (holds no secret)
    validated_at BIGINT NOT NULL
);

-- Stored connections. The client secret is sealed with XChaCha20-Poly1305, bound to the id.
CREATE TABLE connections (
    id                TEXT PRIMARY KEY NOT NULL,
    session_hash      BYTEA NOT NULL UNIQUE, -- completing twice returns the same connection
    tenant_id         TEXT NOT NULL,
    region            TEXT NOT NULL,
    source            TEXT NOT NULL,
    strategy          TEXT NOT NULL,
    base_url          TEXT NOT NULL,
    token_url         TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    secret_sealed     BYTEA NOT NULL,
    district_name     TEXT NOT NULL,
    counts            TEXT NOT NULL, -- JSON DistrictSummary
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX connections_tenant ON connections (tenant_id);
