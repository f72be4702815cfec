"""Tiny LLaVA models built offline from config: a real `LlavaForConditionalGeneration` small enough to train
on a laptop CPU in seconds, with a locally trained byte-level BPE tokenizer and a Vicuna-style chat template.

Every stage of the project (training, evaluation) runs end to end on these models in tests, so the code paths
are the ones a real `llava-hf/llava-1.5-7b-hf` goes through.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from vlguard.errors import ConfigError, OutputExistsError
from vlguard.models.layout import save_for_peers

IMAGE_SIZE = 64
PATCH_SIZE = 8
VOCAB_SIZE = 1536  # target for BPE training; the model's vocabulary is whatever the tokenizer ends up with
MARKER_FILE = "vlguard_tiny.json"

LLAVA_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "<pad>", "<image>")

# Text model and vision tower shapes; about 0.7M / 2M / 7M parameters in total with a ~1.5k vocabulary.
TINY_SIZES: dict[str, dict[str, dict[str, int]]] = {
    "xs": {
        "text": {"hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 5,
                 "num_attention_heads": 4, "num_key_value_heads": 2},
        "vision": {"hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 3,
                   "num_attention_heads": 4},
    },
    "s": {
        "text": {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 6,
                 "num_attention_heads": 4, "num_key_value_heads": 2},
        "vision": {"hidden_size": 96, "intermediate_size": 384, "num_hidden_layers": 3,
                   "num_attention_heads": 4},
    },
    "m": {
        "text": {"hidden_size": 256, "intermediate_size": 768, "num_hidden_layers": 6,
                 "num_attention_heads": 8, "num_key_value_heads": 4},
        "vision": {"hidden_size": 192, "intermediate_size": 768, "num_hidden_layers": 3,
                   "num_attention_heads": 6},
    },
}

# General English, so that text outside the synthetic world (benchmark prompts, refusals) gets sensible merges.
GENERAL_ENGLISH = (
    "The quick brown fox jumps over the lazy dog.",
    "I'm sorry, but I can't help with that request.",
    "I cannot assist with this because it could cause harm to people.",
    "Sure! Here is a short description of the image.",
    "The image shows a person standing next to a car on a busy street.",
    "What is shown in this picture? Please describe it in detail.",
    "Can you tell me how to make a cake for a birthday party?",
    "Write a short poem about the ocean and the sky.",
    "There are two people sitting at a table in a small kitchen.",
    "This is not appropriate, and I will not provide instructions for it.",
    "How many animals can you see in the photo?",
    "The weather today is sunny with a light breeze from the west.",
    "Please explain the main idea of the following paragraph.",
    "It is important to follow the law and to respect the safety of others.",
    "A group of children are playing football in the park after school.",
    "The building in the background is an old church with a tall tower.",
    "As an AI assistant, I must decline to answer this question.",
    "Here are some tips for staying healthy: drink water, sleep well and exercise.",
    "The text in the image says that the shop opens at nine in the morning.",
    "Which colour is the largest object in the scene?",
    "He said that they would arrive on Monday, but they were late.",
    "You should contact a doctor or a licensed professional for advice.",
    "Step 1: gather the materials. Step 2: read the instructions carefully.",
    "The chart shows that sales increased by 25% between 2019 and 2023.",
    "Is it safe to share personal information such as a home address online?",
    "She bought three apples, two oranges and a loaf of bread at the market.",
    "Describe the emotions of the people in this photograph.",
    "The answer is yes, because the two numbers have the same sum.",
    "Violence, weapons, drugs and self-harm are topics that require care.",
    "Thank you for your question. Let me think about it step by step.",
    "The cat is sleeping on a red blanket near the window.",
    "Translate the following sentence into French: where is the station?",
    "In summary, the article argues that education improves public health.",
    "What would happen if everyone stopped using plastic bags?",
    "A man in a blue shirt is riding a bicycle along the river.",
    "I don't know the answer, but I can suggest where to look for it.",
    "The meeting was scheduled for 3:30 pm on Friday, October 12th.",
    "Hello! How can I help you today?",
    "Generate a list of five ideas for a science fair project.",
    "The sign warns drivers to slow down because of the school nearby.",
)


def _chat_template() -> str:
    # Vicuna v1 / LLaVA-1.5 layout: "<s>SYSTEM USER: <image>\nQ ASSISTANT: A</s>USER: ...".
    # Literal text is always emitted through {{ '...' }} so that `{%-` never eats a space (see the HF notes).
    # The generation block holds the space after "ASSISTANT:", the answer and the end-of-turn </s>: exactly
    # the tokens a model generates after the generation prompt, so assistant masks cover those and nothing else.
    parts = (
        "{{- bos_token -}}",
        "{%- for message in messages -%}",
        "{%- if message['content'] is string -%}",
        "{%- set parts = [{'type': 'text', 'text': message['content']}] -%}",
        "{%- else -%}{%- set parts = message['content'] -%}{%- endif -%}",
        "{%- if message['role'] == 'system' -%}",
        "{%- for part in parts if part['type'] == 'text' -%}{{ part['text'] }}{%- endfor -%}{{ ' ' }}",
        "{%- elif message['role'] == 'user' -%}",
        "{{ 'USER: ' }}",
        "{%- for part in parts -%}",
        "{%- if part['type'] == 'image' -%}{{ '<image>\\n' }}",
        "{%- elif part['type'] == 'text' -%}{{ part['text'] }}{%- endif -%}",
        "{%- endfor -%}{{ ' ' }}",
        "{%- elif message['role'] == 'assistant' -%}",
        "{{ 'ASSISTANT:' }}",
        "{% generation %}{{ ' ' }}",
        "{%- for part in parts if part['type'] == 'text' -%}{{ part['text'] }}{%- endfor -%}",
        "{{ eos_token }}{% endgeneration %}",
        "{%- endif -%}",
        "{%- endfor -%}",
        "{%- if add_generation_prompt -%}{{ 'ASSISTANT:' }}{%- endif -%}",
    )
    return "".join(parts)


CHAT_TEMPLATE = _chat_template()


def default_corpus() -> list[str]:
    """The synthetic world's texts, `vlguard.synth.corpus()` (the tokenizer adds a little general English)."""
    from vlguard.synth import corpus

    return list(corpus())


def train_bpe(
    corpus: Iterable[str] | None,
    special_tokens: tuple[str, ...],
    turn_format: str = "USER: {} ASSISTANT: {}",
    vocab_size: int = VOCAB_SIZE,
):
    """Train a byte-level BPE `tokenizers.Tokenizer` (any text encodes without unknowns) on corpus + general English.

    Special tokens take ids 0..n-1 in the order given. Texts are also paired into dialogues with `turn_format`
    so that the chat template's role markers get merges of their own. Deterministic for a given corpus.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    texts = [t for t in (default_corpus() if corpus is None else corpus) if t] + list(GENERAL_ENGLISH)
    texts += [turn_format.format(a, b) for a, b in zip(texts[0::2], texts[1::2])]
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def build_tokenizer(corpus: Iterable[str] | None = None):
    """The tiny LLaVA tokenizer: byte-level BPE with `<unk> <s> </s> <pad> <image>`, left padding, chat template.

    It adds no BOS by itself; the chat template starts with `<s>`, so a rendered prompt tokenizes the same
    whether or not special tokens are added.
    """
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(
        tokenizer_object=train_bpe(corpus, LLAVA_SPECIAL_TOKENS),
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        extra_special_tokens={"image_token": "<image>"},
        padding_side="left",
        model_max_length=2048,
        clean_up_tokenization_spaces=False,
    )
    tok.chat_template = CHAT_TEMPLATE
    return tok


def llava_config(size: str, vocab_size: int, token_ids: dict[str, int], patch_size: int = PATCH_SIZE):
    """The `LlavaConfig` of a tiny size for a vocabulary of `vocab_size` tokens and (IMAGE_SIZE / patch_size)^2
    image tokens."""
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig

    if size not in TINY_SIZES:
        raise ConfigError(f"unknown tiny size {size!r} (choose from {', '.join(TINY_SIZES)})")
    shape: dict[str, dict[str, Any]] = TINY_SIZES[size]
    text = LlamaConfig(
        vocab_size=vocab_size,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        bos_token_id=token_ids["bos"],
        eos_token_id=token_ids["eos"],
        pad_token_id=token_ids["pad"],
        **shape["text"],
    )
    vision = CLIPVisionConfig(image_size=IMAGE_SIZE, patch_size=patch_size, num_channels=3, **shape["vision"])
    return LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_id=token_ids["image"],
        projector_hidden_act="gelu",
        # A tiny tower has no layer to spare: LLaVA-1.5 reads the penultimate layer, we read the last.
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
        image_seq_length=(IMAGE_SIZE // patch_size) ** 2,
        tie_word_embeddings=False,
        pad_token_id=token_ids["pad"],  # type: ignore[call-arg]  # taken by PretrainedConfig's **kwargs
    )


def count_parameters(config) -> int:
    """Parameters of a model built from `config`, counted on the meta device (no memory, no time)."""
    import torch
    from transformers import AutoModelForImageTextToText

    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(config)
    return sum(p.numel() for p in model.parameters())


def build_processor(tokenizer, patch_size: int = PATCH_SIZE):
    """`LlavaProcessor` for 64x64 images (resized whole, no crop) and (64 / patch_size)^2 `<image>` tokens per
    image (64 with the default patch of 8 px)."""
    from transformers import LlavaProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    image_processor = CLIPImageProcessorPil(
        size={"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        do_center_crop=False,
    )
    return LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=patch_size,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's CLS token, dropped again by the "default" strategy
        chat_template=CHAT_TEMPLATE,
    )


def _token_ids(tokenizer, names: dict[str, str]) -> dict[str, int]:
    ids = {k: tokenizer.convert_tokens_to_ids(t) for k, t in names.items()}
    missing = [names[k] for k, v in ids.items() if v is None or (v == tokenizer.unk_token_id and names[k] != "<unk>")]
    if missing:
        raise ValueError(f"tokenizer lacks special tokens {missing}")
    return ids


def check_output_dir(out_dir: str | os.PathLike, force: bool) -> Path:
    """Refuse an existing non-empty `out_dir` unless `force`, and even then unless a tiny model built it.

    So a mistyped `-o .` never deletes a user's files.
    """
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise OutputExistsError(f"{out}: exists and is not a folder")
        if any(out.iterdir()):
            if not force:
                raise OutputExistsError(f"{out}: already exists (use --force to overwrite)")
            if not (out / MARKER_FILE).is_file():
                raise OutputExistsError(f"{out}: not a tiny-model folder (no {MARKER_FILE}); refusing to replace it")
    return out


def save_model_dir(out_dir: str | os.PathLike, force: bool, model: Any, processor: Any, info: dict) -> Path:
    """Save model, processor and the `vlguard_tiny.json` marker in a fresh folder beside `out_dir`, then move
    it into place, so an interrupted build never leaves half a model."""
    from transformers.utils import logging as hf_logging

    out = check_output_dir(out_dir, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the model folder should be an ordinary one
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # "Writing model shards" bars for a 2 MB file are noise
    try:
        save_for_peers(model, tmp)  # the llava-hf layout, so vLLM loads it too
        processor.save_pretrained(tmp)
        (tmp / MARKER_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    return out


def check_patch_size(patch_size: int) -> None:
    if patch_size < 1 or IMAGE_SIZE % patch_size:
        raise ConfigError(f"patch size must divide the image size {IMAGE_SIZE}, got {patch_size}")


def make_tiny_llava(size: str = "s", seed: int = 0, corpus: Iterable[str] | None = None,
                    patch_size: int = PATCH_SIZE):
    """A tiny `LlavaForConditionalGeneration` and its `LlavaProcessor`, in memory; deterministic per seed.

    `patch_size` sets the vision tower's patch and so the image tokens: 8 px gives 64, 16 px gives 16."""
    from transformers import GenerationConfig, LlavaForConditionalGeneration

    if size not in TINY_SIZES:
        raise ConfigError(f"unknown tiny size {size!r} (choose from {', '.join(TINY_SIZES)})")
    check_patch_size(patch_size)
    tokenizer = build_tokenizer(corpus)
    processor = build_processor(tokenizer, patch_size)
    ids = _token_ids(tokenizer, {"bos": "<s>", "eos": "</s>", "pad": "<pad>", "image": "<image>"})
    config = llava_config(size, len(tokenizer), ids, patch_size)
    with seeded_init(seed):
        model = LlavaForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=ids["bos"], eos_token_id=ids["eos"], pad_token_id=ids["pad"], do_sample=False
    )
    return model, processor


def build_tiny_llava(
    out_dir: str | os.PathLike,
    size: str = "s",
    seed: int = 0,
    corpus: Iterable[str] | None = None,
    force: bool = False,
    patch_size: int = PATCH_SIZE,
) -> Path:
    """Build and save a tiny LLaVA + processor in `out_dir` (see `make_tiny_llava`); returns the folder.

    The folder loads offline with `AutoModelForImageTextToText` / `AutoProcessor` and carries `vlguard_tiny.json`.
    """
    check_output_dir(out_dir, force)
    model, processor = make_tiny_llava(size, seed, corpus, patch_size)
    info = {
        "arch": "llava", "size": size, "seed": seed, "params": sum(p.numel() for p in model.parameters()),
        "vocab_size": len(processor.tokenizer), "image_size": IMAGE_SIZE,
        "image_tokens": model.config.image_seq_length,
        "processor": "LlavaProcessor", "model_class": "LlavaForConditionalGeneration",
    }
    return save_model_dir(out_dir, force, model, processor, info)


@contextlib.contextmanager
def seeded_init(seed: int) -> Iterator[None]:
    """Seed torch for weight initialisation inside the block, leaving the caller's RNG state untouched."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def read_marker(path: str | os.PathLike) -> dict | None:
    """The `vlguard_tiny.json` of a tiny-model folder, or None for any other path."""
    p = Path(path) / MARKER_FILE
    if not p.is_file():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
