"""`hubcensus report --family ID` and `--cohort FILE` through the command line, on a hubsim
universe with models, datasets and Spaces crawled over HTTP: the cohort report the real CLI
writes opens in headless Chromium with a block per family and the derivative counts of
hubsim's own truth; the Markdown and PDF outputs; and every refusal is exit 2 with one line,
the cohort file checked before the database is opened.

The universe is built and crawled once for the module (what `sim_factory` does, at module
scope): a crawl per test would repeat the same two seconds for nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from PIL import Image, ImageStat

import pipeline
from analysis.example_db import create_crawl_db, model
from analysis.installer import install
from hubcensus.cli import main
from hubsim.server import SimServer
from hubsim.universe import Universe
from test_report_browser import chromium, console_messages
from tests.cli_fixtures import make_db
from old_files import forget_lifecycle_graph
from storage.db import newest_migration

REPO = Path(__file__).resolve().parents[1]
BAR_RGB = (0x2F, 0x6F, 0xAD)   # .bar fill (report.css), the first series (family_report.css)
FAMILIES = 3                   # the cohort: the three largest families of the universe, ...


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, dict]:
    """A crawled universe and its truth (hubsim's own figures, computed without the crawl)."""
    universe = Universe.build(models=1500, seed=5, day=1, datasets=300, spaces=400)
    sim = SimServer(universe)
    sim.start()
    try:
        db = tmp_path_factory.mktemp("family-cli") / "hub.duckdb"
        result = pipeline.run_night(str(db), endpoint=sim.url, progress=False)
    finally:
        sim.stop()
    assert result.status == "complete" and result.seen == {"models": 1500, "datasets": 300, "spaces": 400}
    return db, universe.truth(lifecycle=True)


@pytest.fixture(scope="module")
def cohort(crawled) -> list[str]:
    """... and the model most used by Spaces that is not one of them."""
    _, truth = crawled
    roots = [entry["model_id"] for entry in truth["top_derivatives"][:FAMILIES]]
    return roots + [next(e["model_id"] for e in truth["top_models_by_spaces"] if e["model_id"] not in roots)]


def hubcensus(*argv: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}
    return subprocess.run([sys.executable, "-m", "hubcensus", *argv], capture_output=True, text=True, cwd=cwd,
                          env=environment, timeout=300)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def descendants(truth: dict, root: str) -> tuple[int, int]:
    entry = next(e for e in truth["top_derivatives"] if e["model_id"] == root)
    return entry["descendants"], entry["direct"]


def spaces_using(truth: dict, model_id: str) -> int:
    return next((e["spaces"] for e in truth["top_models_by_spaces"] if e["model_id"] == model_id), 0)


# --- the cohort in Chromium ---------------------------------------------------------------------

@pytest.mark.browser
def test_a_cohort_report_written_by_the_cli_opens_in_chromium(crawled, cohort, tmp_path):
    db, truth = crawled
    cohort_file = tmp_path / "cohort.txt"
    cohort_file.write_text("# the largest families, and a model many Spaces use\n\n" + "\n".join(cohort) + "\n",
                           encoding="utf-8")
    out = tmp_path / "cohort.html"
    result = hubcensus("report", "--db", str(db), "--cohort", str(cohort_file), "--out", str(out))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"wrote {out}\n", "")

    dom = chromium(tmp_path, out.as_uri(), "--dump-dom")
    assert dom.returncode == 0 and console_messages(dom.stderr) == []
    page = dom.stdout
    blocks = re.findall(r'<section class="family" id="(family-\d+)"[^>]*>\s*<h2[^>]*>(.*?)</h2>', page, flags=re.S)
    assert [(block_id, re.search(r'<span class="id">([^<]*)</span>', title).group(1)) for block_id, title in blocks] == [
        (f"family-{i}", root) for i, root in enumerate(cohort, start=1)]
    # the side-by-side table: one row per family, its derivatives those hubsim counts as descendants
    table = re.search(r'<table class="side-by-side">.*?</table>', page, flags=re.S).group(0)
    rows = re.findall(r'<tr[^>]*><td class="id"><a href="#family-\d+">([^<]*)</a>.*?</td><td[^>]*>[^<]*</td>'
                      r'<td[^>]*>[^<]*</td><td class="num">([\d,]+)</td>', table, flags=re.S)
    derivatives = {root: int(count.replace(",", "")) for root, count in rows}
    assert list(derivatives) == cohort
    known = {e["model_id"]: e["descendants"] for e in truth["top_derivatives"]}   # hubsim's top 20
    assert {root: derivatives[root] for root in cohort if root in known} == {
        root: known[root] for root in cohort if root in known}
    assert all(root in known for root in cohort[:FAMILIES])
    assert "<script" not in page.lower()

    png = tmp_path / "cohort.png"
    shot = chromium(tmp_path, out.as_uri(), f"--screenshot={png}", "--window-size=1280,3000", "--hide-scrollbars")
    assert shot.returncode == 0 and console_messages(shot.stderr) == []
    image = Image.open(png).convert("RGB")
    assert min(ImageStat.Stat(image).stddev) > 20          # not a blank page
    assert sum(count for count, rgb in image.getcolors(1 << 20) if rgb == BAR_RGB) > 3000   # bars and lines painted


@pytest.mark.browser
def test_a_family_printed_to_pdf(crawled, cohort, tmp_path):
    db, _ = crawled
    out = tmp_path / "family.pdf"
    result = hubcensus("report", "--db", str(db), "--family", cohort[0], "--out", str(out))
    assert (result.returncode, result.stderr) == (0, "")
    assert out.read_bytes().startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", out.read_bytes())) >= 2


# --- one family, Markdown -----------------------------------------------------------------------

def test_a_family_in_markdown_counts_what_hubsim_knows(crawled, cohort, tmp_path, capsys):
    db, truth = crawled
    root = cohort[0]
    out = tmp_path / "family.md"
    assert run(capsys, "report", "--db", str(db), "--family", root, "--out", str(out)) == (0, f"wrote {out}\n", "")
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# The {root} family\n")
    assert "*Snapshot date 2026-11-01 " in text
    count, direct = descendants(truth, root)
    assert re.search(rf"^{count:,} derivatives in \d+ generations? \({direct:,} direct\)", text, flags=re.M)


def test_the_model_most_used_by_spaces_has_them_in_its_family_block(crawled, tmp_path, capsys):
    db, truth = crawled
    most_used = truth["top_models_by_spaces"][0]
    out = tmp_path / "spaces.md"
    assert run(capsys, "report", "--db", str(db), "--family", most_used["model_id"], "--out", str(out))[0] == 0
    assert re.search(rf"Spaces use a model of the family; {most_used['spaces']:,} of them the root itself\.",
                     out.read_text(encoding="utf-8"))


def test_format_md_wins_over_the_suffix(crawled, cohort, tmp_path, capsys):
    db, _ = crawled
    out = tmp_path / "family.txt"
    assert run(capsys, "report", "--db", str(db), "--family", cohort[1], "--format", "md", "--out", str(out))[0] == 0
    assert out.read_text(encoding="utf-8").startswith(f"# The {cohort[1]} family\n")


# --- refusals: exit 2, one line, nothing written ------------------------------------------------

def refused(capsys, out: Path, *argv: str) -> str:
    code, stdout, stderr = run(capsys, *argv, "--out", str(out))
    assert (code, stdout) == (2, "")
    assert not out.exists()
    assert stderr.startswith("hubcensus: error: ") and stderr.count("\n") == 1
    return stderr.removeprefix("hubcensus: error: ").rstrip("\n")


def test_an_unknown_family_is_refused_with_the_id_differing_in_case(crawled, cohort, tmp_path, capsys):
    db, _ = crawled
    typo = cohort[0].swapcase()
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(db), "--family", typo) == (
        f"--family {typo}: no model of that id in this database (never listed, named as a base model or used by "
        f"a Space); did you mean {cohort[0]}?")
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(db), "--family", "nobody/at-all") == (
        "--family nobody/at-all: no model of that id in this database (never listed, named as a base model or used "
        "by a Space)")


def test_a_cohort_with_unknown_ids_names_them_all(crawled, cohort, tmp_path, capsys):
    db, _ = crawled
    path = tmp_path / "cohort.txt"
    path.write_text(f"{cohort[0]}\nnobody/at-all\n{cohort[1].upper()}\n", encoding="utf-8")
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(db), "--cohort", str(path)) == (
        f"--cohort {path}: 2 ids name no model in this database (never listed, named as a base model or used by a "
        f"Space): nobody/at-all, {cohort[1].upper()}; did you mean {cohort[1]} for {cohort[1].upper()}?")


def test_a_root_known_only_as_a_base_model_or_used_by_a_space_is_a_family(tmp_path, capsys):
    """Never listed, but named as a base model (a private root) or used by a Space: its family is shown."""
    db = make_db(tmp_path / "hub.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO lineage VALUES ('alice/ft-1', 'private/root', 'finetune', 'tag', DATE '2026-11-01')")
        con.execute("INSERT INTO repo_links VALUES ('space', 'org/demo', 'model', 'private/used', 'uses', 'listing', "
                    "DATE '2026-11-01')")
    for root in ("private/root", "private/used"):
        out = tmp_path / f"{root.replace('/', '-')}.md"
        assert run(capsys, "report", "--db", str(db), "--family", root, "--out", str(out))[0] == 0
        assert out.read_text(encoding="utf-8").startswith(f"# The {root} family\n")


@pytest.mark.parametrize("content, message", [
    (b"# only a comment\n\n", "{path}: no model id given"),
    (b"org/\xff\n", "{path}: not UTF-8 text (invalid start byte at byte 4)"),
    ("".join(f"org/m{i}\n" for i in range(41)).encode(), "{path}: 41 model ids: a report compares at most 40 families"),
    (b"a/b\n" * 20000, "{path}: larger than 64 KB; a cohort lists model ids, one a line"),
])
def test_the_cohort_file_is_checked_before_the_database_is_opened(content, message, tmp_path, capsys):
    path = tmp_path / "cohort.txt"
    path.write_bytes(content)
    missing_db = tmp_path / "no.duckdb"     # never reached: the cohort is refused first
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(missing_db), "--cohort", str(path)) == (
        "--cohort " + message.format(path=path))


def test_a_cohort_file_that_cannot_be_read(tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    assert refused(capsys, tmp_path / "r.html", "report", "--cohort", str(missing)) == (
        f"--cohort {missing}: cannot read it (No such file or directory)")
    assert refused(capsys, tmp_path / "r.html", "report", "--cohort", str(tmp_path)) == (
        f"--cohort {tmp_path}: cannot read it (Is a directory)")


def test_an_empty_family_id_is_refused(tmp_path, capsys):
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(tmp_path / "no.duckdb"), "--family", "  ") == (
        "--family '  ': no model id given")


def test_family_and_cohort_together_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["report", "--family", "a/b", "--cohort", "c.txt", "--out", str(tmp_path / "r.html")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "hubcensus report: error: argument --cohort: not allowed with argument --family")


def test_a_file_without_the_lifecycle_graph_is_refused(tmp_path, capsys):
    db = tmp_path / "no-graph.duckdb"
    con = create_crawl_db(db, [model("org/m", "2026-01-01T00:00:00")],
                          runs=[(1, "full", "complete", dt.date(2026, 11, 1))])
    forget_lifecycle_graph(con)
    install(con)
    con.close()
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(db), "--family", "org/m") == (
        "this database records no datasets, Spaces or links yet (made before the lifecycle graph): a crawl with "
        "this version adds them")


def test_an_older_database_asks_for_migrate(tmp_path, capsys):
    db = make_db(tmp_path / "old.duckdb", schema=1)   # as hubcensus 0.1 left it
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(db), "--family", "meta/base-7b") == (
        f"{db} has schema version 1, older than this hubcensus ({newest_migration()}); run `hubcensus migrate` (or the next "
        "`hubcensus crawl`) to bring it up to date")


def test_as_of_a_day_before_the_first_night(crawled, cohort, tmp_path, capsys):
    db, _ = crawled
    assert refused(capsys, tmp_path / "r.html", "report", "--db", str(db), "--family", cohort[0],
                   "--as-of", "2026-10-01") == "no complete night on or before 2026-10-01 in this database"
