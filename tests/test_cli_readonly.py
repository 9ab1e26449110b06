"""`hubcensus sql` is read-only in every way: every write and file access an analyst (or a
pasted query) could try is refused with exit 2 and one line, nothing changes on disk, and the
SQL analysts do write (views, macros, CTEs, joins) still works."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hubcensus.cli import main
from tests.cli_fixtures import make_db

READ_ONLY = "hubcensus: error: hubcensus sql is read-only: it cannot write or read files, attach databases, " \
            "install or load extensions, or change settings ("


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Path:
    """A folder with the database, a hard link to it, and nothing else."""
    room = tmp_path_factory.mktemp("readonly")
    make_db(room / "hub.duckdb")
    os.link(room / "hub.duckdb", room / "alias.duckdb")
    return room


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def state(room: Path) -> dict[str, str]:
    """Every file under room with its content hash: the test's proof that nothing changed."""
    return {str(p.relative_to(room)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(room.rglob("*"))}


def fence_attacks(room: Path) -> list[str]:
    return [
        f"COPY (SELECT * FROM models) TO '{room}/stolen.csv'",
        f"COPY model_snapshots TO '{room}/snap' (FORMAT parquet, PARTITION_BY (snapshot_date))",
        f"EXPORT DATABASE '{room}/dump'",
        f"ATTACH '{room}/alias.duckdb' AS a (READ_WRITE); DELETE FROM a.model_snapshots",
        f"ATTACH '{room}/new.duckdb' AS b; CREATE TABLE b.t AS SELECT 1",
        f"IMPORT DATABASE '{room}'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM glob('/etc/*')",
        f"SELECT * FROM read_parquet('{room}/*.parquet')",
        "SELECT * FROM read_json('https://example.org/x.json')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET GLOBAL enable_external_access = true",
        "SET lock_configuration = false",
        f"SET allowed_directories = ['{room}']",
        f"SET temp_directory = '{room}/spill'",
        f"SET log_query_path = '{room}/queries.log'",
        f"SET profiling_output = '{room}/profile.json'",
        "PRAGMA enable_profiling",
        "SET memory_limit = '100GB'",
        "PRAGMA threads = 64",
        "SET autoinstall_known_extensions = true",
        "CALL enable_logging()",
    ]


def test_every_write_or_file_access_is_refused_with_exit_2(room, capsys):
    before = state(room)
    for attack in fence_attacks(room):
        code, out, err = run(capsys, "sql", "--db", str(room / "hub.duckdb"), attack)
        assert (code, out) == (2, ""), attack
        assert err.startswith(READ_ONLY) and err.count("\n") == 1, (attack, err)
    assert state(room) == before


@pytest.mark.parametrize("statement", [
    "DELETE FROM hub_models", "DELETE FROM model_counts_open", "UPDATE hub_models SET license = 'x'",
    "INSERT INTO lineage VALUES ('a', 'b', 'finetune', 'tag', DATE '2026-11-01')", "DROP VIEW models",
    "CREATE TABLE t AS SELECT 1", "CREATE VIEW v AS SELECT 1", "ALTER TABLE hub_models ADD COLUMN x INT",
])
def test_writes_to_the_database_are_refused(room, capsys, statement):
    before = state(room)
    code, out, err = run(capsys, "sql", "--db", str(room / "hub.duckdb"), statement)
    assert (code, out) == (2, "")
    assert "attached in read-only mode" in err and err.count("\n") == 1
    assert state(room) == before


def test_no_in_memory_database_to_write_into(room, capsys):
    code, _, err = run(capsys, "sql", "--db", str(room / "hub.duckdb"), "ATTACH ':memory:' AS m")
    assert (code, err) == (2, "hubcensus: error: Catalog Error: Cannot launch in-memory database in read-only mode!\n")


def test_the_same_through_a_real_process_and_the_prompt(room):
    before = state(room)
    attack = f"COPY (SELECT * FROM models) TO '{room}/stolen.csv'"
    one_shot = subprocess.run([sys.executable, "-m", "hubcensus", "sql", "--db", str(room / "hub.duckdb"), attack],
                              capture_output=True, text=True)
    assert one_shot.returncode == 2 and one_shot.stderr.startswith(READ_ONLY)
    prompt = subprocess.run([sys.executable, "-m", "hubcensus", "sql", "--db", str(room / "hub.duckdb")],
                            input=f"{attack};\nSELECT * FROM read_csv('/etc/passwd');\nSELECT 42 AS answer;\n",
                            capture_output=True, text=True)
    assert prompt.returncode == 0
    assert prompt.stdout.splitlines() == ["answer", "------", "    42", "(1 row)"]
    assert [line[:60] for line in prompt.stderr.splitlines()] == [
        "error: hubcensus sql is read-only: it cannot write or read f"] * 2
    assert state(room) == before


def test_analyst_sql_still_works(room, capsys):
    query = """
        CREATE TEMP MACRO share(part, whole) AS round(100.0 * part / whole, 1);
        CREATE TEMP VIEW families AS
            SELECT l.parent_id, count(*) AS children FROM lineage l JOIN models m ON m.model_id = l.child_id
            GROUP BY ALL;
        WITH total AS (SELECT sum(children) AS n FROM families)
        SELECT parent_id, children, share(children, n) AS pct FROM families, total ORDER BY children DESC, parent_id;
        SET TimeZone = 'UTC';
        SELECT count(*) AS nights FROM (SELECT DISTINCT snapshot_date FROM model_snapshots)
    """
    code, out, err = run(capsys, "sql", "--db", str(room / "hub.duckdb"), "--format", "csv", query)
    assert (code, err) == (0, "")
    assert out == "parent_id,children,pct\nmeta/base-7b,3,75.0\nalice/ft-1,1,25.0\n\nnights\n2\n"


def test_every_statements_result_is_printed(room, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(room / "hub.duckdb"), "SELECT 1 AS a; SELECT 2 AS b")
    assert (code, out) == (0, "a\n-\n1\n(1 row)\n\nb\n-\n2\n(1 row)\n")


@pytest.mark.parametrize("query", ["", "   ", " ; ", "-- only a comment"])
def test_an_empty_query_is_a_usage_error(room, capsys, query):
    code, out, err = run(capsys, "sql", "--db", str(room / "hub.duckdb"), query)
    assert (code, out) == (2, "")
    assert err == 'hubcensus: error: no SQL statement given; usage: hubcensus sql "SELECT ..." (or no argument for a prompt)\n'


def test_query_spills_go_to_a_private_directory_not_beside_the_database(room, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(room / "hub.duckdb"), "--format", "csv",
                       "SELECT current_setting('temp_directory') AS spill")
    spill = Path(out.splitlines()[1])
    assert code == 0
    assert spill.name.startswith("hubcensus-spill-") and room not in spill.parents
    assert oct(spill.stat().st_mode & 0o777) == "0o700"


HOSTILE_CELLS = ("SELECT '=HYPERLINK(\"http://evil\",\"x\")' AS a, '+1+2' AS b, '-3' AS c, '@SUM(A1)' AS d, "
                 "'ok' AS e, -5 AS n, 'x' || chr(10) || 'y' || chr(27) || '[2J' AS f")


def test_csv_neutralises_formulas_and_escapes_control_characters(room, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(room / "hub.duckdb"), "--format", "csv", HOSTILE_CELLS)
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["a", "b", "c", "d", "e", "n", "f"],
        ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+2", "'-3", "'@SUM(A1)", "ok", "-5", "x\\ny\\x1b[2J"],
    ]


def test_keep_formulas_turns_the_guard_off(room, capsys):
    code, out, _ = run(capsys, "sql", "--db", str(room / "hub.duckdb"), "--format", "csv", "--keep-formulas",
                       HOSTILE_CELLS)
    assert code == 0
    assert list(csv.reader(io.StringIO(out)))[1] == [
        "=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3", "@SUM(A1)", "ok", "-5", "x\\ny\\x1b[2J"]
