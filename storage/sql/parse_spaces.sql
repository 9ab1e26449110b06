-- Staged records of GET /api/spaces pages -> page_rows, page_drops and page_links (Space ->
-- model and Space -> dataset `uses` from its `models` / `datasets`; Space -> paper `cites` from
-- arxiv: tags). Same input, checks and parameters as parse_page.sql (models). Spaces have no
-- download counts.

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
                          "disabled": "JSON", "likes": "JSON", "trendingScore": "JSON",
                          "tags": ["VARCHAR"], "cardData": "JSON", "sdk": "JSON", "runtime": "JSON",
                          "models": "JSON", "datasets": "JSON"}') AS r
    FROM raw
), checked AS (
    SELECT *,
           json_type(r.id) AS id_type,
           r.id ->> '$' AS id_text,
           CASE WHEN r.tags IS NULL AND is_object THEN coalesce(json_type(j, '$.tags'), 'NULL') ELSE 'ARRAY' END AS tags_type,
           hc_utc(r.createdAt) AS created_read,
           hc_utc(r.lastModified) AS modified_read
    FROM typed
), judged AS (
    SELECT *,
           CASE
               WHEN NOT is_object THEN 'record is not an object'
               WHEN id_type IS DISTINCT FROM 'VARCHAR' THEN 'id missing or not a string'
               WHEN strlen(id_text) NOT BETWEEN 1 AND 256 OR regexp_matches(id_text, '[\x00-\x1f\x7f]')
                   THEN 'id empty, too long or with control characters'
               WHEN record_bytes > 16777216 THEN 'record larger than 16 MiB'
           END AS skip_reason,
           hc_time_problem(r.createdAt, created_read, $since, $latest) AS p_created,
           hc_time_problem(r.lastModified, modified_read, $since, $latest) AS p_modified,
           hc_count_problem(r.likes) AS p_likes,
           hc_kind_problem(r.trendingScore, ['DOUBLE', 'BIGINT', 'UBIGINT'], 'not a number') AS p_trending,
           hc_kind_problem(r.private, ['BOOLEAN'], 'not true or false') AS p_private,
           hc_kind_problem(r.disabled, ['BOOLEAN'], 'not true or false') AS p_disabled,
           CASE WHEN tags_type NOT IN ('ARRAY', 'NULL') THEN 'not a list' END AS p_tags,
           hc_kind_problem(r.cardData, ['OBJECT'], 'not an object') AS p_card,
           hc_kind_problem(r.author, ['VARCHAR'], 'not a string') AS p_author,
           hc_kind_problem(r.sha, ['VARCHAR'], 'not a string') AS p_sha,
           hc_kind_problem(r.sdk, ['VARCHAR'], 'not a string') AS p_sdk,
           hc_kind_problem(r.runtime, ['OBJECT'], 'not an object') AS p_runtime,
           hc_kind_problem(r.models, ['ARRAY'], 'not a list') AS p_models,
           hc_kind_problem(r.datasets, ['ARRAY'], 'not a list') AS p_datasets
    FROM checked
)
SELECT
    page_no,
    skip_reason,
    CASE WHEN id_type = 'VARCHAR' AND strlen(id_text) BETWEEN 1 AND 256
              AND NOT regexp_matches(id_text, '[\x00-\x1f\x7f]') THEN id_text END AS space_id,
    CASE WHEN skip_reason IS NOT NULL THEN left(CAST(j AS VARCHAR), 200) END AS record_sample,
    hc_str(r._id) AS internal_id,
    coalesce(hc_str(r.author), CASE WHEN contains(id_text, '/') THEN split_part(id_text, '/', 1) END) AS author,
    hc_str(r.sha) AS sha,
    hc_trusted(created_read, $since, $latest) AS created_at,
    hc_trusted(modified_read, $since, $latest) AS last_modified,
    CASE WHEN json_type(r.private) = 'BOOLEAN' THEN CAST(r.private AS BOOLEAN) END AS private,
    CASE WHEN json_type(r.disabled) = 'BOOLEAN' THEN CAST(r.disabled AS BOOLEAN) END AS disabled,
    hc_str(r.sdk) AS sdk,
    CASE WHEN json_type(r.runtime) = 'OBJECT' THEN hc_str(json_extract(r.runtime, '$.stage')) END AS runtime_stage,
    CASE WHEN json_type(r.runtime) = 'OBJECT' THEN hc_str(json_extract(r.runtime, '$.hardware.current')) END AS hardware,
    list_filter(r.tags, lambda x: x IS NOT NULL) AS tags,
    CASE WHEN json_type(r.cardData) = 'OBJECT' THEN from_json(r.cardData, '{"license": "JSON"}') END AS card,
    hc_count(r.likes) AS likes,
    CASE WHEN json_type(r.trendingScore) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN TRY_CAST(r.trendingScore AS DOUBLE) END
        AS trending_score,
    -- what the Space uses: a list of ids (NULL: not fetched, or not a list)
    CASE WHEN json_type(r.models) = 'ARRAY' THEN hc_str_list(r.models)   -- as the Hub lists them
         WHEN $heavy AND p_models IS NULL THEN []::VARCHAR[] END AS models,
    CASE WHEN json_type(r.datasets) = 'ARRAY' THEN hc_str_list(r.datasets)
         WHEN $heavy AND p_datasets IS NULL THEN []::VARCHAR[] END AS datasets,
    CASE WHEN coalesce(p_created, p_modified, p_likes, p_trending, p_private, p_disabled, p_tags, p_card, p_author,
                       p_sha, p_sdk, p_runtime, p_models, p_datasets) IS NOT NULL
    THEN list_filter([
        {'field': 'createdAt', 'reason': p_created, 'sample': CAST(r.createdAt AS VARCHAR)},
        {'field': 'lastModified', 'reason': p_modified, 'sample': CAST(r.lastModified AS VARCHAR)},
        {'field': 'likes', 'reason': p_likes, 'sample': CAST(r.likes AS VARCHAR)},
        {'field': 'trendingScore', 'reason': p_trending, 'sample': CAST(r.trendingScore AS VARCHAR)},
        {'field': 'private', 'reason': p_private, 'sample': CAST(r.private AS VARCHAR)},
        {'field': 'disabled', 'reason': p_disabled, 'sample': CAST(r.disabled AS VARCHAR)},
        {'field': 'tags', 'reason': p_tags, 'sample': CAST(json_extract(j, '$.tags') AS VARCHAR)},
        {'field': 'cardData', 'reason': p_card, 'sample': CAST(r.cardData AS VARCHAR)},
        {'field': 'author', 'reason': p_author, 'sample': CAST(r.author AS VARCHAR)},
        {'field': 'sha', 'reason': p_sha, 'sample': CAST(r.sha AS VARCHAR)},
        {'field': 'sdk', 'reason': p_sdk, 'sample': CAST(r.sdk AS VARCHAR)},
        {'field': 'runtime', 'reason': p_runtime, 'sample': CAST(r.runtime AS VARCHAR)},
        {'field': 'models', 'reason': p_models, 'sample': CAST(r.models AS VARCHAR)},
        {'field': 'datasets', 'reason': p_datasets, 'sample': CAST(r.datasets AS VARCHAR)}
    ], lambda d: d.reason IS NOT NULL) END AS drops
FROM judged;

CREATE OR REPLACE TEMP TABLE page_drops AS
SELECT page_no, space_id AS repo_id, d.field AS field, d.reason AS reason, left(d.sample, 200) AS sample
FROM (SELECT page_no, space_id, unnest(drops) AS d FROM page_records WHERE skip_reason IS NULL AND drops IS NOT NULL);

CREATE OR REPLACE TEMP TABLE page_links AS
SELECT DISTINCT page_no, 'space' AS source_type, space_id AS source_id, target_type, target_id, relation, source
FROM (
    SELECT page_no, space_id, 'model' AS target_type, unnest(models) AS target_id, 'uses' AS relation, 'listing' AS source
    FROM page_records WHERE skip_reason IS NULL AND models IS NOT NULL
    UNION ALL
    SELECT page_no, space_id, 'dataset', unnest(datasets), 'uses', 'listing'
    FROM page_records WHERE skip_reason IS NULL AND datasets IS NOT NULL
    UNION ALL
    SELECT page_no, space_id, 'paper', unnest(hc_tag_values(tags, 'arxiv:')), 'cites', 'tag'
    FROM page_records WHERE skip_reason IS NULL AND tags IS NOT NULL
);

CREATE OR REPLACE TEMP TABLE page_rows AS
SELECT
    page_no, skip_reason, space_id, record_sample, internal_id, author, sha, created_at, last_modified,
    private, disabled, sdk, runtime_stage, hardware,
    hc_license(tags, card.license) AS license,
    likes, trending_score, models, datasets, tags
FROM page_records;
