"""The heavy end of the Hub's records: repositories with tens of thousands of files and model
cards of megabytes, which the real Hub serves and a crawler must store like any other record.

Chosen once per universe from its own seeded stream (the other draws keep their values):
among the day-1 synthetic models that are not legacy ids,
  * max(2, N // 25,000) models list 10,000-100,000 files (`siblings`; log-uniform, ~40 B a
    name: a 100k-file record is ~5 MB),
  * max(1, N // 50,000) models carry a 1-4 MB card (`cardData["model-index"]` with thousands
    of evaluation results, log-uniform size),
for N >= 1,000 synthetic models (none below). Every such record stays far under the 16 MiB
record bound of docs/ingest.md, keeps its license and base models, so the truth does not
change, and is served in every rendering that includes the field.
"""

from __future__ import annotations

import functools

import numpy as np

MIN_MODELS = 1_000
FILES_PER_MODELS = 25_000
CARDS_PER_MODELS = 50_000
FILES_RANGE = (10_000, 100_000)
CARD_BYTES_RANGE = (1_000_000, 4_000_000)


def counts(n_models: int) -> tuple[int, int]:
    """(models with huge file lists, models with huge cards) of an N-model universe."""
    if n_models < MIN_MODELS:
        return 0, 0
    return max(2, n_models // FILES_PER_MODELS), max(1, n_models // CARDS_PER_MODELS)


def choose(u) -> tuple[dict[int, int], dict[int, int]]:
    """{slot: number of files}, {slot: card bytes} for universe u (day-independent)."""
    n_files, n_cards = counts(u.n_base)
    if not n_files:
        return {}, {}
    rng = np.random.default_rng([u.seed, 1, 7])
    pool = np.flatnonzero(u.c["legacy"][: u.n_base] < 0)
    picked = rng.choice(pool, size=n_files + n_cards, replace=False)
    lo, hi = np.log(FILES_RANGE[0]), np.log(FILES_RANGE[1])
    files = np.exp(rng.uniform(lo, hi, n_files)).astype(np.int64)
    lo, hi = np.log(CARD_BYTES_RANGE[0]), np.log(CARD_BYTES_RANGE[1])
    cards = np.exp(rng.uniform(lo, hi, n_cards)).astype(np.int64)
    return (dict(zip(picked[:n_files].tolist(), files.tolist())),
            dict(zip(picked[n_files:].tolist(), cards.tolist())))


# Layouts of huge repositories on the Hub: image folders of generated samples, every
# training checkpoint kept, per-run logs.
_CHECKPOINT = ("config.json", "model.safetensors", "optimizer.pt", "scheduler.pt", "trainer_state.json")


@functools.lru_cache(maxsize=4)
def sibling_list(slot: int, n_files: int) -> list:
    """Shared, never mutated: the `siblings` of a huge repository (sorted names, like the Hub)."""
    layout = slot % 3
    if layout == 0:
        names = [f"samples/{k // 1000:03d}/{k:06d}.png" for k in range(n_files - 2)]
    elif layout == 1:
        names = [f"checkpoint-{100 * (1 + k // len(_CHECKPOINT))}/{_CHECKPOINT[k % len(_CHECKPOINT)]}"
                 for k in range(n_files - 2)]
    else:
        names = [f"logs/run-{k:06d}/metrics.jsonl" for k in range(n_files - 2)]
    names += [".gitattributes", "README.md"]
    return [{"rfilename": f} for f in sorted(names)]


@functools.lru_cache(maxsize=4)
def card_results(slot: int, n_bytes: int, task: str) -> list:
    """Shared, never mutated: a model-index with evaluation results of about n_bytes of JSON
    (~220 bytes a result)."""
    out = []
    for k in range(max(1, n_bytes // 220)):
        score = ((slot + 1) * 2654435761 + k * 40503) % 100_000 / 100_000
        out.append({"task": {"type": task, "name": task.replace("-", " ").title()},
                    "dataset": {"name": f"eval-suite/subset_{k:05d}", "type": f"eval-suite/subset_{k:05d}",
                                "split": "test"},
                    "metrics": [{"type": "accuracy", "value": round(score, 6), "name": "Accuracy"}]})
    return out
