"""hubcensus analysis: SQL views and macros for analysts, the license taxonomy, lineage walks,
the headline figures and the report. Everything lives in the DuckDB file (see analysis/README.md).

- `install(con)`: store the views in the file (the crawl, after each night; writes).
- `prepare_reader(con)`: make the views answer on a reader's connection without writing
  (TEMP objects when the stored ones are missing or stale; read-only connections work).
"""

from analysis.installer import install, prepare_reader

__all__ = ["install", "prepare_reader"]
