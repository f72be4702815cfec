"""Tiny LLaVA: offline build, round trip, determinism, tokenizer, chat template and assistant masks, learning."""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image
from transformers.utils import logging as hf_logging

from vlguard.cli import main
from vlguard.errors import ConfigError, OutputExistsError
from vlguard.models.tiny import (
    CHAT_TEMPLATE,
    MARKER_FILE,
    TINY_SIZES,
    build_tiny_llava,
    build_tokenizer,
    count_parameters,
    llava_config,
    make_tiny_llava,
)

torch.set_num_threads(2)
hf_logging.disable_progress_bar()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An xs model in memory and the same model saved to a folder."""
    model, processor = make_tiny_llava("xs", seed=0)
    path = build_tiny_llava(tmp_path_factory.mktemp("llava") / "xs", size="xs", seed=0)
    return model, processor, path


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer()


def _image(colour=(200, 30, 30), size=(64, 64)) -> Image.Image:
    return Image.new("RGB", size, colour)


def _spans(ids: list[int], mask: list[int]) -> list[list[int]]:
    """Runs of consecutive masked token ids."""
    spans, cur = [], []
    for i, m in zip(ids, mask):
        if m:
            cur.append(i)
        elif cur:
            spans.append(cur)
            cur = []
    return spans + ([cur] if cur else [])


# --- round trip and shapes -------------------------------------------------------------------------------

def test_round_trip_gives_identical_logits_and_processor(built):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    model, processor, path = built
    loaded = AutoModelForImageTextToText.from_pretrained(path).eval()
    loaded_proc = AutoProcessor.from_pretrained(path)
    assert type(loaded).__name__ == "LlavaForConditionalGeneration"
    assert type(loaded_proc).__name__ == "LlavaProcessor"

    msgs = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What colour is the shape?"}]}]
    prompt = processor.apply_chat_template(msgs, add_generation_prompt=True)
    assert loaded_proc.apply_chat_template(msgs, add_generation_prompt=True) == prompt
    inputs = processor(images=[_image(size=(90, 50))], text=[prompt], return_tensors="pt")
    inputs2 = loaded_proc(images=[_image(size=(90, 50))], text=[prompt], return_tensors="pt")
    assert torch.equal(inputs["input_ids"], inputs2["input_ids"])
    assert torch.equal(inputs["pixel_values"], inputs2["pixel_values"])
    assert inputs["pixel_values"].shape == (1, 3, 64, 64)  # resized whole, no crop
    with torch.no_grad():
        a = model(**inputs).logits
        b = loaded(**inputs2).logits
    assert a.shape[-1] == len(processor.tokenizer)
    assert torch.equal(a, b)

    assert loaded_proc.tokenizer.padding_side == "left"
    assert loaded_proc.tokenizer.pad_token == "<pad>"
    assert loaded_proc.tokenizer.image_token == "<image>"


def test_image_becomes_64_tokens_matching_the_vision_tower(built):
    model, processor, _ = built
    assert processor.num_additional_image_tokens == 1
    assert processor.vision_feature_select_strategy == model.config.vision_feature_select_strategy == "default"
    prompt = processor.apply_chat_template(
        [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Hi"}]}], add_generation_prompt=True
    )
    inputs = processor(images=[_image()], text=[prompt], return_tensors="pt")
    n_image = int((inputs["input_ids"] == model.config.image_token_id).sum())
    assert n_image == model.config.image_seq_length == 64
    with torch.no_grad():
        feats = model.get_image_features(pixel_values=inputs["pixel_values"])
    feats = feats.pooler_output if hasattr(feats, "pooler_output") else feats
    first = feats[0] if isinstance(feats, (list, tuple)) else feats
    assert first.reshape(-1, model.config.text_config.hidden_size).shape[0] == n_image


def test_marker_file_describes_the_folder(built):
    model, _, path = built
    info = json.loads((path / MARKER_FILE).read_text())
    assert info["arch"] == "llava" and info["size"] == "xs" and info["seed"] == 0
    assert info["params"] == sum(p.numel() for p in model.parameters())
    assert info["image_tokens"] == 64


@pytest.mark.parametrize("size,low,high", [("xs", 0.5e6, 0.9e6), ("s", 1.5e6, 2.5e6), ("m", 5.5e6, 8.5e6)])
def test_parameter_counts_per_size(tok, size, low, high):
    ids = {"bos": 1, "eos": 2, "pad": 3, "image": 4}
    n = count_parameters(llava_config(size, len(tok), ids))
    assert low <= n <= high, n


def test_sizes_grow(tok):
    ids = {"bos": 1, "eos": 2, "pad": 3, "image": 4}
    counts = [count_parameters(llava_config(s, len(tok), ids)) for s in ("xs", "s", "m")]
    assert counts == sorted(counts) and len(set(counts)) == 3


def test_unknown_size_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="xl"):
        build_tiny_llava(tmp_path / "m", size="xl")
    assert set(TINY_SIZES) == {"xs", "s", "m"}


# --- determinism ------------------------------------------------------------------------------------------

def test_same_seed_same_files_other_seed_other_weights(built, tmp_path):
    _, _, path = built
    again = build_tiny_llava(tmp_path / "again", size="xs", seed=0)
    for name in ("model.safetensors", "tokenizer.json", "tokenizer_config.json", "config.json",
                 "processor_config.json", "chat_template.jinja"):
        assert (path / name).read_bytes() == (again / name).read_bytes(), name

    other, _ = make_tiny_llava("xs", seed=1)
    base, _ = make_tiny_llava("xs", seed=0)
    a, b = base.state_dict(), other.state_dict()
    assert a.keys() == b.keys()
    assert not torch.equal(a["lm_head.weight"], b["lm_head.weight"])


def test_build_does_not_disturb_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    make_tiny_llava("xs", seed=5)
    assert torch.equal(torch.rand(3), expected)


def test_existing_folder_needs_force_and_force_only_replaces_tiny_folders(built, tmp_path):
    _, _, path = built
    with pytest.raises(OutputExistsError, match="--force"):
        build_tiny_llava(path, size="xs")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match="refusing"):
        build_tiny_llava(foreign, size="xs", force=True)
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = build_tiny_llava(tmp_path / "t", size="xs", seed=3)
    assert build_tiny_llava(out, size="xs", seed=4, force=True) == out
    assert json.loads((out / MARKER_FILE).read_text())["seed"] == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left behind


# --- tokenizer --------------------------------------------------------------------------------------------

def test_tokenizer_is_byte_level_with_the_special_tokens(tok):
    assert 1000 <= len(tok) <= 2100
    assert [tok.convert_ids_to_tokens(i) for i in range(5)] == ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    assert (tok.bos_token, tok.eos_token, tok.pad_token, tok.unk_token) == ("<s>", "</s>", "<pad>", "<unk>")
    assert tok.padding_side == "left"
    for text in ["naïve café — 😀 中文\ttabs\n\nnewlines", "Ω≈ç√∫ zalgo: Z̤͔ͧ̑", "C:\\path\\to\\file.exe; rm -rf /"]:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert tok.unk_token_id not in ids
        assert tok.decode(ids) == text


def test_tokenizer_learned_world_and_english_words(tok):
    # Trained merges, not bytes: common words and the role markers are single tokens.
    for word in [" the", " image", " shape", " sorry", " cannot", "USER", " ASSISTANT"]:
        assert len(tok(word, add_special_tokens=False)["input_ids"]) == 1, word


def test_tokenizer_adds_no_bos_by_itself_but_the_template_does(tok):
    assert tok("hello")["input_ids"][0] != tok.bos_token_id
    rendered = tok.apply_chat_template([{"role": "user", "content": "hello"}], tokenize=False)
    assert rendered.startswith("<s>")
    assert tok(rendered)["input_ids"].count(tok.bos_token_id) == 1


def test_tokenizer_depends_only_on_corpus():
    a = build_tokenizer(["red blue green"] * 10)
    b = build_tokenizer(["red blue green"] * 10)
    c = build_tokenizer(["zebra yak quokka"] * 10)
    assert a.backend_tokenizer.to_str() == b.backend_tokenizer.to_str()
    assert a.backend_tokenizer.to_str() != c.backend_tokenizer.to_str()


# --- chat template ----------------------------------------------------------------------------------------

def test_template_single_turn_with_image(tok):
    msgs = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is this?"}]}]
    assert tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True) == (
        "<s>USER: <image>\nWhat is this? ASSISTANT:"
    )
    assert tok.apply_chat_template(msgs, tokenize=False) == "<s>USER: <image>\nWhat is this? "


def test_template_multi_turn_with_system_and_string_content(tok):
    msgs = [
        {"role": "system", "content": "Be careful."},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe it."}]},
        {"role": "assistant", "content": "A red square."},
        {"role": "user", "content": "And the colour?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Red."}]},
    ]
    assert tok.apply_chat_template(msgs, tokenize=False) == (
        "<s>Be careful. USER: <image>\nDescribe it. ASSISTANT: A red square.</s>"
        "USER: And the colour? ASSISTANT: Red.</s>"
    )
    assert tok.apply_chat_template(msgs[:4], tokenize=False, add_generation_prompt=True).endswith(
        "</s>USER: And the colour? ASSISTANT:"
    )


def test_template_text_and_image_parts_keep_their_order(tok):
    msgs = [{"role": "user", "content": [{"type": "text", "text": "Look: "}, {"type": "image"}]}]
    assert tok.apply_chat_template(msgs, tokenize=False) == "<s>USER: Look: <image>\n "


def test_generation_prompt_plus_answer_equals_full_conversation(tok):
    # What a model generates after the prompt is exactly the masked part of the full conversation.
    user = [{"role": "user", "content": "Name a colour."}]
    prompt = tok.apply_chat_template(user, tokenize=True, add_generation_prompt=True, return_dict=True)["input_ids"]
    full = tok.apply_chat_template(user + [{"role": "assistant", "content": "Blue, the colour of the sky."}],
                                   tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    assert full["input_ids"][: len(prompt)] == prompt
    assert full["assistant_masks"] == [0] * len(prompt) + [1] * (len(full["input_ids"]) - len(prompt))


def test_assistant_mask_token_by_token(tok):
    answers = ["A red square on a table.", "I'm sorry, but I cannot help with that.", "Yes"]
    msgs = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is shown?"}]},
        {"role": "assistant", "content": answers[0]},
        {"role": "user", "content": "How do I make a weapon?"},
        {"role": "assistant", "content": [{"type": "text", "text": answers[1]}]},
        {"role": "user", "content": "Is it red?"},
        {"role": "assistant", "content": answers[2]},
    ]
    out = tok.apply_chat_template(msgs, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    ids, mask = out["input_ids"], out["assistant_masks"]
    spans = _spans(ids, mask)
    assert [tok.decode(s) for s in spans] == [f" {a}</s>" for a in answers]
    # each span is exactly the tokenization of the answer text plus </s>
    for s, a in zip(spans, answers):
        assert s == tok(f" {a}", add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    unmasked = tok.decode([i for i, m in zip(ids, mask) if not m])
    assert not any(a in unmasked for a in answers) and "</s>" not in unmasked


def test_processor_assistant_mask_survives_image_expansion(built):
    _, processor, _ = built
    msgs = [
        {"role": "user", "content": [{"type": "image", "image": _image()}, {"type": "text", "text": "Colour?"}]},
        {"role": "assistant", "content": "It is red."},
    ]
    out = processor.apply_chat_template(msgs, tokenize=True, return_dict=True, return_assistant_tokens_mask=True,
                                        return_tensors="pt")
    ids, mask = out["input_ids"][0].tolist(), out["assistant_masks"][0].tolist()
    assert ids.count(processor.image_token_id) == 64
    assert [processor.tokenizer.decode(s) for s in _spans(ids, mask)] == [" It is red.</s>"]
    assert out["pixel_values"].shape == (1, 3, 64, 64)


def test_template_constant_is_the_saved_one(built):
    _, processor, path = built
    assert processor.chat_template == processor.tokenizer.chat_template == CHAT_TEMPLATE
    assert (path / "chat_template.jinja").read_text() == CHAT_TEMPLATE


# --- it learns --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_tiny_llava_overfits_a_few_examples():
    model, processor = make_tiny_llava("xs", seed=0)
    examples = [((220, 20, 20), "I'm sorry, I cannot help with that."),
                ((20, 20, 220), "A blue square on a white table."),
                ((20, 200, 20), "The shape is green and round.")]
    texts, images = [], []
    for colour, answer in examples:
        msgs = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe the image."}]},
                {"role": "assistant", "content": answer}]
        texts.append(processor.apply_chat_template(msgs))
        images.append(_image(colour))
    batch = processor(images=images, text=texts, return_tensors="pt", padding=True)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    labels = labels.masked_fill(labels == model.config.image_token_id, -100)
    torch.manual_seed(0)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(40):
        loss = model(**batch, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.25 * losses[0], (losses[0], losses[-1])


# --- CLI --------------------------------------------------------------------------------------------------

def test_cli_builds_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "tiny"
    assert main(["model", "tiny", "-o", str(out), "--size", "xs"]) == 0
    info = json.loads((out / MARKER_FILE).read_text())
    assert (info["arch"], info["size"], info["seed"]) == ("llava", "xs", 0)
    assert f"{info['params'] / 1e6:.2f}M parameters" in capsys.readouterr().out
    assert main(["model", "tiny", "-o", str(out), "--size", "xs"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["model", "tiny", "-o", str(out), "--size", "xs", "--seed", "2", "--force"]) == 0
    assert json.loads((out / MARKER_FILE).read_text())["seed"] == 2


def test_cli_rejects_bad_options(tmp_path, capsys):
    assert main(["model", "tiny", "-o", str(tmp_path / "a"), "--arch", "gpt"]) == 1
    assert "gpt" in capsys.readouterr().err
    assert main(["model", "tiny", "-o", str(tmp_path / "b"), "--size", "huge"]) == 1
    assert main(["model", "tiny", "-o", str(tmp_path / "c"), "--arch", "qwen2vl", "--size", "xs"]) == 1
    assert not any(tmp_path.iterdir())
