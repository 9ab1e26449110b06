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

-- One pass: read_json parses each line once. @tolerant is the literal false or true (storage
-- picks it; the branch not taken is pruned when planned):
-- - false, the fast read: tags, the card's six values and the safetensors total are typed by
--   the read itself; a value of another type (tags that are not a list, a card that is not an
--   object), or an id the record would be rejected for, fails the batch on purpose (error()), and
--   storage parses it again in the tolerant read;
-- - true, the tolerant read: those fields come as raw JSON and are typed afterwards only where
--   they have the right shape, so any record is parsed and a bad value is dropped with a note;
--   a record without a usable id keeps its raw text as the sample.
-- Both give the same columns and, for any record the fast read accepts, the same values. The
-- file list is never built as a list of structs: its length and the weight formats are read from
-- its raw text (`.ext"` ends a file name; a quote inside a name is escaped), which is what a
-- 6,000-file record costs most. Every line is a JSON object of at most 16 MiB (the crawler's
-- checks, crawler/records.py); a line DuckDB still refuses fails the batch, which storage bisects.
CREATE OR REPLACE TEMP TABLE page_records AS
WITH raw AS (
    SELECT CAST(regexp_extract(filename, '(\d+)\.\d+\.ndjson$', 1) AS BIGINT) AS page_no,
           _id, CASE WHEN json_type(id) = 'VARCHAR' AND strlen(id ->> '$') BETWEEN 1 AND 256
                          AND NOT regexp_matches(id ->> '$', '[\x00-\x1f\x7f]') THEN id
                     ELSE error('an id to reject: parse this batch tolerantly') END AS id,
           author, sha, createdAt, lastModified, private, disabled, gated, downloads, downloadsAllTime, likes,
           trendingScore, library_name, pipeline_tag, baseModels, childrenModelCount, siblings,
           tags AS tag_list, CASE WHEN tags IS NULL THEN 'NULL' ELSE 'ARRAY' END AS tags_type, NULL AS tags_text,
           cardData AS card, CASE WHEN cardData IS NULL THEN 'NULL' ELSE 'OBJECT' END AS card_type, NULL AS card_text,
           safetensors.total AS st_total, CASE WHEN safetensors IS NULL THEN 'NULL' ELSE 'OBJECT' END AS st_type,
           NULL AS st_text, NULL AS record_text
    FROM read_json($paths, format = 'newline_delimited', filename = true, maximum_object_size = $max_object_bytes,
                   columns = {'_id': 'JSON', 'id': 'JSON', 'author': 'JSON', 'sha': 'JSON', 'createdAt': 'JSON',
                              'lastModified': 'JSON', 'private': 'JSON', 'disabled': 'JSON', 'gated': 'JSON',
                              'downloads': 'JSON', 'downloadsAllTime': 'JSON', 'likes': 'JSON',
                              'trendingScore': 'JSON', 'library_name': 'JSON', 'pipeline_tag': 'JSON',
                              'tags': 'VARCHAR[]',
                              'cardData': 'STRUCT(license JSON, license_name JSON, license_link JSON, language JSON,
                                                  datasets JSON, base_model JSON)',
                              'safetensors': 'STRUCT(total JSON)', 'siblings': 'JSON',
                              'baseModels': 'JSON', 'childrenModelCount': 'JSON'})
    WHERE NOT @tolerant
    UNION ALL
    SELECT CAST(regexp_extract(filename, '(\d+)\.\d+\.ndjson$', 1) AS BIGINT),
           j._id, j.id, j.author, j.sha, j.createdAt, j.lastModified, j.private, j.disabled, j.gated, j.downloads,
           j.downloadsAllTime, j.likes, j.trendingScore, j.library_name, j.pipeline_tag, j.baseModels,
           j.childrenModelCount, j.siblings,
           CASE WHEN json_type(j.tags) = 'ARRAY' THEN from_json(j.tags, '["VARCHAR"]') END,
           coalesce(json_type(j.tags), 'NULL'), CAST(j.tags AS VARCHAR),
           CASE WHEN json_type(j.cardData) = 'OBJECT' THEN
               from_json(j.cardData, '{"license": "JSON", "license_name": "JSON", "license_link": "JSON",
                                       "language": "JSON", "datasets": "JSON", "base_model": "JSON"}') END,
           coalesce(json_type(j.cardData), 'NULL'), CAST(j.cardData AS VARCHAR),
           CASE WHEN json_type(j.safetensors) = 'OBJECT' THEN json_extract(j.safetensors, '$.total') END,
           coalesce(json_type(j.safetensors), 'NULL'), CAST(j.safetensors AS VARCHAR),
           CAST(t.json AS VARCHAR)
    FROM (SELECT filename, json, from_json(json, '{"_id": "JSON", "id": "JSON", "author": "JSON", "sha": "JSON",
                     "createdAt": "JSON", "lastModified": "JSON", "private": "JSON", "disabled": "JSON",
                     "gated": "JSON", "downloads": "JSON", "downloadsAllTime": "JSON", "likes": "JSON",
                     "trendingScore": "JSON", "library_name": "JSON", "pipeline_tag": "JSON", "tags": "JSON",
                     "cardData": "JSON", "safetensors": "JSON", "siblings": "JSON", "baseModels": "JSON",
                     "childrenModelCount": "JSON"}') AS j
          FROM read_json_objects($paths, format = 'newline_delimited', filename = true,
                                 maximum_object_size = $max_object_bytes)) t(filename, json, j)
    WHERE @tolerant
), checked AS (
    SELECT *,
           json_type(id) AS id_type,
           id ->> '$' AS id_text,
           -- the file list's raw text, lower-cased once (the weight formats ignore case)
           CASE WHEN json_type(siblings) = 'ARRAY' THEN lower(CAST(siblings AS VARCHAR)) END AS files,
           coalesce(json_type(siblings), 'NULL') AS siblings_type,
           hc_utc(createdAt) AS created_read,
           hc_utc(lastModified) AS modified_read
    FROM raw
), judged AS (
    SELECT *,
           CASE
               WHEN id_type IS DISTINCT FROM 'VARCHAR' THEN 'id missing or not a string'
               WHEN strlen(id_text) NOT BETWEEN 1 AND 256 OR regexp_matches(id_text, '[\x00-\x1f\x7f]')
                   THEN 'id empty, too long or with control characters'
           END AS skip_reason
    FROM checked
)
SELECT
    page_no,
    skip_reason,
    CASE WHEN id_type = 'VARCHAR' AND strlen(id_text) BETWEEN 1 AND 256
              AND NOT regexp_matches(id_text, '[\x00-\x1f\x7f]') THEN id_text END AS model_id,
    CASE WHEN skip_reason IS NOT NULL THEN left(record_text, 200) END AS record_sample,
    hc_str(_id) AS internal_id,
    coalesce(hc_str(author), CASE WHEN contains(id_text, '/') THEN split_part(id_text, '/', 1) END) AS author,
    hc_str(sha) AS sha,
    hc_trusted(created_read, $since, $latest) AS created_at,
    hc_trusted(modified_read, $since, $latest) AS last_modified,
    CASE WHEN json_type(private) = 'BOOLEAN' THEN CAST(private AS BOOLEAN) END AS private,
    CASE WHEN json_type(disabled) = 'BOOLEAN' THEN CAST(disabled AS BOOLEAN) END AS disabled,
    CASE WHEN NOT hc_present(gated) THEN NULL
         WHEN hc_str(gated) IN ('auto', 'manual') THEN hc_str(gated)
         ELSE 'none' END AS gated,
    hc_str(pipeline_tag) AS pipeline_tag,
    hc_str(library_name) AS library_name,
    -- tags in the Hub's order (the first license: tag wins). The Hub's tags are strings; a
    -- malformed non-string one is kept as its JSON text (from_json's reading of it), which can
    -- never look like a license: or base_model: tag.
    list_filter(tag_list, lambda x: x IS NOT NULL) AS tags,
    -- the card's few values we read, parsed once (each json_extract would parse the whole card)
    card,
    hc_count(downloads) AS downloads,
    hc_count(downloadsAllTime) AS downloads_all_time,
    hc_count(likes) AS likes,
    CASE WHEN json_type(trendingScore) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN TRY_CAST(trendingScore AS DOUBLE) END
        AS trending_score,
    CASE WHEN json_type(st_total) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(st_total AS BIGINT) END AS params,
    CASE WHEN files IS NOT NULL THEN CAST(json_array_length(siblings) AS INTEGER)
         WHEN $heavy THEN 0 END AS siblings_count,
    CASE WHEN files IS NOT NULL THEN
        list_sort(list_distinct(
            -- distinct before the lambda: a list of a few extensions, not one per file
            list_transform(list_distinct(regexp_extract_all(files, '\.(safetensors|gguf|ggml|onnx|bin|pth?|ckpt|h5|msgpack|tflite|mlmodel|npz|nemo)"', 1)),
                           lambda e: CASE e WHEN 'pth' THEN 'pt' WHEN 'mlmodel' THEN 'coreml' ELSE e END)
            -- inside a Core ML package, a file with none of the extensions above is Core ML
            || CASE WHEN contains(files, '.mlpackage/') THEN
                   list_filter(list_transform(regexp_extract_all(files, '"([^"]*\.mlpackage/[^"]*)"', 1),
                                              lambda f: hc_weight_format(f)), lambda x: x = 'coreml')
               ELSE [] END))
         WHEN $heavy THEN []::VARCHAR[] END AS weight_formats,
    CASE WHEN json_type(baseModels) IN ('OBJECT', 'ARRAY') THEN baseModels END AS base_models_json,
    CASE WHEN json_type(childrenModelCount) = 'OBJECT' THEN
        from_json(childrenModelCount, '{"finetune": "BIGINT", "adapter": "BIGINT", "quantized": "BIGINT", "merge": "BIGINT"}')
    END AS hub_children_count,
    -- Values dropped from a stored record (docs/ingest.md): (field, reason, JSON text sample).
    -- Most records have none, so the list is only built where one of the checks fails.
    CASE WHEN hc_time_problem(createdAt, created_read, $since, $latest) IS NOT NULL
           OR hc_time_problem(lastModified, modified_read, $since, $latest) IS NOT NULL
           OR hc_count_problem(downloads) IS NOT NULL OR hc_count_problem(downloadsAllTime) IS NOT NULL
           OR hc_count_problem(likes) IS NOT NULL
           OR (hc_present(trendingScore) AND json_type(trendingScore) NOT IN ('DOUBLE', 'BIGINT', 'UBIGINT'))
           OR (hc_present(private) AND json_type(private) <> 'BOOLEAN')
           OR (hc_present(disabled) AND json_type(disabled) <> 'BOOLEAN')
           OR tags_type NOT IN ('ARRAY', 'NULL') OR siblings_type NOT IN ('ARRAY', 'NULL')
           OR card_type NOT IN ('OBJECT', 'NULL') OR st_type NOT IN ('OBJECT', 'NULL')
           OR (hc_present(baseModels) AND json_type(baseModels) NOT IN ('OBJECT', 'ARRAY'))
           OR (hc_present(library_name) AND json_type(library_name) <> 'VARCHAR')
           OR (hc_present(pipeline_tag) AND json_type(pipeline_tag) <> 'VARCHAR')
           OR (hc_present(author) AND json_type(author) <> 'VARCHAR')
           OR (hc_present(sha) AND json_type(sha) <> 'VARCHAR')
    THEN list_filter([
        {'field': 'createdAt', 'reason': hc_time_problem(createdAt, created_read, $since, $latest), 'sample': CAST(createdAt AS VARCHAR)},
        {'field': 'lastModified', 'reason': hc_time_problem(lastModified, modified_read, $since, $latest), 'sample': CAST(lastModified AS VARCHAR)},
        {'field': 'downloads', 'reason': hc_count_problem(downloads), 'sample': CAST(downloads AS VARCHAR)},
        {'field': 'downloadsAllTime', 'reason': hc_count_problem(downloadsAllTime), 'sample': CAST(downloadsAllTime AS VARCHAR)},
        {'field': 'likes', 'reason': hc_count_problem(likes), 'sample': CAST(likes AS VARCHAR)},
        {'field': 'trendingScore', 'reason': CASE WHEN hc_present(trendingScore) AND json_type(trendingScore) NOT IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN 'not a number' END, 'sample': CAST(trendingScore AS VARCHAR)},
        {'field': 'private', 'reason': CASE WHEN hc_present(private) AND json_type(private) <> 'BOOLEAN' THEN 'not true or false' END, 'sample': CAST(private AS VARCHAR)},
        {'field': 'disabled', 'reason': CASE WHEN hc_present(disabled) AND json_type(disabled) <> 'BOOLEAN' THEN 'not true or false' END, 'sample': CAST(disabled AS VARCHAR)},
        {'field': 'tags', 'reason': CASE WHEN tags_type NOT IN ('ARRAY', 'NULL') THEN 'not a list' END, 'sample': tags_text},
        {'field': 'siblings', 'reason': CASE WHEN siblings_type NOT IN ('ARRAY', 'NULL') THEN 'not a list' END, 'sample': CAST(siblings AS VARCHAR)},
        {'field': 'cardData', 'reason': CASE WHEN card_type NOT IN ('OBJECT', 'NULL') THEN 'not an object' END, 'sample': card_text},
        {'field': 'safetensors', 'reason': CASE WHEN st_type NOT IN ('OBJECT', 'NULL') THEN 'not an object' END, 'sample': st_text},
        {'field': 'baseModels', 'reason': CASE WHEN hc_present(baseModels) AND json_type(baseModels) NOT IN ('OBJECT', 'ARRAY') THEN 'not an object or list' END, 'sample': CAST(baseModels AS VARCHAR)},
        {'field': 'library_name', 'reason': CASE WHEN hc_present(library_name) AND json_type(library_name) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(library_name AS VARCHAR)},
        {'field': 'pipeline_tag', 'reason': CASE WHEN hc_present(pipeline_tag) AND json_type(pipeline_tag) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(pipeline_tag AS VARCHAR)},
        {'field': 'author', 'reason': CASE WHEN hc_present(author) AND json_type(author) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(author AS VARCHAR)},
        {'field': 'sha', 'reason': CASE WHEN hc_present(sha) AND json_type(sha) <> 'VARCHAR' THEN 'not a string' END, 'sample': CAST(sha AS VARCHAR)}
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
