"""Synthetic records with tens of thousands of files and cards of megabytes, over real HTTP."""

from __future__ import annotations

import orjson
import requests

from hubsim import longtail
from hubsim.universe import Universe
from tests.test_hubsim_truth import listing

MIB = 1024 * 1024


def test_how_many_heavy_records_a_universe_has():
    assert longtail.counts(999) == (0, 0)
    assert longtail.counts(1_000) == (2, 1)
    assert longtail.counts(20_000) == (2, 1)
    assert longtail.counts(200_000) == (8, 4)
    assert longtail.counts(3_000_000) == (120, 60)


def test_a_20k_universe_serves_two_huge_file_lists_and_one_huge_card_under_16_mib(sim_factory):
    sim = sim_factory(models=20_000, seed=7)
    records = listing(sim.url, {"full": "true", "sort": "createdAt"})
    assert len(records) == 20_000
    sizes = {r["id"]: len(orjson.dumps(r)) for r in records}
    many_files = {r["id"]: len(r["siblings"]) for r in records if len(r.get("siblings", [])) >= 10_000}
    big_cards = {r["id"]: len(orjson.dumps(r["cardData"])) for r in records
                 if len(orjson.dumps(r.get("cardData"))) >= 1_000_000}
    u = sim.universe
    assert many_files == {u.model_id(s): n for s, n in u.heavy_files.items()}
    assert all(10_000 <= n <= 100_000 for n in many_files.values()) and len(many_files) == 2
    assert set(big_cards) == {u.model_id(s) for s in u.heavy_cards} and len(big_cards) == 1
    assert all(1_000_000 <= n <= 4_000_000 for n in big_cards.values())
    assert max(sizes.values()) < 16 * MIB
    # every other record stays ordinary: the heavy ones are the only records above 100 KB
    assert {i for i, n in sizes.items() if n > 100_000} == set(many_files) | set(big_cards)
    # names are unique file paths; the big card keeps the model's license and base model
    for mid in many_files:
        files = [s["rfilename"] for s in next(r for r in records if r["id"] == mid)["siblings"]]
        assert len(files) == len(set(files)) and "README.md" in files
    one = requests.get(f"{sim.url}/api/models/{next(iter(big_cards))}", params={"expand[]": "cardData"}).json()
    assert len(orjson.dumps(one["cardData"])) == big_cards[one["id"]]


def test_heavy_records_change_no_figure_and_can_be_left_out():
    with_tail = Universe.build(models=20_000, seed=7)
    without = Universe.build(models=20_000, seed=7, long_tail=False)
    assert with_tail.truth() == without.truth()
    assert without.heavy_files == without.heavy_cards == {}
    again = Universe.build(models=20_000, seed=7, day=3)
    assert (again.heavy_files, again.heavy_cards) == (with_tail.heavy_files, with_tail.heavy_cards)   # by seed
    assert Universe.build(models=20_000, seed=8).heavy_files != with_tail.heavy_files
