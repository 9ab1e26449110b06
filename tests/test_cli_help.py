"""Every command's --help says what the code does: the repository types a night crawls, the tables
the export writes (and the ones it leaves out), the family and cohort reports, and the exit codes."""

from __future__ import annotations

import re

import pytest

from hubcensus.cli import build_parser, main
from hubcensus.config import REPO_TYPES
from storage.export import PARTITIONED_TABLE, WHOLE_TABLES

ANALYST_TABLES = ("models", "model_snapshots", "lineage", "model_changes", "crawl_runs", "rejected_records",
                  "datasets", "dataset_snapshots", "spaces", "space_snapshots", "repo_links", "repo_link_changes")


def help_text(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--help"])
    assert stop.value.code == 0
    return " ".join(capsys.readouterr().out.split())   # argparse wraps lines; compare words


def test_every_command_is_listed_with_its_exit_codes(capsys):
    text = help_text(capsys)
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"crawl", "figures", "report", "sql", "schedule", "export", "migrate"}
    for name in commands:
        assert re.search(rf"\b{name}\b", text)
        assert "exit codes: 0 ok 1 unexpected error" in help_text(capsys, name)


def test_crawl_help_describes_the_night_for_every_repository_type(capsys):
    text = help_text(capsys, "crawl")
    assert "crawl one night of models, datasets and Spaces into the database" in text
    assert f"--repo-types LIST comma list of {', '.join(REPO_TYPES)} (default: all three;" in text
    assert f"For each repository type of --repo-types (default: {', '.join(REPO_TYPES)})" in text
    for step in ("the sweep (every public repository", "the refresh (heavy fields", "a catch-up by id",
                 "A type's first night is one heavy listing of everything (`full`)"):
        assert step in text


def test_export_help_names_every_table_it_writes_and_those_it_does_not(capsys):
    text = help_text(capsys, "export")
    assert f"{PARTITIONED_TABLE} Hive-partitioned by snapshot_date" in text
    written = {PARTITIONED_TABLE, *WHOLE_TABLES}
    for table in written:
        assert re.search(rf"\b{table}\b", text), table
    left_out = [t for t in ANALYST_TABLES if t not in written]
    assert left_out == ["dataset_snapshots", "space_snapshots"]
    assert "dataset_snapshots and space_snapshots are not exported" in text
    assert "A rerun writes only the nights not exported yet" in text


def test_report_help_offers_the_family_and_the_cohort(capsys):
    text = help_text(capsys, "report")
    assert "[--family ID | --cohort FILE]" in text
    assert "FILE lists root model ids, one a line (blank lines and # comments skipped; at most 40)" in text


def test_figures_help_says_it_shows_the_nights_rejections(capsys):
    text = help_text(capsys, "figures")
    assert "print the headline figures of the latest complete night and what it rejected" in text
    assert "--json prints the figures alone" in text


def test_migrate_help(capsys):
    assert ("bring a database written by an older hubcensus up to this version's schema and views"
            in help_text(capsys, "migrate"))
