"""Hostile records: chosen bytes on a chosen model on chosen days, served verbatim over real
HTTP; the truth reads them by docs/ingest.md (hubsim.ingest) as a full listing serves them."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import requests

from hubsim import catalog, ingest
from hubsim.hostile import Hostile
from hubsim.universe import Universe

REPO = Path(__file__).resolve().parents[1]
N, SEED = 3000, 5
FAR = b'"9999-12-31T23:59:59Z"'
RAW = {"Accept-Encoding": "identity"}


def steady_model(day: int = 9) -> str:
    """A synthetic, non-legacy model alive from day 1 through `day`, with no lineage at all."""
    u = Universe.build(models=N, seed=SEED, day=day)
    c = u.c
    is_parent = set(c["parent1"].tolist()) | set(c["parent2"].tolist()) | set(c["parent3"].tolist())
    slot = next(s for s in range(200, u.n_base) if u.alive_syn[s] and c["legacy"][s] < 0 and c["relation"][s] < 0
                and c["ext"][s] < 0 and not c["selfref"][s] and s not in is_parent and c["lic"][s] != 0)
    return u.model_id(slot)


def served(url: str, model_id: str, **params) -> dict:
    return requests.get(f"{url}/api/models/{model_id}", params=params).json()


def test_a_far_future_last_modified_is_served_on_its_days_only_and_sorts_first(sim_factory):
    victim = steady_model()
    sim = sim_factory(models=N, seed=SEED, hostile=[Hostile(model_id=victim, field="lastModified", raw=FAR,
                                                            days=range(2, 9))])
    clean = sim_factory(models=N, seed=SEED)
    by_lastmod = {"sort": "lastModified", "expand[]": ["lastModified", "downloads"], "limit": 5}
    for day in range(1, 10):
        for s in (sim, clean):
            assert requests.post(s.url + "/_sim/day", params={"d": day}).status_code == 200
        first = requests.get(sim.url + "/api/models", params=by_lastmod, headers=RAW)
        one = served(sim.url, victim)
        if 2 <= day <= 8:
            assert first.content.startswith(b'[{"_id":"' + served(clean.url, victim)["_id"].encode() +
                                            b'","id":"' + victim.encode() + b'","lastModified":' + FAR + b",")
            assert one["lastModified"] == "9999-12-31T23:59:59Z"
            light = requests.get(sim.url + "/api/models", params={"sort": "lastModified", "expand[]": "downloads",
                                                                 "limit": 1}).json()
            assert light[0]["id"] == victim and "lastModified" not in light[0]   # only where the key is asked for
        else:
            assert first.content == requests.get(clean.url + "/api/models", params=by_lastmod, headers=RAW).content
            assert one == served(clean.url, victim)
        # lastModified is in no figure, and a time past Date + 1 day is dropped, not rejected
        assert sim.universe.truth() == clean.universe.truth()


def test_invalid_utf8_in_card_data_on_night_2_is_fixed_on_night_3(sim_factory):
    victim = steady_model(day=3)
    bad = b'{"license":"mit","note":"caf\xff"}'
    sim = sim_factory(models=N, seed=SEED, day=1, hostile=[Hostile(model_id=victim, field="cardData", raw=bad,
                                                                   days=[2])])
    clean = sim_factory(models=N, seed=SEED, day=1)
    full = {"sort": "createdAt", "full": "true"}
    for day in (1, 2, 3):
        for s in (sim, clean):
            requests.post(s.url + "/_sim/day", params={"d": day})
        page = requests.get(f"{sim.url}/api/models/{victim}", headers=RAW).content
        record = served(clean.url, victim)
        truth, expected = sim.universe.truth(), clean.universe.truth()
        if day == 2:
            assert b'"cardData":' + bad + b"," in page
            with pytest.raises(UnicodeDecodeError):
                page.decode("utf-8")
            listed = b"".join(requests.get(sim.url + "/api/models", params={**full, "search": victim.split("/")[1]},
                                           headers=RAW).content.split(b"\n"))
            assert b'"cardData":' + bad in listed
            # rejected whole: the model is counted nowhere
            created = dt.datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00")).date()
            lic = next(t[8:] for t in record["tags"] if t.startswith("license:"))
            gated = record["gated"] if record["gated"] in ("auto", "manual") else "none"
            expected["models_total"] -= 1
            month = created.strftime("%Y-%m")
            expected["models_created_by_month"][month] -= 1
            if not expected["models_created_by_month"][month]:
                del expected["models_created_by_month"][month]
            expected["models_created_last_30d"] -= int(created > sim.universe.snapshot_date - dt.timedelta(days=30))
            expected["gated"][gated] -= 1
            expected["gated_share"] = round((expected["gated"]["auto"] + expected["gated"]["manual"])
                                            / expected["models_total"], 6)
            expected["license_counts"][lic] -= 1
            expected["license_family_counts"][catalog.license_family(lic)] -= 1
        else:
            assert page == requests.get(f"{clean.url}/api/models/{victim}", headers=RAW).content
        assert truth == expected, day


def test_dropped_values_count_as_null_and_numeric_strings_as_numbers():
    base = Universe.build(models=N, seed=SEED)
    c = base.c
    used: set[int] = set()

    def pick(pred, legacy_too=False) -> int:
        slot = next(s for s in range(base.n_base) if base.alive_syn[s] and s not in used
                    and (legacy_too or c["legacy"][s] < 0) and pred(s))
        used.add(slot)
        return slot

    top = pick(lambda s: base.dl_all_now[s] >= 100_000_000, legacy_too=True)   # gpt2 and the like
    below = pick(lambda s: 0 < base.dl_all_now[s] < 100_000_000)
    old = pick(lambda s: c["created"][s] < c["created"][base.n_base // 2])
    card_only = pick(lambda s: c["lic_list"][s])   # license only in cardData (a list)
    child = pick(lambda s: c["relation"][s] == 0 and c["parent2"][s] < 0 and c["parent1"][s] >= 0)
    auto = pick(lambda s: c["gated"][s] == 1)
    hostile = [Hostile(slot=top, field="downloadsAllTime", raw=b"-5"),
               Hostile(slot=below, field="downloadsAllTime", raw=b'"150000000"'),
               Hostile(slot=old, field="createdAt", raw=b'"-0001-01-01T00:00:00Z"'),
               Hostile(slot=card_only, field="cardData", raw=b'"not an object"'),
               Hostile(slot=child, field="tags", raw=b'{"not": "a list"}'),
               Hostile(slot=auto, field="gated", raw=b'"yes"')]
    assert len({h.slot for h in hostile}) == len(hostile)
    u = Universe.build(models=N, seed=SEED, hostile=hostile)
    truth, expected = u.truth(), base.truth()
    # downloadsAllTime: -5 dropped (not >= 100M), "150000000" converted (>= 100M)
    assert expected["models_ge_100m_downloads_all_time"] == truth["models_ge_100m_downloads_all_time"]
    # createdAt dropped: the model is in no month
    month = dt.datetime.fromtimestamp(int(c["created"][old]), dt.timezone.utc).strftime("%Y-%m")
    expected["models_created_by_month"][month] -= 1
    if not expected["models_created_by_month"][month]:
        del expected["models_created_by_month"][month]
    # cardData dropped: no license left (it was only in the card)
    lic = catalog.LICENSE_IDS[c["lic"][card_only]]
    expected["license_counts"][lic] -= 1
    expected["license_counts"]["none"] += 1
    expected["license_family_counts"][catalog.license_family(lic)] -= 1
    expected["license_family_counts"]["none"] += 1
    # tags dropped: the license comes from the card (the same), the edge from cardData.base_model (unknown)
    expected["relation_counts"]["finetune"] -= 1
    expected["relation_counts"]["unknown"] += 1
    parent = base.model_id(int(c["parent1"][child]))
    for entry in expected["top_derivatives"]:
        if entry["model_id"] == parent:
            entry["finetune"] -= 1
    # gated "yes" is none
    expected["gated"]["auto"] -= 1
    expected["gated"]["none"] += 1
    expected["gated_share"] = round((expected["gated"]["auto"] + expected["gated"]["manual"]) / N, 6)
    assert truth == expected


def test_a_record_past_the_nesting_bound_is_rejected_and_one_within_it_kept():
    victim = Universe.build(models=N, seed=SEED).slot_of(steady_model(day=1))

    def nested(levels: int) -> bytes:   # the record, cardData, then `levels` lists
        return b'{"license":"mit","deep":' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"

    total = Universe.build(models=N, seed=SEED).truth()["models_total"]
    kept = Universe.build(models=N, seed=SEED, hostile=[Hostile(slot=victim, field="cardData", raw=nested(511))])
    gone = Universe.build(models=N, seed=SEED, hostile=[Hostile(slot=victim, field="cardData", raw=nested(512))])
    assert ingest.reject_reason(b'{"id":"a/b","cardData":' + nested(511) + b"}") is None   # 512 levels
    assert ingest.reject_reason(b'{"id":"a/b","cardData":' + nested(512) + b"}") == "nesting deeper than 512"
    assert kept.truth()["models_total"] == total
    assert gone.truth()["models_total"] == total - 1


def test_whole_record_and_real_record_hostiles_are_served_verbatim(sim_factory, real_sample_path):
    sim = sim_factory(models=200, real=real_sample_path, hostile=[
        Hostile(model_id="microsoft/phi-2", field="downloads", raw=b'"12345"'),
        Hostile(model_id="gpt2", field=None, raw=b'"not a record"')])
    page = requests.get(sim.url + "/api/models", params={"search": "phi-2", "expand[]": "downloads", "limit": 1000},
                        headers=RAW).content
    phi2 = next(r for r in orjson.loads(page) if r["id"] == "microsoft/phi-2")
    assert phi2["downloads"] == "12345"
    assert requests.get(sim.url + "/api/models/gpt2", headers=RAW).content == b'"not a record"'
    truth = sim.universe.truth()
    assert truth["models_total"] == 200 + 922 - 1   # gpt2 is not an object: counted nowhere
    with pytest.raises(ValueError, match="not in the universe"):
        Universe.build(models=200, hostile=[Hostile(model_id="nobody/nothing", field="likes", raw=b"1")])


def test_truth_and_serve_cli_read_a_hostile_file(tmp_path):
    victim = steady_model(day=2)
    spec = tmp_path / "hostile.jsonl"
    spec.write_bytes(orjson.dumps({"model_id": victim, "field": "cardData", "days": [2, 2],
                                   "raw_b64": base64.b64encode(b'{"x":"\xff"}').decode()}) + b"\n" +
                     orjson.dumps({"model_id": "gpt2", "field": "lastModified", "raw": FAR.decode()}) + b"\n")
    hostile = [Hostile(model_id=victim, field="cardData", raw=b'{"x":"\xff"}', days=range(2, 3)),
               Hostile(model_id="gpt2", field="lastModified", raw=FAR)]
    for day in (1, 2):
        out = subprocess.run([sys.executable, "-m", "hubsim", "truth", "--models", str(N), "--seed", str(SEED),
                              "--day", str(day), "--hostile", str(spec)], capture_output=True, check=True, cwd=REPO)
        assert orjson.loads(out.stdout) == Universe.build(models=N, seed=SEED, day=day, hostile=hostile).truth()
    assert orjson.loads(out.stdout)["models_total"] == Universe.build(models=N, seed=SEED, day=2).truth()["models_total"] - 1
    only_gpt2 = tmp_path / "gpt2.jsonl"
    only_gpt2.write_bytes(orjson.dumps({"model_id": "gpt2", "field": "lastModified", "raw": FAR.decode()}) + b"\n")
    proc = subprocess.Popen([sys.executable, "-m", "hubsim", "serve", "--port", "0", "--models", "300",
                             "--hostile", str(only_gpt2)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().split()[-1]
        assert requests.get(url + "/api/models/gpt2").json()["lastModified"] == "9999-12-31T23:59:59Z"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("raw, reason", [
    (b'{"id":"a/b","x":"caf\xff"}', "invalid UTF-8"),
    (b'{"id":"a/b","x":"\\ud800"}', "invalid escape"),
    (b'{"id":"a/b","x":"\\udc00\\ud800"}', "invalid escape"),
    (b'{"id":"a/b","x":"\\u12"}', "invalid escape"),
    (b'{"id":"a/b","x":"\\q"}', "invalid escape"),
    (b'{"id":"a/b","x":"a\x01b"}', "control character in a string"),
    (b'{"id":"a/b","x":' + b"[" * 600 + b"]" * 600 + b"}", "nesting deeper than 512"),
    (b'{"id":"a/b","x":[1,}', "malformed JSON"),
    (b'"a/b"', "record is not an object"),
    (b"12345", "record is not an object"),
    (b'{"modelId":"a/b"}', "id missing or not a string"),
    (b'{"id":7}', "id missing or not a string"),
    (b'{"id":""}', "id empty, too long or with control characters"),
    (b'{"id":"' + b"a" * 257 + b'"}', "id empty, too long or with control characters"),
    (b'{"id":"a/b\\u0007"}', "id empty, too long or with control characters"),
    (b'{"id":"a/b","x":"' + b"y" * (16 * 1024 * 1024) + b'"}', "record larger than 16 MiB"),
    (b'{"id":"a/b","x":"\\ud83d\\ude00 caf\xc3\xa9 \\n"}', None),
])
def test_hubsims_own_reading_of_the_whole_record_rules(raw, reason):
    assert ingest.reject_reason(raw) == reason


def test_hubsims_own_reading_of_the_dropped_value_rules():
    date = int(dt.datetime(2026, 11, 3, 12, tzinfo=dt.timezone.utc).timestamp())
    rec = {"id": "a/b", "createdAt": "1999-12-31T23:59:59Z", "lastModified": "2026-11-04T11:00:00.000Z",
           "downloads": "12345", "downloadsAllTime": -5, "likes": True, "trendingScore": "7", "private": "no",
           "gated": False, "tags": ["x", 3, None], "cardData": [1], "safetensors": {"total": 5}, "sha": 1,
           "siblings": [{"rfilename": "a"}, {"x": 1}, "b"]}
    stored, dropped = ingest.clean_values(rec, date)
    assert sorted(dropped) == ["cardData", "createdAt", "downloadsAllTime", "likes", "private", "sha", "trendingScore"]
    assert stored["downloads"] == 12345 and stored["gated"] == "none" and stored["tags"] == ["x"]
    assert stored["siblings"] == [{"rfilename": "a"}] and stored["safetensors"] == {"total": 5}
    assert stored["lastModified"] == date + 23 * 3600
    assert ingest.read_time("2026-11-04T12:00:01Z", date) is None   # later than Date + 1 day
    assert ingest.read_time("9999-12-31T23:59:59-05:00", date) is None
    assert ingest.read_count(2**63) is None and ingest.read_count(2**63 - 1) == 2**63 - 1
