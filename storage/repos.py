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


REPO_STORES = {
    "models": RepoStore("models", "model", "model_id", "stage_rows", "hub_models",
                        SQL_DIR / "parse_page.sql", SQL_DIR / "merge.sql", lineage=True),
    "datasets": RepoStore("datasets", "dataset", "dataset_id", "stage_dataset_rows", "hub_datasets",
                          SQL_DIR / "parse_datasets.sql", SQL_DIR / "merge_datasets.sql"),
    "spaces": RepoStore("spaces", "space", "space_id", "stage_space_rows", "hub_spaces",
                        SQL_DIR / "parse_spaces.sql", SQL_DIR / "merge_spaces.sql"),
}
MERGE_LINKS = SQL_DIR / "merge_links.sql"

def plan_key(repo_type: str, plan: str) -> str:
    """How staging names a plan of a repository type: 'models/sweep'."""
    return f"{repo_type}/{plan}"


def split_key(key: str) -> tuple[str, str]:
    repo_type, _, plan = key.partition("/")
    return repo_type, plan
