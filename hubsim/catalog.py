"""Fixed vocabularies the synthetic universe draws from (licenses, families, languages...).

Everything here is data, not logic: weights are calibrated in hubsim/README.md.
"""

from __future__ import annotations

# --- licenses -------------------------------------------------------------------------
# (license id, family, weight for a model without a parent). Index 0 is "no license".
# Families follow docs/figures.md; hubsim keeps its own copy on purpose (truth must not
# import analysis/). A test checks it agrees with analysis/license_taxonomy.csv.
LICENSES: list[tuple[str, str, float]] = [
    ("none", "none", 0.40),
    ("apache-2.0", "permissive", 0.19),
    ("mit", "permissive", 0.12),
    ("other", "other", 0.035),
    ("cc-by-nc-4.0", "non-commercial", 0.025),
    ("openrail", "openrail", 0.015),
    ("creativeml-openrail-m", "openrail", 0.02),
    ("llama2", "open-weights-restricted", 0.008),
    ("llama3", "open-weights-restricted", 0.01),
    ("llama3.1", "open-weights-restricted", 0.012),
    ("llama3.2", "open-weights-restricted", 0.006),
    ("gemma", "open-weights-restricted", 0.01),
    ("qwen", "open-weights-restricted", 0.006),
    ("tongyi-qianwen", "open-weights-restricted", 0.002),
    ("gpl-3.0", "copyleft", 0.006),
    ("cc-by-4.0", "permissive", 0.015),
    ("cc-by-sa-4.0", "copyleft", 0.004),
    ("bsd-3-clause", "permissive", 0.004),
    ("afl-3.0", "permissive", 0.004),
    ("cc-by-nc-sa-4.0", "non-commercial", 0.004),
    ("bigscience-openrail-m", "openrail", 0.003),
    ("unknown", "other", 0.004),
    ("agpl-3.0", "copyleft", 0.002),
    ("cc0-1.0", "permissive", 0.002),
]
LICENSE_IDS = [name for name, _, _ in LICENSES]
LICENSE_INDEX = {name: i for i, name in enumerate(LICENSE_IDS)}
LICENSE_FAMILY = {name: fam for name, fam, _ in LICENSES}
RESTRICTED_GATE_LICENSES = ("llama2", "llama3", "llama3.1", "llama3.2", "gemma")
# `other` cards name their license, like the real Hub's custom licenses.
OTHER_LICENSE_NAMES = ["custom-research", "model-license", "deepseek", "falcon-llm-license",
                       "nvidia-open-model-license", "yi-license", "flux-1-dev-non-commercial-license"]

# --- model families --------------------------------------------------------------------
# (weight for a root model, name stems, model_type, architecture, pipeline_tag, library,
#  parameter choices, uses a tokenizer)
FAMILIES: list[dict] = [
    dict(w=0.16, stems=["Llama-3.1-8B", "Llama-2-7b", "Llama-3.2-1B", "Llama-3.3-70B"], model_type="llama",
         arch="LlamaForCausalLM", pipeline="text-generation", library="transformers",
         params=[1_235_814_400, 6_738_415_616, 8_030_261_248, 70_553_706_496], lics=["llama3.1", "llama2", "llama3.2", "llama3"]),
    dict(w=0.12, stems=["Qwen2.5-7B", "Qwen2.5-0.5B", "Qwen3-4B", "Qwen2-VL-2B"], model_type="qwen2",
         arch="Qwen2ForCausalLM", pipeline="text-generation", library="transformers",
         params=[494_032_768, 4_022_468_096, 7_615_616_512], lics=["apache-2.0", "qwen", "tongyi-qianwen"]),
    dict(w=0.06, stems=["Mistral-7B", "Mistral-Nemo-12B", "Mixtral-8x7B"], model_type="mistral",
         arch="MistralForCausalLM", pipeline="text-generation", library="transformers",
         params=[7_241_732_096, 12_247_782_400, 46_702_792_704], lics=["apache-2.0"]),
    dict(w=0.05, stems=["gemma-2-2b", "gemma-2-9b", "gemma-3-4b"], model_type="gemma2",
         arch="Gemma2ForCausalLM", pipeline="text-generation", library="transformers",
         params=[2_614_341_888, 9_241_705_984], lics=["gemma"]),
    dict(w=0.04, stems=["phi-2", "Phi-3-mini", "phi-4"], model_type="phi",
         arch="PhiForCausalLM", pipeline="text-generation", library="transformers",
         params=[2_779_683_840, 3_821_079_552, 14_659_507_200], lics=["mit"]),
    dict(w=0.12, stems=["bert-base-uncased", "distilbert-base", "roberta-base", "deberta-v3-base"],
         model_type="bert", arch="BertForSequenceClassification", pipeline="text-classification",
         library="transformers", params=[66_955_010, 109_483_778, 124_647_170, 184_423_682], lics=["apache-2.0", "mit"]),
    dict(w=0.05, stems=["bert-ner", "xlm-roberta-ner"], model_type="xlm-roberta",
         arch="XLMRobertaForTokenClassification", pipeline="token-classification", library="transformers",
         params=[277_462_281, 559_890_432], lics=["mit", "apache-2.0"]),
    dict(w=0.06, stems=["whisper-small", "whisper-large-v3", "wav2vec2-base"], model_type="whisper",
         arch="WhisperForConditionalGeneration", pipeline="automatic-speech-recognition", library="transformers",
         params=[241_734_912, 1_543_490_560], lics=["apache-2.0", "mit"]),
    dict(w=0.07, stems=["stable-diffusion-v1-5", "sdxl", "FLUX.1-dev"], model_type=None,
         arch="StableDiffusionPipeline", pipeline="text-to-image", library="diffusers",
         params=[], lics=["creativeml-openrail-m", "openrail", "other"]),
    dict(w=0.05, stems=["vit-base-patch16-224", "convnext-tiny", "resnet-50"], model_type="vit",
         arch="ViTForImageClassification", pipeline="image-classification", library="transformers",
         params=[85_806_346, 28_589_128, 25_557_032], lics=["apache-2.0"]),
    dict(w=0.05, stems=["all-MiniLM-L6-v2", "bge-small-en", "multilingual-e5-base"], model_type="bert",
         arch="BertModel", pipeline="sentence-similarity", library="sentence-transformers",
         params=[22_713_216, 33_360_000, 278_043_648], lics=["apache-2.0", "mit"]),
    dict(w=0.04, stems=["t5-base", "flan-t5-large", "mt5-small"], model_type="t5",
         arch="T5ForConditionalGeneration", pipeline="text2text-generation", library="transformers",
         params=[222_903_552, 783_150_080, 300_176_768], lics=["apache-2.0"]),
    dict(w=0.03, stems=["opus-mt-en-de", "nllb-200-distilled"], model_type="marian",
         arch="MarianMTModel", pipeline="translation", library="transformers",
         params=[73_886_208, 615_073_792], lics=["apache-2.0", "cc-by-nc-4.0"]),
    dict(w=0.05, stems=["ppo-LunarLander-v2", "dqn-SpaceInvaders"], model_type=None,
         arch=None, pipeline="reinforcement-learning", library="stable-baselines3", params=[], lics=["mit"]),
    dict(w=0.02, stems=["Kokoro-82M", "speecht5-tts"], model_type="speecht5",
         arch="SpeechT5ForTextToSpeech", pipeline="text-to-speech", library="transformers",
         params=[81_763_410, 144_433_921], lics=["apache-2.0", "mit"]),
    dict(w=0.03, stems=["Qwen2-VL-7B", "llava-1.5-7b", "SmolVLM"], model_type="qwen2_vl",
         arch="Qwen2VLForConditionalGeneration", pipeline="image-text-to-text", library="transformers",
         params=[2_246_272_880, 8_291_375_616], lics=["apache-2.0", "llama2"]),
    dict(w=0.06, stems=["my-model", "test", "model", "checkpoint"], model_type=None, arch=None, pipeline=None,
         library=None, params=[], lics=[]),
    dict(w=0.01, stems=["gpt2", "distilgpt2", "gpt2-medium"], model_type="gpt2", arch="GPT2LMHeadModel",
         pipeline="text-generation", library="transformers", params=[124_439_808, 81_912_576, 354_823_168],
         lics=["mit"]),
]

# Synthetic names of the oldest models: one-segment ids like the Hub's canonical repos.
LEGACY_IDS = [("gpt2", 17), ("bert-base-uncased", 5), ("roberta-base", 5), ("distilgpt2", 17),
              ("t5-small", 11), ("xlm-roberta-base", 6)]

ORG_AUTHORS = ["meta-llama", "google", "Qwen", "mistralai", "microsoft", "stabilityai", "openai",
               "facebook", "sentence-transformers", "TheBloke", "unsloth", "bartowski", "mradermacher",
               "lmstudio-community", "nvidia", "deepseek-ai", "HuggingFaceTB", "allenai", "EleutherAI",
               "bigscience", "Helsinki-NLP", "openai-community", "BAAI", "intfloat", "black-forest-labs",
               "ByteDance", "tiiuae", "CohereForAI", "ibm-granite", "apple"]
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
