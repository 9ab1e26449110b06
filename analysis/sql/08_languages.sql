-- Languages (question 6): every declared language, so low-resource languages are visible
-- next to English. `languages` are the model card's language codes as the crawler stores them.

CREATE OR REPLACE VIEW language_counts AS
WITH l AS (SELECT unnest(list_distinct(languages)) AS language, downloads FROM hub_models WHERE deleted_at IS NULL)
SELECT language,
       count(*) AS models,
       coalesce(sum(downloads), 0) AS downloads,
       rank() OVER (ORDER BY count(*) DESC) AS rank_by_models
FROM l
GROUP BY 1
ORDER BY models DESC, language;

-- New alive models per language per creation month, and the running total per language.
CREATE OR REPLACE VIEW languages_over_time AS
WITH l AS (SELECT strftime(created_at, '%Y-%m') AS month, unnest(list_distinct(languages)) AS language
           FROM hub_models WHERE deleted_at IS NULL AND created_at IS NOT NULL)
SELECT month, language, count(*) AS new_models,
       sum(count(*)) OVER (PARTITION BY language ORDER BY month) AS cumulative_models
FROM l
GROUP BY 1, 2
ORDER BY month, language;
