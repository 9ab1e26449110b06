-- Concentration (question 5), alive models at the latest snapshot. `downloads` is the Hub's
-- rolling 30-day count; `downloads_all_time` is NULL where the Hub did not report it.

CREATE OR REPLACE VIEW concentration AS
WITH ranked AS (
    SELECT coalesce(downloads, 0) AS d,
           row_number() OVER (ORDER BY coalesce(downloads, 0) DESC, model_id) AS r,
           count(*) OVER () AS n
    FROM hub_models WHERE deleted_at IS NULL
)
SELECT (SELECT snapshot_date FROM latest_snapshot) AS snapshot_date,
       count(*) AS models,
       coalesce(sum(d), 0) AS downloads_30d,
       CAST(coalesce(ceil(max(n) * 0.01), 0) AS BIGINT) AS top_1pct_models,
       coalesce(round(sum(d) FILTER (WHERE r <= ceil(n * 0.01)) / nullif(sum(d), 0), 6), 0.0) AS top_1pct_downloads_share,
       coalesce(round(sum(d) FILTER (WHERE r <= 100) / nullif(sum(d), 0), 6), 0.0) AS top_100_downloads_share,
       count(*) FILTER (WHERE d = 0) AS models_zero_downloads_30d,
       count(*) FILTER (WHERE d >= 1000000) AS models_ge_1m_downloads_30d,
       (SELECT count(*) FILTER (WHERE downloads_all_time IS NOT NULL) FROM hub_models WHERE deleted_at IS NULL)
           AS models_downloads_all_time_known,
       (SELECT count(*) FILTER (WHERE downloads_all_time >= 100000000) FROM hub_models WHERE deleted_at IS NULL)
           AS models_ge_100m_downloads_all_time
FROM ranked;

-- The 100 most downloaded alive models (30-day count; ties by id).
CREATE OR REPLACE VIEW top_models_by_downloads AS
SELECT row_number() OVER (ORDER BY downloads DESC, model_id) AS rank,
       model_id, author, downloads, downloads_all_time, likes, coalesce(license, 'none') AS license
FROM hub_models
WHERE deleted_at IS NULL AND downloads IS NOT NULL
ORDER BY downloads DESC, model_id
LIMIT 100;

-- Authors by number of alive models and by downloads (ranks 1 = most).
CREATE OR REPLACE VIEW top_authors AS
SELECT coalesce(author, split_part(model_id, '/', 1)) AS author,
       count(*) AS models,
       coalesce(sum(downloads), 0) AS downloads,
       sum(downloads_all_time) AS downloads_all_time,
       coalesce(sum(likes), 0) AS likes,
       rank() OVER (ORDER BY count(*) DESC) AS rank_by_models,
       rank() OVER (ORDER BY coalesce(sum(downloads), 0) DESC) AS rank_by_downloads
FROM hub_models
WHERE deleted_at IS NULL
GROUP BY 1
ORDER BY models DESC, downloads DESC, author;
