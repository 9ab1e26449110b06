"""Render records of the universe as the Hub's JSON objects, one page at a time.

Field names, order and value shapes follow the real API (compare
../shared/data/real-hub-sample/models.jsonl). Real records are returned verbatim,
only filtered by the requested keys.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

import numpy as np
import orjson

from hubsim import catalog, longtail
from hubsim.universe import LIBRARIES, PIPELINES

# Canonical key order of a synthetic record (the real API's order).
ALL_KEYS = ["_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "downloads",
            "downloadsAllTime", "likes", "trendingScore", "library_name", "tags", "pipeline_tag",
            "createdAt", "modelId", "widgetData", "config", "cardData", "transformersInfo", "siblings", "spaces",
            "safetensors", "gguf", "usedStorage", "baseModels", "childrenModelCount"]
# What the list endpoint returns without expand / full (the real Hub's small default set).
DEFAULT_KEYS = ["_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
                "library_name", "createdAt", "modelId"]
# Not part of full=true: lineage and storage are expensive on the Hub, all-time downloads
# only come when asked for by name.
NOT_IN_FULL = {"baseModels", "childrenModelCount", "usedStorage", "downloadsAllTime"}
FULL_KEYS = [k for k in ALL_KEYS if k not in NOT_IN_FULL]
# Every key the Hub accepts in expand[] (huggingface_hub's ExpandModelProperty_T, plus
# xetEnabled from the Hub's API docs). Keys a record lacks are simply omitted.
EXPANDABLE = {"author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled",
              "downloads", "downloadsAllTime", "evalResults", "gated", "gguf", "inference",
              "inferenceProviderMapping", "lastModified", "library_name", "likes", "mask_token",
              "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors", "sha",
              "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage",
              "widgetData", "xetEnabled"}
LIST_FORBIDDEN_EXPAND = {"baseModels", "childrenModelCount", "usedStorage"}

_REL = catalog.RELATIONS
_AUTO_MODEL = {"text-generation": "AutoModelForCausalLM", "text-classification": "AutoModelForSequenceClassification",
               "token-classification": "AutoModelForTokenClassification",
               "automatic-speech-recognition": "AutoModelForSpeechSeq2Seq",
               "image-classification": "AutoModelForImageClassification", "text2text-generation": "AutoModelForSeq2SeqLM",
               "translation": "AutoModelForSeq2SeqLM", "image-text-to-text": "AutoModelForImageTextToText",
               "text-to-speech": "AutoModelForTextToSpectrogram", "sentence-similarity": "AutoModel"}
_GGUF_QUANTS = ["Q4_K_M", "Q5_K_M", "Q8_0", "Q2_K"]


class PageRenderer:
    """Renders the records at `slots` with the keys of one listing mode."""

    def __init__(self, universe) -> None:
        self.u = universe
        self.libraries, self.pipelines = LIBRARIES, PIPELINES

    def render(self, slots, keys: list[str] | None, expand: bool) -> list[dict]:
        """keys: the ordered keys wanted; None = full (every key but NOT_IN_FULL).
        expand: keys came from expand[] (then `_id` and `id` always come too)."""
        return self._render(slots, self.wanted(keys, expand))

    @staticmethod
    def wanted(keys: list[str] | None, expand: bool) -> list[str] | None:
        """The ordered key list of a rendering mode (None = full)."""
        if keys is None:
            return None
        if expand:
            wanted = set(keys)
            return ["_id", "id"] + [k for k in ALL_KEYS if k in wanted and k not in ("_id", "id")]
        return list(keys)

    def render_bytes(self, slots, keys: list[str] | None, expand: bool) -> list[bytes]:
        """Each record's JSON text, hostile values (hubsim.hostile) spliced in verbatim."""
        want = self.wanted(keys, expand)
        records = self._render(slots, want)
        hostile = self.u.hostile
        if not hostile:
            return [orjson.dumps(rec) for rec in records]
        key_set = FULL_KEYS if want is None else want
        return [hostile.splice(s, rec, key_set) if s in hostile else orjson.dumps(rec)
                for s, rec in zip(slots, records)]

    def _render(self, slots, want: list[str] | None) -> list[dict]:
        u = self.u
        real_wanted = None if want is None else set(want)
        fields = [(k, _FIELDS[k]) for k in (FULL_KEYS if want is None else want) if k in _FIELDS]
        syn = [s for s in slots if s < u.n_syn]
        rows = self._rows(syn) if syn else {}
        out = []
        for s in slots:
            if s >= u.n_syn:
                rec = u.real.records[s - u.n_syn]
                if real_wanted is None:
                    out.append({k: v for k, v in rec.items() if k not in NOT_IN_FULL})
                else:
                    picked = {k: v for k, v in rec.items() if k in real_wanted}
                    if "childrenModelCount" in real_wanted and "childrenModelCount" not in rec:
                        picked["childrenModelCount"] = dict(zip(_REL, u.children_counts()[s].tolist()))
                    out.append(picked)
            else:
                out.append(self._synthetic(rows[s], fields))
        return out

    # ---------------------------------------------------------------- synthetic records
    def _rows(self, slots) -> dict:
        u = self.u
        c = u.c
        idx = np.asarray(slots, dtype=np.int64)
        cols = {name: c[name][idx].tolist() for name in c}
        cols["dl30_now"] = u.dl30_now[idx].tolist()
        cols["dl_all_now"] = u.dl_all_now[idx].tolist()
        cols["likes_now"] = u.likes_now[idx].tolist()
        cols["trending_now"] = u.trending_now[idx].tolist()
        for name in ("created", "lastmod"):
            iso = np.datetime_as_string(c[name][idx].astype("datetime64[s]"), unit="s")
            cols[name + "_iso"] = [t + ".000Z" for t in iso.tolist()]
        cols["slot"] = list(slots)
        names = list(cols)
        return {row["slot"]: row for row in (dict(zip(names, vals)) for vals in zip(*cols.values()))}

    def _synthetic(self, row: dict, fields: list) -> dict:
        u = self.u
        slot = row["slot"]
        fam = catalog.FAMILIES[row["family"]]
        mid = u.model_id(slot)
        author = None if row["legacy"] >= 0 else mid.split("/", 1)[0]
        lib = self.libraries[row["library"]] if row["library"] >= 0 else None
        pipe = self.pipelines[row["pipeline"]] if row["pipeline"] >= 0 else None
        rel = row["relation"]
        parents = [u.model_id(p) for p in (row["parent1"], row["parent2"], row["parent3"]) if p >= 0] if rel >= 0 else []
        lic = catalog.LICENSE_IDS[row["lic"]]
        langs = [catalog.LANGUAGES[x] for x in (row["lang1"], row["lang2"]) if x >= 0]
        dsets = [u.dataset_name(x) for x in (row["ds1"], row["ds2"]) if x != -1]
        arxiv = [u.papers.ids[p] for p in (row["paper1"], row["paper2"]) if p >= 0]
        ctx = dict(mid=mid, author=author, lib=lib, pipe=pipe, parents=parents, lic=lic, langs=langs,
                   dsets=dsets, arxiv=arxiv, fam=fam, rel=rel, row=row)
        rec = {}
        for key, fn in fields:
            value = fn(self, ctx)
            if value is not _ABSENT:
                rec[key] = value
        return rec


_ABSENT = object()


def _tags(r: PageRenderer, x: dict) -> list[str]:
    row, fam, lib, pipe, rel = x["row"], x["fam"], x["lib"], x["pipe"], x["rel"]
    tags = []
    if lib:
        tags.append(lib)
    if row["has_st"]:
        tags.append("safetensors")
    elif lib == "transformers":
        tags.append("pytorch")
    if fam["model_type"] and lib in ("transformers", "peft", "gguf", "mlx", "sentence-transformers"):
        tags.append(fam["model_type"])
    if pipe:
        tags.append(pipe)
    if rel == 0:
        tags.append("generated_from_trainer")
    elif rel == 3:
        tags += ["mergekit", "merge"]
    tags += x["langs"]
    tags += ["dataset:" + d for d in x["dsets"]]
    tags += ["arxiv:" + p for p in x["arxiv"]]
    if x["parents"]:
        tags += ["base_model:" + p for p in x["parents"]]
        tags += [f"base_model:{_REL[rel]}:{p}" for p in x["parents"]]
    if x["lic"] != "none" and not row["lic_list"]:
        tags.append("license:" + x["lic"])
    if lib == "transformers":
        tags.append("autotrain_compatible")
        if pipe == "text-generation":
            tags.append("text-generation-inference")
    if lib in ("transformers", "sentence-transformers", "diffusers"):
        tags.append("endpoints_compatible")
    tags.append("region:us")
    return tags


def _card(r: PageRenderer, x: dict):
    row = x["row"]
    card = {}
    if x["parents"]:
        card["base_model"] = x["parents"][0] if len(x["parents"]) == 1 else list(x["parents"])
    elif row["ext"] >= 0:
        card["base_model"] = catalog.EXTERNAL_PARENTS[row["ext"]]
    elif row["selfref"]:
        card["base_model"] = x["mid"]
    if x["dsets"]:
        # a card with one dataset names it as a string now and then, as real cards do
        single = len(x["dsets"]) == 1 and (row["slot"] * 2654435761) % 100 < 3
        card["datasets"] = x["dsets"][0] if single else x["dsets"]
    if x["langs"]:
        card["language"] = x["langs"]
    if x["lib"] and row["slot"] % 3 == 0:
        card["library_name"] = x["lib"]
    if x["lic"] != "none":
        card["license"] = [x["lic"]] if row["lic_list"] else x["lic"]
        if x["lic"] == "other":
            card["license_name"] = catalog.OTHER_LICENSE_NAMES[row["slot"] % len(catalog.OTHER_LICENSE_NAMES)]
            card["license_link"] = f"https://huggingface.co/{x['mid']}/blob/main/LICENSE"
    if x["pipe"] and row["slot"] % 2 == 0:
        card["pipeline_tag"] = x["pipe"]
    if x["rel"] == 0:
        card["tags"] = ["generated_from_trainer", "trl", "sft"]
        card["model-index"] = [{"name": x["mid"].rsplit("/", 1)[-1], "results": _eval_results(x)}]
    elif x["rel"] == 1:
        card["tags"] = ["lora", "sft", "transformers", "trl"]
    elif x["rel"] == 3:
        card["tags"] = ["mergekit", "merge"]
    heavy = r.u.heavy_cards.get(row["slot"])
    if heavy:   # a card of megabytes: thousands of evaluation results (hubsim.longtail)
        results = longtail.card_results(row["slot"], heavy, x["pipe"] or "text-generation")
        card["model-index"] = [{"name": x["mid"].rsplit("/", 1)[-1], "results": results}]
    return card if card else _ABSENT


def _eval_results(x: dict) -> list:
    """A trainer's model-index results: the task, the dataset, a metric value unique to the model."""
    if not x["dsets"] or not x["pipe"]:
        return []
    score = (x["row"]["slot"] * 2654435761) % 100_000 / 100_000
    return [{"task": {"type": x["pipe"], "name": x["pipe"].replace("-", " ").title()},
             "dataset": {"name": d, "type": d, "split": "test"},
             "metrics": [{"type": "accuracy", "value": round(score, 6), "name": "Accuracy"},
                         {"type": "loss", "value": round(2.5 * (1 - score), 6), "name": "Loss"}]}
            for d in x["dsets"]]


# The Hub fills widgetData from the pipeline's default widget (texts from the real sample).
_WIDGETS = {
    "text-generation": [{"text": "My name is Julien and I like to"}, {"text": "I like traveling by train because"},
                        {"text": "Paris is an amazing place to visit,"}, {"text": "Once upon a time,"}],
    "text-classification": [{"text": "I like you. I love you"}],
    "token-classification": [{"text": "My name is Wolfgang and I live in Berlin"},
                             {"text": "My name is Sarah and I live in London"},
                             {"text": "My name is Clara and I live in Berkeley, California."}],
    "sentence-similarity": [{"source_sentence": "That is a happy person",
                             "sentences": ["That is a happy dog", "That is a very happy person", "Today is a sunny day"]}],
    "text-to-image": [{"text": "pikachu emoji"}],
}


def _widget_data(r: PageRenderer, x: dict):
    if x["lib"] not in ("transformers", "sentence-transformers", "diffusers", "peft"):
        return _ABSENT
    return _WIDGETS.get(x["pipe"], _ABSENT)


# Chat models carry their chat template in config.tokenizer_config (real sample: a ChatML
# template, ~300 characters; the longest ones run to kilobytes).
_CHATML = ("{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
           "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
           "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
_PLAIN_TOKENIZER = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
_CHAT_TOKENIZER = {"bos_token": None, "chat_template": _CHATML, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                   "unk_token": None}


def _config(r: PageRenderer, x: dict):
    fam, lib = x["fam"], x["lib"]
    if lib == "diffusers":
        return {"diffusers": {"_class_name": fam["arch"]}}
    if lib == "peft" and x["parents"]:
        return {"peft": {"base_model_name_or_path": x["parents"][0], "task_type": "CAUSAL_LM"}}
    if lib in ("transformers", "sentence-transformers") and fam["arch"]:
        cfg = {"architectures": [fam["arch"]], "model_type": fam["model_type"]}
        if fam["pipeline"] == "text-generation":
            cfg["tokenizer_config"] = _CHAT_TOKENIZER if x["row"]["slot"] % 2 else _PLAIN_TOKENIZER
        return cfg
    return _ABSENT


def _transformers_info(r: PageRenderer, x: dict):
    if x["lib"] != "transformers" or not x["fam"]["arch"]:
        return _ABSENT
    pipe = x["pipe"] or x["fam"]["pipeline"]
    return {"auto_model": _AUTO_MODEL.get(pipe, "AutoModel"), "custom_class": None,
            "pipeline_tag": pipe, "processor": "AutoTokenizer"}


def _siblings(r: PageRenderer, x: dict):
    row, lib = x["row"], x["lib"]
    heavy = r.u.heavy_files.get(row["slot"])
    if heavy:   # tens of thousands of files (hubsim.longtail)
        return longtail.sibling_list(row["slot"], heavy)
    # Training leftovers (checkpoint folders, trainer logs) are what makes real file lists
    # long-tailed (real sample: median 11 files, mean 22); a few variants keep the cache small.
    leftovers = _LEFTOVERS[row["slot"] % len(_LEFTOVERS)] if x["rel"] in (-1, 0, 1) else 0
    if lib == "gguf":
        return _sibling_list(lib, False, 0, None, x["mid"].rsplit("/", 1)[-1], row["slot"] % 3, 0)
    shards = _shard_count(row["params"], row["dtype"]) if row["has_st"] else 0
    files = _sibling_list(lib, row["has_st"], shards, x["fam"]["pipeline"], None, 0, leftovers)
    if lib is None or not leftovers:
        return files
    # The trainer's event logs are named after the run's start time and host: unique per repo.
    started = row["created"] - 3600 - row["slot"] % 7200
    host = f"node-{row['slot'] % 97}"
    logs = [{"rfilename": f"runs/{_run_folder(started)}_{host}/events.out.tfevents.{started + k}.{host}.{4000 + k}.0"}
            for k in range(1 + leftovers // 3)]
    return files + logs


def _run_folder(epoch_seconds: int) -> str:
    t = dt.datetime.fromtimestamp(epoch_seconds, dt.timezone.utc)
    return t.strftime("%b%d_%H-%M-%S")


# Checkpoint folders left by a training run, per slot (mostly none, like the real Hub).
_LEFTOVERS = (0, 0, 0, 2, 0, 0, 4, 0, 0, 10, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 25)
_SHARD_BYTES = 5_000_000_000   # transformers' default max_shard_size


def _shard_count(params: int, dtype: int) -> int:
    """safetensors files of a model of this size (1 = one unsharded model.safetensors)."""
    size = params * (2 if dtype < 2 else 4)
    return max(1, -(-size // _SHARD_BYTES))


_TOKENIZER_FILES = ("added_tokens.json", "merges.txt", "special_tokens_map.json", "tokenizer.json",
                    "tokenizer_config.json", "vocab.json")
_CHECKPOINT_FILES = ("config.json", "model.safetensors", "optimizer.pt", "rng_state.pth", "scheduler.pt", "trainer_state.json",
                     "training_args.bin")


@functools.lru_cache(maxsize=8192)
def _sibling_list(lib, has_st: bool, shards: int, fam_pipeline, name, n_quants: int, leftovers: int) -> list:
    """Shared, never mutated: the same file list serves every model with this signature.
    Shaped like real repos (../shared/data/real-hub-sample: tokenizer files, shards, training
    leftovers), so list pages weigh what real ones do (~2.8 KB a model with full=true)."""
    files = [".gitattributes", "README.md"]
    text = fam_pipeline in ("text-generation", "text-classification", "sentence-similarity",
                            "token-classification", "text2text-generation", "translation")
    if lib == "gguf":
        files += [f"{name}.{q}.gguf" for q in _GGUF_QUANTS[: 1 + n_quants]]
    elif lib == "peft":
        files += ["adapter_config.json", "adapter_model.safetensors", "training_args.bin"]
        if text:
            files += _TOKENIZER_FILES
    elif lib == "diffusers":
        files += ["model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
                  "text_encoder/model.safetensors", "tokenizer/merges.txt", "tokenizer/special_tokens_map.json",
                  "tokenizer/tokenizer_config.json", "tokenizer/vocab.json", "unet/config.json",
                  "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
                  "vae/diffusion_pytorch_model.safetensors"]
        files += [f"image_{k}.png" for k in range(4)]
    elif lib is not None:
        files.append("config.json")
        if has_st and shards > 1:
            files += [f"model-{k:05d}-of-{shards:05d}.safetensors" for k in range(1, shards + 1)]
            files.append("model.safetensors.index.json")
        elif has_st:
            files.append("model.safetensors")
        else:
            files.append("pytorch_model.bin")
        if text:
            files += _TOKENIZER_FILES
        if fam_pipeline == "text-generation":
            files.append("generation_config.json")
        if lib == "sentence-transformers":
            files += ["1_Pooling/config.json", "config_sentence_transformers.json", "modules.json",
                      "onnx/model.onnx", "sentence_bert_config.json"]
    if lib is not None and leftovers:
        files.append("training_args.bin")
        for k in range(1, leftovers + 1):
            files += [f"checkpoint-{500 * k}/{f}" for f in _CHECKPOINT_FILES]
    return [{"rfilename": f} for f in sorted(set(files))]


def _spaces(r: PageRenderer, x: dict):
    row = x["row"]
    if not row["nspaces"]:
        return []
    return [f"{r.u.author_name((row['slot'] * 7 + k) % 997 + 30)}/{catalog.SPACES_WORDS[k % 6]}-{k}"
            for k in range(row["nspaces"])]


def _safetensors(r: PageRenderer, x: dict):
    row = x["row"]
    if not row["has_st"]:
        return _ABSENT
    return {"parameters": {catalog.DTYPES[row["dtype"]]: row["params"]}, "total": row["params"]}


def _gguf(r: PageRenderer, x: dict):
    if x["lib"] != "gguf":
        return _ABSENT
    params = x["row"]["params"] or 1_235_814_400
    return {"total": params, "architecture": x["fam"]["model_type"] or "llama", "context_length": 4096}


def _used_storage(r: PageRenderer, x: dict):
    row = x["row"]
    size = row["params"] * (2 if row["dtype"] < 2 else 4)
    return int(size + 10_000 + (row["slot"] * 7919) % 5_000_000)


def _base_models(r: PageRenderer, x: dict):
    if not x["parents"]:
        return _ABSENT
    return {"relation": _REL[x["rel"]], "models": [{"id": p} for p in x["parents"]]}


def _children_count(r: PageRenderer, x: dict) -> dict:
    counts = r.u.children_counts()[x["row"]["slot"]].tolist()
    return dict(zip(_REL, counts))


def _sha(r: PageRenderer, x: dict) -> str:
    return hashlib.sha1(f"{r.u.seed}:{x['row']['slot']}:{x['row']['mods']}".encode()).hexdigest()


_GATED = [False, "auto", "manual"]
_FIELDS = {
    "_id": lambda r, x: f"{x['row']['created']:08x}{x['row']['oid_rand']:016x}",
    "id": lambda r, x: x["mid"],
    "modelId": lambda r, x: x["mid"],
    "author": lambda r, x: x["author"] if x["author"] is not None else _ABSENT,
    "sha": _sha,
    "lastModified": lambda r, x: x["row"]["lastmod_iso"],
    "createdAt": lambda r, x: x["row"]["created_iso"],
    "private": lambda r, x: False,
    "disabled": lambda r, x: False,
    "gated": lambda r, x: _GATED[x["row"]["gated"]],
    "downloads": lambda r, x: x["row"]["dl30_now"],
    "downloadsAllTime": lambda r, x: x["row"]["dl_all_now"],
    "likes": lambda r, x: x["row"]["likes_now"],
    "trendingScore": lambda r, x: x["row"]["trending_now"],
    "library_name": lambda r, x: x["lib"] if x["lib"] else _ABSENT,
    "pipeline_tag": lambda r, x: x["pipe"] if x["pipe"] else _ABSENT,
    "tags": _tags,
    "widgetData": _widget_data,
    "config": _config,
    "cardData": _card,
    "transformersInfo": _transformers_info,
    "siblings": _siblings,
    "spaces": _spaces,
    "safetensors": _safetensors,
    "gguf": _gguf,
    "usedStorage": _used_storage,
    "baseModels": _base_models,
    "childrenModelCount": _children_count,
}
