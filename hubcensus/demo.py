"""`make demo`: the whole product offline, against the bundled Hub simulator.

    python -m hubcensus.demo --db data/demo.duckdb --port 8765 --models 20000 \\
        --real ../shared/data/real-hub-sample/models.jsonl --report report.html

Starts `python -m hubsim serve` (a synthetic universe, merged with the real-Hub sample when
--real names it), crawls it with exactly the code `hubcensus crawl` runs (only the endpoint
differs), prints the headline figures, writes the report and stops the simulator.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from analysis import report
from analysis.figures import compute_figures
from hubcensus import crawl, figures_text
from hubcensus.config import ExitCode, UserFacingError
from hubcensus.failures import report_failure
from hubcensus.logs import configure_logging
from hubcensus.night_notes import read_night_notes
from hubcensus.output import write_text_atomically
from hubcensus.reading import open_readonly
from hubcensus.views import prepare_views

STARTUP_TIMEOUT_SECONDS = 300  # building a large universe takes a while; 20k models take ~1 s
LISTENING = re.compile(r"hubsim listening on (http://\S+)")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m hubcensus.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="data/demo.duckdb", help="demo database (default: data/demo.duckdb)")
    parser.add_argument("--port", type=int, default=0, help="simulator port (0 = any free port)")
    parser.add_argument("--models", type=int, default=20000, help="synthetic models in the simulated Hub")
    parser.add_argument("--real", default=None, metavar="FILE.jsonl", help="real Hub records to merge in")
    parser.add_argument("--report", default="report.html", metavar="FILE", help="report to write (default: report.html)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


@contextlib.contextmanager
def simulator(port: int, models: int, real: Path | None, seed: int, log_path: Path):
    """A running hubsim; yields its URL and stops it on the way out, whatever happened."""
    command = [sys.executable, "-m", "hubsim", "serve", "--port", str(port), "--models", str(models), "--seed", str(seed)]
    if real is not None:
        command += ["--real", str(real)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            yield _wait_until_listening(process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_listening(process: subprocess.Popen, log_path: Path) -> str:
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    match = LISTENING.search(first_line[0]) if first_line else None
    if match is None:
        time.sleep(0.2)
        tail = " | ".join(log_path.read_text(errors="replace").strip().splitlines()[-3:])
        raise UserFacingError(f"hubsim did not start ({tail or 'no output'}); see {log_path}")
    return match.group(1)


def check_port_free(port: int) -> None:
    """A busy fixed port fails here, with the make variable that changes it, not in hubsim."""
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise UserFacingError(f"port {port} is busy; run make demo DEMO_PORT={port + 1} (any free port), "
                                  "or python -m hubcensus.demo --port 0") from None


def check_sample(real: Path | None) -> None:
    if real is not None and not real.is_file():
        raise UserFacingError(
            f"real-Hub sample not found at {real}; it ships as ../shared/data/real-hub-sample/models.jsonl "
            "beside the repository (pass --real FILE, or omit --real for a synthetic-only demo: "
            "make demo SAMPLE=)"
        )


def run(argv=None) -> int:
    args = parse_args(argv)
    real = Path(args.real) if args.real else None
    check_sample(real)
    check_port_free(args.port)
    db = Path(args.db)
    crawl.check_database_for_crawl(db, default_path=True)   # the demo makes its own data/ folder
    with simulator(args.port, args.models, real, args.seed, db.with_name(db.name + ".hubsim.log")) as url:
        print(f"hubsim serving {args.models:,} synthetic models{' + ' + str(real) if real else ''} at {url}", flush=True)
        result = crawl.run_night(db, endpoint=url)
        print(crawl.summary_line(result), flush=True)
    con = open_readonly(db)
    try:
        prepare_views(con)
        figures = compute_figures(con)
        notes = read_night_notes(con, sql_prefix=f"hubcensus sql --db {shlex.quote(str(db))}")
        sys.stdout.write("\n" + figures_text.render(figures, notes) + "\n")
        write_text_atomically(Path(args.report), report.render(con, fmt="html"))
    finally:
        con.close()
    print(f"wrote {args.report}; explore with: hubcensus sql --db {db}")
    return ExitCode.OK


def main(argv=None) -> int:
    configure_logging()
    try:
        return run(argv)
    except BaseException as error:  # noqa: BLE001 - one line and an exit code, as the CLI does
        if isinstance(error, SystemExit):
            raise
        return report_failure(error, "crawl")


if __name__ == "__main__":
    sys.exit(main())
