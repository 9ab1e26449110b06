"""analysis.install: idempotent, works on empty databases, read-only after the first install."""

import duckdb

from analysis.example_db import create_crawl_db
from analysis.installer import install

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
