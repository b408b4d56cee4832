-- The webhook outbox. An event is written in the same transaction as the change it reports,
-- with one delivery per endpoint that wants it (fanned out then), so a crash between the
-- change and its delivery loses nothing. Times are milliseconds since the Unix epoch.
-- The same tables as SQLite's 0008, with PostgreSQL's types.
CREATE TABLE webhook_events (
    id            TEXT PRIMARY KEY NOT NULL, -- the webhook-id (msg_…), the same on every attempt
    event_type    TEXT NOT NULL,             -- connection.created, …, test
    tenant_id     TEXT,                      -- NULL only for a test event sent for no tenant
    payload       TEXT NOT NULL,             -- the exact body every attempt sends; never a secret
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX webhook_events_tenant ON webhook_events (tenant_id, created_at_ms);

-- One event's delivery to one endpoint. A worker claims a due one by writing its lease
-- token and lease end; the outcome clears them.
CREATE TABLE webhook_deliveries (
    id                 TEXT PRIMARY KEY NOT NULL, -- dlv_…
    event_id           TEXT NOT NULL REFERENCES webhook_events (id),
    endpoint_id        TEXT NOT NULL,             -- the configured endpoint's id
    status             TEXT NOT NULL,             -- pending | delivered | failed
    attempts           BIGINT NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    give_up_at_ms      BIGINT NOT NULL,           -- the event's time plus the retry window
    lease_token        TEXT,
    locked_until_ms    BIGINT,
    last_status        BIGINT,                    -- the latest attempt's HTTP status
    last_error         TEXT,                      -- the latest failure, bounded, never a secret
    updated_at_ms      BIGINT NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at_ms);

-- Every attempt of every delivery, for the admin API.
CREATE TABLE webhook_attempts (
    delivery_id     TEXT NOT NULL REFERENCES webhook_deliveries (id),
    number          BIGINT NOT NULL,  -- 1 for the first attempt
    attempted_at_ms BIGINT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    http_status     BIGINT,
    error           TEXT,
    PRIMARY KEY (delivery_id, number)
);

-- Each endpoint's consecutive failed attempts, shared by every worker: an endpoint is
-- marked failing (failing_since_ms) at the configured count, and cleared by a delivery.
CREATE TABLE webhook_endpoints (
    endpoint_id          TEXT PRIMARY KEY NOT NULL,
    consecutive_failures BIGINT NOT NULL,
    failing_since_ms     BIGINT,
    updated_at_ms        BIGINT NOT NULL
);
