"""hubcensus analysis: SQL views and macros for analysts, the license taxonomy, lineage walks
and the headline figures. Everything lives in the DuckDB file (see analysis/README.md)."""

from analysis.installer import install

__all__ = ["install"]
