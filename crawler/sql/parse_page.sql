-- The crawler's knowledge of the Hub's JSON: pages of GET /api/models (each a top-level JSON
-- array, spooled to the files $paths, named <page_no>.json) -> the temp tables page_rows (one
-- normalized row per record, skip_reason set for malformed ones) and page_edges (lineage).
-- Several pages are parsed in one statement: DuckDB's per-statement cost is paid per batch.
-- Definitions follow docs/figures.md (license, gated, lineage precedence) exactly.
-- $heavy: the page was asked for heavy fields (refresh), so an absent list means "none" ([])
-- rather than "not fetched" (NULL).
-- $max_object_bytes: the largest page file of the batch. No record can be larger than its
-- file, and DuckDB sizes its read buffers from this bound (2x per file), not from the data:
-- a fixed 32 MB bound cost 64 MB per page file and ran a 256 MB crawl out of memory.

-- One JSON parse per record: from_json types tags and file names straight into lists (a JSON
-- sub-document would be serialised to text and parsed again) and keeps the few values whose
-- JSON type decides validity (id, counts) as small JSON texts, cheap to test. A record's
-- validity is therefore read from the typed values; a second json_type pass over whole
-- records, and per-file lambdas over the file lists, cost as much as the parse itself.
CREATE OR REPLACE TEMP TABLE page_records AS
WITH raw AS (
    SELECT json AS j, CAST(regexp_extract(filename, '(\d+)\.json$', 1) AS BIGINT) AS page_no
    FROM read_json_objects($paths, format = 'array', filename = true, maximum_object_size = $max_object_bytes)
), typed AS (
    SELECT page_no, j,
           -- read_json_objects hands over each array element as compact JSON text
           left(CAST(j AS VARCHAR), 1) = '{' AS is_object,
           strlen(CAST(j AS VARCHAR)) AS record_bytes,
           from_json(j, '{"_id": "VARCHAR", "id": "JSON", "author": "VARCHAR", "sha": "VARCHAR",
                          "createdAt": "VARCHAR", "lastModified": "VARCHAR", "private": "BOOLEAN",
                          "disabled": "BOOLEAN", "gated": "JSON", "downloads": "JSON",
                          "downloadsAllTime": "JSON", "likes": "JSON", "trendingScore": "DOUBLE",
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
           -- file names joined by NUL, which a git path cannot contain, lower-cased once
           lower(array_to_string(list_transform(r.siblings, lambda f: coalesce(f.rfilename, '')), chr(0))) AS files
    FROM typed
)
SELECT
    page_no,
    CASE
        WHEN NOT is_object THEN 'record is not an object'
        WHEN id_type IS DISTINCT FROM 'VARCHAR' THEN 'id missing or not a string'
        WHEN strlen(id_text) NOT BETWEEN 1 AND 256 THEN 'id empty or longer than 256 characters'
        WHEN record_bytes > 16777216 THEN 'record larger than 16 MiB'
        WHEN tags_type NOT IN ('ARRAY', 'NULL') THEN 'tags is not a list'
        WHEN left(CAST(r.cardData AS VARCHAR), 1) <> '{' AND CAST(r.cardData AS VARCHAR) <> 'null' THEN 'cardData is not an object'
        WHEN siblings_type NOT IN ('ARRAY', 'NULL') THEN 'siblings is not a list'
        WHEN coalesce(json_type(r.downloads), 'NULL') NOT IN ('UBIGINT', 'BIGINT', 'NULL')
          OR coalesce(json_type(r.likes), 'NULL') NOT IN ('UBIGINT', 'BIGINT', 'NULL')
          OR coalesce(json_type(r.downloadsAllTime), 'NULL') NOT IN ('UBIGINT', 'BIGINT', 'NULL') THEN 'a count is not an integer'
        WHEN coalesce(json_type(r.baseModels), 'NULL') NOT IN ('OBJECT', 'ARRAY', 'NULL') THEN 'baseModels is not an object or list'
        WHEN left(CAST(r.safetensors AS VARCHAR), 1) <> '{' AND CAST(r.safetensors AS VARCHAR) <> 'null' THEN 'safetensors is not an object'
        WHEN len(r.siblings) > 1000000 OR len(r.tags) > 100000 THEN 'absurdly many files or tags'
    END AS skip_reason,
    CASE WHEN id_type = 'VARCHAR' AND strlen(id_text) BETWEEN 1 AND 256 THEN id_text END AS model_id,
    r._id AS internal_id,
    coalesce(r.author, CASE WHEN contains(id_text, '/') THEN split_part(id_text, '/', 1) END) AS author,
    r.sha AS sha,
    hc_utc(r.createdAt) AS created_at,
    hc_utc(r.lastModified) AS last_modified,
    r.private AS private,
    r.disabled AS disabled,
    CASE WHEN r.gated IS NULL THEN NULL
         WHEN hc_str(r.gated) IN ('auto', 'manual') THEN hc_str(r.gated)
         ELSE 'none' END AS gated,
    hc_str(r.pipeline_tag) AS pipeline_tag,
    hc_str(r.library_name) AS library_name,
    -- tags in the Hub's order (the first license: tag wins). The Hub's tags are strings; a
    -- malformed non-string one is kept as its JSON text (from_json's reading of it), which can
    -- never look like a license: or base_model: tag.
    list_filter(r.tags, lambda x: x IS NOT NULL) AS tags,
    -- the card's few values we read, parsed once (each json_extract would parse the whole card)
    from_json(r.cardData, '{"license": "JSON", "license_name": "JSON", "license_link": "JSON", "language": "JSON",
                            "datasets": "JSON", "base_model": "JSON"}') AS card,
    TRY_CAST(r.downloads AS BIGINT) AS downloads,
    TRY_CAST(r.downloadsAllTime AS BIGINT) AS downloads_all_time,
    TRY_CAST(r.likes AS BIGINT) AS likes,
    r.trendingScore AS trending_score,
    TRY_CAST(json_extract(r.safetensors, '$.total') AS BIGINT) AS params,
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
    r.baseModels AS base_models_json,
    from_json(r.childrenModelCount, '{"finetune": "BIGINT", "adapter": "BIGINT", "quantized": "BIGINT", "merge": "BIGINT"}')
        AS hub_children_count
FROM checked;

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

-- Normalized rows of the page (what storage stages): license per docs/figures.md.
CREATE OR REPLACE TEMP TABLE page_rows AS
SELECT
    r.page_no, r.skip_reason, r.model_id, r.internal_id, r.author, r.sha, r.created_at, r.last_modified,
    r.private, r.disabled, r.gated, r.pipeline_tag, r.library_name,
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
