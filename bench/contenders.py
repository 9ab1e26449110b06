"""The ways of pulling the Hub's model list, each run as its own process by bench_crawl.

Run as `python -m bench.contenders NAME URL [ARG]`; prints one JSON line with
`models`, `seconds`, `bytes`. The parent process measures peak RSS with wait4, so every
contender is measured the same way and the simulator's memory is never counted.

- replay (the floor): exactly the requests a hubcensus night made (hubsim's /_sim/requests
  log of that night, ARG = a file of targets), one after another on one keep-alive session,
  each body decoded with json.loads, nothing stored: the same work minus the product.
- floor_full: the older floor, `full=true` pages (~2.8 KB a model where the crawl's first night
  asks for ~1.6 KB): a reference for other projects' queries, not a bound on ours.
- duckdb_load: a ceiling, not a bound: the replay's requests, each body written to a file, then
  the whole night read into one DuckDB table by one read_json (every field the crawl asks for
  kept as a JSON value): what DuckDB alone costs on the night's bytes, with no record checks, no
  per-page durability, no merge and no history.
- anchor: list(HfApi.list_models(full=True)) -> pandas -> Parquet.
- hubcensus: one night of the product (models) into ARG, a DuckDB file.
- hubcensus_all: one night of models, datasets and Spaces into ARG (requests per plan).

Each contender imports its libraries inside its own function: its process then loads (and its
time and peak RSS include) only what that contender uses, not pandas for the floor.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def replayed_bodies(url: str, targets_file: str):
    """(body, bytes on the wire) of each request a hubcensus night made (a file of hubsim's
    request targets), in its order, on one keep-alive session: the requests of replay and of
    duckdb_load, which must be the same."""
    import requests

    session = requests.Session()
    for target in json.loads(Path(targets_file).read_text()):
        response = session.get(url + target, timeout=60)
        response.raise_for_status()
        yield response.content, int(response.headers.get("Content-Length", len(response.content)))


def replay(url: str, targets_file: str) -> dict:
    """Raw GET + json.loads of each request a hubcensus night made, in its order, nothing stored."""
    models = wire_bytes = largest = sent_requests = 0
    for body, sent in replayed_bodies(url, targets_file):
        sent_requests += 1
        wire_bytes += sent
        largest = max(largest, len(body))
        decoded = json.loads(body)
        models += len(decoded) if isinstance(decoded, list) else 1   # a catch-up GET is one repository
    return {"models": models, "bytes": wire_bytes, "requests": sent_requests, "largest_page_bytes": largest}


def floor_full(url: str) -> dict:
    """Raw GET + JSON decode of every `full=true` page, nothing stored (the older reference floor)."""
    import requests

    session = requests.Session()
    next_url: str | None = f"{url}/api/models?full=true&limit=1000&sort=createdAt"
    models = 0
    wire_bytes = 0
    while next_url:
        response = session.get(next_url, timeout=60)
        response.raise_for_status()
        wire_bytes += int(response.headers.get("Content-Length", len(response.content)))
        models += len(json.loads(response.content))
        next_url = response.links.get("next", {}).get("url")
    return {"models": models, "bytes": wire_bytes}


def anchor(url: str, out: str) -> dict:
    """What public Hub-statistics projects do: list(list_models(full=True)) -> pandas -> Parquet."""
    import pandas as pd
    from huggingface_hub import HfApi

    infos = list(HfApi(endpoint=url).list_models(full=True))
    frame = pd.DataFrame([vars(info) for info in infos])
    # Nested values (tags, siblings, card data) and mixed-type scalars (`gated` is false or
    # "auto"/"manual") are kept as JSON text, as those projects do, because pyarrow cannot
    # infer one type for the Hub's free-form fields.
    for column in frame.columns:
        if frame[column].dtype == object and _needs_json(frame[column]):
            frame[column] = frame[column].map(lambda v: json.dumps(v, default=lambda o: getattr(o, "__dict__", str(o))))
    frame.to_parquet(out)
    return {"models": len(infos), "bytes": None}


def duckdb_load(url: str, targets_file: str, db: str) -> dict:
    """The replay's requests, each body to a file, then one read_json of them all into a new
    DuckDB file (its fastest shape measured: per-page statements pay a commit each)."""
    import duckdb

    from crawler.plans import REFRESH_EXPAND

    bodies = Path(f"{db}.bodies")
    bodies.mkdir()
    wire_bytes, paths = 0, []
    for k, (body, sent) in enumerate(replayed_bodies(url, targets_file)):
        wire_bytes += sent
        paths.append(str(bodies / f"{k}.json"))
        Path(paths[-1]).write_bytes(body)
    columns = {field: "JSON" for field in ("_id", "id", *REFRESH_EXPAND)}   # a listing page or one record
    con = duckdb.connect(db)
    try:
        con.execute("CREATE TABLE night AS SELECT * FROM read_json(?, format = 'auto', columns = ?)",
                    [paths, columns])
        models = con.execute("SELECT count(*) FROM night").fetchone()[0]
    finally:
        con.close()
    for path in paths:
        Path(path).unlink()
    bodies.rmdir()
    return {"models": models, "bytes": wire_bytes, "requests": len(paths)}


def _needs_json(column) -> bool:
    """Nested values, or more than one scalar type in the column: pyarrow can type neither."""
    kinds = {type(v) for v in column if v is not None}
    return len(kinds) > 1 or any(not issubclass(k, (str, int, float, bool)) for k in kinds)


def hubcensus(url: str, db: str) -> dict:
    """The product: one night of models into DuckDB (a first night when the file is new: one
    `full` listing; else sweep + refresh + catch-up), views installed, as `hubcensus crawl` does."""
    from pipeline import run_night

    result = run_night(db, endpoint=url, progress=False, repo_types=("models",))
    return {"models": result.models_seen, "bytes": result.bytes, "requests": result.requests,
            "plans": {name: {"pages": p.pages, "bytes": p.bytes, "seconds": round(p.seconds, 2)}
                      for name, p in result.plans.items()}}


def hubcensus_all(url: str, db: str) -> dict:
    """One night of every repository type (models, datasets, Spaces: the CLI's default), with
    each plan's pages, records and requests (the lifecycle graph's request cost)."""
    from pipeline import run_night

    result = run_night(db, endpoint=url, progress=False)
    return {"models": result.models_seen, "seen": result.seen, "bytes": result.bytes, "requests": result.requests,
            "plans": {name: {"pages": p.pages, "records": p.models, "requests": p.requests, "retries": p.retries}
                      for name, p in result.plans.items()}}


def warm(url: str) -> dict:
    """Walk the full=true floor's and the anchor's queries once, raw, so hubsim serves them from
    its page cache and neither pays for the simulator's rendering (it shares the 2 cores).
    hubcensus's own requests are warmed by a night of it (bench_crawl), which the replay floor
    then repeats."""
    import requests
    from huggingface_hub.utils import paginate

    session = requests.Session()
    pages = 0
    next_url: str | None = f"{url}/api/models?full=true&limit=1000&sort=createdAt"   # floor_full
    while next_url:
        response = session.get(next_url, headers={"Accept-Encoding": "gzip"}, timeout=60)
        response.raise_for_status()
        pages += 1
        next_url = response.links.get("next", {}).get("url")
    models = sum(1 for _ in paginate(f"{url}/api/models", params={"full": True}, headers={}))  # the anchor's
    return {"models": models, "pages": pages, "bytes": None}


def main(argv: list[str]) -> None:
    name, url, *rest = argv
    started = time.perf_counter()
    if name == "warm":
        outcome = warm(url)
    elif name == "replay":
        outcome = replay(url, rest[0])
    elif name == "floor_full":
        outcome = floor_full(url)
    elif name == "anchor":
        outcome = anchor(url, rest[0])
    elif name == "duckdb_load":
        outcome = duckdb_load(url, *rest)
    elif name == "hubcensus":
        outcome = hubcensus(url, rest[0])
    elif name == "hubcensus_all":
        outcome = hubcensus_all(url, rest[0])
    else:
        raise SystemExit(f"unknown contender {name!r}")
    outcome["seconds"] = time.perf_counter() - started
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
