"""Making the night faster must not change what it stores (issue 16): two nights of the real
sample cloned to 3,000 records, with hostile values injected, hash to exactly what they hashed
to before the parse and staging were rewritten for speed (tests/golden.py says how the hashes
were recorded; regenerate them only for a deliberate change of what is stored, and say why)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.golden import crawl_golden_universe

GOLDEN = Path(__file__).with_name("golden_hashes.json")


def test_the_same_universe_crawls_to_the_same_tables_as_before(tmp_path, real_sample_path):
    assert crawl_golden_universe(tmp_path / "golden.duckdb", real_sample_path) == json.loads(GOLDEN.read_text())
