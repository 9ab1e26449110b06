"""The papers repositories cite (`arxiv:<id>` tags): one pool shared by models, datasets and
Spaces, so a paper links several model families, the datasets built for it and the Spaces that
demo it.

Index 0.. of the pool are real arXiv ids with a role (the model card template's CO2 reference,
method papers, each model family's paper, the named datasets' papers); after them a long tail of
synthetic ids (`YYMM.NNNNN`), max(100, N / 20) of them for N synthetic models, drawn Zipf-like so
that some are cited by many repositories. Deterministic per seed.
"""

from __future__ import annotations

import numpy as np

from hubsim import catalog, fastsearch

# The default model card of huggingface_hub links "Quantifying the Carbon Emissions of Machine
# Learning" (real sample: 31 of 922 models carry arxiv:1910.09700).
TEMPLATE = "1910.09700"
LORA, QLORA, DPO = "2106.09685", "2305.14314", "2305.18290"
# One paper per model family (catalog.FAMILIES order), None when the family has none.
FAMILY_PAPERS = ["2407.21783", "2412.15115", "2310.06825", "2408.00118", "2404.14219", "1810.04805",
                 "1911.02116", "2212.04356", "2112.10752", "2010.11929", "1908.10084", "1910.10683",
                 "2207.04672", "1707.06347", "2110.07205", "2409.12191", None, None]
assert len(FAMILY_PAPERS) == len(catalog.FAMILIES)
KNOWN = list(dict.fromkeys([TEMPLATE, LORA, QLORA, DPO, "2307.09288"]
                           + [p for p in FAMILY_PAPERS if p]
                           + [d[2] for d in catalog.NAMED_DATASETS if d[2]]))
LONG_TAIL_PER_MODELS = 20
ZIPF = 1.1   # long-tail papers: weight 1 / (rank + 1)^ZIPF


class PaperPool:
    def __init__(self, seed: int, n_models: int) -> None:
        n_tail = max(100, n_models // LONG_TAIL_PER_MODELS)
        rng = np.random.default_rng([seed, 0, 21])
        known = set(KNOWN)
        ids = list(KNOWN)
        seen = set(ids)
        while len(ids) < len(KNOWN) + n_tail:
            k = n_tail + len(KNOWN) - len(ids)
            yymm = rng.integers(0, 6 * 12 + 10, k)   # 2001 .. 2610: published before the universe's days
            number = rng.integers(1, 20_000, k)
            for ym, num in zip(yymm.tolist(), number.tolist()):
                arxiv_id = f"{20 + ym // 12}{1 + ym % 12:02d}.{num:05d}"
                if arxiv_id not in seen and arxiv_id not in known:
                    seen.add(arxiv_id)
                    ids.append(arxiv_id)
        self.ids = ids
        self.index = {pid: i for i, pid in enumerate(ids)}
        self.n_known = len(KNOWN)
        weights = 1.0 / np.power(np.arange(1, n_tail + 1, dtype=np.float64), ZIPF)
        self._tail_cum = np.cumsum(weights)
        self.family = np.array([self.index[p] if p else -1 for p in FAMILY_PAPERS], dtype=np.int32)

    def __len__(self) -> int:
        return len(self.ids)

    def code(self, arxiv_id: str) -> int:
        return self.index[arxiv_id]

    def long_tail(self, rng, n: int) -> np.ndarray:
        """n draws from the long tail (Zipf-like: a few papers are cited often)."""
        x = rng.random(n) * self._tail_cum[-1]
        return (self.n_known + fastsearch.searchsorted(self._tail_cum, x, side="right")).astype(np.int32)

    def long_tail_where(self, rng, mask: np.ndarray) -> np.ndarray:
        """A long-tail draw where `mask`, -1 elsewhere (draws only what is used: 3M at once is slow)."""
        out = np.full(len(mask), -1, dtype=np.int32)
        out[mask] = self.long_tail(rng, int(mask.sum()))
        return out
