"""analysis/README.md's lifecycle examples (those run on `--db /tmp/lifecycle.duckdb`) answer
with rows on the lifecycle example, and every lifecycle macro the README names exists.
(tests/test_analysis_readme.py runs every example on the lineage example and checks every view
has a section.)"""

import re
from pathlib import Path

import pytest

from analysis.example_db import create_lifecycle_db

README = (Path(__file__).resolve().parent.parent / "analysis" / "README.md").read_text()
EXAMPLES = re.findall(r'^hubcensus sql --db /tmp/lifecycle\.duckdb "(.+)"$', README, flags=re.MULTILINE)
MACROS = sorted(set(re.findall(r"`(family_\w+_of)\(roots\)`", README)))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return create_lifecycle_db(tmp_path_factory.mktemp("readme") / "lifecycle.duckdb")


def test_there_are_examples_for_every_lifecycle_view():
    assert len(EXAMPLES) >= 30  # one per lifecycle view


@pytest.mark.parametrize("sql", EXAMPLES)
def test_example_answers_with_rows(con, sql):
    assert con.execute(sql).fetchall() != []


def test_every_documented_macro_is_installed(con):
    installed = {name for (name,) in con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'table_macro'").fetchall()}
    assert MACROS == ["family_activity_of", "family_derivatives_by_day_of", "family_languages_of",
                      "family_license_drift_of", "family_members_of", "family_spaces_of", "family_summary_of",
                      "family_training_data_of"]
    assert set(MACROS) <= installed
