"""Fixed vocabularies the synthetic universe draws from (licenses, families, languages...).

Everything here is data, not logic: weights are calibrated in hubsim/README.md.
"""

from __future__ import annotations

# --- licenses -------------------------------------------------------------------------
# (license id, family, weight in the mix of a root model that is not an organisation's
# release). Index 0 is "no license". Families follow docs/figures.md; hubsim keeps its own
# copy on purpose (truth must not import analysis/). A test checks it agrees with
# analysis/license_taxonomy.csv. The weights are calibrated (hubsim/README.md, "Calibration"):
# most personal uploads carry no license; apache-2.0 leads mit by ~2.7 to 1.
LICENSES: list[tuple[str, str, float]] = [
    ("none", "none", 0.765),
    ("apache-2.0", "permissive", 0.10),
    ("mit", "permissive", 0.012),
    ("other", "other", 0.022),
    ("cc-by-nc-4.0", "non-commercial", 0.016),
    ("openrail", "openrail", 0.012),
    ("creativeml-openrail-m", "openrail", 0.01),
    ("llama2", "open-weights-restricted", 0.002),
    ("llama3", "open-weights-restricted", 0.002),
    ("llama3.1", "open-weights-restricted", 0.002),
    ("llama3.2", "open-weights-restricted", 0.001),
    ("gemma", "open-weights-restricted", 0.001),
    ("qwen", "open-weights-restricted", 0.001),
    ("tongyi-qianwen", "open-weights-restricted", 0.001),
    ("gpl-3.0", "copyleft", 0.005),
    ("cc-by-4.0", "permissive", 0.01),
    ("cc-by-sa-4.0", "copyleft", 0.003),
    ("bsd-3-clause", "permissive", 0.003),
    ("afl-3.0", "permissive", 0.003),
    ("cc-by-nc-sa-4.0", "non-commercial", 0.004),
    ("bigscience-openrail-m", "openrail", 0.002),
    ("unknown", "other", 0.003),
    ("agpl-3.0", "copyleft", 0.002),
    ("cc0-1.0", "permissive", 0.002),
]
LICENSE_IDS = [name for name, _, _ in LICENSES]
LICENSE_INDEX = {name: i for i, name in enumerate(LICENSE_IDS)}
LICENSE_FAMILY = {name: fam for name, fam, _ in LICENSES}
RESTRICTED_GATE_LICENSES = ("llama2", "llama3", "llama3.1", "llama3.2", "gemma")
# Where a derivative's license goes when it differs from its parent's (Laufer et al. 2025:
# drift toward permissive licenses, apache-2.0 and mit first, some toward copyleft).
LICENSE_CHANGE_TARGETS: list[tuple[str, float]] = [
    ("apache-2.0", 0.58), ("mit", 0.14), ("cc-by-4.0", 0.05), ("gpl-3.0", 0.03), ("cc-by-nc-4.0", 0.06),
    ("other", 0.07), ("openrail", 0.04), ("agpl-3.0", 0.02),
]
# `other` cards name their license, like the real Hub's custom licenses.
OTHER_LICENSE_NAMES = ["custom-research", "model-license", "deepseek", "falcon-llm-license",
                       "nvidia-open-model-license", "yi-license", "flux-1-dev-non-commercial-license"]

# --- model families --------------------------------------------------------------------
# (weight for a root model, name stems, model_type, architecture, pipeline_tag, library,
#  parameter choices). `stems` are (name, owning organisation, license of that release): an
# organisation's root carries its stem's license; derivatives are named after their root's
# stem. `flag`: weight of the family among the famous roots (flagships, the most downloaded
# models); `pull`: how strongly its flagships attract derivatives (LLM bases most).
FAMILIES: list[dict] = [
    dict(w=0.16, stems=[("Llama-3.1-8B", "meta-llama", "llama3.1"), ("Llama-2-7b", "meta-llama", "llama2"),
                        ("Llama-3.2-1B", "meta-llama", "llama3.2"), ("Meta-Llama-3-8B", "meta-llama", "llama3")],
         model_type="llama", arch="LlamaForCausalLM", pipeline="text-generation", library="transformers",
         params=[1_235_814_400, 6_738_415_616, 8_030_261_248, 70_553_706_496], flag=0.16, pull=2.0),
    dict(w=0.12, stems=[("Qwen2.5-7B", "Qwen", "apache-2.0"), ("Qwen2.5-0.5B", "Qwen", "apache-2.0"),
                        ("Qwen3-4B", "Qwen", "apache-2.0"), ("Qwen2.5-72B", "Qwen", "qwen")],
         model_type="qwen2", arch="Qwen2ForCausalLM", pipeline="text-generation", library="transformers",
         params=[494_032_768, 4_022_468_096, 7_615_616_512], flag=0.15, pull=2.5),
    dict(w=0.06, stems=[("Mistral-7B-v0.1", "mistralai", "apache-2.0"),
                        ("Mistral-Nemo-Base-2407", "mistralai", "apache-2.0"),
                        ("Mixtral-8x7B-v0.1", "mistralai", "apache-2.0")],
         model_type="mistral", arch="MistralForCausalLM", pipeline="text-generation", library="transformers",
         params=[7_241_732_096, 12_247_782_400, 46_702_792_704], flag=0.08, pull=2.5),
    dict(w=0.05, stems=[("gemma-2-2b", "google", "gemma"), ("gemma-2-9b", "google", "gemma"),
                        ("gemma-3-4b-it", "google", "gemma")],
         model_type="gemma2", arch="Gemma2ForCausalLM", pipeline="text-generation", library="transformers",
         params=[2_614_341_888, 9_241_705_984], flag=0.06, pull=2.0),
    dict(w=0.04, stems=[("phi-2", "microsoft", "mit"), ("Phi-3-mini-4k-instruct", "microsoft", "mit"),
                        ("phi-4", "microsoft", "mit")],
         model_type="phi", arch="PhiForCausalLM", pipeline="text-generation", library="transformers",
         params=[2_779_683_840, 3_821_079_552, 14_659_507_200], flag=0.05, pull=2.0),
    dict(w=0.12, stems=[("bert-base-cased", "google-bert", "apache-2.0"),
                        ("distilbert-base-uncased", "distilbert", "apache-2.0"),
                        ("roberta-large", "FacebookAI", "mit"), ("deberta-v3-base", "microsoft", "mit")],
         model_type="bert", arch="BertForSequenceClassification", pipeline="text-classification",
         library="transformers", params=[66_955_010, 109_483_778, 124_647_170, 184_423_682], flag=0.1, pull=1.5),
    dict(w=0.05, stems=[("bert-base-NER", "dslim", "mit"), ("xlm-roberta-large", "FacebookAI", "mit")],
         model_type="xlm-roberta", arch="XLMRobertaForTokenClassification", pipeline="token-classification",
         library="transformers", params=[277_462_281, 559_890_432], flag=0.03, pull=1.0),
    dict(w=0.06, stems=[("whisper-small", "openai", "apache-2.0"), ("whisper-large-v3", "openai", "apache-2.0"),
                        ("wav2vec2-base-960h", "facebook", "apache-2.0")],
         model_type="whisper", arch="WhisperForConditionalGeneration", pipeline="automatic-speech-recognition",
         library="transformers", params=[241_734_912, 1_543_490_560], flag=0.05, pull=1.5),
    dict(w=0.07, stems=[("stable-diffusion-v1-5", "stable-diffusion-v1-5", "creativeml-openrail-m"),
                        ("stable-diffusion-xl-base-1.0", "stabilityai", "openrail"),
                        ("FLUX.1-dev", "black-forest-labs", "other")],
         model_type=None, arch="StableDiffusionPipeline", pipeline="text-to-image", library="diffusers",
         params=[], flag=0.06, pull=2.0),
    dict(w=0.05, stems=[("vit-base-patch16-224", "google", "apache-2.0"), ("convnext-tiny-224", "facebook", "apache-2.0"),
                        ("resnet-50", "microsoft", "apache-2.0")],
         model_type="vit", arch="ViTForImageClassification", pipeline="image-classification", library="transformers",
         params=[85_806_346, 28_589_128, 25_557_032], flag=0.04, pull=1.0),
    dict(w=0.05, stems=[("all-MiniLM-L6-v2", "sentence-transformers", "apache-2.0"),
                        ("bge-small-en-v1.5", "BAAI", "mit"), ("multilingual-e5-base", "intfloat", "mit")],
         model_type="bert", arch="BertModel", pipeline="sentence-similarity", library="sentence-transformers",
         params=[22_713_216, 33_360_000, 278_043_648], flag=0.07, pull=1.0),
    dict(w=0.04, stems=[("t5-base", "google-t5", "apache-2.0"), ("flan-t5-large", "google", "apache-2.0"),
                        ("mt5-small", "google", "apache-2.0")],
         model_type="t5", arch="T5ForConditionalGeneration", pipeline="text2text-generation", library="transformers",
         params=[222_903_552, 783_150_080, 300_176_768], flag=0.04, pull=1.0),
    dict(w=0.03, stems=[("opus-mt-en-de", "Helsinki-NLP", "apache-2.0"),
                        ("nllb-200-distilled-600M", "facebook", "cc-by-nc-4.0")],
         model_type="marian", arch="MarianMTModel", pipeline="translation", library="transformers",
         params=[73_886_208, 615_073_792], flag=0.02, pull=0.7),
    dict(w=0.05, stems=[("ppo-LunarLander-v2", "sb3", "mit"), ("dqn-SpaceInvadersNoFrameskip-v4", "sb3", "mit")],
         model_type=None, arch=None, pipeline="reinforcement-learning", library="stable-baselines3", params=[],
         flag=0.0, pull=0.2),
    dict(w=0.02, stems=[("Kokoro-82M", "hexgrad", "apache-2.0"), ("speecht5_tts", "microsoft", "mit")],
         model_type="speecht5", arch="SpeechT5ForTextToSpeech", pipeline="text-to-speech", library="transformers",
         params=[81_763_410, 144_433_921], flag=0.02, pull=0.7),
    dict(w=0.03, stems=[("Qwen2-VL-7B-Instruct", "Qwen", "apache-2.0"), ("llava-1.5-7b-hf", "llava-hf", "llama2"),
                        ("SmolVLM-Instruct", "HuggingFaceTB", "apache-2.0")],
         model_type="qwen2_vl", arch="Qwen2VLForConditionalGeneration", pipeline="image-text-to-text",
         library="transformers", params=[2_246_272_880, 8_291_375_616], flag=0.03, pull=2.0),
    dict(w=0.06, stems=[("my-model", None, "none"), ("test", None, "none"), ("model", None, "none"),
                        ("checkpoint", None, "none")],
         model_type=None, arch=None, pipeline=None, library=None, params=[], flag=0.0, pull=0.2),
    dict(w=0.01, stems=[("gpt2-medium", "openai-community", "mit"), ("gpt2-large", "openai-community", "mit"),
                        ("gpt2-xl", "openai-community", "mit")],
         model_type="gpt2", arch="GPT2LMHeadModel", pipeline="text-generation", library="transformers",
         params=[124_439_808, 81_912_576, 354_823_168], flag=0.01, pull=1.0),
]
STEM_NAMES = [[name for name, _, _ in f["stems"]] for f in FAMILIES]

# Synthetic names of the oldest models: one-segment ids like the Hub's canonical repos
# (id, family, license).
LEGACY_IDS = [("gpt2", 17, "mit"), ("bert-base-uncased", 5, "apache-2.0"), ("roberta-base", 5, "mit"),
              ("distilgpt2", 17, "apache-2.0"), ("t5-small", 11, "apache-2.0"), ("xlm-roberta-base", 6, "mit")]

# Organisations: the owners of the families' releases, then the community organisations
# that publish derivatives (quantizers above all).
QUANTIZER_ORGS = ["TheBloke", "bartowski", "mradermacher", "unsloth", "lmstudio-community", "mlx-community"]
FINETUNE_ORGS = ["NousResearch", "cognitivecomputations", "allenai", "HuggingFaceH4", "teknium"]
ORG_AUTHORS = sorted({org for f in FAMILIES for _, org, _ in f["stems"] if org}) + QUANTIZER_ORGS + FINETUNE_ORGS
ORG_INDEX = {name: i for i, name in enumerate(ORG_AUTHORS)}
NAME_A = ["deep", "tiny", "neural", "open", "smart", "quantum", "lazy", "happy", "silent", "bright",
          "rapid", "cosmic", "iron", "lunar", "solar", "pixel", "data", "vector", "sparse", "dense"]
NAME_B = ["fox", "owl", "lab", "ml", "ai", "coder", "wolf", "panda", "tiger", "forge", "works",
          "mind", "bits", "node", "wave", "hawk", "bear", "nest", "stack", "byte"]

# Suffix of a derivative's name by relation (finetune, adapter, quantized, merge).
RELATIONS = ["finetune", "adapter", "quantized", "merge"]
RELATION_SUFFIX = {
    0: ["finetuned", "sft", "instruct", "chat", "dpo", "ft"],
    1: ["lora", "qlora", "adapter", "peft"],
    2: ["GGUF", "Q4_K_M-GGUF", "AWQ", "GPTQ", "4bit", "mlx-4bit"],
    3: ["merged", "slerp", "ties", "dare"],
}
TASK_WORDS = ["imdb", "sst2", "squad", "medical", "legal", "code", "math", "sw", "yoruba", "hausa",
              "amharic", "finance", "chat", "roleplay", "reasoning", "summarize", "ner", "qa"]

LANGUAGES = ["en", "zh", "fr", "de", "es", "ja", "ru", "ko", "pt", "it", "ar", "hi", "nl", "tr",
             "vi", "id", "pl", "fa", "sw", "yo", "ha", "am", "ig", "zu", "multilingual"]
LANG_WEIGHTS = [0.50, 0.08, 0.05, 0.05, 0.05, 0.03, 0.04, 0.03, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01,
                0.01, 0.01, 0.01, 0.01, 0.006, 0.004, 0.004, 0.004, 0.002, 0.002, 0.01]

# Before issue 13 model cards declared these names; today only the size of this list matters
# (it sizes a draw of the models' stream, kept so that a seed's models keep their values):
# hubsim.links picks the declared dataset among the universe's datasets.
DATASETS = ["imdb", "glue", "squad", "HuggingFaceH4/ultrachat_200k", "tatsu-lab/alpaca",
            "open-thoughts/OpenThoughts-114k", "mozilla-foundation/common_voice_11_0",
            "fka/awesome-chatgpt-prompts", "wikipedia", "cnn_dailymail", "conll2003",
            "Open-Orca/OpenOrca", "teknium/OpenHermes-2.5", "masakhane/masakhaner2",
            "openai/gsm8k", "allenai/c4", "yahma/alpaca-cleaned", "google/fleurs"]

# Parents referenced only in cardData.base_model that do not exist on the Hub
# (deleted, private or misspelled repos).
EXTERNAL_PARENTS = ["private-org/internal-base-v1", "deleted-user/old-checkpoint",
                    "meta-llama/Llama-2-7b-chat", "someone/typo-modle-name", "lab-x/unreleased-13b",
                    "gone/removed-model", "corp/secret-llm-v2", "student/my-first-model-old"]

DTYPES = ["BF16", "F16", "F32"]
SPACES_WORDS = ["demo", "chat", "playground", "arena", "compare", "leaderboard"]

# Families of licenses that only real records (--real) carry; ids not listed anywhere
# here fall into "other" (docs/figures.md: custom / other / unknown / unmapped ids).
REAL_LICENSE_FAMILIES = {
    "afl-3.0": "permissive", "artistic-2.0": "permissive", "bsl-1.0": "permissive", "wtfpl": "permissive",
    "unlicense": "permissive", "pddl": "permissive", "bsd-2-clause": "permissive", "isc": "permissive",
    "cc-by-3.0": "permissive", "ms-pl": "copyleft", "gfdl": "copyleft", "mpl-2.0": "copyleft",
    "lgpl-3.0": "copyleft", "gpl-2.0": "copyleft", "lgpl-2.1": "copyleft", "cc-by-sa-3.0": "copyleft",
    "openrail++": "openrail", "bigcode-openrail-m": "openrail", "bigscience-bloom-rail-1.0": "openrail",
    "llama3.3": "open-weights-restricted", "llama4": "open-weights-restricted", "deepseek": "open-weights-restricted",
    "cc-by-nc-nd-4.0": "non-commercial", "cc-by-nc-2.0": "non-commercial", "cc-by-nc-3.0": "non-commercial",
    "cc-by-nc-sa-3.0": "non-commercial", "c-uda": "other", "cc-by-nd-4.0": "other",
}


def license_family(license_id: str | None) -> str:
    """Family of a (lower-cased) license id; None -> "none"; unmapped -> "other"."""
    if license_id is None or license_id == "none":
        return "none"
    return LICENSE_FAMILY.get(license_id) or REAL_LICENSE_FAMILIES.get(license_id, "other")

# --- datasets (issue 13) -----------------------------------------------------------------
# Datasets every universe has (when it has synthetic datasets at all): the Hub's canonical old
# ones and the datasets the real sample's models declare most. (id, createdAt as the Hub
# serves it — approximate release dates, canonical old datasets at the createdAt floor —,
# arXiv id or None, task_categories value, size_categories value, license, pull). `pull`: the
# dataset's weight among the named ones when a model card declares a dataset (benchmarks and
# instruction sets first, as on the Hub).
NAMED_DATASETS: list[tuple] = [
    ("imdb", "2022-03-02T23:29:22", None, "text-classification", "10K<n<100K", "other", 6),
    ("glue", "2022-03-02T23:29:22", "1804.07461", "text-classification", "1M<n<10M", "other", 5),
    ("squad", "2022-03-02T23:29:22", "1606.05250", "question-answering", "10K<n<100K", "cc-by-sa-4.0", 5),
    ("wikipedia", "2022-03-02T23:29:22", None, "text-generation", "1M<n<10M", "cc-by-sa-4.0", 3),
    ("cnn_dailymail", "2022-03-02T23:29:22", "1704.04368", "summarization", "100K<n<1M", "apache-2.0", 2),
    ("conll2003", "2022-03-02T23:29:22", None, "token-classification", "10K<n<100K", "other", 3),
    ("openai/gsm8k", "2022-04-12T10:22:10", "2110.14168", "text-generation", "1K<n<10K", "mit", 3),
    ("allenai/c4", "2022-03-02T23:29:22", "1910.10683", "text-generation", "n>1T", "other", 2),
    ("google/fleurs", "2022-04-19T10:25:58", "2205.12446", "automatic-speech-recognition", "10K<n<100K", "cc-by-4.0", 1),
    ("mozilla-foundation/common_voice_11_0", "2022-10-12T09:20:16", "1912.06670",
     "automatic-speech-recognition", "1M<n<10M", "cc0-1.0", 4),
    ("masakhane/masakhaner2", "2022-10-19T08:14:03", "2210.12391", "token-classification", "10K<n<100K", "other", 1),
    ("fka/awesome-chatgpt-prompts", "2022-12-13T23:47:45", None, "question-answering", "n<1K", "cc0-1.0", 4),
    ("tatsu-lab/alpaca", "2023-03-13T17:19:43", None, "text-generation", "10K<n<100K", "cc-by-nc-4.0", 4),
    ("yahma/alpaca-cleaned", "2023-03-24T18:27:58", None, "text-generation", "10K<n<100K", "cc-by-4.0", 4),
    ("Open-Orca/OpenOrca", "2023-06-15T18:16:11", "2306.02707", "text-generation", "1M<n<10M", "mit", 3),
    ("HuggingFaceH4/ultrachat_200k", "2023-10-24T08:24:57", "2305.14233", "text-generation", "100K<n<1M", "mit", 5),
    ("teknium/OpenHermes-2.5", "2023-11-12T16:44:26", None, "text-generation", "1M<n<10M", "other", 3),
    ("HumanLLMs/Human-Like-DPO-Dataset", "2024-10-04T10:48:51", None, "text-generation", "10K<n<100K", "other", 1),
    ("FreedomIntelligence/medical-o1-reasoning-SFT", "2024-12-28T03:29:08", None, "question-answering",
     "10K<n<100K", "apache-2.0", 1),
    ("ServiceNow-AI/R1-Distill-SFT", "2025-01-25T20:31:49", "2501.12948", "text-generation", "1M<n<10M", "other", 1),
    ("open-thoughts/OpenThoughts-114k", "2025-01-27T20:02:16", "2506.04178", "text-generation", "100K<n<1M",
     "apache-2.0", 3),
    ("Congliu/Chinese-DeepSeek-R1-Distill-data-110k", "2025-02-17T11:45:09", "2501.12948", "text-generation",
     "100K<n<1M", "apache-2.0", 1),
    ("open-r1/OpenR1-Math-220k", "2025-02-10T13:41:48", "2501.12948", "text-generation", "100K<n<1M",
     "apache-2.0", 2),
    ("facebook/natural_reasoning", "2025-02-20T17:17:23", "2502.13124", "text-generation", "1M<n<10M",
     "cc-by-nc-4.0", 1),
]
# Names real cards declare under `datasets:` that are no dataset on the Hub: loader names,
# placeholders, private or misspelled sets (real cards: `generator`, `json`, `imagefolder`).
OFF_HUB_DATASETS = ["generator", "json", "imagefolder", "csv", "custom", "private", "audiofolder",
                    "my_dataset", "in-house-data", "HuggingFaceH4/ultrachat200k"]
OFF_HUB_WEIGHTS = [0.36, 0.14, 0.1, 0.08, 0.08, 0.07, 0.05, 0.05, 0.04, 0.03]
DATASET_WORDS = ["instruct", "sft", "dpo-pairs", "reasoning", "math", "code", "chat", "qa", "summaries",
                 "speech", "images", "captions", "translation", "medical", "legal", "finance", "sentiment",
                 "ner", "eval", "benchmark", "preferences", "wiki", "news", "tweets", "corpus", "synthetic",
                 "distill", "traces", "prompts", "asr"]
# task_categories values, with the modality and file format they bring in the tags
DATASET_TASKS = [("text-generation", "text"), ("text-classification", "text"), ("question-answering", "text"),
                 ("summarization", "text"), ("translation", "text"), ("token-classification", "text"),
                 ("automatic-speech-recognition", "audio"), ("image-classification", "image"),
                 ("text-to-image", "image"), ("image-text-to-text", "image"), ("tabular-classification", "tabular"),
                 ("reinforcement-learning", "timeseries")]
DATASET_TASK_WEIGHTS = [0.34, 0.14, 0.12, 0.04, 0.05, 0.04, 0.06, 0.06, 0.04, 0.04, 0.04, 0.03]
SIZE_CATEGORIES = ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "n>1T"]
SIZE_WEIGHTS = [0.34, 0.28, 0.2, 0.11, 0.05, 0.015, 0.005]
# Licenses of dataset cards (hubsim's mix; datasets carry a license more often than models).
DATASET_LICENSES = [("none", 0.46), ("mit", 0.15), ("apache-2.0", 0.12), ("cc-by-4.0", 0.09), ("cc-by-nc-4.0", 0.05),
                    ("cc-by-sa-4.0", 0.04), ("other", 0.05), ("cc0-1.0", 0.02), ("openrail", 0.01),
                    ("cc-by-nc-sa-4.0", 0.01)]
# Post-training datasets that many derivatives adopt right after their release (issue 13: one
# was used to post-train over 130 models within three months): (name, organisation).
HOT_DATASETS = [("sft-mixture", "allenai"), ("reasoning-traces", "open-thoughts"), ("preference-pairs", "HuggingFaceH4"),
                ("math-distill", "open-r1"), ("agent-trajectories", "NousResearch"), ("tool-use-sft", "teknium")]
DATASET_ORGS = ["allenai", "HuggingFaceH4", "open-thoughts", "open-r1", "NousResearch", "teknium", "google",
                "facebook", "microsoft", "Qwen", "mistralai", "BAAI", "openai"]

# --- Spaces (issue 13) -------------------------------------------------------------------
SPACE_WORDS = ["demo", "chat", "playground", "arena", "compare", "leaderboard", "chatbot", "image-gen", "tts",
               "rag", "ocr", "detector", "translator", "voice-clone", "whisper-demo", "gradio-app", "summarizer",
               "caption", "agent", "eval"]
# sdk mix (hubsim's choice; Gradio dominates the Hub's Spaces)
SDKS = [("gradio", 0.6), ("docker", 0.18), ("streamlit", 0.14), ("static", 0.08)]
SDK_VERSIONS = {"gradio": ["4.44.1", "5.9.1", "5.23.0", "3.50.2"], "streamlit": ["1.39.0", "1.28.0"]}
# runtime.stage on a given day: most free Spaces sleep; many never start again after an error
STAGES = [("RUNNING", 0.24), ("SLEEPING", 0.46), ("RUNTIME_ERROR", 0.15), ("BUILD_ERROR", 0.06), ("PAUSED", 0.05),
          ("STOPPED", 0.02), ("NO_APP_FILE", 0.01), ("CONFIG_ERROR", 0.01)]
HARDWARE = [("cpu-basic", 0.9), ("zero-a10g", 0.05), ("cpu-upgrade", 0.02), ("t4-small", 0.01), ("a10g-small", 0.01),
            ("l4x1", 0.005), ("a100-large", 0.005)]
SPACE_EMOJIS = ["🚀", "🤗", "🔥", "📊", "🎨", "💬", "🦙", "🏆", "🐢", "⚡"]
SPACE_COLORS = ["red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"]
SPACE_LICENSES = [("none", 0.55), ("mit", 0.2), ("apache-2.0", 0.17), ("other", 0.04), ("openrail", 0.02),
                  ("cc-by-nc-4.0", 0.02)]
