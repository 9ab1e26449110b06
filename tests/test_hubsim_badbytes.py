"""`--faults` kinds for the bytes the real Hub sends: one corrupted record a response, pages
that are HTML or cut on every request; each counted in /_sim/stats and named in its log."""

from __future__ import annotations

import json

import orjson
import pytest
import requests

MODELS = 2500
PARAMS = {"sort": "createdAt", "full": "true", "limit": 300}
RAW = {"Accept-Encoding": "identity"}


def clean_parts(sim_factory, params=PARAMS) -> list[bytes]:
    """The records of the same page from a server without faults, as the server writes them."""
    clean = sim_factory(models=MODELS, seed=3)
    return [orjson.dumps(r) for r in requests.get(clean.url + "/api/models", params=params, headers=RAW).json()]


def split(body: bytes, parts: list[bytes], i: int) -> bytes:
    """The text of record i of a body that equals the clean page but for that record."""
    prefix = b"[" + b",".join(parts[:i]) + (b"," if i else b"")
    suffix = (b"," if i < len(parts) - 1 else b"") + b",".join(parts[i + 1:]) + b"]"
    assert body.startswith(prefix) and body.endswith(suffix)
    return body[len(prefix):len(body) - len(suffix)]


def depth(text: bytes) -> int:
    deepest = level = 0
    in_string = escaped = False
    for ch in text.decode("utf-8", "replace"):
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            level += 1
            deepest = max(deepest, level)
        elif ch in "]}":
            level -= 1
    return deepest


def corrupted(sim_factory, kind: str, params=PARAMS):
    """(the bad record's text, its clean text, the log entry) of one faulty list request."""
    parts = clean_parts(sim_factory, params)
    sim = sim_factory(models=MODELS, seed=3, faults=f"{kind}:1.0")
    resp = requests.get(sim.url + "/api/models", params=params, headers=RAW)
    assert resp.status_code == 200 and "Link" in resp.headers
    stats = sim.stats()
    assert stats["totals"]["faults"][kind] == 1 and stats["by_request"][0]["faults"][kind] == 1
    [entry] = stats["injected"]
    assert entry["kind"] == kind and entry["request"] == "list"
    ids = [orjson.loads(p)["id"] for p in parts]
    i = ids.index(entry["model_id"])
    return split(resp.content, parts, i), parts[i], entry


def test_badutf8_puts_invalid_utf8_inside_a_string_of_one_record(sim_factory):
    bad, clean, entry = corrupted(sim_factory, "badutf8")
    with pytest.raises(UnicodeDecodeError):
        bad.decode("utf-8")
    assert b"\xc3\x28\xff" in bad
    fixed = orjson.loads(bad.replace(b"\xc3\x28\xff", b""))
    assert fixed["id"] == entry["model_id"] and fixed["cardData"]["model_description"] == "caf"
    assert {k: v for k, v in fixed.items() if k != "cardData"} == \
        {k: v for k, v in orjson.loads(clean).items() if k != "cardData"}


def test_surrogate_is_a_lone_escape_inside_card_data(sim_factory):
    bad, _, entry = corrupted(sim_factory, "surrogate")
    assert b'"model_description":"caf\\ud800"' in bad
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(bad)
    assert json.loads(bad)["cardData"]["model_description"] == "caf\ud800"   # Python's json lets it through


def test_deepnest_nests_a_card_value_a_thousand_levels(sim_factory):
    bad, _, _ = corrupted(sim_factory, "deepnest")
    assert depth(bad) == 1 + 1 + 1_000   # the record, its cardData, the value
    with pytest.raises(RecursionError):   # as the issue saw it: past Python's recursion limit
        json.loads(bad)


def test_nonobject_replaces_one_element_by_a_string_or_a_number(sim_factory):
    bad, _, entry = corrupted(sim_factory, "nonobject")
    assert orjson.loads(bad) in (entry["model_id"], 12345)


@pytest.mark.parametrize("kind, field, value", [
    ("farfuture", "lastModified", "9999-12-31T23:59:59Z"),
    ("negcount", "downloads", -5),
    ("bcdate", "createdAt", "-0001-01-01T00:00:00Z"),
])
def test_value_faults_replace_one_value(sim_factory, kind, field, value):
    bad, clean, _ = corrupted(sim_factory, kind)
    assert orjson.loads(bad) == {**orjson.loads(clean), field: value}


def test_strcount_sends_the_true_count_as_a_numeric_string(sim_factory):
    bad, clean, _ = corrupted(sim_factory, "strcount", {**PARAMS, "sort": "downloads"})   # counts > 0 first
    clean = orjson.loads(clean)
    assert orjson.loads(bad) == {**clean, "downloads": str(clean["downloads"])} and clean["downloads"] > 0


def test_a_value_fault_on_a_key_set_without_that_field_is_served_clean_and_not_counted(sim_factory):
    sim = sim_factory(models=MODELS, seed=3, faults="farfuture:1.0")
    params = {"expand[]": ["downloads", "likes"], "limit": 50}
    body = requests.get(sim.url + "/api/models", params=params, headers=RAW).content
    clean = sim_factory(models=MODELS, seed=3)
    assert body == requests.get(clean.url + "/api/models", params=params, headers=RAW).content
    assert sim.stats()["totals"]["faults"]["farfuture"] == 0 and sim.stats()["injected"] == []


def test_record_faults_hit_the_single_model_response_too(sim_factory):
    sim = sim_factory(models=MODELS, seed=3, faults="negcount:1.0")
    one = requests.get(sim.url + "/api/models/gpt2").json()
    assert one["downloads"] == -5 and one["id"] == "gpt2"
    assert sim.stats()["injected"] == [{"kind": "negcount", "model_id": "gpt2", "request": "model"}]


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_html200_is_an_html_page_with_status_200_and_no_link(sim_factory, encoding):
    sim = sim_factory(models=MODELS, seed=3, faults="html200:1.0")
    resp = requests.get(sim.url + "/api/models", params=PARAMS, headers={"Accept-Encoding": encoding})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Link" not in resp.headers and resp.content.startswith(b"<!DOCTYPE html>")
    assert sim.stats()["totals"]["faults"]["html200"] == 1 and sim.stats()["totals"]["pages"] == 0


def test_cutalways_cuts_the_same_pages_the_same_way_on_every_request_and_keeps_their_link(sim_factory):
    clean = sim_factory(models=MODELS, seed=3)
    sim = sim_factory(models=MODELS, seed=3, faults="cutalways:0.5")
    session = requests.Session()
    url, cut, whole = sim.url + "/api/models?" + "&".join(f"{k}={v}" for k, v in PARAMS.items()), 0, 0
    while url:
        tries = [session.get(url, headers=RAW) for _ in range(3)]
        good = requests.get(url.replace(sim.url, clean.url), headers=RAW)
        assert len({t.content for t in tries}) == 1 and {t.status_code for t in tries} == {200}
        body = tries[0].content
        if body == good.content:
            whole += 1
        else:
            cut += 1
            assert good.content.startswith(body) and 0.1 * len(good.content) <= len(body) < 0.9 * len(good.content)
            assert int(tries[0].headers["Content-Length"]) == len(body)
        assert tries[0].links.get("next", {}).get("url", "").replace(sim.url, "") == \
            good.links.get("next", {}).get("url", "").replace(clean.url, "")
        url = tries[0].links.get("next", {}).get("url")
    assert cut + whole == 9 and cut >= 2 and whole >= 2   # ceil(2500 / 300) pages, about half cut
    assert sim.stats()["totals"]["faults"]["cutalways"] == 3 * cut


def test_bad_bytes_faults_mix_deterministically_with_the_others_and_every_one_is_logged(sim_factory):
    spec = "badutf8:0.1,surrogate:0.1,deepnest:0.1,nonobject:0.1,negcount:0.1,strcount:0.1,bcdate:0.1,html200:0.1,500:0.1"

    def run():
        sim = sim_factory(models=MODELS, seed=3, faults=spec)
        bodies = [requests.get(sim.url + "/api/models", params={"limit": 20, "sort": "likes"}, headers=RAW).content
                  for _ in range(60)]
        return bodies, sim.stats()

    first, stats = run()
    second, again = run()
    assert first == second and stats == again
    faults = stats["totals"]["faults"]
    assert all(faults[k] > 0 for k in ("badutf8", "surrogate", "deepnest", "nonobject", "negcount", "html200", "500"))
    record_kinds = ("badutf8", "surrogate", "deepnest", "nonobject", "negcount", "strcount", "bcdate")
    assert sorted(e["kind"] for e in stats["injected"]) == sorted(k for k in record_kinds for _ in range(faults[k]))
    assert faults["truncate"] == faults["cutalways"] == faults["farfuture"] == 0


def test_unknown_fault_kinds_are_refused(sim_factory):
    with pytest.raises(ValueError, match="unknown fault kind 'badbytes'"):
        sim_factory(models=50, faults="badbytes:0.1")
