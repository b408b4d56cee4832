-- Token buckets shared by every proxy replica (validations per session and per client
-- address), so N replicas allow what one does. One row per bucket, updated in one
-- statement (INSERT … ON CONFLICT DO UPDATE … RETURNING). Times are seconds since the
-- epoch by the database's clock, so replicas' clocks need not agree. SQLite deployments are
-- one process and count in memory: this table has no SQLite twin.
CREATE TABLE rate_limits (
    bucket     BYTEA PRIMARY KEY NOT NULL,
    tokens     DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    -- Whether the latest request was allowed (what the statement answers).
    allowed    BOOLEAN NOT NULL,
    -- When the bucket is full again: from then on the row holds no information, and the
    -- sweep deletes it.
    full_at    DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_limits_full_at ON rate_limits (full_at);
