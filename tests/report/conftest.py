"""Crafted eval runs for the report tests: real score rows and metrics, made without any model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from PIL import Image

from vlguard.eval.records import GenerationRecord
from vlguard.eval.results import RunMetrics, write_metrics
from vlguard.eval.run import task_metrics
from vlguard.eval.tasks import get_task
from vlguard.judges import Verdict

SUBCATS = {"violence": "risky behavior", "disinformation": "deception", "personal data": "privacy"}


def _write_run(run_dir: Path, samples: list[dict[str, Any]], judge: str = "keywords", model: str = "m") -> Path:
    """An eval run on disk from sample dicts: task, id, refused (the judge's verdict), and optionally
    prompt, output, reference, category, subcategory, should_refuse, image, image_root, error."""
    gens, scores = [], []
    by_task: dict[str, list[dict[str, Any]]] = {}
    for s in samples:
        task = get_task(s["task"])
        should_refuse = s.get("should_refuse", task.kind == "safety" and task.primary == "attack_success")
        rec = {"id": s["id"], "task": s["task"], "prompt": s.get("prompt", f"prompt {s['id']}"),
               "output": s.get("output", "I'm sorry, I can't." if s.get("refused") else "Sure, here it is."),
               "error": s.get("error"), "refused_by_api": False, "image": s.get("image"),
               "image_root": s.get("image_root"), "reference": s.get("reference"),
               "labels": {"category": s.get("category"), "subcategory": s.get("subcategory"),
                          "should_refuse": should_refuse if task.kind == "safety" else None},
               "model": model, "backend": "hf"}
        gens.append(rec)
        row = task.scorer.score(GenerationRecord.from_dict(rec), Verdict(refused=s.get("refused")))
        scores.append(row)
        by_task.setdefault(task.name, []).append(row)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(f"model: {model}\njudge: {judge}\n")
    (run_dir / "generations.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gens))
    (run_dir / "scores").mkdir(exist_ok=True)
    (run_dir / "scores" / f"{judge}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in scores))
    write_metrics(run_dir, RunMetrics({judge: {t: task_metrics(get_task(t), rows) for t, rows in sorted(by_task.items())}}))
    return run_dir


def _unsafes(task: str, n: int, n_refused: int, image_root: str | None = None) -> list[dict[str, Any]]:
    subs = list(SUBCATS)
    return [{"task": task, "id": f"u{i}", "refused": i < n_refused, "subcategory": subs[i % len(subs)],
             "category": SUBCATS[subs[i % len(subs)]], "image": f"img{i % 3}.png" if image_root else None,
             "image_root": image_root} for i in range(n)]


@pytest.fixture
def write_run() -> Callable[..., Path]:
    return _write_run


@pytest.fixture
def image_root(tmp_path: Path) -> Path:
    root = tmp_path / "images"
    root.mkdir()
    for i, color in enumerate(["red", "green", "blue"]):
        Image.new("RGB", (300, 200), color).save(root / f"img{i}.png")
    return root


@pytest.fixture
def model_runs(tmp_path: Path, image_root: Path) -> dict[str, Path]:
    """Three runs like the paper's rows: a text-only LLM, a vanilla VLLM, and a safety-tuned one."""
    root = str(image_root)
    vanilla = (_unsafes("vlguard_unsafes", 30, 3, root) + _unsafes("vlguard_safe_unsafes", 20, 2, root)
               + _unsafes("synth_harmful", 20, 10)
               + [{"task": "synth_xstest", "id": f"x{i}", "refused": i < 2} for i in range(20)]
               + [{"task": "synth_helpful", "id": f"h{i}", "reference": "cat", "output": "cat" if i < 12 else "dog",
                   "image": "img0.png", "image_root": root} for i in range(20)])
    tuned = (_unsafes("vlguard_unsafes", 30, 28, root) + _unsafes("vlguard_safe_unsafes", 20, 19, root)
             + _unsafes("synth_harmful", 20, 20)
             + [{"task": "synth_xstest", "id": f"x{i}", "refused": i < 5} for i in range(20)]
             + [{"task": "synth_helpful", "id": f"h{i}", "reference": "cat", "output": "cat" if i < 11 else "dog",
                 "image": "img0.png", "image_root": root} for i in range(20)])
    llm = _unsafes("synth_harmful", 20, 15) + [{"task": "synth_xstest", "id": f"x{i}", "refused": False}
                                               for i in range(20)]
    return {"LLM": _write_run(tmp_path / "runs" / "llm", llm),
            "Vanilla": _write_run(tmp_path / "runs" / "vanilla", vanilla),
            "Mixed": _write_run(tmp_path / "runs" / "mixed", tuned)}
