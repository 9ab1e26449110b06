"""`hubcensus` command line: parses arguments and calls crawler/, storage/ and analysis/.

Every command returns an exit code from config.ExitCode; every failure is one line on stderr
(hubcensus.failures), never a traceback (set HUBCENSUS_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

import duckdb

from analysis import family_report, formatting, time_travel
from analysis import report as analysis_report
from analysis.figures import compute_figures, figures_json
from analysis.lifecycle import lifecycle_recorded
from hubcensus import config, crawl, figures_text, output, prompt, schedule
from hubcensus.config import DEFAULT_CRON, EXIT_CODES_HELP, ExitCode, UserFacingError
from hubcensus.failures import add_secret, disk_full_cause, one_line, report_failure, scrub
from hubcensus.logs import configure_logging
from hubcensus.night_notes import read_night_notes
from hubcensus.queries import NO_SQL, run_sql
from hubcensus.reading import check_database_file, open_readonly, require_complete_night
from hubcensus.views import prepare_views
from storage.export import ExportTargetNotEmpty, export_parquet

DESCRIPTION = """A nightly, queryable, dated record of the Hugging Face Hub in DuckDB: its public models, datasets
and Spaces, and the links between them (base models, training data, Spaces using models, papers).

The database defaults to data/hub.duckdb; override it with --db PATH or $HUBCENSUS_DB.
Readers (figures, report, sql, export) open it read-only and can run while a crawl is going."""


CRAWL_DETAILS = """For each repository type of --repo-types (default: models, datasets, spaces), one
after the other: the sweep (every public repository, light fields: the day's counts and gating,
new and vanished ids), the refresh (heavy fields of those modified since the last night's
watermark, with a 1-hour overlap), then a catch-up by id of repositories the sweep listed that no
refresh ever brought (at most 1,000 of a type a night). A type's first night is one heavy listing of
everything (`full`). The night is merged in one transaction (analysts see the previous night or
the new one), an interrupted night resumes from its last committed page, and what could not be
stored is in the table rejected_records (docs/ingest.md). The analysis views are refreshed after."""

FIGURES_DETAILS = """The figures of docs/figures.md for the latest complete night: models (growth, gating,
licenses, lineage, the largest derivative families), datasets, Spaces, training data and papers
(the lifecycle graph), and, read from the database, how many records, values and pages that
night rejected, by kind, with the SQL that lists them (docs/ingest.md). --json prints the
figures alone, as one object with the keys `python -m hubsim truth` also prints."""

EXPORT_DETAILS = """One directory per table, zstd Parquet, beside a manifest (_hubcensus_export.json):
model_snapshots Hive-partitioned by snapshot_date (one file a night); models, lineage,
model_changes, crawl_runs, rejected_records, datasets, spaces, repo_links and repo_link_changes
whole. dataset_snapshots and space_snapshots are not exported. A rerun writes only the nights
not exported yet (or crawled again since) and the tables whose content changed; with nothing
new it touches no file. A night appears whole or not at all."""

SQL_DETAILS = """Read-only in every way: the SQL can read the database's tables and views and make
TEMP tables, views and macros for the session, but cannot write the file, read or write
other files (COPY, EXPORT DATABASE, read_csv, glob), ATTACH databases, install or load
extensions, or change settings; such a statement fails with exit 2.
Several statements separated by ';' run in order, and every result is printed.
Without a query, a prompt opens (statements end with ';'; .tables, .format FORMAT, .help,
.quit); it opens the file per statement, so it never blocks the crawl. A busy file (the
crawl's final merge) is retried for 10 seconds."""

REPORT_DETAILS = """Without --family or --cohort: the report on the Hub's models (what changed, growth, families
and derivatives, gating, licenses, downloads, languages, the crawl's coverage and rejections).
With --family ID or --cohort FILE: a model family's lifecycle (release, license and gating,
training data, derivatives over time by relation and language, post-training datasets, Spaces
using the family, license drift, activity), one family or a cohort side by side. A root must be
a model this database has seen: listed, named as a base model, or used by a Space."""

REPORT_FORMATS = {".md": "md", ".markdown": "md", ".pdf": "pdf"}
# Roots of --family / --cohort that name nothing the database has seen (no family to show), with
# a model id differing only in case where there is one (Hub ids are matched exactly).
UNKNOWN_ROOTS_SQL = """
WITH roots AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS root_id),
unknown AS (
    SELECT root_id FROM roots r
    WHERE NOT EXISTS (SELECT 1 FROM hub_models WHERE model_id = r.root_id)
      AND NOT EXISTS (SELECT 1 FROM lineage WHERE parent_id = r.root_id)
      AND NOT EXISTS (SELECT 1 FROM repo_links WHERE target_type = 'model' AND target_id = r.root_id)
)
SELECT u.root_id, min(m.model_id) AS same_but_case
FROM unknown u LEFT JOIN hub_models m ON lower(m.model_id) = lower(u.root_id)
GROUP BY u.root_id
"""


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH",
        help=f"DuckDB file (default: ${config.DB_ENV} or {config.DEFAULT_DB})",
    )


def _add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co)")
    parser.add_argument("--plans", metavar="LIST",
                        help="comma list of sweep, refresh, full, for each repository type (default: "
                             "sweep,refresh; a type's first night runs them as one heavy pass, `full`; --plans full "
                             "re-reads every repository's heavy fields)")
    parser.add_argument("--repo-types", metavar="LIST",
                        help="comma list of models, datasets, spaces (default: all three; a type's first night "
                             "is its own `full` listing, so a models database gains the others without "
                             "re-reading its models)")


def _add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", type=_as_of_day,
                        help="the Hub as it was on that night: the latest complete night on or before the date, "
                             "with the models, datasets and Spaces listed then, the links declared then, and the "
                             "models' licenses, gating, base models and counts then (docs/history.md)")


def _as_of_day(text: str):
    try:
        return time_travel.parse_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _travel(con, as_of) -> None:
    """Point a reader's connection at the night of --as-of (after prepare_views)."""
    if as_of is None:
        return
    try:
        time_travel.travel(con, as_of)
    except time_travel.NoHistory as error:
        raise UserFacingError(str(error)) from error


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

    crawl = command("crawl", "crawl one night of models, datasets and Spaces into the database; HF_TOKEN and "
                             "HF_ENDPOINT are honoured", CRAWL_DETAILS)
    _add_crawl_options(crawl)
    crawl.add_argument("--snapshot-date", metavar="YYYY-MM-DD", help="date to record the night under (default: the Hub's Date header)")

    figures = command("figures", "print the headline figures of the latest complete night and what it rejected",
                      FIGURES_DETAILS)
    figures.add_argument("--json", action="store_true", help="one JSON object (the keys of docs/figures.md)")
    _add_as_of(figures)

    report = command("report", "write the report: one self-contained HTML file, a PDF of it, or a Markdown summary",
                     REPORT_DETAILS)
    report.add_argument("--out", metavar="FILE", required=True, help="output file, e.g. report.html, report.pdf, report.md")
    report.add_argument("--format", choices=("html", "md", "pdf"),
                        help="default: from FILE's suffix (.md, .pdf), else html; pdf prints the HTML with headless Chromium")
    families = report.add_mutually_exclusive_group()
    families.add_argument("--family", metavar="ID",
                          help="the lifecycle report of one model family: the root model ID and its derivatives")
    families.add_argument("--cohort", metavar="FILE",
                          help="model families side by side: FILE lists root model ids, one a line "
                               f"(blank lines and # comments skipped; at most {family_report.MAX_FAMILIES})")
    _add_as_of(report)

    sql = command("sql", "run SQL on the database read-only; without a query, open an interactive prompt", SQL_DETAILS)
    sql.add_argument("query", nargs="?", help='SQL text, or "-" to read it from stdin')
    sql.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    sql.add_argument("--keep-formulas", action="store_true",
                     help="CSV: leave text cells starting with = + - @ as they are (by default they get a leading ' "
                          "so a spreadsheet shows them instead of running them)")

    schedule = command("schedule", "run the nightly crawl (as `hubcensus crawl`) on a cron schedule (UTC) until "
                                   "SIGTERM/SIGINT")
    _add_crawl_options(schedule)
    schedule.add_argument("--cron", default=DEFAULT_CRON, metavar="EXPR", help=f'crontab expression in UTC (default: "{DEFAULT_CRON}")')

    export = command("export", "write the analyst tables as Parquet, incrementally: run it after every crawl",
                     EXPORT_DETAILS)
    export.add_argument("--out", metavar="DIR", required=True,
                        help="new, empty, or a previous export (only new nights are added)")
    export.add_argument("--overwrite", action="store_true", help="start the export over; other files in DIR are kept")

    command("migrate", "bring a database written by an older hubcensus up to this version's schema and views "
                       "(the crawl does it too; readers, which never write, ask for it)")
    return parser


# --- commands ---------------------------------------------------------------------------------

def cmd_crawl(args) -> int:
    db = config.resolve_db(args.db)
    plans = crawl.parse_plans(args.plans)
    snapshot_date = crawl.parse_snapshot_date(args.snapshot_date)
    crawl.check_crawl_memory()
    endpoint = crawl.check_endpoint(args.endpoint) if args.endpoint else \
        crawl.check_endpoint(os.environ.get("HF_ENDPOINT") or None, "HF_ENDPOINT")
    token = os.environ.get("HF_TOKEN") or None  # None: the crawler discovers it as `hf` does
    add_secret(token)
    crawl.check_database_for_crawl(db, config.is_default_db(args.db))
    repo_types = crawl.parse_repo_types(args.repo_types)
    result = crawl.run_night(db, endpoint=endpoint, token=token, snapshot_date=snapshot_date, plans=plans,
                             repo_types=repo_types)
    print(scrub(crawl.summary_line(result)))
    # A night merged without a page the Hub never sent readable: kept, but not whole (exit 6).
    return ExitCode.PARTIAL if result.status == "partial" else ExitCode.OK


def cmd_figures(args) -> int:
    db = config.resolve_db(args.db)
    con = open_readonly(db)
    try:
        require_complete_night(con, db)
        prepare_views(con)
        _travel(con, args.as_of)
        if args.json:
            print(figures_json(con))
        else:
            notes = read_night_notes(con, sql_prefix=_sql_command(args.db))
            sys.stdout.write(figures_text.render(compute_figures(con), notes))
    finally:
        con.close()
    return ExitCode.OK


def _sql_command(db_option: str | None) -> str:
    """`hubcensus sql` as the user reaches this database again (their --db, quoted for a shell)."""
    return "hubcensus sql" + (f" --db {shlex.quote(db_option)}" if db_option else "")


def _report_roots(args) -> list[str] | None:
    """The roots of --family or --cohort, read and checked before the database is opened (None:
    the Hub's report)."""
    if args.family is not None:
        try:
            return family_report.check_roots([args.family])
        except family_report.CohortError as error:
            raise UserFacingError(f"--family {args.family!r}: {error}") from error
    if args.cohort is None:
        return None
    path = Path(args.cohort)
    try:
        return family_report.read_cohort(path)
    except family_report.CohortError as error:
        message = str(error)
        raise UserFacingError(f"--cohort {message if message.startswith(f'{path}:') else f'{path}: {message}'}") \
            from error
    except OSError as error:
        raise UserFacingError(f"--cohort {path}: cannot read it ({_os_message(error)})") from error


def _check_known_roots(con, roots: list[str], option: str, as_of) -> None:
    """Exit 2 for a root the database has never seen (a typo would give an empty family)."""
    if not lifecycle_recorded(con):
        return   # family_report.render says why it cannot report
    found = dict(con.execute(UNKNOWN_ROOTS_SQL, [roots]).fetchall())
    unknown = [root for root in roots if root in found]
    if not unknown:
        return
    seen = "never listed, named as a base model or used by a Space" + (f" by {as_of.isoformat()}" if as_of else "")
    if len(roots) == 1:
        hint = f"; did you mean {found[unknown[0]]}?" if found[unknown[0]] is not None else ""
        raise UserFacingError(f"{option}: no model of that id in this database ({seen}){hint}")
    hints = [f"{found[root]} for {root}" for root in unknown if found[root] is not None]
    raise UserFacingError(f"{option}: {formatting.plural(len(unknown), 'id names', 'ids name')} no model in this "
                          f"database ({seen}): {', '.join(unknown)}"
                          + (f"; did you mean {', '.join(hints)}?" if hints else ""))


def _render_report(con, roots: list[str] | None, fmt: str, option: str, as_of) -> str:
    if roots is None:
        return analysis_report.render(con, fmt=fmt)
    _check_known_roots(con, roots, option, as_of)
    try:
        return family_report.render(con, roots, fmt=fmt)
    except family_report.NoLifecycleGraph as error:
        raise UserFacingError(str(error)) from error


def cmd_report(args) -> int:
    out = Path(args.out)
    fmt = args.format or REPORT_FORMATS.get(out.suffix.lower(), "html")
    output.check_output_file(out)   # before reading a night's worth of data
    roots = _report_roots(args)     # a cohort file is read and checked before the database
    option = f"--family {roots[0]}" if args.family is not None else f"--cohort {args.cohort}"
    if fmt == "pdf":
        output.require_chromium(out)   # says what is missing before any work
    db = config.resolve_db(args.db)
    con = open_readonly(db)
    try:
        require_complete_night(con, db)
        prepare_views(con)
        _travel(con, args.as_of)
        text = _render_report(con, roots, "md" if fmt == "md" else "html", option, args.as_of)
    finally:
        con.close()
    if fmt == "pdf":
        output.write_pdf(out, text)
    else:
        output.write_text_atomically(out, text)
    print(f"wrote {out}")
    return ExitCode.OK


def cmd_sql(args) -> int:
    db = config.resolve_db(args.db)
    guard = not args.keep_formulas
    if args.query is None:
        return prompt.interactive(db, formula_guard=guard)
    query = sys.stdin.read() if args.query == "-" else args.query
    if not query.strip():
        raise UserFacingError(NO_SQL)
    con = open_readonly(db)
    try:
        prepare_views(con)
        run_sql(con, query, args.format, sys.stdout, formula_guard=guard)
    finally:
        con.close()
    return ExitCode.OK


def cmd_schedule(args) -> int:
    crawl.parse_plans(args.plans)  # fail now, not at 03:00
    crawl.parse_repo_types(args.repo_types)
    crawl.check_crawl_memory()
    crawl.check_endpoint(args.endpoint)
    return schedule.serve(
        db=config.resolve_db(args.db), cron=args.cron, endpoint=args.endpoint, plans=args.plans,
        repo_types=args.repo_types,
    )


def cmd_migrate(args) -> int:
    db = config.resolve_db(args.db)
    check_database_file(db)
    applied = crawl.migrate(db)
    print(f"{db}: schema up to date" + (f" (applied {', '.join(map(str, applied))})" if applied else ""))
    return ExitCode.OK


def cmd_export(args) -> int:
    db = config.resolve_db(args.db)
    out = Path(args.out)
    check_database_file(db)   # before touching DIR
    # The export's COPY may write into the output's folder only (its hidden staging directory
    # is a sibling of DIR); every other file stays out of reach, as for `sql`.
    try:
        counts = export_parquet(db, out, overwrite=args.overwrite,
                                connect=lambda path: open_readonly(path, writable_directory=out.parent))
    except ExportTargetNotEmpty as error:
        raise UserFacingError(str(error)) from error
    except (OSError, duckdb.Error) as error:
        if disk_full_cause(error) is not None:
            raise
        raise UserFacingError(f"cannot write the export to {out}: {_os_message(error)}") from error
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print(f"wrote {args.out}")
    return ExitCode.OK


def _os_message(error: BaseException) -> str:
    return (error.strerror if isinstance(error, OSError) and error.strerror else None) or one_line(error)


COMMANDS = {
    "crawl": cmd_crawl, "figures": cmd_figures, "report": cmd_report,
    "sql": cmd_sql, "schedule": cmd_schedule, "export": cmd_export, "migrate": cmd_migrate,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors exit 2 here
    configure_logging()
    try:
        return int(COMMANDS[args.command](args))
    except BrokenPipeError:  # `hubcensus sql ... | head`
        sys.stderr.close()
        return ExitCode.OK
    except BaseException as error:  # noqa: BLE001 - every failure becomes one line + exit code
        if isinstance(error, SystemExit):
            raise
        return report_failure(error, args.command)


if __name__ == "__main__":
    sys.exit(main())
