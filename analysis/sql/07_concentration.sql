-- Concentration (question 5), alive models at the latest snapshot. `downloads` is the Hub's
-- rolling 30-day count; `downloads_all_time` is NULL where the Hub did not report it.

CREATE OR REPLACE VIEW concentration AS
WITH alive AS MATERIALIZED (
    SELECT coalesce(downloads, 0) AS d, downloads_all_time FROM hub_models WHERE deleted_at IS NULL
),
top_1pct AS (  -- ties at the cut do not matter: equal counts give equal sums
    SELECT d FROM alive ORDER BY d DESC
    LIMIT (SELECT CAST(ceil(count(*) * 0.01) AS BIGINT) FROM alive)
),
top_100 AS (SELECT d FROM alive ORDER BY d DESC LIMIT 100),
totals AS (
    SELECT count(*) AS models,
           coalesce(sum(d), 0) AS downloads_30d,
           count(*) FILTER (WHERE d = 0) AS models_zero_downloads_30d,
           count(*) FILTER (WHERE d >= 1000000) AS models_ge_1m_downloads_30d,
           count(downloads_all_time) AS models_downloads_all_time_known,
           count(*) FILTER (WHERE downloads_all_time >= 100000000) AS models_ge_100m_downloads_all_time
    FROM alive
)
SELECT (SELECT snapshot_date FROM latest_snapshot) AS snapshot_date,
       t.models,
       t.downloads_30d,
       CAST(ceil(t.models * 0.01) AS BIGINT) AS top_1pct_models,
       coalesce(round((SELECT sum(d) FROM top_1pct) / nullif(t.downloads_30d, 0), 6), 0.0) AS top_1pct_downloads_share,
       coalesce(round((SELECT sum(d) FROM top_100) / nullif(t.downloads_30d, 0), 6), 0.0) AS top_100_downloads_share,
       t.models_zero_downloads_30d,
       t.models_ge_1m_downloads_30d,
       t.models_downloads_all_time_known,
       t.models_ge_100m_downloads_all_time
FROM totals t;

-- The 100 most downloaded alive models (30-day count; ties by id).
CREATE OR REPLACE VIEW top_models_by_downloads AS
SELECT row_number() OVER (ORDER BY downloads DESC, model_id) AS rank, *
FROM (SELECT model_id, author, downloads, downloads_all_time, likes, coalesce(license, 'none') AS license
      FROM hub_models
      WHERE deleted_at IS NULL AND downloads IS NOT NULL
      ORDER BY downloads DESC, model_id
      LIMIT 100)
ORDER BY rank;

-- Authors by number of alive models and by their downloads (ranks 1 = most): the 1,000
-- authors with most models and the 1,000 with most downloads.
CREATE OR REPLACE VIEW top_authors AS
WITH per_author AS (
    SELECT coalesce(author, split_part(model_id, '/', 1)) AS author,
           count(*) AS models,
           coalesce(sum(downloads), 0) AS downloads,
           sum(downloads_all_time) AS downloads_all_time,
           coalesce(sum(likes), 0) AS likes
    FROM hub_models
    WHERE deleted_at IS NULL
    GROUP BY 1
),
ranked AS (
    SELECT *, rank() OVER (ORDER BY models DESC) AS rank_by_models,
              rank() OVER (ORDER BY downloads DESC) AS rank_by_downloads,
              row_number() OVER (ORDER BY models DESC, downloads DESC, author) AS position_by_models,
              row_number() OVER (ORDER BY downloads DESC, models DESC, author) AS position_by_downloads
    FROM per_author
)
SELECT * EXCLUDE (position_by_models, position_by_downloads) FROM ranked
WHERE position_by_models <= 1000 OR position_by_downloads <= 1000
ORDER BY models DESC, downloads DESC, author;
