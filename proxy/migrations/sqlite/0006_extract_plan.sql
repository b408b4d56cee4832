-- What a Custom Data Extract connection set up in Infinite Campus (`ExtractPlan` as JSON:
-- the required-field value and, per data set, the extract's name and its query's SHA-256),
-- so the vendor's backend knows which files to expect. NULL on the OneRoster path.
ALTER TABLE connections ADD COLUMN extract_plan TEXT;
