-- A revoked connection keeps its record (for the vendor's audit) but loses its secret.
ALTER TABLE connections ADD COLUMN revoked_at BIGINT;
