-- Staged records of GET /api/models pages -> the temp tables page_rows (one normalized row per
-- record; skip_reason set for a record rejected whole), page_edges (lineage) and page_drops
-- (values dropped from stored records). The records come as newline-delimited JSON files
-- ($paths, named <page_no>.<chunk>.ndjson), one JSON object a line, already checked by the
-- crawler for what would stop a JSON parser (crawler/records.py); the checks here are the
-- value rules of docs/ingest.md. Several files are parsed in one statement: DuckDB's
-- per-statement cost is paid per batch. Definitions follow docs/figures.md (license, gated,
-- lineage precedence) exactly.
-- $heavy: the page was asked for heavy fields, so an absent list means "none" ([]) rather
-- than "not fetched" (NULL). $max_object_bytes: the largest record of the batch (DuckDB sizes
-- its read buffers from it). $since, $latest: the trusted time window (docs/ingest.md).

-- One JSON parse per record: from_json types tags and file names straight into lists and keeps
-- every scalar whose JSON type decides validity as a small JSON value, cheap to test.
CREATE OR REPLACE TEMP TABLE page_records AS
WITH raw AS (
    SELECT json AS j, CAST(regexp_extract(filename, '(\d+)\.\d+\.ndjson$', 1) AS BIGINT) AS page_no
    FROM read_json_objects($paths, format = 'newline_delimited', filename = true,
                           maximum_object_size = $max_object_bytes)
), typed AS (
    SELECT page_no, j,
           left(CAST(j AS VARCHAR), 1) = '{' AS is_object,
           strlen(CAST(j AS VARCHAR)) AS record_bytes,
           from_json(j, '{"_id": "JSON", "id": "JSON", "author": "JSON", "sha": "JSON",
                          "createdAt": "JSON", "lastModified": "JSON", "private": "JSON",
                          "disabled": "JSON", "gated": "JSON", "downloads": "JSON",
                          "downloadsAllTime": "JSON", "likes": "JSON", "trendingScore": "JSON",
                          "library_name": "JSON", "pipeline_tag": "JSON", "tags": ["VARCHAR"],
                          "cardData": "JSON", "safetensors": "JSON", "siblings": [{"rfilename": "VARCHAR"}],
                          "baseModels": "JSON", "childrenModelCount": "JSON"}') AS r
    FROM raw
), checked AS (
    SELECT *,
           json_type(r.id) AS id_type,
           r.id ->> '$' AS id_text,
           -- from_json gives NULL for a list of the wrong type; only then is the raw record
           -- asked what was there (CASE evaluates it for those rows alone)
           CASE WHEN r.tags IS NULL AND is_object THEN coalesce(json_type(j, '$.tags'), 'NULL') ELSE 'ARRAY' END AS tags_type,
           CASE WHEN r.siblings IS NULL AND is_object THEN coalesce(json_type(j, '$.siblings'), 'NULL') ELSE 'ARRAY' END
               AS siblings_type,
           hc_utc(r.createdAt) AS created_read,
           hc_utc(r.lastModified) AS modified_read,
           -- file names joined by NUL, which a git path cannot contain, lower-cased once
           lower(array_to_string(list_transform(r.siblings, lambda f: coalesce(f.rfilename, '')), chr(0))) AS files
    FROM typed
), judged AS (
    SELECT *,
           CASE
               WHEN NOT is_object THEN 'record is not an object'
               WHEN id_type IS DISTINCT FROM 'VARCHAR' THEN 'id missing or not a string'
               WHEN strlen(id_text) NOT BETWEEN 1 AND 256 OR regexp_matches(id_text, '[\x00-\x1f\x7f]')
                   THEN 'id empty, too long or with control characters'
               WHEN record_bytes > 16777216 THEN 'record larger than 16 MiB'
           END AS skip_reason
    FROM checked
)
SELECT
    page_no,
    skip_reason,
    CASE WHEN id_type = 'VARCHAR' AND strlen(id_text) BETWEEN 1 AND 256
              AND NOT regexp_matches(id_text, '[\x00-\x1f\x7f]') THEN id_text END AS model_id,
    CASE WHEN skip_reason IS NOT NULL THEN left(CAST(j AS VARCHAR), 200) END AS record_sample,
    hc_str(r._id) AS internal_id,
    coalesce(hc_str(r.author), CASE WHEN contains(id_text, '/') THEN split_part(id_text, '/', 1) END) AS author,
    hc_str(r.sha) AS sha,
    hc_trusted(created_read, $since, $latest) AS created_at,
    hc_trusted(modified_read, $since, $latest) AS last_modified,
    CASE WHEN json_type(r.private) = 'BOOLEAN' THEN CAST(r.private AS BOOLEAN) END AS private,
    CASE WHEN json_type(r.disabled) = 'BOOLEAN' THEN CAST(r.disabled AS BOOLEAN) END AS disabled,
    CASE WHEN NOT hc_present(r.gated) THEN NULL
         WHEN hc_str(r.gated) IN ('auto', 'manual') THEN hc_str(r.gated)
         ELSE 'none' END AS gated,
    hc_str(r.pipeline_tag) AS pipeline_tag,
    hc_str(r.library_name) AS library_name,
    -- tags in the Hub's order (the first license: tag wins). The Hub's tags are strings; a
    -- malformed non-string one is kept as its JSON text (from_json's reading of it), which can
    -- never look like a license: or base_model: tag.
    list_filter(r.tags, lambda x: x IS NOT NULL) AS tags,
    -- the card's few values we read, parsed once (each json_extract would parse the whole card)
    CASE WHEN json_type(r.cardData) = 'OBJECT' THEN
        from_json(r.cardData, '{"license": "JSON", "license_name": "JSON", "license_link": "JSON", "language": "JSON",
                                "datasets": "JSON", "base_model": "JSON"}') END AS card,
    hc_count(r.downloads) AS downloads,
    hc_count(r.downloadsAllTime) AS downloads_all_time,
    hc_count(r.likes) AS likes,
    CASE WHEN json_type(r.trendingScore) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN TRY_CAST(r.trendingScore AS DOUBLE) END
        AS trending_score,
    CASE WHEN json_type(r.safetensors) = 'OBJECT' AND json_type(r.safetensors, '$.total') IN ('BIGINT', 'UBIGINT')
         THEN TRY_CAST(json_extract(r.safetensors, '$.total') AS BIGINT) END AS params,
    CASE WHEN r.siblings IS NOT NULL THEN CAST(len(r.siblings) AS INTEGER)
         WHEN $heavy THEN 0 END AS siblings_count,
    CASE WHEN r.siblings IS NOT NULL THEN
        list_sort(list_distinct(
            list_transform(regexp_extract_all(files, '\.(safetensors|gguf|ggml|onnx|bin|pth?|ckpt|h5|msgpack|tflite|mlmodel|npz|nemo)(?:\x00|$)', 1),
                           lambda e: CASE e WHEN 'pth' THEN 'pt' WHEN 'mlmodel' THEN 'coreml' ELSE e END)
            -- inside a Core ML package, a file with none of the extensions above is Core ML
            || CASE WHEN contains(files, '.mlpackage/') THEN
                   list_filter(list_transform(regexp_extract_all(files, '[^\x00]*\.mlpackage/[^\x00]*'),
                                              lambda f: hc_weight_format(f)), lambda x: x = 'coreml')
               ELSE [] END))
         WHEN $heavy THEN []::VARCHAR[] END AS weight_formats,
    CASE WHEN json_type(r.baseModels) IN ('OBJECT', 'ARRAY') THEN r.baseModels END AS base_models_json,
    CASE WHEN json_type(r.childrenModelCount) = 'OBJECT' THEN
        from_json(r.childrenModelCount, '{"finetune": "BIGINT", "adapter": "BIGINT", "quantized": "BIGINT", "merge": "BIGINT"}')
    END AS hub_children_count,
    -- Values dropped from a stored record (docs/ingest.md): (field, reason, JSON text sample).
    -- Most records have none, so the list is only built where one of the checks fails.
    CASE WHEN hc_time_problem(r.createdAt, created_read, $since, $latest) IS NOT NULL
           OR hc_time_problem(r.lastModified, modified_read, $since, $latest) IS NOT NULL
           OR hc_count_problem(r.downloads) IS NOT NULL OR hc_count_problem(r.downloadsAllTime) IS NOT NULL
           OR hc_count_problem(r.likes) IS NOT NULL
           OR (hc_present(r.trendingScore) AND json_type(r.trendingScore) NOT IN ('DOUBLE', 'BIGINT', 'UBIGINT'))
           OR (hc_present(r.private) AND json_type(r.private) <> 'BOOLEAN')
           OR (hc_present(r.disabled) AND json_type(r.disabled) <> 'BOOLEAN')
           OR tags_type NOT IN ('ARRAY', 'NULL') OR siblings_type NOT IN ('ARRAY', 'NULL')
           OR (hc_present(r.cardData) AND json_type(r.cardData) <> 'OBJECT')
           OR (hc_present(r.safetensors) AND json_type(r.safetensors) <> 'OBJECT')
           OR (hc_present(r.baseModels) AND json_type(r.baseModels) NOT IN ('OBJECT', 'ARRAY'))
           OR (hc_present(r.library_name) AND json_type(r.library_name) <> 'VARCHAR')
           OR (hc_present(r.pipeline_tag) AND json_type(r.pipeline_tag) <> 'VARCHAR')
           OR (hc_present(r.author) AND json_type(r.author) <> 'VARCHAR')
           OR (hc_present(r.sha) AND json_type(r.sha) <> 'VARCHAR')
    THEN list_filter([
        {'field': 'createdAt', 'reason': hc_time_problem(r.createdAt, created_read, $since, $latest), 'sample': CAST(r.createdAt AS VARCHAR)},
        {'field': 'lastModified', 'reason': hc_time_problem(r.lastModified, modified_read, $since, $latest), 'sample': CAST(r.lastModified AS VARCHAR)},
        {'field': 'downloads', 'reason': hc_count_problem(r.downloads), 'sample': CAST(r.downloads AS VARCHAR)},
        {'field': 'downloadsAllTime', 'reason': hc_count_problem(r.downloadsAllTime), 'sample': CAST(r.downloadsAllTime AS VARCHAR)},
        {'field': 'likes', 'reason': hc_count_problem(r.likes), 'sample': CAST(r.likes AS VARCHAR)},
        {'field': 'trendingScore', 'reason': CASE WHEN hc_present(r.trendingScore) AND json_type(r.trendingScore) NOT IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN 'not a number' END, 'sample': CAST(r.trendingScore AS VARCHAR)},
        {'field': 'private', 'reason': CASE WHEN hc_present(r.private) AND json_type(r.private) <> 'BOOLEAN' THEN 'not true or false' END, 'sample': CAST(r.private AS VARCHAR)},
        {'field': 'disabled', 'reason': CASE WHEN hc_present(r.disabled) AND json_type(r.disabled) <> 'BOOLEAN' THEN 'not true or false' END, 'sample': CAST(r.disabled AS VARCHAR)},
        {'field': 'tags', 'reason': CASE WHEN tags_type NOT IN ('ARRAY', 'NULL') THEN 'not a list' END, 'sample': CAST(json_extract(j, '$.tags') AS VARCHAR)},
        {'field': 'siblings', 'reason': CASE WHEN siblings_type NOT IN ('ARRAY', 'NULL') THEN 'not a list' END, 'sample': CAST(json_extract(j, '$.siblings') AS VARCHAR)},
        {'field': 'cardData', 'reason': CASE WHEN hc_present(r.cardData) AND json_type(r.cardData) <> 'OBJECT' THEN 'not an object' END, 'sample': CAST(r.cardData AS VARCHAR)},
        {'field': 'safetensors', 'reason': CASE WHEN hc_present(r.safetensors) AND json_type(r.safetensors) <> 'OBJECT' THEN 'not an object' END, 'sample': CAST(r.safetensors AS VARCHAR)},
        {'field': 'baseModels', 'reason': CASE WHEN hc_present(r.baseModels) AND json_type(r.baseModels) NOT IN ('OBJECT', 'ARRAY') THEN 'not an object or list' END, 'sample': CAST(r.baseModels AS VARCHAR)},
        {'field': 'library_name', 'reason': CASE WHEN hc_present(r.library_name) AND json_type(r.library_name) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(r.library_name AS VARCHAR)},
        {'field': 'pipeline_tag', 'reason': CASE WHEN hc_present(r.pipeline_tag) AND json_type(r.pipeline_tag) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(r.pipeline_tag AS VARCHAR)},
        {'field': 'author', 'reason': CASE WHEN hc_present(r.author) AND json_type(r.author) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(r.author AS VARCHAR)},
        {'field': 'sha', 'reason': CASE WHEN hc_present(r.sha) AND json_type(r.sha) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(r.sha AS VARCHAR)}
    ], lambda d: d.reason IS NOT NULL) END AS drops
FROM judged;

-- Values dropped from records that are stored.
CREATE OR REPLACE TEMP TABLE page_drops AS
SELECT page_no, model_id AS repo_id, d.field AS field, d.reason AS reason, left(d.sample, 200) AS sample
FROM (SELECT page_no, model_id, unnest(drops) AS d FROM page_records WHERE skip_reason IS NULL AND drops IS NOT NULL);

-- Lineage by the precedence of docs/figures.md: baseModels, else base_model:<relation>:<id>
-- tags, else cardData.base_model (relation 'unknown'); the first source with a parent wins;
-- distinct (child, parent, relation); self-edges dropped after the choice.
CREATE OR REPLACE TEMP TABLE page_edges AS
WITH ok AS (
    SELECT * FROM page_records WHERE skip_reason IS NULL
), bm_groups AS (
    SELECT page_no, model_id,
           unnest(CASE json_type(base_models_json)
                      WHEN 'OBJECT' THEN [base_models_json]
                      WHEN 'ARRAY' THEN json_extract(base_models_json, '$[*]')
                  END) AS g
    FROM ok WHERE base_models_json IS NOT NULL
), bm AS (
    SELECT page_no, model_id, g ->> '$.relation' AS rel, unnest(json_extract(g, '$.models[*]')) AS m
    FROM bm_groups WHERE json_type(g) = 'OBJECT' AND json_type(g, '$.models') = 'ARRAY'
), tag_rows AS (
    SELECT page_no, model_id, substr(unnest(list_filter(tags, lambda x: starts_with(x, 'base_model:'))), 12) AS rest
    FROM ok WHERE tags IS NOT NULL
), candidates AS (
    SELECT page_no, model_id AS child_id, m ->> '$.id' AS parent_id,
           CASE WHEN rel IN ('finetune', 'adapter', 'quantized', 'merge') THEN rel ELSE 'unknown' END AS relation,
           1 AS precedence, 'baseModels' AS source
    FROM bm WHERE json_type(m, '$.id') = 'VARCHAR'
    UNION ALL
    SELECT page_no, model_id, substr(rest, strlen(split_part(rest, ':', 1)) + 2), split_part(rest, ':', 1), 2, 'tag'
    FROM tag_rows
    WHERE split_part(rest, ':', 1) IN ('finetune', 'adapter', 'quantized', 'merge') AND contains(rest, ':')
    UNION ALL
    SELECT page_no, model_id, unnest(hc_str_list(card.base_model)), 'unknown', 3, 'cardData'
    FROM ok WHERE card.base_model IS NOT NULL
), chosen AS (
    SELECT * FROM candidates
    WHERE parent_id IS NOT NULL AND parent_id <> ''
    QUALIFY precedence = min(precedence) OVER (PARTITION BY page_no, child_id)
)
SELECT DISTINCT page_no, child_id, parent_id, relation, source FROM chosen WHERE parent_id <> child_id;

-- Links the records declare (docs/figures.md "Links"): model -> dataset trained_on from
-- dataset: tags (precedence) and cardData.datasets; model -> paper cites from arxiv: tags.
CREATE OR REPLACE TEMP TABLE page_links AS
WITH ok AS (
    SELECT page_no, model_id, tags, card FROM page_records WHERE skip_reason IS NULL
), candidates AS (
    SELECT page_no, model_id AS source_id, 'dataset' AS target_type, unnest(hc_tag_values(tags, 'dataset:')) AS target_id,
           'trained_on' AS relation, 'tag' AS source, 1 AS precedence
    FROM ok WHERE tags IS NOT NULL
    UNION ALL
    SELECT page_no, model_id, 'dataset', unnest(hc_str_list(card.datasets)), 'trained_on', 'cardData', 2
    FROM ok WHERE card.datasets IS NOT NULL
    UNION ALL
    SELECT page_no, model_id, 'paper', unnest(hc_tag_values(tags, 'arxiv:')), 'cites', 'tag', 1
    FROM ok WHERE tags IS NOT NULL
)
SELECT page_no, 'model' AS source_type, source_id, target_type, target_id, relation, arg_min(source, precedence) AS source
FROM candidates
GROUP BY page_no, source_id, target_type, target_id, relation;

-- Normalized rows of the page (what storage stages): license per docs/figures.md.
CREATE OR REPLACE TEMP TABLE page_rows AS
SELECT
    r.page_no, r.skip_reason, r.model_id, r.record_sample, r.internal_id, r.author, r.sha, r.created_at,
    r.last_modified, r.private, r.disabled, r.gated, r.pipeline_tag, r.library_name,
    lower(coalesce(
        substr(list_filter(r.tags, lambda x: starts_with(x, 'license:') AND strlen(x) > 8)[1], 9),
        CASE json_type(r.card.license)
            WHEN 'VARCHAR' THEN nullif(r.card.license ->> '$', '')
            WHEN 'ARRAY' THEN CASE WHEN json_type(r.card.license, '$[0]') = 'VARCHAR'
                                   THEN nullif(r.card.license ->> '$[0]', '') END
        END)) AS license,
    hc_str(r.card.license_name) AS license_name,
    hc_str(r.card.license_link) AS license_link,
    r.downloads, r.downloads_all_time, r.likes, r.trending_score, r.params,
    hc_str_list(r.card.language) AS languages,
    hc_str_list(r.card.datasets) AS datasets,
    r.tags,
    CASE WHEN e.base_models IS NOT NULL THEN e.base_models
         WHEN $heavy THEN []::VARCHAR[] END AS base_models,
    r.siblings_count, r.weight_formats, r.hub_children_count
FROM page_records r
LEFT JOIN (SELECT page_no, child_id, list_sort(list_distinct(list(parent_id))) AS base_models
           FROM page_edges GROUP BY ALL) e
       ON e.page_no = r.page_no AND e.child_id = r.model_id AND r.skip_reason IS NULL;
