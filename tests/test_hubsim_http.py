"""hubsim's HTTP behaviour: rate limits, faults, gzip, the simulator clock, the request log."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import json
import time

import pytest
import requests


def test_rate_limit_counts_down_then_429_with_retry_after_per_client(sim_factory):
    sim = sim_factory(models=50, rate_limit="3/3600")
    url = sim.url + "/api/models"
    seen = []
    for _ in range(3):
        r = requests.get(url, params={"limit": 1})
        assert r.status_code == 200
        assert r.headers["RateLimit-Policy"] == '"fixed window";"api";q=3;w=3600'
        seen.append(r.headers["RateLimit"].split(";")[1])
    assert seen == ["r=2", "r=1", "r=0"]
    over = requests.get(url, params={"limit": 1})
    assert over.status_code == 429 and "error" in over.json()
    retry = int(over.headers["Retry-After"])
    assert 1 <= retry <= 3600
    assert over.headers["RateLimit"] == f'"api";r=0;t={retry}'
    other = requests.get(url, params={"limit": 1}, headers={"Authorization": "Bearer hf_other"})
    assert other.status_code == 200 and other.headers["RateLimit"].startswith('"api";r=2;')
    totals = requests.get(sim.url + "/_sim/stats").json()["totals"]   # /_sim is not rate limited
    assert (totals["429"], totals["early_after_429"]) == (1, 0)
    again = requests.get(url, params={"limit": 1})   # not waiting Retry-After: counted as early
    assert again.status_code == 429
    assert requests.get(sim.url + "/_sim/stats").json()["totals"]["early_after_429"] == 1


def test_rate_limit_window_resets_after_retry_after(sim_factory):
    sim = sim_factory(models=50, rate_limit="2/1")
    url = sim.url + "/api/models"
    r = requests.get(url, params={"limit": 1})
    while r.status_code != 429:
        r = requests.get(url, params={"limit": 1})
    assert r.headers["Retry-After"] == "1" and r.headers["RateLimit"] == '"api";r=0;t=1'
    time.sleep(1.05)
    assert requests.get(url, params={"limit": 1}).status_code == 200
    assert sim.stats()["totals"]["early_after_429"] == 0   # the loop's requests came before any 429


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_faults_have_json_bodies(sim_factory, status):
    sim = sim_factory(models=50, faults=f"{status}:1.0")
    r = requests.get(sim.url + "/api/models")
    assert r.status_code == status and "error" in r.json()
    assert sim.stats()["totals"]["faults"][str(status)] == 1


def test_reset_fault_drops_the_connection_without_a_response(sim_factory):
    sim = sim_factory(models=50, faults="reset:1.0")
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.url + "/api/models")
    assert sim.stats()["totals"]["faults"]["reset"] == 1


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_truncate_fault_is_a_200_with_a_cut_json_body_of_matching_length(sim_factory, encoding):
    sim = sim_factory(models=300, faults="truncate:1.0")
    r = requests.get(sim.url + "/api/models", headers={"Accept-Encoding": encoding}, stream=True)
    raw = r.raw.read()   # bytes as sent on the wire
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(raw)
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    assert r.headers.get("Content-Encoding") == ("gzip" if encoding == "gzip" else None)
    assert body.startswith(b'[{"_id":')
    with pytest.raises(ValueError):
        json.loads(body)


def test_slow_fault_and_latency_delay_the_answer(sim_factory):
    sim = sim_factory(models=50, faults="slow:1.0@0.4")
    started = time.perf_counter()
    assert requests.get(sim.url + "/api/models").status_code == 200
    assert time.perf_counter() - started >= 0.4
    lat = sim_factory(models=50, latency_ms=150)
    started = time.perf_counter()
    assert requests.get(lat.url + "/api/models").status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_fault_sequence_is_deterministic_per_server(sim_factory):
    spec = "500:0.2,503:0.2,truncate:0.2"

    def statuses(sim):
        out = []
        for _ in range(40):
            r = requests.get(sim.url + "/api/models", params={"limit": 5})
            out.append(r.status_code if r.status_code != 200 else ("ok" if r.content.endswith(b"]") else "cut"))
        return out

    first, second = statuses(sim_factory(models=50, faults=spec)), statuses(sim_factory(models=50, faults=spec))
    assert first == second and {500, 503, "cut", "ok"} <= set(first)


def test_gzip_when_accepted_with_the_same_json(sim_factory):
    sim = sim_factory(models=300)
    plain = requests.get(sim.url + "/api/models", headers={"Accept-Encoding": "identity"})
    packed = requests.get(sim.url + "/api/models", headers={"Accept-Encoding": "gzip"}, stream=True)
    raw = packed.raw.read()
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and len(raw) < len(plain.content) / 3
    assert gzip.decompress(raw) == plain.content


def test_date_header_is_the_simulator_day_with_the_current_time_of_day(sim_factory):
    sim = sim_factory(models=50, day=4, start_date=dt.date(2026, 11, 1))
    for path in ("/api/models", "/api/models/nobody/nothing", "/_sim/stats"):
        r = requests.get(sim.url + path)
        sent = email.utils.parsedate_to_datetime(r.headers["Date"])
        now = dt.datetime.now(dt.timezone.utc)
        assert sent.date() == dt.date(2026, 11, 4)
        assert abs((sent.replace(year=now.year, month=now.month, day=now.day) - now).total_seconds()) < 5 or \
            sent.time() < dt.time(0, 0, 10)   # crossing midnight during the test


def test_request_log_by_kind_and_expand_set_and_reset(sim_factory):
    sim = sim_factory(models=1500)
    requests.get(sim.url + "/api/models", params=[("expand[]", "likes"), ("expand[]", "downloads")])
    requests.get(sim.url + "/api/models", params={"expand": ["downloads", "likes"], "limit": 10})
    requests.get(sim.url + "/api/models/gpt2")
    stats = requests.get(sim.url + "/_sim/stats").json()
    totals = stats["totals"]
    assert (totals["requests"], totals["pages"], totals["records"]) == (3, 2, 1010)
    entry = next(e for e in stats["by_request"] if e["kind"] == "list")
    assert entry["expand"] == ["downloads", "likes"] and entry["requests"] == 2 and entry["bytes"] > 0
    assert requests.post(sim.url + "/_sim/stats/reset").status_code == 200
    assert requests.get(sim.url + "/_sim/stats").json()["totals"]["requests"] == 0


def test_request_targets_are_logged_in_order_so_a_floor_can_replay_them(sim_factory):
    sim = sim_factory(models=2500)
    first = requests.get(sim.url + "/api/models", params=[("expand[]", "likes"), ("limit", "1000")])
    second = requests.get(first.links["next"]["url"])
    requests.get(sim.url + "/api/models/gpt2")
    requests.get(sim.url + "/_sim/stats")   # control requests are not API traffic
    log = requests.get(sim.url + "/_sim/requests").json()
    assert log["dropped"] == 0
    assert log["targets"][0] == "/api/models?expand%5B%5D=likes&limit=1000"
    assert sim.url + log["targets"][1] == second.url
    assert log["targets"][2:] == ["/api/models/gpt2"]
    replayed = requests.get(sim.url + log["targets"][1])
    assert replayed.content == second.content   # the same request, the same page
    requests.post(sim.url + "/_sim/stats/reset")
    assert requests.get(sim.url + "/_sim/requests").json() == {"targets": [], "dropped": 0}


def test_latency_is_a_minimum_response_time_that_rendering_overlaps(sim_factory):
    sim = sim_factory(models=5000, latency_ms=200)
    session = requests.Session()
    session.get(sim.url + "/api/models", params={"limit": 1})   # connection set up
    started = time.perf_counter()
    for _ in range(3):
        assert session.get(sim.url + "/api/models", params={"full": "true", "sort": "likes"}).status_code == 200
        session.get(sim.url + "/api/models", params={"full": "true", "sort": "likes"})
    elapsed = time.perf_counter() - started
    assert 6 * 0.2 <= elapsed < 6 * 0.2 * 1.25
