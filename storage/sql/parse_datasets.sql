-- Staged records of GET /api/datasets pages -> the temp tables page_rows (one normalized row
-- per record; skip_reason set for a record rejected whole), page_drops (values dropped) and
-- page_links (dataset -> paper `cites` from arxiv: tags). Same input, checks and parameters as
-- parse_page.sql (models): NDJSON record files $paths, $heavy, $max_object_bytes, and the
-- trusted time window $since..$latest (docs/ingest.md).

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
                          "tags": ["VARCHAR"], "cardData": "JSON", "paperswithcode_id": "JSON"}') AS r
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
           -- why each value is dropped (NULL: kept), computed once
           hc_time_problem(r.createdAt, created_read, $since, $latest) AS p_created,
           hc_time_problem(r.lastModified, modified_read, $since, $latest) AS p_modified,
           hc_count_problem(r.downloads) AS p_downloads,
           hc_count_problem(r.downloadsAllTime) AS p_downloads_all_time,
           hc_count_problem(r.likes) AS p_likes,
           hc_kind_problem(r.trendingScore, ['DOUBLE', 'BIGINT', 'UBIGINT'], 'not a number') AS p_trending,
           hc_kind_problem(r.private, ['BOOLEAN'], 'not true or false') AS p_private,
           hc_kind_problem(r.disabled, ['BOOLEAN'], 'not true or false') AS p_disabled,
           CASE WHEN tags_type NOT IN ('ARRAY', 'NULL') THEN 'not a list' END AS p_tags,
           hc_kind_problem(r.cardData, ['OBJECT'], 'not an object') AS p_card,
           hc_kind_problem(r.author, ['VARCHAR'], 'not a string') AS p_author,
           hc_kind_problem(r.sha, ['VARCHAR'], 'not a string') AS p_sha,
           hc_kind_problem(r.paperswithcode_id, ['VARCHAR'], 'not a string') AS p_pwc
    FROM checked
)
SELECT
    page_no,
    skip_reason,
    CASE WHEN id_type = 'VARCHAR' AND strlen(id_text) BETWEEN 1 AND 256
              AND NOT regexp_matches(id_text, '[\x00-\x1f\x7f]') THEN id_text END AS dataset_id,
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
    list_filter(r.tags, lambda x: x IS NOT NULL) AS tags,
    CASE WHEN json_type(r.cardData) = 'OBJECT' THEN
        from_json(r.cardData, '{"license": "JSON", "language": "JSON", "task_categories": "JSON"}') END AS card,
    hc_count(r.downloads) AS downloads,
    hc_count(r.downloadsAllTime) AS downloads_all_time,
    hc_count(r.likes) AS likes,
    CASE WHEN json_type(r.trendingScore) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN TRY_CAST(r.trendingScore AS DOUBLE) END
        AS trending_score,
    hc_str(r.paperswithcode_id) AS paperswithcode_id,
    CASE WHEN coalesce(p_created, p_modified, p_downloads, p_downloads_all_time, p_likes, p_trending, p_private,
                       p_disabled, p_tags, p_card, p_author, p_sha, p_pwc) IS NOT NULL
    THEN list_filter([
        {'field': 'createdAt', 'reason': p_created, 'sample': CAST(r.createdAt AS VARCHAR)},
        {'field': 'lastModified', 'reason': p_modified, 'sample': CAST(r.lastModified AS VARCHAR)},
        {'field': 'downloads', 'reason': p_downloads, 'sample': CAST(r.downloads AS VARCHAR)},
        {'field': 'downloadsAllTime', 'reason': p_downloads_all_time, 'sample': CAST(r.downloadsAllTime AS VARCHAR)},
        {'field': 'likes', 'reason': p_likes, 'sample': CAST(r.likes AS VARCHAR)},
        {'field': 'trendingScore', 'reason': p_trending, 'sample': CAST(r.trendingScore AS VARCHAR)},
        {'field': 'private', 'reason': p_private, 'sample': CAST(r.private AS VARCHAR)},
        {'field': 'disabled', 'reason': p_disabled, 'sample': CAST(r.disabled AS VARCHAR)},
        {'field': 'tags', 'reason': p_tags, 'sample': CAST(json_extract(j, '$.tags') AS VARCHAR)},
        {'field': 'cardData', 'reason': p_card, 'sample': CAST(r.cardData AS VARCHAR)},
        {'field': 'author', 'reason': p_author, 'sample': CAST(r.author AS VARCHAR)},
        {'field': 'sha', 'reason': p_sha, 'sample': CAST(r.sha AS VARCHAR)},
        {'field': 'paperswithcode_id', 'reason': p_pwc, 'sample': CAST(r.paperswithcode_id AS VARCHAR)}
    ], lambda d: d.reason IS NOT NULL) END AS drops
FROM judged;

CREATE OR REPLACE TEMP TABLE page_drops AS
SELECT page_no, dataset_id AS repo_id, d.field AS field, d.reason AS reason, left(d.sample, 200) AS sample
FROM (SELECT page_no, dataset_id, unnest(drops) AS d FROM page_records WHERE skip_reason IS NULL AND drops IS NOT NULL);

CREATE OR REPLACE TEMP TABLE page_links AS
SELECT DISTINCT page_no, 'dataset' AS source_type, dataset_id AS source_id, 'paper' AS target_type,
       unnest(hc_tag_values(tags, 'arxiv:')) AS target_id, 'cites' AS relation, 'tag' AS source
FROM page_records WHERE skip_reason IS NULL AND tags IS NOT NULL;

CREATE OR REPLACE TEMP TABLE page_rows AS
SELECT
    page_no, skip_reason, dataset_id, record_sample, internal_id, author, sha, created_at, last_modified,
    private, disabled, gated,
    hc_license(tags, card.license) AS license,
    downloads, downloads_all_time, likes, trending_score,
    hc_str_list(card.language) AS languages,
    hc_str_list(card.task_categories) AS task_categories,
    hc_tag_values(tags, 'size_categories:')[1] AS size_category,
    paperswithcode_id, tags
FROM page_records;
