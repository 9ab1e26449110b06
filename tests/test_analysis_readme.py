"""analysis/README.md documents every installed view, and its SQL examples run."""

import re
from pathlib import Path

import pytest

from analysis.example_db import create_example_db

README = (Path(__file__).resolve().parent.parent / "analysis" / "README.md").read_text()
EXAMPLES = re.findall(r'^hubcensus sql (?:--db \S+ )?"(.+)"$', README, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return create_example_db(tmp_path_factory.mktemp("readme") / "example.duckdb")


def test_every_installed_view_has_a_section(con):
    views = [v for (v,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1").fetchall()]
    sections = set(re.findall(r"^### (\w+)$", README, flags=re.MULTILINE))
    assert [v for v in views if v not in sections] == []


def test_there_are_examples_for_the_views():
    assert len(EXAMPLES) >= 50


@pytest.mark.parametrize("sql", EXAMPLES)
def test_example_runs_on_the_example_database(con, sql):
    con.execute(sql).fetchall()
