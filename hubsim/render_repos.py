"""Render datasets and Spaces as the Hub's JSON objects, one page at a time.

Key names and value shapes follow huggingface_hub's DatasetInfo / SpaceInfo / SpaceRuntime
(hf_api.py, _space_api.py) and the Hub's records: dataset tags `task_categories:...`,
`language:...`, `license:...`, `size_categories:...`, `format:parquet`, `modality:...`,
`library:...`, `arxiv:<id>`, `region:us`; a Space's `runtime` `{"stage", "hardware": {"current",
"requested"}, ...}`, its `models` and `datasets` lists of ids.
"""

from __future__ import annotations

import numpy as np

from hubsim import catalog

_ABSENT = object()

# --- datasets ---------------------------------------------------------------------------------
DATASET_KEYS = ["_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "citation",
                "description", "downloads", "downloadsAllTime", "likes", "paperswithcode_id", "tags", "createdAt",
                "key", "cardData", "siblings", "trendingScore", "mainSize", "usedStorage", "resourceGroup"]
# huggingface_hub's ExpandDatasetProperty_T
DATASET_EXPANDABLE = {"author", "cardData", "citation", "createdAt", "description", "disabled", "downloads",
                      "downloadsAllTime", "gated", "lastModified", "likes", "mainSize", "paperswithcode_id", "private",
                      "resourceGroup", "sha", "siblings", "tags", "trendingScore", "usedStorage"}
# What the list endpoint returns without expand / full (`key` is an empty string the Hub sends).
DATASET_DEFAULT_KEYS = ["_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "citation",
                        "description", "downloads", "likes", "paperswithcode_id", "tags", "createdAt", "key",
                        "trendingScore"]
DATASET_NOT_IN_FULL = {"downloadsAllTime", "mainSize", "usedStorage", "resourceGroup"}
DATASET_FULL_KEYS = [k for k in DATASET_KEYS if k not in DATASET_NOT_IN_FULL]
DATASET_ONE_KEYS = [k for k in DATASET_FULL_KEYS if k != "key"]   # GET /api/datasets/{id} without expand

# --- Spaces -----------------------------------------------------------------------------------
SPACE_KEYS = ["_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "host", "subdomain",
              "likes", "sdk", "tags", "createdAt", "cardData", "siblings", "runtime", "models", "datasets",
              "trendingScore", "region", "usedStorage", "resourceGroup"]
# huggingface_hub's ExpandSpaceProperty_T
SPACE_EXPANDABLE = {"author", "cardData", "createdAt", "datasets", "disabled", "lastModified", "likes", "models",
                    "private", "region", "resourceGroup", "runtime", "sdk", "sha", "siblings", "subdomain", "tags",
                    "trendingScore", "usedStorage"}
SPACE_DEFAULT_KEYS = ["_id", "id", "likes", "trendingScore", "private", "sdk", "tags", "createdAt"]
SPACE_NOT_IN_FULL = {"usedStorage", "resourceGroup"}
SPACE_FULL_KEYS = [k for k in SPACE_KEYS if k not in SPACE_NOT_IN_FULL]
SPACE_ONE_KEYS = SPACE_FULL_KEYS

# Storage is measured per repository (git history and LFS objects): the Hub refuses it on model
# listings (huggingface_hub PR #3182), and hubsim refuses it on every listing.
LIST_FORBIDDEN_EXPAND = {"usedStorage"}

_TASKS = [t for t, _ in catalog.DATASET_TASKS]
_MODALITY = [m for _, m in catalog.DATASET_TASKS]
_SIZE_BYTES = [200_000, 2_000_000, 30_000_000, 400_000_000, 4_000_000_000, 40_000_000_000, 800_000_000_000]
_SIZE_SHARDS = [1, 1, 1, 2, 8, 40, 200]
_PWC = {"squad": "squad", "glue": "glue", "imdb": "imdb-movie-reviews", "cnn_dailymail": "cnn-daily-mail-1",
        "conll2003": "conll-2003", "openai/gsm8k": "gsm8k", "allenai/c4": "c4"}
_SDK_NAMES = [name for name, _ in catalog.SDKS]
_STAGE_NAMES = [name for name, _ in catalog.STAGES]
_HARDWARE_NAMES = [name for name, _ in catalog.HARDWARE]
_ACTIVE = {"RUNNING", "RUNNING_BUILDING", "APP_STARTING", "RUNNING_APP_STARTING"}


def _iso(values) -> list[str]:
    iso = np.datetime_as_string(np.asarray(values).astype("datetime64[s]"), unit="s")
    return [t + ".000Z" for t in iso.tolist()]


def wanted_keys(all_keys: list[str], default: list[str], full: list[str], keys, expand: bool) -> list[str]:
    """The ordered key list of a rendering mode: `keys` from expand[] (then `_id` and `id` come too,
    in the record's order), None = full, else the keys given in their order."""
    if keys is None:
        return full
    if expand:
        asked = set(keys)
        return ["_id", "id"] + [k for k in all_keys if k in asked and k not in ("_id", "id")]
    return list(keys)


class RepoRenderer:
    """Renders the records of one table (datasets or Spaces) at `slots` with the keys `want`."""

    def __init__(self, table) -> None:
        self.t = table
        self.u = table.u

    def _rows(self, slots: list[int]) -> list[dict]:
        t = self.t
        idx = np.asarray(slots, dtype=np.int64)
        cols = {name: t.c[name][idx].tolist() for name in t.c}
        cols["likes_now"] = t.likes_now[idx].tolist()
        cols["trending_now"] = t.trending_now[idx].tolist()
        if getattr(t, "dl_all_now", None) is not None:
            cols["dl30_now"] = t.dl30_now[idx].tolist()
            cols["dl_all_now"] = t.dl_all_now[idx].tolist()
        cols["created_iso"] = _iso(t.c["created"][idx])
        cols["lastmod_iso"] = _iso(t.c["lastmod"][idx])
        cols["slot"] = list(slots)
        names = list(cols)
        return [dict(zip(names, vals)) for vals in zip(*cols.values())]

    def render(self, slots: list[int], want: list[str]) -> list[dict]:
        if not slots:
            return []
        out = []
        for row in self._rows(slots):
            x = self.context(row)
            rec = {}
            for key in want:
                fn = self.FIELDS.get(key)
                if fn is None:
                    continue
                value = fn(self, x)
                if value is not _ABSENT:
                    rec[key] = value
            out.append(rec)
        return out

    def context(self, row: dict) -> dict:
        return {"row": row, "id": self.t.repo_id(row["slot"])}


class DatasetRenderer(RepoRenderer):
    def context(self, row: dict) -> dict:
        x = super().context(row)
        t = self.t
        x["author"] = t.author_of(row["slot"])
        x["name"] = x["id"].rsplit("/", 1)[-1]
        x["license"] = catalog.LICENSE_IDS[row["lic"]]
        x["lang"] = catalog.LANGUAGES[row["lang"]] if row["lang"] >= 0 else None
        x["task"] = _TASKS[row["task"]]
        x["size"] = catalog.SIZE_CATEGORIES[row["size"]]
        x["arxiv"] = self.u.papers.ids[row["paper"]] if row["paper"] >= 0 else None
        return x


def _ds_tags(r, x) -> list[str]:
    row = x["row"]
    tags = ["task_categories:" + x["task"]]
    if x["lang"]:
        tags.append("language:" + x["lang"])
    if x["license"] != "none":
        tags.append("license:" + x["license"])
    tags.append("size_categories:" + x["size"])
    fmt = "json" if row["slot"] % 7 == 3 else "parquet"
    tags += ["format:" + fmt, "modality:" + _MODALITY[row["task"]], "library:datasets", "library:pandas",
             "library:mlcroissant", "library:polars"]
    if x["arxiv"]:
        tags.append("arxiv:" + x["arxiv"])
    tags.append("region:us")
    return tags


def _ds_card(r, x) -> dict:
    row = x["row"]
    card = {}
    if x["lang"]:
        card["language"] = [x["lang"]]
    if x["license"] != "none":
        card["license"] = x["license"]
    card["size_categories"] = [x["size"]]
    card["task_categories"] = [x["task"]]
    if x["id"] in _PWC:
        card["paperswithcode_id"] = _PWC[x["id"]]
    card["pretty_name"] = x["name"].replace("-", " ").replace("_", " ").title()
    if row["hot"] >= 0:
        card["tags"] = ["sft", "synthetic", "reasoning"]
    card["configs"] = [{"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]}]
    return card


def _ds_siblings(r, x) -> list[dict]:
    row = x["row"]
    shards = _SIZE_SHARDS[row["size"]]
    ext = "json" if row["slot"] % 7 == 3 else "parquet"
    files = [".gitattributes", "README.md"]
    files += [f"data/train-{k:05d}-of-{shards:05d}.{ext}" for k in range(shards)]
    if row["slot"] % 3:
        files.append(f"data/test-00000-of-00001.{ext}")
    return [{"rfilename": f} for f in sorted(files)]


def _ds_citation(r, x):
    if not x["arxiv"]:
        return _ABSENT
    year = "20" + x["arxiv"][:2]
    key = x["name"].replace("-", "_").lower()
    return (f"@article{{{key}{year},\n  title={{{x['name']}}},\n  author={{{x['author'] or x['name']}}},\n"
            f"  journal={{arXiv preprint arXiv:{x['arxiv']}}},\n  year={{{year}}}\n}}")


def _ds_description(r, x) -> str:
    lang = f" in {x['lang']}" if x["lang"] else ""
    return (f"Dataset card for {x['name']}: {x['task'].replace('-', ' ')} data{lang}, "
            f"{x['size'].replace('<n<', ' to ')} examples.")


def _gated(value: int):
    return [False, "auto", "manual"][value]


DatasetRenderer.FIELDS = {
    "_id": lambda r, x: f"{x['row']['created']:08x}{x['row']['oid_rand']:016x}",
    "id": lambda r, x: x["id"],
    "author": lambda r, x: x["author"] if x["author"] is not None else _ABSENT,
    "sha": lambda r, x: r.t.sha(x["row"]["slot"]),
    "lastModified": lambda r, x: x["row"]["lastmod_iso"],
    "createdAt": lambda r, x: x["row"]["created_iso"],
    "private": lambda r, x: False,
    "disabled": lambda r, x: False,
    "gated": lambda r, x: _gated(x["row"]["gated"]),
    "citation": _ds_citation,
    "description": _ds_description,
    "downloads": lambda r, x: x["row"]["dl30_now"],
    "downloadsAllTime": lambda r, x: x["row"]["dl_all_now"],
    "likes": lambda r, x: x["row"]["likes_now"],
    "trendingScore": lambda r, x: x["row"]["trending_now"],
    "paperswithcode_id": lambda r, x: _PWC.get(x["id"], _ABSENT),
    "tags": _ds_tags,
    "key": lambda r, x: "",
    "cardData": _ds_card,
    "siblings": _ds_siblings,
    "mainSize": lambda r, x: _SIZE_BYTES[x["row"]["size"]] + (x["row"]["slot"] * 7919) % 100_000,
    "usedStorage": lambda r, x: int(_SIZE_BYTES[x["row"]["size"]] * 1.3) + (x["row"]["slot"] * 7919) % 1_000_000,
}


# --- Spaces -----------------------------------------------------------------------------------
def subdomain(space_id: str) -> str:
    return space_id.lower().replace("/", "-").replace("_", "-").replace(".", "-")


class SpaceRenderer(RepoRenderer):
    def context(self, row: dict) -> dict:
        x = super().context(row)
        t = self.t
        x["sdk"] = _SDK_NAMES[row["sdk"]]
        x["stage"] = _STAGE_NAMES[row["stage"]]
        x["license"] = catalog.LICENSE_IDS[row["lic"]]
        x["models"] = [t.model_name(ref) for ref in t.model_refs(row["slot"])]
        x["datasets"] = [self.u.datasets.repo_id(d) for d in (row["d1"], row["d2"]) if d >= 0]
        x["arxiv"] = self.u.papers.ids[row["paper"]] if row["paper"] >= 0 else None
        x["subdomain"] = subdomain(x["id"])
        return x


def _sp_tags(r, x) -> list[str]:
    tags = [x["sdk"]]
    if x["row"]["slot"] % 31 == 0:
        tags.append("mcp-server")
    if "leaderboard" in x["id"] or x["row"]["slot"] in r.t.boards:
        tags.append("leaderboard")
    if x["arxiv"]:
        tags.append("arxiv:" + x["arxiv"])
    tags.append("region:us")
    return tags


def _sp_card(r, x) -> dict:
    row, sdk = x["row"], x["sdk"]
    name = x["id"].rsplit("/", 1)[-1]
    card = {"title": name.replace("-", " ").title(), "emoji": catalog.SPACE_EMOJIS[row["slot"] % 10],
            "colorFrom": catalog.SPACE_COLORS[row["slot"] % 8], "colorTo": catalog.SPACE_COLORS[(row["slot"] // 8) % 8],
            "sdk": sdk}
    versions = catalog.SDK_VERSIONS.get(sdk)
    if versions:
        card["sdk_version"] = versions[row["slot"] % len(versions)]
        card["app_file"] = "app.py" if sdk == "gradio" else "streamlit_app.py"
    card["pinned"] = False
    if x["license"] != "none":
        card["license"] = x["license"]
    card["short_description"] = f"{name.split('-')[0].title()} built on the Hub"
    # half of the cards repeat what the Space uses; the listing's `models` / `datasets` are the links
    if row["slot"] % 2 == 0 and x["models"]:
        card["models"] = x["models"][:4]
    if row["slot"] % 2 == 0 and x["datasets"]:
        card["datasets"] = x["datasets"]
    return card


_SP_FILES = {"gradio": ["app.py", "requirements.txt"], "streamlit": ["streamlit_app.py", "requirements.txt"],
             "docker": ["Dockerfile", "app/main.py", "requirements.txt"], "static": ["index.html", "style.css"]}


def _sp_siblings(r, x) -> list[dict]:
    return [{"rfilename": f} for f in sorted([".gitattributes", "README.md"] + _SP_FILES[x["sdk"]])]


def _sp_runtime(r, x) -> dict:
    row, stage = x["row"], x["stage"]
    if x["sdk"] == "static":
        hardware = {"current": None, "requested": None}
    else:
        requested = _HARDWARE_NAMES[row["hw"]]
        hardware = {"current": requested if stage in _ACTIVE else None, "requested": requested}
    active = stage in _ACTIVE
    runtime = {"stage": stage, "hardware": hardware, "storage": None,
               "gcTimeout": 172800 if hardware["requested"] == "cpu-basic" else None,
               "replicas": {"current": 1 if active else 0, "requested": 1}, "devMode": False,
               "domains": [{"domain": f"{x['subdomain']}.hf.space", "stage": "READY"}]}
    if stage in ("RUNTIME_ERROR", "BUILD_ERROR", "CONFIG_ERROR"):
        runtime["errorMessage"] = "Exit code: 1. Reason: ModuleNotFoundError: No module named 'spaces'"
    return runtime


SpaceRenderer.FIELDS = {
    "_id": lambda r, x: f"{x['row']['created']:08x}{x['row']['oid_rand']:016x}",
    "id": lambda r, x: x["id"],
    "author": lambda r, x: r.t.author_of(x["row"]["slot"]),
    "sha": lambda r, x: r.t.sha(x["row"]["slot"]),
    "lastModified": lambda r, x: x["row"]["lastmod_iso"],
    "createdAt": lambda r, x: x["row"]["created_iso"],
    "private": lambda r, x: False,
    "gated": lambda r, x: False,
    "disabled": lambda r, x: False,
    "host": lambda r, x: f"https://{x['subdomain']}.hf.space",
    "subdomain": lambda r, x: x["subdomain"],
    "likes": lambda r, x: x["row"]["likes_now"],
    "trendingScore": lambda r, x: x["row"]["trending_now"],
    "sdk": lambda r, x: x["sdk"],
    "tags": _sp_tags,
    "cardData": _sp_card,
    "siblings": _sp_siblings,
    "runtime": _sp_runtime,
    "models": lambda r, x: x["models"],
    "datasets": lambda r, x: x["datasets"],
    "region": lambda r, x: "us",
    "usedStorage": lambda r, x: 50_000 + (x["row"]["slot"] * 7919) % 50_000_000,
}
