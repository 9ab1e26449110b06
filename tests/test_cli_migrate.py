"""`hubcensus migrate`, and what the README promises about the schema: readers refuse a file older
than this hubcensus and say to migrate; migrate brings it up to date (once: a second run applies
nothing); and every column the README's table of the database names exists, in that table, in a
database this version crawled."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

import pipeline
from hubcensus.cli import main
from hubsim.server import SimServer
from hubsim.universe import Universe
from storage.db import newest_migration
from tests.cli_fixtures import make_db

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_readers_refuse_an_older_file_until_it_is_migrated(tmp_path, capsys):
    db = make_db(tmp_path / "old.duckdb", schema=1)   # as hubcensus 0.1 left it
    refusal = (f"hubcensus: error: {db} has schema version 1, older than this hubcensus ({newest_migration()}); run "
               "`hubcensus migrate` (or the next `hubcensus crawl`) to bring it up to date\n")
    for reader in (["figures"], ["report", "--out", str(tmp_path / "r.md")], ["sql", "SELECT 1"],
                   ["export", "--out", str(tmp_path / "out")]):
        assert run(capsys, *reader, "--db", str(db)) == (2, "", refusal)
    applied = ", ".join(str(v) for v in range(2, newest_migration() + 1))
    assert run(capsys, "migrate", "--db", str(db)) == (0, f"{db}: schema up to date (applied {applied})\n", "")
    assert run(capsys, "migrate", "--db", str(db)) == (0, f"{db}: schema up to date\n", "")
    code, out, err = run(capsys, "figures", "--db", str(db))
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == "models alive                  5"
    assert "datasets alive                not crawled yet (hubcensus crawl lists datasets by default)" in out


def test_migrate_needs_a_database(tmp_path, capsys):
    assert run(capsys, "migrate", "--db", str(tmp_path / "none.duckdb")) == (
        2, "", f"hubcensus: error: no database at {tmp_path / 'none.duckdb'}; run `hubcensus crawl` first\n")
    assert not (tmp_path / "none.duckdb").exists()


# --- the README's table of the database ---------------------------------------------------------

def readme_columns() -> dict[str, list[str]]:
    """Table name -> the columns its row names: the first `name` of each comma-separated item of
    the row's last cell, up to the cell's first sentence end (text in parentheses skipped)."""
    section = README[README.index("## The database"):README.index("### How reads and the nightly write coexist")]
    tables = {}
    for line in section.splitlines():
        match = re.match(r"^\| `(\w+)`[^|]*\| [^|]* \| (.*) \|$", line)
        if not match:
            continue
        items, depth, current = [], 0, ""
        for ch in match.group(2):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and ch == ",":
                items.append(current)
                current = ""
                continue
            elif depth == 0 and ch == "." and current.rstrip().endswith("`"):
                break   # the columns end where the first sentence does
            if depth == 0:
                current += ch
        items.append(current)
        tables[match.group(1)] = [re.search(r"`(\w+)`", item).group(1) for item in items if "`" in item]
    return tables


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    sim = SimServer(Universe.build(models=200, seed=3, day=1, datasets=40, spaces=40))
    sim.start()
    try:
        db = tmp_path_factory.mktemp("readme") / "hub.duckdb"
        pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    finally:
        sim.stop()
    return db


def test_the_readme_names_every_table_analysts_query(crawled):
    assert list(readme_columns()) == [
        "models", "model_snapshots", "lineage", "model_changes", "datasets", "dataset_snapshots", "spaces",
        "space_snapshots", "repo_links", "repo_link_changes", "crawl_runs", "rejected_records"]


def test_every_column_the_readme_names_is_in_its_table(crawled):
    with duckdb.connect(str(crawled), read_only=True) as con:
        for table, columns in readme_columns().items():
            actual = {name for name, *_ in con.execute(f"DESCRIBE {table}").fetchall()}   # names from the README
            assert columns and set(columns) <= actual, (table, sorted(set(columns) - actual))
