"""What storage does for each repository type, declared as data: its parse, its staging table,
its merge and its tables. Staging and the merge run the same code for every type; only this
table differs (models also stage lineage edges). Identifiers here are constants: they are the
only names ever put into SQL text (values travel as parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")


@dataclass(frozen=True)
class RepoStore:
    repo_type: str          # models | datasets | spaces (the Hub's path segment)
    source_type: str        # model | dataset | space (repo_links)
    id_column: str          # the id column of its parse rows and tables
    stage_table: str        # staged rows of its pages
    hub_table: str          # its table in the main file
    parse_sql: Path
    merge_sql: Path
    lineage: bool = False   # models also stage page_edges (base models)
    runs: bool = False      # its snapshots are runs kept by storage/sql/merge_repo_history.sql
                            # (migration 005); models keep their own (merge.sql's history block)

    @property
    def history(self) -> dict[str, str] | None:
        """The @identifiers of merge_repo_history.sql for the type's tables, named after its
        source_type (`dataset` -> dataset_keys, dataset_key, ...); None when it keeps no runs."""
        if not self.runs:
            return None
        kind = self.source_type
        return {"keys_table": f"{kind}_keys", "key_col": f"{kind}_key", "id_col": self.id_column,
                "nights_table": f"{kind}_nights", "open_table": f"{kind}_runs_open",
                "closed_table": f"{kind}_runs_closed"}


REPO_STORES = {
    "models": RepoStore("models", "model", "model_id", "stage_rows", "hub_models",
                        SQL_DIR / "parse_page.sql", SQL_DIR / "merge.sql", lineage=True),
    "datasets": RepoStore("datasets", "dataset", "dataset_id", "stage_dataset_rows", "hub_datasets",
                          SQL_DIR / "parse_datasets.sql", SQL_DIR / "merge_datasets.sql", runs=True),
    "spaces": RepoStore("spaces", "space", "space_id", "stage_space_rows", "hub_spaces",
                        SQL_DIR / "parse_spaces.sql", SQL_DIR / "merge_spaces.sql", runs=True),
}
MERGE_LINKS = SQL_DIR / "merge_links.sql"
MERGE_REPO_HISTORY = SQL_DIR / "merge_repo_history.sql"

def plan_key(repo_type: str, plan: str) -> str:
    """How staging names a plan of a repository type: 'models/sweep'."""
    return f"{repo_type}/{plan}"


def split_key(key: str) -> tuple[str, str]:
    repo_type, _, plan = key.partition("/")
    return repo_type, plan
