"""The report: one self-contained HTML file (inline SVG, no network) and a Markdown summary,
with every Hub string escaped."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from analysis import report
from hubcensus.cli import main
from test_cli_fixtures import HOSTILE_ID, HOSTILE_LICENSE, MIGRATION, make_db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return make_db(tmp_path_factory.mktemp("report") / "hub.duckdb")


@pytest.fixture(scope="module")
def page(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return report.render(con, fmt="html")


def test_hub_strings_are_text_not_markup(page):
    assert "<script" not in page.lower()
    assert "<b>evil" not in page and "<i>mallory" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;evil&lt;/b&gt;" in page
    # The family tree, the leaderboard table and the bar chart all carry the hostile id as text.
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4


def test_needs_no_network(page):
    external = [u for u in re.findall(r"(?:src|href)\s*=\s*\"([^\"]*)\"", page) if not u.startswith("#")]
    assert external == []
    assert re.findall(r"https?://[^\"' )]+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and a CSP forbids it, should anything slip through


def test_states_snapshot_and_coverage(page):
    assert "<title>hubcensus: the Hugging Face Hub on 2026-11-02</title>" in page
    assert ("Snapshot <strong>2026-11-02</strong> (the latest complete sweep). Covers <strong>5</strong> public "
            "models listed that night (6 ever seen, 1 since deleted;") in page
    assert "from 2 nightly snapshots 2026-11-01 – 2026-11-02" in page


def test_every_section_has_a_chart_with_its_table(page):
    for section in ("growth", "derivatives", "gated", "licenses", "concentration", "languages"):
        body = page.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
        assert '<div class="pair"><figure><svg' in body, section
        assert "<table>" in body, section


def test_leaderboard_and_family_tree_numbers(page):
    derivatives = page.split('<section id="derivatives">', 1)[1].split("</section>", 1)[0]
    assert ('<tr><td class="id">meta/base-7b</td><td class="num">4</td><td class="num">3</td><td class="num">2</td>'
            '<td class="num">0</td><td class="num">1</td><td class="num">0</td></tr>') in derivatives
    assert "Family of meta/base-7b: 4 descendants, 2 generations" in derivatives
    tree = derivatives.split('aria-label="family tree of meta/base-7b"', 1)[1].split("</svg>", 1)[0]
    labels = re.findall(r'<text class="label"[^>]*>([^<]*)</text>', tree)
    # Children by descendants desc, then id; bob/adapter hangs under alice/ft-1.
    assert labels == ["meta/base-7b", "alice/ft-1", "bob/adapter", "&lt;script&gt;alert(1)&lt;/script&gt;", "carol/quant"]


def test_gated_and_license_tables(page):
    assert ('<tr><td>open-weights-restricted</td><td class="num">1</td><td class="num">1</td>'
            '<td class="num">100.0%</td><td class="num">100.0%</td></tr>') in page
    assert '<tr><td>2026-11-02</td><td>mit</td><td>apache-2.0</td><td class="num">1</td></tr>' in page


def test_markdown_summary(db):
    with duckdb.connect(str(db), read_only=True) as con:
        text = report.render(con, fmt="md")
    lines = text.splitlines()
    assert lines[0] == "# The Hugging Face Hub on 2026-11-02"
    assert "- **5** public models; **3** created in the last 30 days" in lines
    assert "- **40.00%** are gated (1 auto, 1 manual)" in lines
    assert "| meta/base-7b | 4 | 3 | 2 | 0 | 1 | 0 |" in lines
    assert "| &lt;b&gt;evil&lt;/b&gt; | other | 1 | 20.0% |" in lines
    assert HOSTILE_LICENSE not in text and "<" not in text


def test_md_escape_neutralises_markdown_and_html():
    assert report.md_escape("a|b*c_[x](javascript:y)<img>\nz") == "a\\|b\\*c\\_\\[x\\](javascript:y)&lt;img&gt; z"


def test_an_empty_database_still_renders(tmp_path):
    db = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db))
    con.execute(MIGRATION.read_text())
    page = report.render(con, fmt="html")
    assert "The database holds no crawl yet" in page and "no data yet" in page
    assert report.render(con, fmt="md") == "# hubcensus\n\nThe database holds no crawl yet: run `hubcensus crawl`.\n"


def test_cli_report_html_and_md(db, tmp_path, capsys):
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "r.html")]) == 0
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "summary.md")]) == 0
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "forced.txt"), "--format", "md"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote {tmp_path / n}" for n in ("r.html", "summary.md", "forced.txt")]
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "summary.md").read_text() == (tmp_path / "forced.txt").read_text()
    assert (tmp_path / "summary.md").read_text().startswith("# The Hugging Face Hub on 2026-11-02")
    assert HOSTILE_ID not in (tmp_path / "r.html").read_text()
