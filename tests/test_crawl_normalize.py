"""The JSON -> row mapping (crawler/sql/parse_page.sql) on hand-made and real records.

Definitions from docs/figures.md: license from the first license: tag, else cardData.license
(first of a list), lower-cased; gated false -> 'none'; lineage from baseModels, else
base_model:<relation>:<id> tags, else cardData.base_model with relation 'unknown'; distinct
edges, no self-edges. Malformed records are skipped with a reason, never crash.
"""

from __future__ import annotations

import json

import duckdb
import orjson
import pytest

from crawler import sqlfiles
from storage import sqlfile


@pytest.fixture
def parse(tmp_path):
    con = duckdb.connect()
    sqlfile.run(con, sqlfiles.MACROS)
    page = tmp_path / "1.json"   # spooled pages are named <page_no>.json

    def run(records, heavy=True, raw: bytes | None = None):
        page.write_bytes(raw if raw is not None else orjson.dumps(records))
        sqlfile.run(con, sqlfiles.PARSE_PAGE, {"paths": [str(page)], "heavy": heavy,
                                                "max_object_bytes": page.stat().st_size + 1})
        cols = [d[0] for d in con.execute("SELECT * FROM page_rows").description]
        rows = [dict(zip(cols, r)) for r in con.execute("SELECT * FROM page_rows").fetchall()]
        edges = sorted(con.execute("SELECT child_id, parent_id, relation, source FROM page_edges").fetchall())
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


def test_malformed_records_are_skipped_with_a_reason(parse):
    good = {"id": "a/ok", "tags": ["license:mit"]}
    rows, _ = parse([good, {"noid": 1}, {"id": 5}, {"id": "x" * 257}, {"id": ""}, 3, "text", None,
                     {"id": "a/t", "tags": "license:mit"}, {"id": "a/c", "cardData": [1]},
                     {"id": "a/d", "downloads": "many"}, {"id": "a/s", "siblings": {"rfilename": "x"}}])
    reasons = [(r["model_id"], r["skip_reason"]) for r in rows]
    assert reasons == [
        ("a/ok", None),
        (None, "id missing or not a string"),
        (None, "id missing or not a string"),
        (None, "id empty or longer than 256 characters"),
        (None, "id empty or longer than 256 characters"),
        (None, "record is not an object"),
        (None, "record is not an object"),
        (None, "record is not an object"),
        ("a/t", "tags is not a list"),
        ("a/c", "cardData is not an object"),
        ("a/d", "a count is not an integer"),
        ("a/s", "siblings is not a list"),
    ]


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
