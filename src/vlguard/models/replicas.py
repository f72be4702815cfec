"""Tiny-width replicas of the checkpoints the shipped 7B configs train: `vlguard model tiny --like NAME`.

A replica keeps what decides how data reaches the model, as the published checkpoint has it, and shrinks
only the width and depth: the image processor (resolution, patching, resizing, normalisation), the number
of image tokens, the chat template (verbatim), the special tokens and the architecture class. So a run on
a replica meets the real sequence lengths, masks and merges on a CPU. The facts, from each checkpoint's
public config, preprocessor config and chat template:

- `llava-1.5` (llava-hf/llava-1.5-7b-hf): CLIP ViT-L/14 at 336 px (resize the shortest edge to 336,
  centre-crop 336x336, bicubic, OpenAI CLIP mean/std), patch 14, so 24x24 = 576 image tokens after the
  CLS token is dropped (`vision_feature_select_strategy: default`); features from the penultimate layer
  (`vision_feature_layer: -2`); a 2-layer GELU projector; Vicuna/LLaMA text model; the template
  `USER: <image>\\n{prompt} ASSISTANT:` (llava-hf's chat_template, which closes a reply with a space and no
  `</s>`).
- `qwen2-vl` (Qwen/Qwen2-VL-7B-Instruct): dynamic resolution, each side a multiple of 28 (patch 14, merged
  2x2) within min_pixels 3136 and max_pixels 12845056 (4 to 16384 image tokens), temporal patch 2, OpenAI
  CLIP mean/std, bicubic; M-RoPE (sections 16/24/24 of a 128-dim head, scaled here to the replica's head);
  its ChatML template with the default system prompt and `<|vision_start|><|image_pad|><|vision_end|>`.

Not replicated: the weights and the tokenizer's vocabulary (a tiny byte-level BPE trained locally carries the
same special tokens). Heads are 32 wide, the narrowest vLLM's CPU attention accepts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from vlguard.errors import ConfigError
from vlguard.models.tiny import LLAVA_SPECIAL_TOKENS, check_output_dir, save_model_dir, seeded_init, train_bpe

LIKE = ("llava-1.5", "qwen2-vl")
SOURCES = {"llava-1.5": "llava-hf/llava-1.5-7b-hf", "qwen2-vl": "Qwen/Qwen2-VL-7B-Instruct"}

OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
BICUBIC = 3

# llava-hf/llava-1.5-7b-hf's chat_template, verbatim
LLAVA15_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}"
    "{% endif %}{# Render all images first #}{% for content in message['content'] | selectattr('type', "
    "'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}{# Render all text next #}{% if message['role'] != "
    "'assistant' %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{{ content['text'] + ' '}}{% endfor %}{% else %}{% for content in message['content'] | selectattr('type', "
    "'equalto', 'text') %}{% generation %}{{ content['text'] + ' '}}{% endgeneration %}{% endfor %}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)
LLAVA15_IMAGE_SIZE, LLAVA15_PATCH = 336, 14
LLAVA15_TEXT: dict[str, Any] = {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4, "num_attention_heads": 4,
                "num_key_value_heads": 4}  # Vicuna-7B: 4096 / 11008 / 32 / 32 / 32
LLAVA15_VISION: dict[str, Any] = {"hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 3, "num_attention_heads": 2,
                  "projection_dim": 64}  # ViT-L/14: 1024 / 4096 / 24 / 16

# Qwen/Qwen2-VL-7B-Instruct's chat_template, verbatim
QWEN2VL_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in "
    "messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful "
    "assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] "
    "== 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value "
    "+ 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|>"
    "<|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = "
    "video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|>"
    "<|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}"
    "<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
QWEN2VL_PATCH, QWEN2VL_MERGE, QWEN2VL_TEMPORAL = 14, 2, 2
QWEN2VL_MIN_PIXELS, QWEN2VL_MAX_PIXELS = 3136, 12845056
QWEN2VL_TEXT = {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4, "num_attention_heads": 4,
                "num_key_value_heads": 2}  # 3584 / 18944 / 28 / 28 / 4
QWEN2VL_MROPE = [4, 6, 6]  # 16/24/24 of a 128-dim head, scaled to 32
QWEN2VL_VISION = {"embed_dim": 64, "depth": 2, "num_heads": 2, "mlp_ratio": 4}  # 1280 / 32 / 16 / 4


def _llava15_parts(corpus: Iterable[str] | None):
    from transformers import LlavaProcessor, PreTrainedTokenizerFast
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    tok = PreTrainedTokenizerFast(
        tokenizer_object=train_bpe(corpus, LLAVA_SPECIAL_TOKENS), unk_token="<unk>", bos_token="<s>",
        eos_token="</s>", pad_token="<pad>", extra_special_tokens={"image_token": "<image>"},
        padding_side="left", model_max_length=4096, clean_up_tokenization_spaces=False)
    tok.chat_template = LLAVA15_TEMPLATE
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": LLAVA15_IMAGE_SIZE}, crop_size={"height": LLAVA15_IMAGE_SIZE,
                                                               "width": LLAVA15_IMAGE_SIZE},
        do_center_crop=True, resample=BICUBIC, image_mean=OPENAI_CLIP_MEAN, image_std=OPENAI_CLIP_STD,
        do_convert_rgb=True)
    processor = LlavaProcessor(image_processor=image_processor, tokenizer=tok, patch_size=LLAVA15_PATCH,
                               vision_feature_select_strategy="default", num_additional_image_tokens=1,
                               chat_template=LLAVA15_TEMPLATE)
    return tok, processor


def make_llava15_replica(seed: int = 0, corpus: Iterable[str] | None = None):
    """A tiny `LlavaForConditionalGeneration` shaped like llava-1.5-7b-hf, with its processor; in memory."""
    from transformers import CLIPVisionConfig, GenerationConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    tok, processor = _llava15_parts(corpus)
    ids = {k: tok.convert_tokens_to_ids(t) for k, t in
           {"bos": "<s>", "eos": "</s>", "pad": "<pad>", "image": "<image>"}.items()}
    text = LlamaConfig(vocab_size=len(tok), max_position_embeddings=4096, rms_norm_eps=1e-5,
                       tie_word_embeddings=False, bos_token_id=ids["bos"], eos_token_id=ids["eos"],
                       pad_token_id=ids["pad"], **LLAVA15_TEXT)
    vision = CLIPVisionConfig(image_size=LLAVA15_IMAGE_SIZE, patch_size=LLAVA15_PATCH, num_channels=3,
                              hidden_act="quick_gelu", **LLAVA15_VISION)
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_id=ids["image"],  # type: ignore[call-arg]  # image_token_id, pad_token_id: config kwargs the stubs do not list
                         projector_hidden_act="gelu", vision_feature_layer=-2,
                         vision_feature_select_strategy="default",
                         image_seq_length=(LLAVA15_IMAGE_SIZE // LLAVA15_PATCH) ** 2,
                         tie_word_embeddings=False, pad_token_id=ids["pad"])
    with seeded_init(seed):
        model = LlavaForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(bos_token_id=ids["bos"], eos_token_id=ids["eos"],
                                               pad_token_id=ids["pad"], do_sample=False)
    return model, processor


def _qwen2vl_parts(corpus: Iterable[str] | None):
    from transformers import PreTrainedTokenizerFast
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from vlguard.models.tiny_qwen2vl import QWEN_SPECIAL_TOKENS, ImageOnlyQwen2VLProcessor

    tok = PreTrainedTokenizerFast(
        tokenizer_object=train_bpe(corpus, QWEN_SPECIAL_TOKENS, turn_format="user\n{}\nassistant\n{}\n"),
        eos_token="<|im_end|>", pad_token="<|endoftext|>",
        extra_special_tokens={"image_token": "<|image_pad|>", "video_token": "<|video_pad|>",
                              "vision_bos_token": "<|vision_start|>", "vision_eos_token": "<|vision_end|>"},
        padding_side="left", model_max_length=32768, clean_up_tokenization_spaces=False)
    tok.chat_template = QWEN2VL_TEMPLATE
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=QWEN2VL_MIN_PIXELS, max_pixels=QWEN2VL_MAX_PIXELS, patch_size=QWEN2VL_PATCH,
        merge_size=QWEN2VL_MERGE, temporal_patch_size=QWEN2VL_TEMPORAL, image_mean=OPENAI_CLIP_MEAN,
        image_std=OPENAI_CLIP_STD, resample=BICUBIC)
    processor = ImageOnlyQwen2VLProcessor(image_processor=image_processor, tokenizer=tok,
                                          chat_template=QWEN2VL_TEMPLATE)
    return tok, processor


def make_qwen2vl_replica(seed: int = 0, corpus: Iterable[str] | None = None):
    """A tiny `Qwen2VLForConditionalGeneration` shaped like Qwen2-VL-7B-Instruct, with its processor."""
    from transformers import GenerationConfig, Qwen2VLConfig, Qwen2VLForConditionalGeneration

    tok, processor = _qwen2vl_parts(corpus)
    names = {"eos": "<|im_end|>", "pad": "<|endoftext|>", "image": "<|image_pad|>", "video": "<|video_pad|>",
             "vision_start": "<|vision_start|>", "vision_end": "<|vision_end|>"}
    ids = {k: tok.convert_tokens_to_ids(t) for k, t in names.items()}
    text = {"vocab_size": len(tok), "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
            "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": QWEN2VL_MROPE},
            "bos_token_id": ids["pad"], "eos_token_id": ids["eos"], "pad_token_id": ids["pad"],
            "tie_word_embeddings": False, **QWEN2VL_TEXT}
    vision = {"hidden_size": QWEN2VL_TEXT["hidden_size"], "in_channels": 3, "patch_size": QWEN2VL_PATCH,
              "spatial_merge_size": QWEN2VL_MERGE, "temporal_patch_size": QWEN2VL_TEMPORAL, **QWEN2VL_VISION}
    config = Qwen2VLConfig(text_config=text, vision_config=vision, image_token_id=ids["image"],
                           video_token_id=ids["video"], vision_start_token_id=ids["vision_start"],
                           vision_end_token_id=ids["vision_end"], tie_word_embeddings=False)
    with seeded_init(seed):
        model = Qwen2VLForConditionalGeneration(config).eval()
    # the checkpoint stops at <|im_end|> or <|endoftext|>; greedy here, for reproducible comparisons
    model.generation_config = GenerationConfig(eos_token_id=[ids["eos"], ids["pad"]], pad_token_id=ids["pad"],
                                               do_sample=False)
    return model, processor


MAKERS = {"llava-1.5": make_llava15_replica, "qwen2-vl": make_qwen2vl_replica}


def build_replica(like: str, out_dir: str | os.PathLike, seed: int = 0, corpus: Iterable[str] | None = None,
                  force: bool = False) -> Path:
    """Build and save the tiny replica `like` (llava-1.5 | qwen2-vl) in `out_dir`; returns the folder."""
    if like not in MAKERS:
        raise ConfigError(f"unknown --like {like!r} (choose from {', '.join(LIKE)})")
    check_output_dir(out_dir, force)
    model, processor = MAKERS[like](seed, corpus)
    info: dict[str, Any] = {
        "arch": "llava" if like == "llava-1.5" else "qwen2vl", "like": like, "replica_of": SOURCES[like],
        "size": None, "seed": seed, "params": sum(p.numel() for p in model.parameters()),
        "vocab_size": len(processor.tokenizer), "model_class": type(model).__name__,
        "processor": type(processor).__name__,
        "image_tokens": (model.config.image_seq_length if like == "llava-1.5"
                         else "dynamic, one per 28x28 pixels: 4 to 16384"),
    }
    return save_model_dir(out_dir, force, model, processor, info)
