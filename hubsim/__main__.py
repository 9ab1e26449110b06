"""python -m hubsim serve|truth — see hubsim/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

import orjson

from hubsim import clock


def _universe_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--models", type=int, default=2000, help="synthetic models on day 1 (0 = only --real)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--day", type=int, default=1, help="simulator day D (day 1 = --start-date)")
    p.add_argument("--start-date", type=dt.date.fromisoformat, default=clock.DEFAULT_START_DATE)
    p.add_argument("--real", default=None, help="JSONL of real Hub records, served verbatim")
    p.add_argument("--scale", type=int, default=None,
                   help="clone the --real records up to N records in all (ids author/name-c<k>)")
    p.add_argument("--hostile", default=None,
                   help="JSONL of hostile records (model_id|slot, field, raw|raw_b64, days [first, last])")
    p.add_argument("--no-long-tail", action="store_true",
                   help="no synthetic records with 10k-100k files or multi-MB cards")
    p.add_argument("--datasets", type=int, default=None,
                   help="synthetic datasets on day 1 (default: 0.23 per synthetic model)")
    p.add_argument("--spaces", type=int, default=None,
                   help="synthetic Spaces on day 1 (default: 0.27 per synthetic model)")


def _build(args):
    # imported when a command needs a universe, so `--help` and usage errors stay instant
    from hubsim.hostile import load_file
    from hubsim.universe import Universe
    if args.scale is not None and not args.real:
        raise SystemExit("--scale needs --real")
    return Universe.build(models=args.models, seed=args.seed, day=args.day,
                          start_date=args.start_date, real_path=args.real, real_scale=args.scale,
                          hostile=load_file(args.hostile) if args.hostile else (),
                          long_tail=not args.no_long_tail, datasets=args.datasets, spaces=args.spaces)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hubsim", description="a local Hugging Face Hub simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the universe over HTTP")
    _universe_args(serve)
    serve.add_argument("--port", type=int, default=0, help="0 = pick a free port (printed on stdout)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--latency-ms", type=float, default=0)
    serve.add_argument("--faults", default=None, help="e.g. 500:0.01,503:0.01,reset:0.005,truncate:0.002,slow:0.01@2")
    serve.add_argument("--rate-limit", default=None, help="N/SECONDS, e.g. 1000/300")
    serve.add_argument("--cache-mb", type=int, default=None, help="page cache size (default 1024 MB)")
    serve.add_argument("--allow-list-lineage", action="store_true",
                       help="accept expand[]=baseModels|childrenModelCount|usedStorage on listings")
    truth = sub.add_parser("truth", help="print the headline figures of the universe as JSON")
    _universe_args(truth)
    truth.add_argument("--models-only", action="store_true",
                       help="leave out the datasets / Spaces / papers keys (the figures of a models-only crawl)")
    args = parser.parse_args(argv)

    if args.command == "truth":
        started = time.perf_counter()
        universe = _build(args)
        figures = universe.truth(lifecycle=not args.models_only)
        sys.stdout.write(orjson.dumps(figures, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n")
        print(f"hubsim truth: {universe.n_slots} slots in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        return 0

    from hubsim.server import SimServer   # as in _build
    universe = _build(args)
    server = SimServer(universe, faults=args.faults, rate_limit=args.rate_limit, latency_ms=args.latency_ms,
                       allow_list_lineage=args.allow_list_lineage, host=args.host, port=args.port,
                       cache_mb=args.cache_mb)
    server.start()
    print(f"hubsim listening on {server.url}", flush=True)
    print(f"hubsim: {universe.n_slots} models, {universe.datasets.n} datasets, {universe.spaces.n} Spaces, "
          f"day {universe.day} = {universe.snapshot_date}", file=sys.stderr, flush=True)
    try:
        server._thread.join()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
