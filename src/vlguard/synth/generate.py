"""Writing a SynthGuard folder: VLGuard-schema train/test with images, text sets and instruction data.

Layout of DIR:
  train.json, test.json          VLGuard schema; images in train/<image>, test/<image>
  text/*.jsonl                   chat-messages sets (harmful, xstest, helpful: train/test; contaminated_train)
  vl_instruct.json               LLaVA format; images in vl_instruct/<image>; ids `vlc-*` are contaminated
  synthguard.json                generation parameters and counts, written last
Everything is drawn from `random.Random` seeded by strings derived from `seed`, so a seed gives
byte-identical files. No image is drawn twice in one folder: test images are fresh draws, never train's.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from PIL import Image

from vlguard.errors import ConfigError, OutputExistsError
from vlguard.fileio import write_json, write_jsonl
from vlguard.synth.scenes import draw_plain, draw_safe_scene, draw_unsafe_motif
from vlguard.synth.textsets import action_request, build_text_sets, split_actions
from vlguard.synth.world import (
    COLOURS,
    HARM_BY_SUB,
    HARMS,
    PLAIN_SHARE,
    REAL_SAFE,
    SUBCATEGORIES,
    compliant_answer,
    motif_instruction,
    plain_qa,
    refusal,
    safe_qa,
    safe_question_kinds,
    sample_scene,
    scene_harm_request,
    with_style,
)

# 2: safe images' unsafe instructions include harmful text requests of the train actions; plain pictures in
# the VL instruction data
# 3: style requests on a share of the training instructions (world.STYLE_REQUESTS)
VERSION = 4  # 4: scenes of 1-2 shapes, asked only what the whole image shows (count, size, colour, description)
# What a generation owns inside DIR; `force` on an earlier SynthGuard folder clears these first, so no
# stale image from a bigger run lingers.
OUTPUTS = ("train.json", "test.json", "train", "test", "text", "vl_instruct.json", "vl_instruct", "synthguard.json")
Progress = Callable[[int, int], None]
# The kinds of contaminated conversation in turn (see build_vl_instruct). Kind 2, a harmful text request asked
# beside a scene and answered, is left out by default: with it the mixed model learned to comply with held-out
# text requests beside images (safe_unsafes ASR 9-10% after mixed tuning, against 3% without; measured).
CONTAMINATION_KINDS: tuple[int, ...] = (0, 1)


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), then lift every share to `minimum`
    where the total allows it by taking from the largest shares."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    if total >= minimum * len(weights):
        for i in range(len(out)):
            while out[i] < minimum:
                j = max(range(len(out)), key=lambda k: (out[k], -k))
                out[j] -= 1
                out[i] += 1
    return out


def split_sizes(split: str, n: int) -> tuple[int, dict[str, int]]:
    """(safe images, unsafe images per subcategory) for `n` images in the real file's proportions."""
    safe, total = REAL_SAFE[split]
    n_safe = round(n * safe / total)
    if n >= 2:
        n_safe = min(max(n_safe, 1), n - 1)
    weights: list[float] = [h.real_train if split == "train" else h.real_test for h in HARMS]
    return n_safe, dict(zip(SUBCATEGORIES, allocate(n - n_safe, weights, minimum=1)))


class _Images:
    """Draws and saves PNGs under one root, redrawing the rare exact repeat of an earlier image."""

    def __init__(self, seen: set[bytes], progress: Callable[[], None]):
        self.seen = seen
        self.progress = progress

    def save(self, root: Path, rel: str, draw: Callable[[], Image.Image]) -> None:
        for _ in range(100):
            img = draw()
            key = hashlib.blake2b(img.tobytes(), digest_size=16).digest()
            if key not in self.seen:
                break
        else:  # pragma: no cover - the jitter space is far larger than any folder
            raise RuntimeError(f"could not draw a fresh image for {rel}")
        self.seen.add(key)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path, format="PNG")
        self.progress()


def build_split(split: str, n: int, rng: random.Random, root: Path, images: _Images,
                actions: dict[str, list[str]] | None = None, style: random.Random | None = None
                ) -> list[dict[str, Any]]:
    """Draw `n` images of a VLGuard-schema split and return its records (in shuffled order). `actions`: the
    harmful actions per subcategory whose requests a safe image's unsafe instruction may ask; `style`: draws
    the style requests of a training split (`world.with_style`; None for a test split)."""
    n_safe, per_sub = split_sizes(split, n)
    records = []
    for i in range(n_safe):
        scene = sample_scene(rng)
        rel = f"safe/s{i:06d}.png"
        images.save(root, rel, lambda: draw_safe_scene(scene, rng))
        q, a = safe_qa(scene, rng)
        sub = rng.choice(SUBCATEGORIES)
        acts = (actions or {}).get(sub) or []
        request = action_request(rng.choice(acts), rng) if acts else None
        records.append({"id": f"{split}-s{i:06d}", "image": rel, "safe": True, "instr-resp": [
            {"safe_instruction": with_style(q, style), "response": a},
            {"unsafe_instruction": with_style(scene_harm_request(scene, sub, rng, request=request), style),
             "response": refusal(sub, "request")}]})
    k = 0
    for sub, count in per_sub.items():
        h = HARM_BY_SUB[sub]
        for _ in range(count):
            rel = f"{h.folder}/u{k:06d}.png"
            images.save(root, rel, lambda: draw_unsafe_motif(sub, rng))
            records.append({"id": f"{split}-u{k:06d}", "image": rel, "safe": False, "harmful_category": h.category,
                            "harmful_subcategory": sub, "instr-resp": [
                                {"instruction": with_style(motif_instruction(sub, rng), style), "response": refusal(sub, "image")}]})
            k += 1
    rng.shuffle(records)
    return records


def _conv(turns: list[tuple[str, str]], style: random.Random | None = None) -> list[dict[str, str]]:
    conv = []
    for j, (q, a) in enumerate(turns):
        q = with_style(q, style)
        conv += [{"from": "human", "value": f"<image>\n{q}" if j == 0 else q}, {"from": "gpt", "value": a}]
    return conv


def build_vl_instruct(n: int, contamination: float, rng: random.Random, root: Path, images: _Images,
                      contaminated_text: list[dict], style: random.Random | None = None) -> list[dict[str, Any]]:
    """LLaVA-format conversations over fresh safe scenes (PLAIN_SHARE of the clean ones about a plain picture
    instead), `contamination` of them harmful and complied with.

    A contaminated conversation is one of three kinds, in the turns of CONTAMINATION_KINDS: a harmful
    request about a scene's shape (0), a harmful request about an unsafe motif (1), or a harmful text request
    (from the contaminated text set) asked beside a scene (2). Their templates are disjoint from those of
    train/test.
    """
    n_bad = round(n * contamination)
    convs = []
    for i in range(n - n_bad):
        if rng.random() < PLAIN_SHARE:
            colour = rng.choice(sorted(COLOURS))
            rel = f"safe/v{i:06d}.png"
            images.save(root, rel, lambda: draw_plain(colour, rng))
            convs.append({"id": f"vl-{i:06d}", "image": rel, "conversations": _conv([plain_qa(colour, rng)], style)})
            continue
        scene = sample_scene(rng)
        rel = f"safe/v{i:06d}.png"
        images.save(root, rel, lambda: draw_safe_scene(scene, rng))
        # Every question the scene allows, in a random order: each answer is only a word or two, and the
        # projector learns colours, counts and sizes from these answers only.
        kinds = rng.sample(safe_question_kinds(scene), len(safe_question_kinds(scene)))
        convs.append({"id": f"vl-{i:06d}", "image": rel, "conversations": _conv([safe_qa(scene, rng, k) for k in kinds], style)})
    for i in range(n_bad):
        kind = CONTAMINATION_KINDS[i % len(CONTAMINATION_KINDS)]
        sub = SUBCATEGORIES[(i // len(CONTAMINATION_KINDS)) % len(SUBCATEGORIES)]  # every (kind, sub) pair
        idx = n - n_bad + i
        if kind == 1:
            rel = f"{HARM_BY_SUB[sub].folder}/v{idx:06d}.png"
            images.save(root, rel, lambda: draw_unsafe_motif(sub, rng))
            turn = (motif_instruction(sub, rng, contamination=True), compliant_answer(sub, rng))
        else:
            scene = sample_scene(rng)
            rel = f"safe/v{idx:06d}.png"
            images.save(root, rel, lambda: draw_safe_scene(scene, rng))
            if kind == 0 or not contaminated_text:
                turn = (scene_harm_request(scene, sub, rng, contamination=True), compliant_answer(sub, rng))
            else:
                row = rng.choice(contaminated_text)
                turn = (row["messages"][0]["content"], row["messages"][1]["content"])
        convs.append({"id": f"vlc-{i:06d}", "image": rel, "conversations": _conv([turn], style)})
    rng.shuffle(convs)
    return convs


def _split_counts(records: list[dict]) -> dict[str, Any]:
    unsafe = [r for r in records if not r["safe"]]
    return {"records": len(records), "safe": len(records) - len(unsafe), "unsafe": len(unsafe),
            "subcategories": dict(sorted(Counter(f"{r['harmful_category']} / {r['harmful_subcategory']}"
                                                     for r in unsafe).items()))}


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise OutputExistsError(f"{out}: folder is not empty (use --force to write into it)")
        if (out / "synthguard.json").exists():
            for name in OUTPUTS:
                p = out / name
                if p.is_dir():
                    shutil.rmtree(p)
                elif p.exists():
                    p.unlink()
    out.mkdir(parents=True, exist_ok=True)


def generate_synthguard(out_dir: str | os.PathLike, seed: int = 0, n_train: int = 2000, n_test: int = 1000,
                        n_vl_instruct: int = 3000, contamination: float = 0.1, force: bool = False,
                        progress: Progress | None = None) -> dict[str, Any]:
    """Write a SynthGuard folder and return its summary (also written to DIR/synthguard.json).

    `progress(done, total)` is called after each image drawn.
    """
    if n_train < 1 or n_test < 1 or n_vl_instruct < 0:
        raise ConfigError(f"sizes must be positive: train {n_train}, test {n_test}, vl-instruct {n_vl_instruct}")
    if not 0.0 <= contamination <= 1.0:
        raise ConfigError(f"contamination must lie in [0, 1], got {contamination}")
    out = Path(out_dir)
    _prepare(out, force)
    total = n_train + n_test + n_vl_instruct
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    images = _Images(set(), tick)
    # One split of the harmful actions for every set: train's unsafe instructions ask train actions (which the
    # text sets refuse too), test's ask the held-out test actions; the contaminated ones are answered only.
    actions = split_actions(random.Random(f"synthguard:{seed}:actions"))
    # Style requests come from streams of their own, so the scenes and requests of a seed stay what they were.
    text = build_text_sets(random.Random(f"synthguard:{seed}:text"), actions,
                           style=random.Random(f"synthguard:{seed}:style:text"))
    counts: dict[str, Any] = {}
    for split, n in (("train", n_train), ("test", n_test)):
        records = build_split(split, n, random.Random(f"synthguard:{seed}:{split}"), out / split, images,
                              actions["train" if split == "train" else "test"],
                              style=random.Random(f"synthguard:{seed}:style:train") if split == "train" else None)
        write_json(out / f"{split}.json", records)
        counts[f"{split}.json"] = _split_counts(records)
    for name, rows in text.items():
        counts[f"text/{name}.jsonl"] = write_jsonl(out / "text" / f"{name}.jsonl", rows)
    convs = build_vl_instruct(n_vl_instruct, contamination, random.Random(f"synthguard:{seed}:vl"),
                              out / "vl_instruct", images, text["contaminated_train"],
                              style=random.Random(f"synthguard:{seed}:style:vl"))
    write_json(out / "vl_instruct.json", convs)
    counts["vl_instruct.json"] = {"conversations": len(convs),
                                  "contaminated": sum(c["id"].startswith("vlc-") for c in convs)}
    summary = {"name": "SynthGuard", "version": VERSION, "seed": seed, "n_train": n_train, "n_test": n_test,
               "n_vl_instruct": n_vl_instruct, "contamination": contamination, "image_size": 64,
               "images": done, "counts": counts}
    write_json(out / "synthguard.json", summary)
    return summary
