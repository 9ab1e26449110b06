-- Gated prevalence (question 3). Gated = 'auto' or 'manual'; shares are of alive models and,
-- downloads-weighted, of their 30-day downloads.

CREATE OR REPLACE VIEW gated_prevalence AS
SELECT (SELECT snapshot_date FROM latest_snapshot) AS snapshot_date,
       count(*) AS models,
       count(*) FILTER (WHERE coalesce(gated, 'none') = 'none') AS gated_none,
       count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
       count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
       coalesce(round(count(*) FILTER (WHERE gated IN ('auto', 'manual')) / nullif(count(*), 0), 6), 0.0) AS gated_share,
       coalesce(sum(downloads), 0) AS downloads,
       coalesce(sum(downloads) FILTER (WHERE gated IN ('auto', 'manual')), 0) AS downloads_gated,
       coalesce(round(sum(downloads) FILTER (WHERE gated IN ('auto', 'manual')) / nullif(sum(downloads), 0), 6), 0.0) AS gated_share_by_downloads
FROM hub_models WHERE deleted_at IS NULL;

CREATE OR REPLACE VIEW gated_prevalence_by_license AS
SELECT coalesce(license, 'none') AS license,
       count(*) AS models,
       count(*) FILTER (WHERE coalesce(gated, 'none') = 'none') AS gated_none,
       count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
       count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
       round(count(*) FILTER (WHERE gated IN ('auto', 'manual')) / count(*), 6) AS gated_share,
       coalesce(round(sum(downloads) FILTER (WHERE gated IN ('auto', 'manual')) / nullif(sum(downloads), 0), 6), 0.0) AS gated_share_by_downloads
FROM hub_models WHERE deleted_at IS NULL
GROUP BY 1
ORDER BY models DESC, license;

CREATE OR REPLACE VIEW gated_prevalence_by_license_family AS
SELECT license_family,
       count(*) AS models,
       count(*) FILTER (WHERE coalesce(gated, 'none') = 'none') AS gated_none,
       count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
       count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
       round(count(*) FILTER (WHERE gated IN ('auto', 'manual')) / count(*), 6) AS gated_share,
       coalesce(round(sum(downloads) FILTER (WHERE gated IN ('auto', 'manual')) / nullif(sum(downloads), 0), 6), 0.0) AS gated_share_by_downloads
FROM alive_models
GROUP BY 1
ORDER BY models DESC, license_family;

-- By creation cohort (UTC month of created_at), alive models.
CREATE OR REPLACE VIEW gated_prevalence_by_cohort AS
SELECT strftime(created_at, '%Y-%m') AS cohort_month,
       count(*) AS models,
       count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
       count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
       round(count(*) FILTER (WHERE gated IN ('auto', 'manual')) / count(*), 6) AS gated_share
FROM hub_models WHERE deleted_at IS NULL AND created_at IS NOT NULL
GROUP BY 1
ORDER BY 1;

-- Over snapshots: the gated value each night recorded for each listed model.
CREATE OR REPLACE VIEW gated_prevalence_by_snapshot AS
SELECT snapshot_date,
       count(*) AS models,
       count(*) FILTER (WHERE gated = 'auto') AS gated_auto,
       count(*) FILTER (WHERE gated = 'manual') AS gated_manual,
       round(count(*) FILTER (WHERE gated IN ('auto', 'manual')) / count(*), 6) AS gated_share,
       -- DOUBLE sums: see downloads_ecosystem
       coalesce(round(sum(CAST(downloads AS DOUBLE)) FILTER (WHERE gated IN ('auto', 'manual'))
                      / nullif(sum(CAST(downloads AS DOUBLE)), 0), 6), 0.0) AS gated_share_by_downloads
FROM model_snapshots
GROUP BY 1
ORDER BY 1;
