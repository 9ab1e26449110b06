"""`make bench`: every benchmark, one after the other; results land in bench/results/*.json."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ["bench.bench_crawl", "bench.bench_figures", "bench.bench_history"]   # history: ~1 h at 3M x 365


def main() -> None:
    failed = []
    for module in BENCHMARKS:
        print(f"== {module}", flush=True)
        if subprocess.call([sys.executable, "-m", module, *sys.argv[1:]]) != 0:
            failed.append(module)
    if failed:
        raise SystemExit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
