-- Health checks: every active connection is re-validated on a schedule. The latest result
-- lives on the connection; a lease (token and end, seconds since the Unix epoch) lets one
-- replica check it per interval. health_code NULL after a check means it passed.
ALTER TABLE connections ADD COLUMN health_checked_at BIGINT;
ALTER TABLE connections ADD COLUMN health_code TEXT;
ALTER TABLE connections ADD COLUMN health_message TEXT;
ALTER TABLE connections ADD COLUMN health_district TEXT; -- JSON DistrictSummary of a passed check
ALTER TABLE connections ADD COLUMN health_failing_since BIGINT;
ALTER TABLE connections ADD COLUMN health_next_at BIGINT; -- NULL: created_at plus the interval
ALTER TABLE connections ADD COLUMN health_lease_token TEXT;
ALTER TABLE connections ADD COLUMN health_lease_until BIGINT;

-- At most one check at a time per upstream host, across replicas: a check holds its host's
-- lease while it runs.
CREATE TABLE health_host_leases (
    host        TEXT PRIMARY KEY NOT NULL,
    lease_token TEXT NOT NULL,
    until_at    BIGINT NOT NULL
);
