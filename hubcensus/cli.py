"""`hubcensus` command line: a thin shell over crawler/, storage/ and analysis/.

Every command returns an exit code from config.ExitCode; errors the user can act on are
printed as one line on stderr, never as a traceback (set HUBCENSUS_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import duckdb

from hubcensus import config
from hubcensus.config import DEFAULT_CRON, EXIT_CODES_HELP, ExitCode, UserFacingError

log = logging.getLogger("hubcensus")

DESCRIPTION = """A nightly, queryable, dated record of the Hugging Face Hub's public models in DuckDB.

The database defaults to data/hub.duckdb; override it with --db PATH or $HUBCENSUS_DB.
Readers (figures, report, sql, export) open it read-only and can run while a crawl is going."""


SQL_DETAILS = """The prompt is DuckDB's own CLI (`duckdb -readonly DB`) when `duckdb` is on PATH; it keeps
the file open until you quit, which delays the nightly merge. Otherwise a built-in prompt
runs (statements end with ';'; .tables, .format FORMAT, .help, .quit); it opens the file
per statement, so it never blocks the crawl. A busy file (the crawl's final merge) is
retried for 10 seconds."""


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH",
        help=f"DuckDB file (default: ${config.DB_ENV} or {config.DEFAULT_DB})",
    )


def _add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co)")
    parser.add_argument("--plans", metavar="LIST",
                        help="comma list of sweep, refresh, full (default: sweep,refresh; the first night runs "
                             "them as one heavy pass, `full`; --plans full re-reads every model's heavy fields)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubcensus", description=DESCRIPTION, epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, details: str = "") -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help_text, description=help_text + ("\n\n" + details if details else ""), epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_db(sub)
        return sub

    crawl = command("crawl", "crawl one night (sweep + refresh) into the database; HF_TOKEN and HF_ENDPOINT are honoured")
    _add_crawl_options(crawl)
    crawl.add_argument("--snapshot-date", metavar="YYYY-MM-DD", help="date to record the night under (default: the Hub's Date header)")

    figures = command("figures", "print the headline figures of the latest complete snapshot")
    figures.add_argument("--json", action="store_true", help="one JSON object (the keys of docs/figures.md)")

    report = command("report", "write the report: one self-contained HTML file, or a Markdown summary")
    report.add_argument("--out", metavar="FILE", required=True, help="output file, e.g. report.html")
    report.add_argument("--format", choices=("html", "md"), help="default: md when FILE ends in .md, else html")

    sql = command("sql", "run SQL on the database read-only; without a query, open an interactive prompt", SQL_DETAILS)
    sql.add_argument("query", nargs="?", help='SQL text, or "-" to read it from stdin')
    sql.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")

    schedule = command("schedule", "run the nightly crawl on a cron schedule (UTC) until SIGTERM/SIGINT")
    _add_crawl_options(schedule)
    schedule.add_argument("--cron", default=DEFAULT_CRON, metavar="EXPR", help=f'crontab expression in UTC (default: "{DEFAULT_CRON}")')

    export = command("export", "write the tables as Parquet (model_snapshots Hive-partitioned by snapshot_date)")
    export.add_argument("--out", metavar="DIR", required=True, help="output directory (must be empty or new)")
    export.add_argument("--overwrite", action="store_true", help="replace a previous export in DIR")
    return parser


# --- commands ---------------------------------------------------------------------------------

def cmd_crawl(args) -> int:
    from hubcensus import crawl

    db = config.resolve_db(args.db)
    plans = crawl.parse_plans(args.plans)
    snapshot_date = crawl.parse_snapshot_date(args.snapshot_date)
    crawl.check_crawl_memory()
    endpoint = args.endpoint or os.environ.get("HF_ENDPOINT") or None
    token = os.environ.get("HF_TOKEN") or None  # None: the crawler discovers it as `hf` does
    started = time.monotonic()
    result = crawl.run_night(db, endpoint=endpoint, token=token, snapshot_date=snapshot_date, plans=plans)
    print(crawl.summary_line(result, time.monotonic() - started))
    return ExitCode.OK


def cmd_figures(args) -> int:
    from hubcensus import figures_text
    from hubcensus.reading import ensure_views, open_readonly

    db = config.resolve_db(args.db)
    ensure_views(db)
    con = open_readonly(db)
    try:
        figures = compute_figures(con)
    finally:
        con.close()
    if args.json:
        print(json.dumps(figures, sort_keys=True, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(figures_text.render(figures))
    return ExitCode.OK


def compute_figures(con) -> dict:
    from analysis.figures import compute_figures as compute

    return compute(con)


def cmd_report(args) -> int:
    from hubcensus.reading import ensure_views, open_readonly

    out = Path(args.out)
    fmt = args.format or ("md" if out.suffix.lower() in (".md", ".markdown") else "html")
    db = config.resolve_db(args.db)
    ensure_views(db)
    con = open_readonly(db)
    try:
        from analysis import report

        text = report.render(con, fmt=fmt)
    finally:
        con.close()
    write_text_atomically(out, text)
    print(f"wrote {out}")
    return ExitCode.OK


def write_text_atomically(path: Path, text: str) -> None:
    """A reader (browser, web server) never sees a half-written report."""
    if path.parent and not path.parent.exists():
        raise UserFacingError(f"directory {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def cmd_sql(args) -> int:
    from hubcensus import formats, prompt
    from hubcensus.reading import one_line, open_readonly

    db = config.resolve_db(args.db)
    if args.query is None:
        return prompt.interactive(db)
    query = sys.stdin.read() if args.query == "-" else args.query
    con = open_readonly(db)
    try:
        try:
            cursor = con.execute(query)
        except duckdb.Error as error:
            raise UserFacingError(one_line(error)) from error
        if cursor.description is not None:
            formats.write_result(cursor, args.format, sys.stdout)
    finally:
        con.close()
    return ExitCode.OK


def cmd_schedule(args) -> int:
    from hubcensus import crawl, schedule

    crawl.parse_plans(args.plans)  # fail now, not at 03:00
    crawl.check_crawl_memory()
    return schedule.serve(
        db=config.resolve_db(args.db), cron=args.cron, endpoint=args.endpoint, plans=args.plans,
    )


def cmd_export(args) -> int:
    from hubcensus.reading import open_readonly
    from storage.export import ExportTargetNotEmpty, export_parquet

    db = config.resolve_db(args.db)
    if not db.exists():  # before touching DIR
        open_readonly(db)
    try:
        counts = export_parquet(db, Path(args.out), overwrite=args.overwrite, connect=open_readonly)
    except ExportTargetNotEmpty as error:
        raise UserFacingError(str(error)) from error
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print(f"wrote {args.out}")
    return ExitCode.OK


COMMANDS = {
    "crawl": cmd_crawl, "figures": cmd_figures, "report": cmd_report,
    "sql": cmd_sql, "schedule": cmd_schedule, "export": cmd_export,
}


def _configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("HUBCENSUS_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        stream=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors exit 2 here
    _configure_logging()
    try:
        return int(COMMANDS[args.command](args))
    except BrokenPipeError:  # `hubcensus sql ... | head`
        sys.stderr.close()
        return ExitCode.OK
    except BaseException as error:  # noqa: BLE001 - every failure becomes one line + exit code
        if isinstance(error, SystemExit):
            raise
        return _report_failure(error, args.command)


def _report_failure(error: BaseException, command: str) -> int:
    from hubcensus.crawl import exit_code_for, is_expected
    from hubcensus.reading import one_line

    code = exit_code_for(error)
    if os.environ.get("HUBCENSUS_DEBUG"):
        import traceback

        traceback.print_exception(error)
    if isinstance(error, KeyboardInterrupt):
        message = "interrupted" + ("; the next crawl resumes from the last checkpoint" if command == "crawl" else "")
    else:
        message = one_line(error) or type(error).__name__
        if not is_expected(error):
            message = f"unexpected {type(error).__name__}: {message} (HUBCENSUS_DEBUG=1 shows a traceback)"
    print(f"hubcensus: error: {message}", file=sys.stderr)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
