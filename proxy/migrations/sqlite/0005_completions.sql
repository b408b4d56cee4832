-- Which connection each session completed, claimed in the default database before the
-- connection is written to its region's database: two concurrent completions of one
-- session (even for different regions) agree on one connection.
CREATE TABLE completions (
    session_hash  BLOB PRIMARY KEY NOT NULL,
    connection_id TEXT NOT NULL
);
