-- What a session offers the administrator: regions, sources, strategies and the extract
-- name prefix, as JSON (`SessionOffer`). Sessions opened before this column existed offer
-- the defaults.
ALTER TABLE sessions ADD COLUMN offer TEXT NOT NULL DEFAULT '{}';
