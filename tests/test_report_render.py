"""The report rendered from the four-night history example (analysis/example_db.py; S =
2026-11-10, complete listings on 10-09, 11-03, 11-09 and 11-10): the headline block and its
change over 7 and 30 nights, axis titles, the partial month, the parent that is not on the Hub,
the crawl's coverage and rejected records, dates that agree, plurals, and Hub strings escaped."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import duckdb
import pytest

from analysis import report
from analysis.example_db import NIGHTS, create_crawl_db, create_history_db, model
from analysis.installer import install
from hubcensus.cli import main
from storage.db import newest_migration
from storage.history import write_snapshot_rows
from tests.cli_fixtures import make_db

GENERATED = dt.datetime(2026, 11, 11, 7, 30)
READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, section_id: str) -> str:
    return page.split(f'<section id="{section_id}">', 1)[1].split("</section>", 1)[0]


def svgs(fragment: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", fragment, flags=re.S)


def axis_titles(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<text class="axis-title"[^>]*>([^<]*)</text>', svg)]


def render(path: Path, fmt: str) -> str:
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as con:
        data = report.collect(con)
    return report.render_html(data, GENERATED) if fmt == "html" else report.render_markdown(data, GENERATED)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "history.duckdb"
    create_history_db(path).close()
    return path


@pytest.fixture(scope="module")
def page(history) -> str:
    return render(history, "html")


@pytest.fixture(scope="module")
def markdown(history) -> str:
    return render(history, "md")


# --- the headline block ------------------------------------------------------------------------

def test_headline_block_states_each_number_with_its_change_over_7_and_30_nights(page):
    block = page.split('<section class="headline"', 1)[1].split("</section>", 1)[0]
    cards = [text_of(card) for card in re.findall(r'<div class="card card-\w+">(.*?)</table>\s*</div>', block, re.S)]
    assert cards == [
        "Public models 10 listed by the Hub on 2026-11-10 7 nights +4 30 nights +5",
        "New this week 5 created in the 7 days to 2026-11-10 7 nights +4 30 nights +4",
        "New this month 6 created in the 30 days to 2026-11-10 7 nights +4 30 nights +4",
        "Gated 20.0% 2 models ask for access approval 7 nights −13.3 pt 30 nights ±0 pt",
        "Largest family 4 descendants of org/base 7 nights +1 30 nights +2",
    ]
    assert text_of(block.split('class="headline-note">', 1)[1].split("</p>", 1)[0]) == (
        "Change over 7 nights: against the complete listing of 2026-11-03; "
        "30 nights: against the complete listing of 2026-10-09.")
    # the dates behind each change are in the tooltip
    assert '<td class="delta up" title="since 2026-11-03">+4</td>' in block


def test_headline_in_markdown(markdown):
    lines = markdown.splitlines()
    assert lines[0] == "# The Hugging Face Hub on 10 November 2026"
    assert "- **Public models: 10** (listed by the Hub on 2026-11-10); change over 7 nights: +4, 30 nights: +5" in lines
    assert "- **Gated: 20.0%** (2 models ask for access approval); change over 7 nights: −13.3 pt, 30 nights: ±0 pt" in lines
    assert "- **Largest family: 4** (descendants of org/base); change over 7 nights: +1, 30 nights: +2" in lines


def test_without_history_the_changes_say_so_and_plurals_agree(tmp_path):
    path = tmp_path / "one-night.duckdb"
    con = create_crawl_db(path, [model("a/m", "2026-11-09T00:00:00", first_seen="2026-11-10")],
                          snapshots=[(NIGHTS[-1], "a/m", 0, 0, 0, "none")],
                          runs=[(1, "full", "complete", NIGHTS[-1], dt.datetime(2026, 11, 11, 3), dt.datetime(2026, 11, 11, 3, 1))])
    install(con)
    con.close()
    page, markdown = render(path, "html"), render(path, "md")
    assert page.count('<td class="delta none" title="no listing 7 nights back yet">n/a</td>') == 4
    assert "No complete listing 7 or 30 nights before the snapshot yet (the history starts on 2026-11-10): n/a." in page
    assert "<span>1 nightly snapshot</span>" in page
    assert "The history holds 1 nightly snapshot." in page
    assert "One nightly snapshot so far (2026-11-10, 1 model): the series grows with every night." in page
    assert "History starts with the night of 2026-11-10" in text_of(section(page, "changes"))
    assert "- **Public models: 1** (listed by the Hub on 2026-11-10); change over 7 nights: n/a, 30 nights: n/a" in markdown


# --- what changed --------------------------------------------------------------------------------

def test_what_changed_over_7_and_30_nights(page):
    changes = section(page, "changes")
    assert text_of(changes.split('<p class="lede">', 1)[1].split("</p>", 1)[0]) == (
        "In the 7 nights since 2026-11-03, 5 models appeared on the Hub and 1 was deleted; 1 changed license, "
        "1 became gated and 1 stopped being gated; 2 models passed 1M, 10M or 100M all-time downloads. "
        "In the 30 nights since 2026-10-09, 6 models appeared on the Hub and 1 was deleted; 2 changed license, "
        "1 became gated and 1 stopped being gated; 3 models passed 1M, 10M or 100M all-time downloads.")
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", changes, re.S)]
    assert rows[:7] == [
        "over 7 nights since 2026-11-03 30 nights since 2026-10-09",
        "models that appeared on the Hub 5 6", "models deleted from the Hub 1 1", "models that changed license 1 2",
        "models that became gated 1 1", "models that stopped being gated 1 1", "new base-model links 5 6"]
    assert "license mit apache-2.0 1 1" in rows and "license none mit – 1" in rows
    assert "gating none manual 1 1" in rows and "gating auto none 1 1" in rows
    assert "private-org/internal-base-v1 not on the Hub new family 3 3 3" in rows
    assert "a/ft1 new family 1 1 1" in rows and "org/base 1 2 3" in rows
    assert "7 nights 100M org/base 99,500,000 120,000,000" in rows
    assert "30 nights 1M org/small 500,000 1,500,000" in rows


# --- charts: axis titles, units, the partial month -----------------------------------------------

def test_every_chart_has_axis_titles(page):
    charts = svgs(page)
    assert len(charts) == 14
    assert all(axis_titles(c) for c in charts)
    titles = {re.search(r'aria-label="([^"]*)"', c).group(1): axis_titles(c) for c in charts}
    assert titles["new models per month"] == ["month of creation (UTC)", "new models per month"]
    assert titles["models listed per night"] == ["snapshot date (UTC)", "models listed"]
    assert titles["largest families by descendants"] == ["root model", "descendants (models)"]
    assert titles["gated share per night"] == ["snapshot date (UTC)", "gated share of models (%)"]
    assert titles["share of downloads drawn by the most downloaded models"] == [
        "most downloaded models, as a share of all listed models (log scale)", "share of all 30-day downloads"]
    assert titles["most downloaded models"] == ["model", "downloads in the last 30 days"]
    assert titles["family tree of org/base"] == ["model (relation to its parent)", "descendants (models)"]


def test_the_month_in_progress_is_marked_partial(page, markdown):
    chart = next(c for c in svgs(page) if 'aria-label="new models per month"' in c)
    partial = re.findall(r'<rect class="bar partial"[^>]*><title>([^<]*)</title>', chart)
    assert partial == ["2026-11: 6 (partial: 10 of 30 days)"]
    assert chart.count('class="bar partial"') == 1 and '<text class="partial-label"' in chart
    assert ("2026-11 is partial: 10 days of 30 so far, drawn pale with a dashed outline." in
            text_of(section(page, "growth")))
    assert "November 2026 is partial: 6 models in 10 days so far." in page
    assert "| 2026-11 (partial: 10 of 30 days) | 6 |" in markdown.splitlines()


def test_download_concentration_is_a_curve_on_a_log_scale(page):
    chart = next(c for c in svgs(page) if "log scale" in c)
    points = re.findall(r"<title>(top [^<]*)</title>", chart)
    assert points == ["top 1 models (10.00%): 79.6% of downloads", "top 2 models (20.00%): 92.4% of downloads",
                      "top 5 models (50.00%): 99.7% of downloads", "top 10 models (100.00%): 100.0% of downloads"]
    assert '<polyline class="line"' in chart


# --- families: the parent that is not on the Hub ---------------------------------------------------

def test_a_parent_not_on_the_hub_is_marked_and_its_zero_columns_explained(page, markdown):
    families = section(page, "families")
    rows = [text_of(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", families, re.S)]
    assert rows[1:] == ["1 org/base llama3 3 2 1 0 0 0 4 2",
                        "2 private-org/internal-base-v1 not on the Hub – 3 0 0 0 0 3 3 1"]
    note = text_of(families.split('class="note offhub-note">', 1)[1].split("</p>", 1)[0])
    assert note == ("not on the Hub private-org/internal-base-v1 has never been listed publicly (a private or "
                    "gated-away repository, or one removed before the first night of this census): its license and "
                    "card are unknown. All 3 direct children name it without a relation, so every link is unknown "
                    "and the finetune, adapter, quantized and merge columns are 0.")
    assert '<rect class="bar offhub"' in families and "3 · not on the Hub" in families
    assert '<tspan class="flag">  not on the Hub</tspan>' in families  # the tree's root
    assert ("private-org/internal-base-v1 is not on the Hub (never listed publicly): all 3 direct children name it "
            "without a relation, so the finetune, adapter, quantized and merge columns are 0.") in markdown


# --- coverage: dates, runs, rejected records --------------------------------------------------------

def test_header_dates_say_what_each_is(page):
    dateline = text_of(page.split('<p class="dateline">', 1)[1].split("</p>", 1)[0])
    assert dateline == ("Snapshot date 2026-11-10 (UTC date of the Hub listing the figures describe) "
                        "Crawled 2026-11-11 03:00–03:04 UTC (the crawler's clock) 4 nightly snapshots since 2026-10-09")
    dates = text_of(section(page, "coverage").split('<dl class="dates">', 1)[1].split("</dl>", 1)[0])
    assert dates.startswith("Snapshot date 2026-11-10: the UTC date the Hub's server gave for the latest complete "
                            "listing of every public model. Every figure describes that listing. Crawl time "
                            "2026-11-11 03:00 UTC to 2026-11-11 03:04 UTC: when the crawler ran that listing")
    assert dates.endswith("Report generated 2026-11-11 07:30 UTC.")


def test_coverage_states_partial_runs_and_a_later_failed_night(page):
    coverage = section(page, "coverage")
    assert ("A later night (2026-11-11) has not completed a listing (its last run: sweep, failed)."
            in text_of(coverage))
    rows = [text_of(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", coverage, re.S)]
    assert "sweep complete 2026-11-11 03:00 UTC 2026-11-11 03:04 UTC 1 10 1 0 1,000 B 0" in rows
    assert "refresh partial 2026-11-11 03:04 UTC 2026-11-11 03:09 UTC 2 1 4 3 2.9 KB 1" in rows
    assert '<tr class="warn"><td>refresh</td><td>partial</td>' in coverage
    assert ("Over the 30 nights to the latest run: 7 runs, 5 complete, 1 partial, 1 failed; 3 records skipped."
            in text_of(coverage))


def test_rejected_records_are_stated_by_reason(page, markdown):
    coverage = section(page, "coverage")
    line = text_of(coverage.split('<p class="rejected-line">', 1)[1].split("</p>", 1)[0])
    assert line.startswith("3 rejections on the night of 2026-11-10, 5 in the 30 nights to the latest crawl.")
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", coverage.split("Rejected records", 1)[1], re.S)]
    assert rows == ["reason what field on 2026-11-10 30 nights last seen",
                    "not a non-negative integer value downloads 2 2 2026-11-10",
                    "invalid UTF-8 record – 0 1 2026-11-09",
                    "malformed JSON record – 0 1 2026-11-09",
                    "page unreadable: HTML error page with status 200 page – 1 1 2026-11-10"]
    assert ("- Rejected records: 3 on the night of 2026-11-10, 5 in the 30 nights to the latest crawl: not a "
            "non-negative integer (value downloads): 2; invalid UTF-8 (record): 1; malformed JSON (record): 1; page "
            "unreadable: HTML error page with status 200 (page): 1.") in markdown.splitlines()


def test_a_database_of_an_older_version_is_refused_until_migrated_then_reports(tmp_path, capsys):
    """Readers never write, so they cannot migrate a file an older hubcensus wrote: they say how
    to, and after `hubcensus migrate` the report renders (with no rejected records to show)."""
    old = make_db(tmp_path / "old.duckdb", schema=1)   # as hubcensus 0.1 left it: two nights, schema 001
    code = main(["report", "--db", str(old), "--out", str(tmp_path / "r.html")])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"hubcensus: error: {old} has schema version 1, older than this hubcensus ({newest_migration()}); "
        "run `hubcensus migrate` (or the next `hubcensus crawl`) to bring it up to date")
    assert main(["migrate", "--db", str(old)]) == 0
    assert main(["report", "--db", str(old), "--out", str(tmp_path / "r.html")]) == 0
    assert "No record was rejected in the 30 nights to the latest crawl." in (tmp_path / "r.html").read_text()


# --- one meaning per column name ---------------------------------------------------------------------

def test_a_column_name_means_one_thing(page):
    headers = [text_of(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]
    assert "share of downloads" not in headers
    assert "share of all 30-day downloads" in headers
    assert "gated share of the family's 30-day downloads" in headers


# --- untrusted Hub strings -----------------------------------------------------------------------------

HOSTILE_ID = 'evil/<script>alert("id")</script>'
HOSTILE_PARENT = "<img src=x onerror=alert(1)>/base"
HOSTILE_LICENSE = '" onmouseover="alert(2)'
CONTROL = "ctl/\x07bell\x1b[31mred"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    con = create_history_db(path)
    day = NIGHTS[-1]
    for model_id, license, downloads in ((HOSTILE_ID, HOSTILE_LICENSE, 9_000), (CONTROL, "x|y*z_[a](b)", 8_000)):
        con.execute("INSERT INTO hub_models (model_id, author, created_at, gated, license, downloads, languages, "
                    "first_seen, last_seen) VALUES (?, 'evil', TIMESTAMP '2026-11-10 01:00:00', 'none', ?, ?, ?, ?, ?)",
                    [model_id, license, downloads, ["<b>lang</b>"], day, day])
        write_snapshot_rows(con, [(day, model_id, downloads, 0, 0, "none")])   # model_snapshots is a view (migration 004)
        con.execute("INSERT INTO lineage VALUES (?, ?, 'unknown', 'cardData', ?)", [model_id, HOSTILE_PARENT, day])
    con.execute("INSERT INTO model_changes VALUES (?, 'license', 'mit', ?, ?)", [HOSTILE_ID, HOSTILE_LICENSE, day])
    con.execute("INSERT INTO rejected_records (snapshot_date, plan, model_id, field, reason, sample, page_no) VALUES (?, 'sweep', ?, NULL, ?, '<x>', 1)",
                [day, HOSTILE_ID, "id empty, too long or with control characters <script>"])
    con.close()
    return path


def test_hostile_strings_are_text_in_html(hostile):
    page = render(hostile, "html")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert '" onmouseover="' not in page  # a quote never closes an attribute
    assert "\x07" not in page and "\x1b" not in page
    assert page.count("evil/&lt;script&gt;alert(&#34;id&#34;)&lt;/script&gt;") >= 3  # chart, table, tooltip
    assert "&lt;img src=x onerror=alert(1)&gt;/base" in page  # a family root not on the Hub
    assert "&#34; onmouseover=&#34;alert(2)" in page  # the license, in the changes table
    assert "ctl/\ufffdbell\ufffd[31mred" in page
    assert "&lt;b&gt;lang&lt;/b&gt;" in page


def test_hostile_strings_are_text_in_markdown(hostile):
    text = render(hostile, "md")
    assert "<" not in text and "\x07" not in text and "\x1b" not in text
    assert "evil/&lt;script&gt;alert(\"id\")&lt;/script&gt;" in text
    assert "ctl/\ufffdbell\ufffd\\[31mred" in text
    for line in text.splitlines():
        if line.startswith("|") and "ctl/" in line:
            assert line.count("|") - line.count("\\|") == 4  # the hostile id did not add a column


def test_md_escape_neutralises_markdown_and_html():
    assert report.md_escape("a|b*c_[x](javascript:y)<img>\nz\x00") == "a\\|b\\*c\\_\\[x\\](javascript:y)&lt;img&gt; z\ufffd"


# --- the file ------------------------------------------------------------------------------------------

def test_needs_no_network_and_runs_no_script(page):
    external = [u for u in re.findall(r"(?:src|href)\s*=\s*\"([^\"]*)\"", page) if not u.startswith("#")]
    assert external == []
    assert re.findall(r"https?://[^\"' )]+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")
    assert "<link" not in page and "@import" not in page and "url(" not in page and "<script" not in page
    assert "default-src 'none'" in page  # and a CSP forbids it, should anything slip through
    assert "@media print" in page and "@page" in page


def test_an_empty_database_still_renders(tmp_path):
    con = create_crawl_db(tmp_path / "empty.duckdb")
    page = report.render(con, fmt="html")
    assert "The database holds no crawl yet: run <code>hubcensus crawl</code>." in page
    assert report.render(con, fmt="md") == "# hubcensus\n\nThe database holds no crawl yet: run `hubcensus crawl`.\n"
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        report.render(con, fmt="pdf")


def test_cli_report_html_and_md(tmp_path, capsys):
    db = make_db(tmp_path / "hub.duckdb")
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "r.html")]) == 0
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "summary.md")]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote {tmp_path / n}" for n in ("r.html", "summary.md")]
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "summary.md").read_text().startswith("# The Hugging Face Hub on 2 November 2026")
    assert "<script>" not in (tmp_path / "r.html").read_text()
