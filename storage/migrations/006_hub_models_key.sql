-- hubcensus main database, version 6: each hub_models row carries its model's integer key.
-- model_keys (version 4) gives every model id ever snapshotted a dense integer key. Time travel
-- (analysis/time_travel.sql) pairs each stored hub_models row with its history by that key; reading
-- it from the row spares a join of the Hub's ids, twice, on every `--as-of` (~0.5 s at 3M models).
-- NULL for a model never in a snapshot. The merge keeps it (storage/sql/merge.sql).

ALTER TABLE hub_models ADD COLUMN model_key INTEGER;

UPDATE hub_models AS m SET model_key = k.model_key
FROM model_keys k
WHERE k.model_id = m.model_id;
