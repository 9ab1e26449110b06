"""The family lifecycle report (analysis/family_report.py) on the lifecycle example
(analysis/example_db.py; S = 2026-11-10): one family, a cohort side by side, Markdown, hostile
Hub strings escaped, cohort files, bounds, and the read-only reader."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from pathlib import Path

import duckdb
import pytest

from analysis import family_report
from analysis.example_db import create_crawl_db, create_lifecycle_db, dataset, model, space
from analysis.family_report import CohortError, NoLifecycleGraph, read_cohort
from analysis.installer import install
from old_files import forget_lifecycle_graph

GENERATED = dt.datetime(2026, 11, 11, 7, 30)
READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}
S = dt.date(2026, 11, 10)
RUNS = [(1, "full", "complete", S, "models"), (2, "full", "complete", S, "datasets"), (3, "full", "complete", S, "spaces")]


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def paragraphs(fragment: str) -> list[str]:
    return [text_of(p) for p in re.findall(r"<p(?: [^>]*)?>(.*?)</p>", fragment, flags=re.S)]


def family_sections(page: str) -> list[str]:
    return re.findall(r'<section class="family" id="family-\d+".*?</section>', page, flags=re.S)


def axis_titles(fragment: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<text class="axis-title"[^>]*>([^<]*)</text>', fragment)]


def render(path: Path, roots, fmt: str = "html") -> str:
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as con:
        data = family_report.collect(con, roots)
    return family_report.render_html(data, GENERATED) if fmt == "html" else family_report.render_markdown(data, GENERATED)


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("family") / "lifecycle.duckdb"
    create_lifecycle_db(path).close()
    return path


@pytest.fixture(scope="module")
def family_page(lifecycle) -> str:
    return render(lifecycle, ["meta/llama-base"])


@pytest.fixture(scope="module")
def cohort_page(lifecycle) -> str:
    return render(lifecycle, ["meta/llama-base", "mistral/base", "private/base", "nobody/at-all"])


# --- one family ---------------------------------------------------------------------------------

def test_one_family_has_one_block_and_no_cohort_section(family_page):
    assert re.search(r"<title>The meta/llama-base family</title>", family_page)
    assert len(family_sections(family_page)) == 1
    assert 'id="cohort"' not in family_page and "<nav" not in family_page


def test_the_family_block_tells_the_lifecycle_in_sentences(family_page):
    block = family_sections(family_page)[0]
    assert paragraphs(block) == [
        "Released on 2026-04-01 (223 days before 2026-11-10), under llama3 (open-weights-restricted), "
        "gated (access approved by hand).",
        "The root declares 2 training datasets (1 on the Hub). 6 of its 7 derivatives declare training data: "
        "3 datasets in all.",
        "7 derivatives in 2 generations (5 direct): 1 within 30 days of the release, 3 within 90 days, 7 within a "
        "year. The latest was created on 2026-11-09. They declare 5 languages.",
        "3 Spaces use a model of the family; 1 of them the root itself.",
        "4 of 7 derivatives (57.1%) declare a license other than the root's llama3; 2 of the 5 direct children.",
        "Last commit in the 30 days to the snapshot: 4 models of the family (5 in 90 days). Its listed models drew "
        "62,240 downloads in the last 30 days, 19.7% of them by derivatives.",
    ]


def test_the_release_facts(family_page):
    facts = re.search(r'<dl class="facts">(.*?)</dl>', family_page, flags=re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", facts, flags=re.S)
    assert [(k, text_of(v)) for k, v in pairs] == [
        ("Released", "2026-04-01 (223 days before 2026-11-10)"), ("License", "llama3 (open-weights-restricted)"),
        ("Gating", "manual"), ("Task, library", "text-generation, transformers"),
        ("Downloads", "50,000 in 30 days; 2,000,000 all time"), ("Likes", "300"), ("Languages", "en"),
        ("Papers cited", "arXiv:2302.13971")]


def test_the_family_charts_and_their_axes(family_page):
    block = family_sections(family_page)[0]
    svgs = re.findall(r"<svg\b.*?</svg>", block, flags=re.S)
    assert [re.search(r'aria-label="([^"]*)"', s).group(1) for s in svgs] == [
        "derivatives of meta/llama-base by days since its release", "languages of the derivatives of meta/llama-base",
        "datasets the derivatives of meta/llama-base declare", "new derivatives of meta/llama-base per month"]
    assert [axis_titles(s) for s in svgs] == [
        ["days since the root's release (createdAt)", "derivatives (running total)"],
        ["language code", "derivatives declaring the language"],
        ["dataset", "derivatives declaring it (trained_on)"],
        ["month of creation (UTC)", "new derivatives"]]
    over_time = svgs[0]
    # one line per relation present, each named with its final total
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', over_time) == [
        "all derivatives (7)", "finetune (3)", "adapter (2)", "quantized (1)", "merge (1)"]
    assert "all derivatives: 7 by day 222" in over_time
    # languages over time: when the first derivative in each language came
    assert re.findall(r'<text class="value"[^>]*>([^<]*)</text>', svgs[1]) == [
        "2 · the first on day 9", "2 · the first on day 49", "1 · the first on day 222", "1 · the first on day 90",
        "1 · the first on day 90"]
    # post-training datasets: the one not on the Hub drawn grey
    assert re.findall(r'<rect class="bar offhub"[^>]*>', svgs[2]) != []
    assert "ghost/private-ds: 1 · not on the Hub" in svgs[2]
    # a quiet month is a column of height 0, the release month is named in its tooltip
    assert "2026-08: 0" in svgs[3] and "2026-04: 1 (release month)" in svgs[3]


def test_the_family_tables(family_page):
    block = family_sections(family_page)[0]
    tables = [text_of(t) for t in re.findall(r"<table.*?</table>", block, flags=re.S)]
    assert tables == [
        "dataset the root declares license created derivatives declaring it too "
        "ds/web cc-by-4.0 2025-12-01 0 generator not on the Hub – – 0",
        "relation finetune adapter quantized merge unknown generations derivatives 3 2 1 1 0 2",
        "Space uses SDK runtime likes sp/leaderboard meta/llama-base, u1/llama-chat gradio RUNNING 500 "
        "sp/chat-demo u1/llama-chat gradio SLEEPING 20 sp/sw-demo u2/llama-sw docker RUNNING 5",
        "derivative's license family derivatives direct children llama3 open-weights-restricted 3 3 the root's "
        "apache-2.0 permissive 1 1 differs from the root cc-by-nc-4.0 non-commercial 1 1 differs from the root "
        "mit permissive 1 0 differs from the root none none 1 0 differs from the root",
    ]


# --- a cohort ------------------------------------------------------------------------------------

def test_a_cohort_has_a_block_per_family_in_the_order_given(cohort_page):
    blocks = family_sections(cohort_page)
    assert [re.search(r'<span class="id">([^<]*)</span>', b).group(1) for b in blocks] == [
        "meta/llama-base", "mistral/base", "private/base", "nobody/at-all"]
    assert re.findall(r'<a href="#(family-\d)" class="id">([^<]*)</a>', cohort_page) == [
        ("family-1", "meta/llama-base"), ("family-2", "mistral/base"), ("family-3", "private/base"),
        ("family-4", "nobody/at-all")]
    assert "<title>A cohort of 4 model families</title>" in cohort_page


def test_the_cohort_side_by_side(cohort_page):
    cohort = cohort_page.split('<section id="cohort" class="cohort">', 1)[1].split("</section>", 1)[0]
    assert paragraphs(cohort)[0] == (
        "4 families, 10 derivatives in all (a model descending from two roots counts in both). The largest is "
        "meta/llama-base with 7 derivatives. Fastest in its first 90 days: meta/llama-base (3 derivatives). "
        "Not on the Hub: private/base, nobody/at-all.")
    table = re.search(r'<table class="side-by-side">.*?</table>', cohort, flags=re.S).group(0)
    rows = [[text_of(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S)]
            for r in re.findall(r"<tr[^>]*>.*?</tr>", table, flags=re.S)]
    assert rows == [
        ["root model", "released", "license, gating", "derivatives", "≤ 90 days", "≤ 1 year", "languages",
         "post-training datasets", "Spaces", "license ≠ root", "active ≤ 30 days"],
        ["meta/llama-base", "2026-04-01", "llama3, manual", "7", "3", "7", "5", "3", "3", "4", "4"],
        ["mistral/base", "2026-09-15", "apache-2.0, none", "2", "2", "2", "1", "1", "2", "1", "0"],
        ["private/base not on the Hub", "–", "–", "1", "–", "–", "0", "1", "0", "–", "0"],
        ["nobody/at-all not on the Hub", "–", "–", "0", "–", "–", "0", "0", "0", "–", "0"],
    ]
    svgs = re.findall(r"<svg\b.*?</svg>", cohort, flags=re.S)
    assert len(svgs) == 2
    # roots without a release date are not drawn, and the caption says so
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', svgs[0]) == ["meta/llama-base (7)", "mistral/base (2)"]
    assert "Not drawn (no release date): private/base, nobody/at-all." in text_of(cohort)


def test_a_root_not_on_the_hub_and_an_unknown_id(cohort_page):
    private, nobody = family_sections(cohort_page)[2:]
    assert paragraphs(private)[0].startswith("Not on the Hub: it has never been listed publicly")
    assert paragraphs(private)[0].endswith("1 listed model names it as base model.")
    assert "Not drawn: the root has no release date on the Hub." in text_of(private)
    assert "The root's license is unknown" in text_of(private)
    assert paragraphs(nobody)[0].endswith("0 listed models name it as base model.")
    assert "No listed model declares it (or a model descending from it) as base model." in text_of(nobody)


# --- Markdown ------------------------------------------------------------------------------------

def test_markdown_cohort(lifecycle):
    text = render(lifecycle, ["meta/llama-base", "private/base"], fmt="md")
    assert text.startswith("# A cohort of 2 model families\n")
    assert ("| meta/llama-base | 2026-04-01 | llama3 | manual | 7 | 1 | 3 | 7 | 5 | 3 | 3 | 4 |") in text
    assert "| private/base (not on the Hub) | – | – | – | 1 | – | – | – | 0 | 1 | 0 | – |" in text
    assert "## 1. meta/llama-base\n" in text and "## 2. private/base (not on the Hub)\n" in text
    assert "- declared by 3 derivatives: ds/african\n" in text
    assert "- declared by the root: generator (not on the Hub)\n" in text
    assert "- sp/leaderboard (500 likes) uses meta/llama-base, u1/llama-chat\n" in text
    assert "Languages: en 2, sw 2, ha 1, ig 1, yo 1.\n" in text
    assert text.endswith("Generated by hubcensus at 2026-11-11 07:30 UTC.\n")


# --- hostile Hub strings -------------------------------------------------------------------------

HOSTILE_ROOT = '<script>alert("root")</script>'
HOSTILE_CHILD = '"><img src=x onerror=alert(1)>'
HOSTILE_DATASET = "a|b*c_[d](http://e)`\x07"
HOSTILE_SPACE = "</table><h1>space</h1>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    create_crawl_db(
        path,
        [model(HOSTILE_ROOT, "2026-01-01T00:00:00", "<b>lic</b>", languages=["<i>xx</i>"]),
         model(HOSTILE_CHILD, "2026-02-01T00:00:00", "mit", languages=["<i>xx</i>"])],
        [(HOSTILE_CHILD, HOSTILE_ROOT, "finetune")],
        datasets=[dataset(HOSTILE_DATASET, "2025-12-01T00:00:00", "<u>l</u>")],
        spaces=[space(HOSTILE_SPACE, "2026-03-01T00:00:00", models=[HOSTILE_ROOT, HOSTILE_CHILD], sdk="<svg>")],
        links=[("model", HOSTILE_ROOT, "dataset", HOSTILE_DATASET, "trained_on"),
               ("model", HOSTILE_CHILD, "dataset", "<script>x</script>", "trained_on"),
               ("model", HOSTILE_ROOT, "paper", "<a href=x>p</a>", "cites"),
               ("space", HOSTILE_SPACE, "model", HOSTILE_ROOT, "uses"),
               ("space", HOSTILE_SPACE, "model", HOSTILE_CHILD, "uses")],
        typed_runs=RUNS).close()
    return path


def test_hostile_ids_are_text_in_html(hostile):
    page = render(hostile, [HOSTILE_ROOT, "other/root"])
    assert "<script" not in page.lower() and "<img" not in page and "<h1>space" not in page and "<svg>" not in page
    assert "<b>lic" not in page and "<i>xx" not in page and "<a href=x" not in page
    assert "&lt;script&gt;alert(&#34;root&#34;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x07" not in page and "a|b*c_[d](http://e)`\ufffd" in page
    # element ids are numbers, never Hub strings
    assert set(re.findall(r'\bid="([^"]*)"', page)) == {
        "cohort", "family-1", "family-1-title", "family-2", "family-2-title"}
    block = family_sections(page)[0]
    assert HOSTILE_SPACE in text_of(block) and "Spaces use" not in text_of(block)  # one Space uses it
    assert "1 Space uses a model of the family; 1 of them the root itself." in paragraphs(block)


def test_hostile_ids_are_text_in_markdown(hostile):
    text = render(hostile, [HOSTILE_ROOT], fmt="md")
    assert "<script" not in text and "<img" not in text and "\x07" not in text
    assert "# The &lt;script&gt;alert(\"root\")&lt;/script&gt; family" in text
    assert "a\\|b\\*c\\_\\[d\\](http://e)\\`\ufffd" in text


# --- cohort files, errors and bounds --------------------------------------------------------------

def test_read_cohort_skips_comments_blank_lines_and_repeats(tmp_path):
    path = tmp_path / "cohort.txt"
    path.write_bytes("\ufeff# open LLMs a study follows\nmeta/llama-base\n\n  mistral/base  \r\nmeta/llama-base\n"
                     "# private/base\nprivate/base\n".encode("utf-8"))
    assert read_cohort(path) == ["meta/llama-base", "mistral/base", "private/base"]


@pytest.mark.parametrize("content, message", [
    (b"# nothing but a comment\n\n", "no model id given"),
    ("".join(f"org/model-{i}\n" for i in range(41)).encode(), "41 model ids: a report compares at most 40 families"),
    (b"org/\xff\xfe\n", "not UTF-8 text"),
    (("x" * 300 + "\n").encode(), "not a model id (longer than 256 characters)"),
    (b"a/b\n" * 20000, "larger than 64 KB"),
])
def test_read_cohort_refuses_what_is_not_a_cohort(tmp_path, content, message):
    path = tmp_path / "cohort.txt"
    path.write_bytes(content)
    with pytest.raises(CohortError, match=re.escape(message)):
        read_cohort(path)


def test_a_file_without_the_lifecycle_graph_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "old.duckdb"
    con = create_crawl_db(path, [model("a/m", "2026-01-01T00:00:00")])
    forget_lifecycle_graph(con)
    install(con)
    con.close()
    with duckdb.connect(str(path), read_only=True) as ro, pytest.raises(NoLifecycleGraph, match="a crawl with this version"):
        family_report.render(ro, ["a/m"])


def test_unknown_format_is_refused(lifecycle):
    with duckdb.connect(str(lifecycle), read_only=True) as con, pytest.raises(ValueError, match="unknown report format"):
        family_report.render(con, ["meta/llama-base"], fmt="pdf")


def test_the_reader_never_writes_the_file(tmp_path):
    path = tmp_path / "l.duckdb"
    con = create_lifecycle_db(path)
    con.execute("DROP VIEW family_summary")   # stale stored views: the reader makes TEMP ones
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with duckdb.connect(str(path), read_only=True, config=READER_CONFIG) as ro:
        assert "meta/llama-base" in family_report.render(ro, ["meta/llama-base"], fmt="md")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_large_families_are_shown_bounded(tmp_path):
    # a root with 600 derivatives on 600 different days and 30 Spaces using it
    start = dt.datetime(2024, 1, 1)
    models = [model("big/root", start.isoformat())] + [
        model(f"d/{i:03d}", (start + dt.timedelta(days=i + 1)).isoformat(), languages=[f"l{i % 20:02d}"])
        for i in range(600)]
    lineage = [(f"d/{i:03d}", "big/root", "finetune") for i in range(600)]
    spaces = [space(f"s/{i:02d}", "2025-01-01T00:00:00", likes=i, models=["big/root"]) for i in range(30)]
    links = [("space", f"s/{i:02d}", "model", "big/root", "uses") for i in range(30)]
    links += [("model", f"d/{i:03d}", "dataset", f"ds/{i % 25:02d}", "trained_on") for i in range(600)]
    path = tmp_path / "big.duckdb"
    create_crawl_db(path, models, lineage, spaces=spaces, links=links, typed_runs=RUNS).close()
    page = render(path, ["big/root"])
    block = family_sections(page)[0]
    spaces_table = re.search(r"<th>Space</th>.*?</table>", block, flags=re.S).group(0)
    assert len(re.findall(r'<td class="id">s/', spaces_table)) == 10
    assert "s/29" in spaces_table and "and 20 more Spaces" in text_of(spaces_table)   # most liked first
    over_time = re.findall(r"<svg\b.*?</svg>", block, flags=re.S)[0]
    points = [len(p.split()) for p in re.findall(r'<polyline[^>]*points="([^"]*)"', over_time)]
    assert points and max(points) <= 2 * 240 + 2    # thinned, not one step per day
    assert "all derivatives: 600 by day 600" in over_time
    bars = re.findall(r"<svg\b.*?</svg>", block, flags=re.S)
    languages = next(s for s in bars if "languages of the derivatives" in s)
    assert len(re.findall(r'<rect class="bar', languages)) == 15
    post = next(s for s in bars if "datasets the derivatives" in s)
    assert len(re.findall(r'<rect class="bar', post)) == 12 + 2   # 12 bars and the 2 legend swatches
    assert len(page) < 200_000


def test_a_cohort_chart_draws_the_eight_largest_families_and_says_so(tmp_path):
    models, lineage = [], []
    for r in range(10):   # root f/r has r + 1 derivatives
        models.append(model(f"f/{r}", "2026-01-01T00:00:00"))
        for i in range(r + 1):
            models.append(model(f"f{r}/d{i}", f"2026-02-{i + 1:02d}T00:00:00"))
            lineage.append((f"f{r}/d{i}", f"f/{r}", "finetune"))
    path = tmp_path / "ten.duckdb"
    create_crawl_db(path, models, lineage, typed_runs=RUNS).close()
    page = render(path, [f"f/{r}" for r in range(10)])
    cohort = page.split('<section id="cohort" class="cohort">', 1)[1].split("</section>", 1)[0]
    chart = re.findall(r"<svg\b.*?</svg>", cohort, flags=re.S)[0]
    # in the cohort's order, the two smallest families left out
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', chart) == [f"f/{r} ({r + 1})" for r in range(2, 10)]
    assert "the 8 families with most derivatives." in text_of(cohort)


def test_a_cohort_without_release_dates_draws_no_running_totals(lifecycle):
    page = render(lifecycle, ["private/base", "nobody/at-all"])
    cohort = page.split('<section id="cohort" class="cohort">', 1)[1].split("</section>", 1)[0]
    assert '<p class="empty">no data yet</p>' in cohort
    assert "Not drawn (no release date): private/base, nobody/at-all." in text_of(cohort)
