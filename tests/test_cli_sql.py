"""`hubcensus sql`: read-only queries in four formats, one-line errors, a prompt without a query."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from hubcensus.cli import main
from tests.cli_fixtures import HOSTILE_ID, make_db

QUERY = "SELECT model_id, downloads, languages, created_at FROM models WHERE model_id IN ('alice/ft-1', 'carol/quant') ORDER BY model_id"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return make_db(tmp_path_factory.mktemp("sql") / "hub.duckdb")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_is_aligned_with_a_row_count(db, capsys):
    code, out, err = run(capsys, "sql", "--db", str(db), QUERY)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "model_id     downloads  languages     created_at",
        "-----------  ---------  ------------  -------------------",
        "alice/ft-1          40  ['en', 'fr']  2026-10-20 08:00:00",
        "carol/quant          3  ['de']        2026-11-01 12:00:00",
        "(2 rows)",
    ]


def test_csv(db, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(db), "--format", "csv", QUERY)
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["model_id", "downloads", "languages", "created_at"],
        ["alice/ft-1", "40", '["en", "fr"]', "2026-10-20T08:00:00"],
        ["carol/quant", "3", '["de"]', "2026-11-01T12:00:00"],
    ]


def test_json(db, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(db), "--format", "json", QUERY)
    assert code == 0
    assert json.loads(out) == [
        {"model_id": "alice/ft-1", "downloads": 40, "languages": ["en", "fr"], "created_at": "2026-10-20T08:00:00"},
        {"model_id": "carol/quant", "downloads": 3, "languages": ["de"], "created_at": "2026-11-01T12:00:00"},
    ]


def test_markdown(db, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(db), "--format", "markdown",
                       "SELECT 'a|b' AS name, 1 AS n UNION ALL SELECT 'c', 22 ORDER BY n")
    assert code == 0
    assert out.splitlines() == [
        "| name |  n |",
        "|------|---:|",
        "| a\\|b |  1 |",
        "| c    | 22 |",
    ]


def test_empty_result_json_and_table(db, capsys):
    assert run(capsys, "sql", "--db", str(db), "--format", "json", "SELECT 1 AS x WHERE false")[1] == "[]\n"
    assert run(capsys, "sql", "--db", str(db), "SELECT 1 AS x WHERE false")[1].splitlines() == ["x", "-", "(0 rows)"]


def test_hostile_cells_cannot_drive_the_terminal(db, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(db), "SELECT 'a' || chr(27) || '[2J' || chr(10) || 'b' AS v")
    assert code == 0
    assert out.splitlines()[2] == "a\\x1b[2J\\nb"


def test_hub_strings_reach_sql_as_data(db, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(db), "--format", "json",
                       "SELECT model_id FROM models WHERE model_id LIKE '<script>%'")
    assert (code, json.loads(out)) == (0, [{"model_id": HOSTILE_ID}])


def test_bad_sql_is_one_line_with_duckdbs_message(db, capsys):
    code, out, err = run(capsys, "sql", "--db", str(db), "SELEC 1")
    assert (code, out) == (2, "")
    assert err == 'hubcensus: error: Parser Error: syntax error at or near "SELEC"\n'
    code, _, err = run(capsys, "sql", "--db", str(db), "SELECT * FROM no_such_table")
    assert code == 2
    assert err.startswith("hubcensus: error: Catalog Error: Table with name no_such_table does not exist!")
    assert len(err.splitlines()) == 1


def test_the_database_is_opened_read_only(db, capsys):
    code, _, err = run(capsys, "sql", "--db", str(db), "DELETE FROM hub_models")
    assert code == 2
    assert "read-only mode" in err
    assert duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM hub_models").fetchone() == (6,)


def test_query_from_stdin(db):
    result = subprocess.run([sys.executable, "-m", "hubcensus", "sql", "--db", str(db), "--format", "csv", "-"],
                            input="SELECT count(*) AS n FROM lineage", capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "n\n4\n", "")


def test_prompt_without_a_query_reads_statements_until_quit(db):
    # PATH without a `duckdb` CLI: the built-in prompt answers.
    script = (
        "SELECT count(*) AS n\n  FROM models;\n"
        ".format csv\n"
        "SELECT model_id FROM models WHERE model_id = 'bob/adapter';\n"
        "SELECT nope;\n"
        ".tables\n"
        ".quit\n"
        "SELECT 'never reached';\n"
    )
    result = subprocess.run([sys.executable, "-m", "hubcensus", "sql", "--db", str(db)],
                            input=script, capture_output=True, text=True, env={**os.environ, "PATH": "/nonexistent"})
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:5] == ["n", "-", "6", "(1 row)", "model_id"]
    assert lines[5] == "bob/adapter"
    assert "never reached" not in result.stdout
    assert ("lineage", "table") in [tuple(l.split()) for l in lines if len(l.split()) == 2]
    assert ("models", "view") in [tuple(l.split()) for l in lines if len(l.split()) == 2]
    assert result.stderr == 'error: Binder Error: Referenced column "nope" was not found because the FROM clause is missing\n'


def test_missing_database(tmp_path, capsys):
    code, out, err = run(capsys, "sql", "--db", str(tmp_path / "none.duckdb"), "SELECT 1")
    assert (code, out) == (2, "")
    assert err == f"hubcensus: error: no database at {tmp_path / 'none.duckdb'}; run `hubcensus crawl` first\n"


def test_hubcensus_db_environment_variable(db, capsys, monkeypatch):
    monkeypatch.setenv("HUBCENSUS_DB", str(db))
    code, out, _ = run(capsys, "sql", "--format", "csv", "SELECT count(*) AS n FROM crawl_runs")
    assert (code, out) == (0, "n\n4\n")
