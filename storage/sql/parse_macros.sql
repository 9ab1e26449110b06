-- Helpers for the JSON -> row parse (temporary macros, created once per connection).
-- Every check follows docs/ingest.md; a value that fails one is NULL and noted, never a
-- reason to lose the record.

-- A JSON value that may be a string or a list of strings -> VARCHAR[] of its non-empty strings
-- (NULL when the value is absent or of another type).
CREATE OR REPLACE TEMP MACRO hc_str_list(v) AS
    CASE json_type(v)
        WHEN 'VARCHAR' THEN list_filter([v ->> '$'], lambda x: strlen(x) > 0)
        WHEN 'ARRAY' THEN list_filter(
            list_transform(list_filter(json_extract(v, '$[*]'), lambda x: json_type(x) = 'VARCHAR'), lambda x: x ->> '$'),
            lambda x: strlen(x) > 0)
        ELSE NULL
    END;

-- A JSON string value, or NULL for any other type.
CREATE OR REPLACE TEMP MACRO hc_str(v) AS
    CASE WHEN json_type(v) = 'VARCHAR' THEN v ->> '$' END;

-- Present: the key is there with a value other than JSON null (an absent value is not "dropped").
CREATE OR REPLACE TEMP MACRO hc_present(v) AS
    coalesce(json_type(v), 'NULL') <> 'NULL';

-- A JSON string read as an ISO-8601 time -> naive UTC TIMESTAMP (NULL when it does not read).
-- DuckDB returns year 10000 or BC for some inputs: the caller keeps a time only inside the
-- trusted window (docs/ingest.md "Time that is trusted") and notes why otherwise.
CREATE OR REPLACE TEMP MACRO hc_utc(v) AS
    CASE WHEN json_type(v) = 'VARCHAR' THEN CAST(timezone('UTC', TRY_CAST(v ->> '$' AS TIMESTAMPTZ)) AS TIMESTAMP) END;

CREATE OR REPLACE TEMP MACRO hc_trusted(t, since, latest) AS
    CASE WHEN t BETWEEN since AND latest THEN t END;

-- Why a present time value (v, read as t) is not kept, or NULL.
CREATE OR REPLACE TEMP MACRO hc_time_problem(v, t, since, latest) AS
    CASE
        WHEN NOT hc_present(v) THEN NULL
        WHEN t IS NULL THEN 'not an ISO-8601 time'
        WHEN t < since THEN 'earlier than ' || strftime(since, '%Y-%m-%d')
        WHEN t > latest THEN 'later than the response''s Date + 1 day'
    END;

-- A count: a non-negative JSON integer below 2^63, or a string of decimal digits (converted).
CREATE OR REPLACE TEMP MACRO hc_count(v) AS
    CASE json_type(v)
        WHEN 'UBIGINT' THEN TRY_CAST(v AS BIGINT)
        WHEN 'BIGINT' THEN CASE WHEN CAST(v AS BIGINT) >= 0 THEN CAST(v AS BIGINT) END
        WHEN 'VARCHAR' THEN CASE WHEN regexp_full_match(v ->> '$', '[0-9]{1,18}') THEN CAST(v ->> '$' AS BIGINT) END
    END;

CREATE OR REPLACE TEMP MACRO hc_count_problem(v) AS
    CASE WHEN hc_present(v) AND hc_count(v) IS NULL THEN
        CASE WHEN json_type(v) = 'BIGINT' THEN 'negative count' ELSE 'not a non-negative integer' END
    END;

-- A weight file format from a lower-case repo file name, NULL for everything else. (The
-- caller lower-cases the whole file list once: a lower() per check cost twice as much.)
CREATE OR REPLACE TEMP MACRO hc_weight_format(name) AS
    CASE
        WHEN suffix(name, '.safetensors') THEN 'safetensors'
        WHEN suffix(name, '.gguf') THEN 'gguf'
        WHEN suffix(name, '.ggml') THEN 'ggml'
        WHEN suffix(name, '.onnx') THEN 'onnx'
        WHEN suffix(name, '.bin') THEN 'bin'
        WHEN suffix(name, '.pt') OR suffix(name, '.pth') THEN 'pt'
        WHEN suffix(name, '.ckpt') THEN 'ckpt'
        WHEN suffix(name, '.h5') THEN 'h5'
        WHEN suffix(name, '.msgpack') THEN 'msgpack'
        WHEN suffix(name, '.tflite') THEN 'tflite'
        WHEN suffix(name, '.mlmodel') OR contains(name, '.mlpackage/') THEN 'coreml'
        WHEN suffix(name, '.npz') THEN 'npz'
        WHEN suffix(name, '.nemo') THEN 'nemo'
    END;

-- Why a present value is not of one of the JSON kinds wanted, or NULL (docs/ingest.md).
CREATE OR REPLACE TEMP MACRO hc_kind_problem(v, kinds, reason) AS
    CASE WHEN hc_present(v) AND NOT list_contains(kinds, json_type(v)) THEN reason END;

-- The values of a record's `<prefix><value>` tags (dataset:, arxiv:, size_categories:), non-empty,
-- in tag order (docs/figures.md "Links").
CREATE OR REPLACE TEMP MACRO hc_tag_values(tags, prefix) AS
    list_filter(list_transform(list_filter(tags, lambda t: starts_with(t, prefix)),
                               lambda t: substr(t, strlen(prefix) + 1)),
                lambda v: strlen(v) > 0);

-- The license of a record (docs/figures.md): the first license: tag, else cardData.license (first
-- element of a list), lower-cased; NULL when none.
CREATE OR REPLACE TEMP MACRO hc_license(tags, card_license) AS
    lower(coalesce(
        substr(list_filter(tags, lambda x: starts_with(x, 'license:') AND strlen(x) > 8)[1], 9),
        CASE json_type(card_license)
            WHEN 'VARCHAR' THEN nullif(card_license ->> '$', '')
            WHEN 'ARRAY' THEN CASE WHEN json_type(card_license, '$[0]') = 'VARCHAR'
                                   THEN nullif(card_license ->> '$[0]', '') END
        END));
