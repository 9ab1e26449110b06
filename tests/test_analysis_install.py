"""analysis.install: idempotent, works on empty databases, read-only after the first install;
analysis.prepare_reader: a reader gets correct answers without writing the file."""

import hashlib
import re
from pathlib import Path

import duckdb
import pytest

from analysis import prepare_reader
from analysis.example_db import create_crawl_db, create_history_db
from analysis.figures import compute_figures
from analysis.installer import (CREATE_STATEMENT, fingerprint, install, installed_fingerprint, sql_scripts,
                                temporary_sql)
from storage.db import apply_migrations

USER_VIEWS_SQL = "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1"


def test_install_twice_rewrites_nothing_the_second_time(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    assert install(con) is True
    views = con.execute(USER_VIEWS_SQL).fetchall()
    assert install(con) is False
    assert install(con, force=True) is True
    assert con.execute(USER_VIEWS_SQL).fetchall() == views


def test_every_view_answers_on_a_database_with_tables_but_no_rows(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    install(con)
    answered = {}
    for (view,) in con.execute(USER_VIEWS_SQL).fetchall():
        answered[view] = con.execute(f'SELECT count(*) FROM "{view}"').fetchone()[0]
    assert len(answered) >= 40
    # Views with a fixed set of keys answer with them (zeros); one-row summaries answer one row.
    assert answered["figure_gated"] == 3 and answered["figure_relation_counts"] == 5
    assert answered["figure_summary"] == 1 and answered["latest_snapshot"] == 1


def test_installed_views_are_usable_from_a_read_only_connection(tmp_path):
    path = tmp_path / "t.duckdb"
    con = create_crawl_db(path)
    install(con)
    con.close()
    ro = duckdb.connect(str(path), read_only=True)
    assert install(ro) is False
    assert ro.execute("SELECT models_total FROM figure_summary").fetchone() == (0,)


def test_install_does_not_touch_the_crawl_tables(tmp_path):
    con = create_crawl_db(tmp_path / "t.duckdb")
    before = con.execute("SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY 1").fetchall()
    install(con)
    after = con.execute("SELECT table_name, estimated_size FROM duckdb_tables() WHERE table_name NOT IN "
                        "('license_taxonomy', 'analysis_install') ORDER BY 1").fetchall()
    assert after == before


# --- readers never write: prepare_reader ---------------------------------------------------------

# The settings the CLI puts on every reader's connection.
READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def file_state(path: Path) -> tuple:
    """The database file's bytes and the files beside it (a WAL would show a write)."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def history(tmp_path) -> tuple[Path, dict, list]:
    """The history example, its correct figures and headline, then closed."""
    path = tmp_path / "history.duckdb"
    con = create_history_db(path)
    expected = (compute_figures(con), con.execute("SELECT * FROM report_headline").fetchall())
    con.close()
    return path, *expected


def make_stale(path: Path) -> None:
    """What an older version would have left: a wrong view, a missing one, an old fingerprint."""
    con = duckdb.connect(str(path))
    con.execute("CREATE OR REPLACE VIEW figure_gated AS SELECT 'stale' AS gated, 0 AS models")
    con.execute("DROP VIEW report_headline")
    con.execute("UPDATE analysis_install SET fingerprint = 'from-an-older-version'")
    con.execute("CHECKPOINT")
    con.close()


def test_a_reader_on_stale_views_gets_correct_answers_and_the_file_is_unchanged(history):
    path, figures, headline = history
    make_stale(path)
    before = file_state(path)
    ro = duckdb.connect(str(path), read_only=True, config=READER_CONFIG)
    assert ro.execute("SELECT current_setting('enable_external_access'), current_setting('lock_configuration')"
                      ).fetchone() == (False, True)
    assert prepare_reader(ro) == "temporary"
    assert compute_figures(ro) == figures
    assert ro.execute("SELECT * FROM report_headline").fetchall() == headline
    assert prepare_reader(ro) == "temporary"  # again: nothing to do
    ro.close()
    assert file_state(path) == before
    # The stored views stay stale for the next writer to refresh.
    ro = duckdb.connect(str(path), read_only=True)
    assert installed_fingerprint(ro) == "from-an-older-version"
    assert ro.execute("SELECT * FROM figure_gated").fetchall() == [("stale", 0)]


def test_a_reader_on_a_file_without_any_views(tmp_path, history):
    _path, figures, _headline = history
    path = tmp_path / "bare.duckdb"
    con = duckdb.connect(str(path))
    con.execute(f"ATTACH '{history[0]}' AS src (READ_ONLY)")
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' "
                                "AND table_name NOT IN ('license_taxonomy', 'analysis_install')").fetchall():
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
    # Storage's own views (model_snapshots over compact history, migration 004) are not analysis
    # views; model_counts_closed (the closed runs' two tables) first: the others read it.
    for (sql,) in con.execute("SELECT sql FROM duckdb_views() WHERE database_name = 'src' "
                              "AND view_name IN ('model_counts_closed', 'model_snapshots', 'model_counts') "
                              "ORDER BY view_name <> 'model_counts_closed'").fetchall():
        con.execute(sql)
    con.execute("DETACH src")
    con.close()
    before = file_state(path)
    ro = duckdb.connect(str(path), read_only=True, config=READER_CONFIG)
    assert installed_fingerprint(ro) is None
    assert compute_figures(ro) == figures  # prepare_reader runs inside
    ro.close()
    assert file_state(path) == before


def test_a_reader_on_current_views_uses_the_stored_ones(history):
    path, figures, _headline = history
    ro = duckdb.connect(str(path), read_only=True, config=READER_CONFIG)
    assert prepare_reader(ro) == "stored"
    assert ro.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal").fetchone() == (0,)
    assert compute_figures(ro) == figures


def test_install_after_a_temporary_install_stores_views_that_do_not_depend_on_it(history):
    path, figures, _headline = history
    make_stale(path)
    con = duckdb.connect(str(path))
    assert prepare_reader(con) == "temporary"
    assert install(con) is True
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal").fetchone() == (0,)
    con.close()
    ro = duckdb.connect(str(path), read_only=True)
    assert prepare_reader(ro) == "stored"
    assert compute_figures(ro) == figures


def test_every_statement_can_become_temporary():
    """prepare_reader rewrites CREATE OR REPLACE VIEW|MACRO to TEMP: no other CREATE may hide in a script."""
    any_create = re.compile(r"^\s*CREATE\b", re.MULTILINE | re.IGNORECASE)
    for name, text in sql_scripts():
        assert len(any_create.findall(text)) == len(CREATE_STATEMENT.findall(text)), name
        assert "CREATE OR REPLACE VIEW" not in temporary_sql(text), name


def test_a_file_older_than_rejected_records_skips_that_script_until_it_is_migrated(tmp_path):
    path = tmp_path / "old.duckdb"
    con = create_crawl_db(path)
    con.execute("DROP TABLE rejected_records")
    con.execute("DELETE FROM schema_migrations WHERE version = 2")
    assert install(con) is True
    views = {v for (v,) in con.execute(USER_VIEWS_SQL).fetchall()}
    assert "report_headline" in views and "report_rejections" not in views
    assert fingerprint(con) != fingerprint()  # the scripts that apply are part of it
    assert install(con) is False
    assert apply_migrations(con) == [2]
    assert install(con) is True
    assert "report_rejections" in {v for (v,) in con.execute(USER_VIEWS_SQL).fetchall()}
