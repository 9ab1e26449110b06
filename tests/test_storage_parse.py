"""The JSON -> row mapping (storage/sql/parse_page.sql) on hand-made and real records.

Definitions from docs/figures.md: license from the first license: tag, else cardData.license
(first of a list), lower-cased; gated false -> 'none'; lineage from baseModels, else
base_model:<relation>:<id> tags, else cardData.base_model with relation 'unknown'; distinct
edges, no self-edges. docs/ingest.md: a record without a usable id is rejected whole with a
reason; a bad value is dropped (NULL) and noted with its field; nothing crashes.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import orjson
import pytest

from storage import sqlfile
from storage.staging import DATA_ERRORS, PARSE_MACROS, PARSE_PAGE, TRUSTED_SINCE

SERVER_DATE_PLUS_ONE_DAY = dt.datetime(2026, 12, 4, 12, 0, 0)


@pytest.fixture
def parse(tmp_path):
    con = duckdb.connect()
    sqlfile.run(con, PARSE_MACROS)
    page = tmp_path / "1.0.ndjson"   # staged record files are named <page_no>.<chunk>.ndjson

    def run(records, heavy=True, raw: bytes | None = None):
        page.write_bytes(raw if raw is not None else b"".join(orjson.dumps(r) + b"\n" for r in records))
        params = {"paths": [str(page)], "heavy": heavy, "max_object_bytes": page.stat().st_size + 1,
                  "since": TRUSTED_SINCE, "latest": SERVER_DATE_PLUS_ONE_DAY}
        try:   # as storage does: the fast read, and the tolerant one for a batch it refuses
            sqlfile.run(con, PARSE_PAGE, params, identifiers={"tolerant": "false"})
            run.read = "fast"
        except DATA_ERRORS:
            sqlfile.run(con, PARSE_PAGE, params, identifiers={"tolerant": "true"})
            run.read = "tolerant"
        cols = [d[0] for d in con.execute("SELECT * FROM page_rows").description]
        rows = [dict(zip(cols, r)) for r in con.execute("SELECT * FROM page_rows").fetchall()]
        edges = sorted(con.execute("SELECT child_id, parent_id, relation, source FROM page_edges").fetchall())
        run.drops = con.execute("SELECT repo_id, field, reason, sample FROM page_drops ORDER BY ALL").fetchall()
        return rows, edges

    yield run
    con.close()


def one(parse, record):
    rows, edges = parse([record])
    assert len(rows) == 1
    return rows[0], edges


def test_license_prefers_the_first_license_tag_over_card_data(parse):
    row, _ = one(parse, {"id": "a/m", "tags": ["x", "license:MIT", "license:apache-2.0"],
                         "cardData": {"license": "gpl-3.0"}})
    assert row["license"] == "mit"


def test_license_falls_back_to_card_data_string_then_first_list_element(parse):
    assert one(parse, {"id": "a/m", "tags": ["x"], "cardData": {"license": "Apache-2.0"}})[0]["license"] == "apache-2.0"
    assert one(parse, {"id": "a/m", "tags": [], "cardData": {"license": ["CC-BY-4.0", "mit"]}})[0]["license"] == "cc-by-4.0"
    assert one(parse, {"id": "a/m", "tags": [], "cardData": {"license": [""]}})[0]["license"] is None
    assert one(parse, {"id": "a/m", "tags": ["license:"], "cardData": {}})[0]["license"] is None


def test_malformed_non_string_tags_are_kept_as_json_text_and_never_read_as_license_or_lineage(parse):
    row, edges = one(parse, {"id": "a/m", "tags": [5, None, {"license": "mit"}, "license:Apache-2.0", True],
                             "cardData": {"base_model": "p/1"}})
    assert row["tags"] == ["5", '{"license":"mit"}', "license:Apache-2.0", "true"]
    assert row["license"] == "apache-2.0"
    assert edges == [("a/m", "p/1", "unknown", "cardData")]


def test_weight_formats_ignore_the_case_of_file_names(parse):
    row, _ = one(parse, {"id": "a/m", "siblings": [{"rfilename": "Model.SafeTensors"}, {"rfilename": "W.PTH"},
                                                   {"rfilename": "coreml/X.MLPackage/Data/weights.bin"},
                                                   {"rfilename": "README.MD"}]})
    assert row["weight_formats"] == ["bin", "pt", "safetensors"]


def test_license_name_and_link_come_from_card_data(parse):
    row, _ = one(parse, {"id": "a/m", "tags": ["license:other"],
                         "cardData": {"license": "other", "license_name": "acme-1", "license_link": "LICENSE"}})
    assert (row["license"], row["license_name"], row["license_link"]) == ("other", "acme-1", "LICENSE")


def test_gated_false_is_none_and_auto_manual_are_kept(parse):
    rows, _ = parse([{"id": "a/1", "gated": False}, {"id": "a/2", "gated": "auto"}, {"id": "a/3", "gated": "manual"},
                     {"id": "a/4"}])
    assert [r["gated"] for r in rows] == ["none", "auto", "manual", None]


def test_lineage_base_models_win_over_tags_and_card(parse):
    _, edges = one(parse, {"id": "c/x", "baseModels": {"relation": "adapter", "models": [{"id": "p/1"}]},
                           "tags": ["base_model:finetune:p/2"], "cardData": {"base_model": "p/3"}})
    assert edges == [("c/x", "p/1", "adapter", "baseModels")]


def test_lineage_base_models_may_be_a_list_of_groups(parse):
    _, edges = one(parse, {"id": "c/x", "baseModels": [{"relation": "merge", "models": [{"id": "p/1"}, {"id": "p/2"}]},
                                                        {"relation": "weird", "models": [{"id": "p/3"}]}]})
    assert edges == [("c/x", "p/1", "merge", "baseModels"), ("c/x", "p/2", "merge", "baseModels"),
                     ("c/x", "p/3", "unknown", "baseModels")]


def test_lineage_from_relation_tags_ignoring_plain_base_model_tags(parse):
    row, edges = one(parse, {"id": "c/x", "tags": ["base_model:p/1", "base_model:quantized:p/1",
                                                   "base_model:finetune:p/2", "base_model:finetune:p/2",
                                                   "base_model:bogus:p/9"],
                             "cardData": {"base_model": "p/3"}})
    assert edges == [("c/x", "p/1", "quantized", "tag"), ("c/x", "p/2", "finetune", "tag")]
    assert row["base_models"] == ["p/1", "p/2"]


def test_lineage_from_card_data_string_or_list_with_relation_unknown(parse):
    _, edges = one(parse, {"id": "c/x", "tags": [], "cardData": {"base_model": ["p/2", "p/1", "", 5]}})
    assert edges == [("c/x", "p/1", "unknown", "cardData"), ("c/x", "p/2", "unknown", "cardData")]
    _, edges = one(parse, {"id": "c/y", "cardData": {"base_model": "p/1"}})
    assert edges == [("c/y", "p/1", "unknown", "cardData")]


def test_self_edges_are_dropped_after_the_source_is_chosen(parse):
    row, edges = one(parse, {"id": "c/x", "tags": ["base_model:finetune:c/x"], "cardData": {"base_model": "p/1"}})
    assert edges == []
    assert row["base_models"] == []


def test_heavy_rows_distinguish_none_from_not_fetched(parse):
    heavy, _ = parse([{"id": "a/m", "tags": []}], heavy=True)
    light, _ = parse([{"id": "a/m"}], heavy=False)
    assert (heavy[0]["base_models"], heavy[0]["weight_formats"], heavy[0]["siblings_count"]) == ([], [], 0)
    assert (light[0]["base_models"], light[0]["weight_formats"], light[0]["siblings_count"]) == (None, None, None)


def test_files_languages_datasets_params_author(parse):
    row, _ = one(parse, {"id": "org/m", "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "x/pytorch_model.bin"},
                                                     {"rfilename": "m.Q4_K_M.gguf"}, {"rfilename": "README.md"},
                                                     {"rfilename": "onnx/model.onnx"}, {"rfilename": "w.pth"}],
                         "cardData": {"language": "en", "datasets": ["d/1", "d/2"]},
                         "safetensors": {"parameters": {"BF16": 7}, "total": 7241732096},
                         "createdAt": "2023-12-13T21:19:59.000Z", "lastModified": "2024-01-02T03:04:05.500Z"})
    assert row["weight_formats"] == ["bin", "gguf", "onnx", "pt", "safetensors"]
    assert row["siblings_count"] == 6
    assert row["languages"] == ["en"]
    assert row["datasets"] == ["d/1", "d/2"]
    assert row["params"] == 7241732096
    assert row["author"] == "org"
    assert str(row["created_at"]) == "2023-12-13 21:19:59"
    assert str(row["last_modified"]) == "2024-01-02 03:04:05.500000"


def test_records_without_a_usable_id_are_rejected_whole_with_a_reason(parse):
    """(An element that is not an object never reaches storage: the crawler rejects it,
    tests/test_crawl_records.py.)"""
    good = {"id": "a/ok", "tags": ["license:mit"]}
    rows, _ = parse([good, {"noid": 1}, {"id": 5}, {"id": "x" * 257}, {"id": ""}, {"id": "a\u0000b"}])
    reasons = [(r["model_id"], r["skip_reason"]) for r in rows]
    assert reasons == [
        ("a/ok", None),
        (None, "id missing or not a string"),
        (None, "id missing or not a string"),
        (None, "id empty, too long or with control characters"),
        (None, "id empty, too long or with control characters"),
        (None, "id empty, too long or with control characters"),
    ]
    assert [r["record_sample"] for r in rows][1:3] == ['{"noid":1}', '{"id":5}']
    assert rows[0]["record_sample"] is None


def test_a_bad_value_is_dropped_and_noted_and_the_record_kept(parse):
    rows, _ = parse([{"id": "a/t", "tags": "license:mit", "cardData": {"license": "apache-2.0"}},
                     {"id": "a/c", "cardData": [1], "tags": ["license:mit"]},
                     {"id": "a/d", "downloads": "many", "likes": -3, "downloadsAllTime": 1.5},
                     {"id": "a/s", "siblings": {"rfilename": "x"}, "safetensors": [1], "private": "yes"},
                     {"id": "a/n", "downloads": "12345", "likes": 7, "library_name": 5}])
    by_id = {r["model_id"]: r for r in rows}
    assert all(r["skip_reason"] is None for r in rows)
    assert (by_id["a/t"]["tags"], by_id["a/t"]["license"]) == (None, "apache-2.0")
    assert by_id["a/c"]["license"] == "mit"
    assert (by_id["a/d"]["downloads"], by_id["a/d"]["likes"], by_id["a/d"]["downloads_all_time"]) == (None, None, None)
    assert (by_id["a/s"]["siblings_count"], by_id["a/s"]["params"], by_id["a/s"]["private"]) == (0, None, None)
    assert (by_id["a/n"]["downloads"], by_id["a/n"]["likes"], by_id["a/n"]["library_name"]) == (12345, 7, None)
    assert parse.drops == [
        ("a/c", "cardData", "not an object", "[1]"),
        ("a/d", "downloads", "not a non-negative integer", '"many"'),
        ("a/d", "downloadsAllTime", "not a non-negative integer", "1.5"),
        ("a/d", "likes", "negative count", "-3"),
        ("a/n", "library_name", "not a string", "5"),
        ("a/s", "private", "not true or false", '"yes"'),
        ("a/s", "safetensors", "not an object", "[1]"),
        ("a/s", "siblings", "not a list", '{"rfilename":"x"}'),
        ("a/t", "tags", "not a list", '"license:mit"'),
    ]


@pytest.mark.parametrize("value, kept, reason", [
    ("2025-03-06T13:32:06.000Z", "2025-03-06 13:32:06", None),
    ("2026-12-04T11:59:59Z", "2026-12-04 11:59:59", None),                 # within the server's Date + 1 day
    ("9999-12-31T23:59:59Z", None, "later than the response's Date + 1 day"),
    ("9999-12-31T23:59:59-05:00", None, "later than the response's Date + 1 day"),   # year 10000 in UTC
    ("-0001-01-01T00:00:00Z", None, "earlier than 2000-01-01"),
    ("1999-12-31T23:59:59Z", None, "earlier than 2000-01-01"),
    ("yesterday", None, "not an ISO-8601 time"),
    (1700000000, None, "not an ISO-8601 time"),
])
def test_times_outside_the_trusted_window_are_dropped_and_noted(parse, value, kept, reason):
    rows, _ = parse([{"id": "a/m", "lastModified": value, "createdAt": value}])
    assert str(rows[0]["last_modified"]) == str(kept) and str(rows[0]["created_at"]) == str(kept)
    noted = sorted((field, why) for _, field, why, _ in parse.drops)
    assert noted == ([] if reason is None else [("createdAt", reason), ("lastModified", reason)])


def test_real_sample_licenses_and_edges(parse, real_sample_path):
    records = [json.loads(line) for line in real_sample_path.read_text().splitlines()]
    expected_edges = set()
    for r in records:   # the file's baseModels, which the Hub derives from the relation tags
        for m in r.get("baseModels", {}).get("models", []):
            if m["id"] != r["id"]:
                expected_edges.add((r["id"], m["id"], r["baseModels"]["relation"]))
        r.pop("baseModels", None)   # as the list endpoint serves them: lineage from tags only
    rows, edges = parse(records)
    assert [r["model_id"] for r in rows] == [r["id"] for r in records]
    assert all(r["skip_reason"] is None for r in rows)
    assert {(c, p, rel) for c, p, rel, _ in edges} == expected_edges
    assert len(edges) == len(expected_edges) == 915

    def license_of(r):
        for t in r["tags"]:
            if t.startswith("license:") and len(t) > 8:
                return t[8:].lower()
        lic = r["cardData"].get("license")
        lic = lic[0] if isinstance(lic, list) and lic else lic
        return lic.lower() if isinstance(lic, str) and lic else None

    assert [r["license"] for r in rows] == [license_of(r) for r in records]


def test_weight_formats_come_from_whole_file_names_only(parse):
    row, _ = one(parse, {"id": "a/m", "siblings": [{"rfilename": "notes.safetensors\nfake.txt"},
                                                   {"rfilename": "weights.bin/readme.md"},
                                                   {"rfilename": "m.mlpackage/Manifest.json"},
                                                   {"rfilename": "q/model.Q4_K_M.gguf"}, {"rfilename": 7}, {}]})
    assert row["weight_formats"] == ["coreml", "gguf"]
    assert row["siblings_count"] == 6


def test_the_fast_and_the_tolerant_read_give_the_same_rows_for_every_record_the_fast_one_takes(tmp_path,
                                                                                               real_sample_path):
    """The fast read types tags, card and safetensors while reading; the tolerant one types them
    afterwards. For records of every shape the real Hub sent, both give identical rows."""
    page = tmp_path / "1.0.ndjson"
    page.write_bytes(real_sample_path.read_bytes())
    con = duckdb.connect()
    sqlfile.run(con, PARSE_MACROS)
    params = {"paths": [str(page)], "heavy": True, "max_object_bytes": page.stat().st_size + 1,
              "since": TRUSTED_SINCE, "latest": SERVER_DATE_PLUS_ONE_DAY}
    results = {}
    for mode in ("false", "true"):
        sqlfile.run(con, PARSE_PAGE, params, identifiers={"tolerant": mode})
        results[mode] = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                         for t in ("page_rows", "page_edges", "page_links", "page_drops")]
    assert results["false"] == results["true"] and len(results["false"][0]) == 922


@pytest.mark.parametrize("record", [{"id": "a/t", "tags": "license:mit"}, {"id": "a/c", "cardData": [1]},
                                    {"id": "a/s", "safetensors": 5}, {"id": 5}, {"noid": 1}])
def test_the_fast_read_refuses_a_batch_it_cannot_type_so_the_tolerant_read_takes_it(parse, record):
    parse([{"id": "a/ok"}, record])
    assert parse.read == "tolerant"
    parse([{"id": "a/ok"}, {"id": "a/fine", "tags": ["x"], "cardData": {"license": "mit"}}])
    assert parse.read == "fast"
