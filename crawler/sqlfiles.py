"""Where the crawler's SQL lives: crawler/sql/*.sql is the JSON -> row mapping (the crawler's
knowledge of the Hub's JSON); storage executes it on its own connections."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
MACROS = SQL_DIR / "macros.sql"          # helper macros, once per connection
PARSE_PAGE = SQL_DIR / "parse_page.sql"  # params: $paths (pages spooled to <page_no>.json files), $heavy, $max_object_bytes (largest file)
