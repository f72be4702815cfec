"""An evaluation run on disk: generate what is missing, judge, aggregate.

RUN_DIR/
  config.yaml          what was asked (never an API key)
  generations.jsonl    one record per (task, sample id), appended and flushed per batch
  scores/<judge>.jsonl one score row per record, rewritten whole by each judging
  metrics.json         per judge, per task: rates with 95% intervals, overall and per (sub)category

A killed run resumes with `--resume`: records already in generations.jsonl are kept and only missing
(task, id) pairs are generated, so the result equals an uninterrupted run. Judging reads only
generations.jsonl, so it can be redone with another judge without generating again.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from vlguard.errors import ConfigError, VLGuardError
from vlguard.judges import make_judge
from vlguard.eval.metrics import grouped
from vlguard.eval.tasks.base import METRIC_KEYS, Task, score_sample
from vlguard.eval.tasks import get_task
from vlguard.fileio import JsonlAppender, read_json, read_jsonl_tolerant, write_json, write_jsonl
from vlguard.schema import Sample

GENERATIONS = "generations.jsonl"


@dataclass
class EvalConfig:
    model: str
    tasks: list[str]
    output_dir: str
    backend: str = "hf"
    judge: str = "keywords"
    limit: int | None = None
    batch_size: int = 32
    max_new_tokens: int = 256
    data_root: str = "../shared/data"
    dtype: str = "auto"
    device: str | None = None
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8
    judge_model: str | None = None
    judge_base_url: str | None = None
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def parse_task_spec(spec: str, data_root: str) -> tuple[Task, Path]:
    """`name` (its default file under the data root) or `name=PATH`."""
    name, _, path = spec.partition("=")
    task = get_task(name.strip())
    p = Path(path.strip()) if path.strip() else Path(data_root) / task.default_path
    if not p.exists():
        raise ConfigError(f"task {task.name}: {p}: no such file or folder (pass {task.name}=PATH)")
    return task, p


def generation_record(task: Task, s: Sample, c: Any, cfg: EvalConfig) -> dict[str, Any]:
    return {
        "id": s.id, "task": task.name, "prompt": s.prompt,
        "messages": [{"role": t.role, "content": t.content} for t in s.prompt_messages],
        "image": s.image, "image_root": s.image_root, "output": c.text, "error": c.error,
        "refused_by_api": c.refused_by_api, "seconds": round(c.seconds, 4), "reference": s.reference,
        "labels": asdict(s.labels), "model": cfg.model, "backend": cfg.backend,
    }


def load_generations(run_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Records by (task, id); a later record of the same pair wins (a retried error, say)."""
    return {(r["task"], r["id"]): r for r in read_jsonl_tolerant(run_dir / GENERATIONS)}


def _repair_tail(path: Path) -> None:
    # A kill mid-write leaves one torn last line; cut it off before appending after it.
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def run_eval(cfg: EvalConfig, resume: bool = False, force: bool = False, backend: Any = None,
             log: Callable[[str], None] = print, progress: bool = True) -> dict[str, Any]:
    """Generate for every task (only what is missing when resuming), then judge and write metrics."""
    from tqdm.auto import tqdm

    from vlguard.config import dump_yaml

    plan = [parse_task_spec(t, cfg.data_root) for t in cfg.tasks]
    if not plan:
        raise ConfigError("no tasks given")
    out = Path(cfg.output_dir)
    gen_path = out / GENERATIONS
    if gen_path.exists() and not (resume or force):
        raise ConfigError(f"{out}: already holds generations; pass --resume to continue or --force to start over")
    if force and not resume and gen_path.exists():
        gen_path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(dump_yaml(cfg))
    _repair_tail(gen_path)
    done = load_generations(out) if resume else {}

    todo: list[tuple[Task, list[Sample]]] = []
    failed_tasks: dict[str, str] = {}
    for task, path in plan:
        try:
            samples = task.load(path, limit=cfg.limit)  # a limit spares rendering or reading what is not used
        except VLGuardError as e:  # one unreadable dataset must not sink the others
            failed_tasks[task.name] = str(e)
            log(f"warning: task {task.name} skipped: {e}")
            continue
        pending = [s for s in samples if (task.name, s.id) not in done or done[(task.name, s.id)].get("error")]
        log(f"{task.name}: {len(samples)} samples, {len(samples) - len(pending)} already generated")
        todo.append((task, pending))

    total = sum(len(p) for _, p in todo)
    if total:
        if backend is None:
            backend = _make_backend(cfg)
        bar = tqdm(total=total, desc="generating", unit="sample", disable=not progress)
        t0 = time.perf_counter()
        with JsonlAppender(gen_path) as writer:
            for task, pending in todo:
                if not pending:
                    continue
                if hasattr(backend, "max_new_tokens"):
                    backend.max_new_tokens = task.max_new_tokens or cfg.max_new_tokens

                def on_batch(idx: list[int], comps: list[Any], task=task, pending=pending) -> None:
                    writer.write_many([generation_record(task, pending[i], c, cfg) for i, c in zip(idx, comps)])
                    bar.update(len(idx))

                backend.generate(pending, on_batch=on_batch)
        bar.close()
        log(f"generated {total} samples in {time.perf_counter() - t0:.1f}s")
    summary = judge_run(out, cfg.judge, tasks=[t.name for t, _ in plan], judge_kwargs=_judge_kwargs(cfg), log=log)
    summary["failed_tasks"] = failed_tasks
    return summary


def _make_backend(cfg: EvalConfig) -> Any:
    from vlguard.clients import make_backend

    if cfg.backend == "hf":
        return make_backend("hf", model=cfg.model, batch_size=cfg.batch_size, max_new_tokens=cfg.max_new_tokens,
                            dtype=cfg.dtype, device=cfg.device)
    if cfg.backend == "openai":
        return make_backend("openai", model=cfg.model, base_url=cfg.base_url, api_key_env=cfg.api_key_env,
                            concurrency=cfg.concurrency, max_new_tokens=cfg.max_new_tokens)
    return make_backend(cfg.backend, model=cfg.model, max_new_tokens=cfg.max_new_tokens)


def _judge_kwargs(cfg: EvalConfig) -> dict[str, Any]:
    if cfg.judge == "llm":
        return {"model": cfg.judge_model, "base_url": cfg.judge_base_url, "api_key_env": cfg.api_key_env,
                "concurrency": cfg.concurrency}
    if cfg.judge == "classifier" and cfg.judge_model:
        return {"model": cfg.judge_model}
    return {}


def judge_run(run_dir: str | os.PathLike, judge_name: str, tasks: list[str] | None = None,
              judge_kwargs: dict[str, Any] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """(Re)score a run's generations with one judge; writes scores/<judge>.jsonl and updates metrics.json."""
    run = Path(run_dir)
    if not (run / GENERATIONS).exists():
        raise ConfigError(f"{run}: no {GENERATIONS} to judge")
    records = list(load_generations(run).values())
    if tasks is not None:
        records = [r for r in records if r["task"] in tasks]
    judge = make_judge(judge_name, **(judge_kwargs or {}))
    verdicts = judge.judge(records) if records else []
    rows = [score_sample(get_task(r["task"]), r, v) for r, v in zip(records, verdicts)]
    write_jsonl(run / "scores" / f"{judge_name}.jsonl", rows)
    metrics_path = run / "metrics.json"
    metrics = read_json(metrics_path) if metrics_path.exists() else {"judges": {}}
    metrics.setdefault("judges", {})[judge_name] = task_metrics(rows)
    write_json(metrics_path, metrics)
    for name, m in metrics["judges"][judge_name].items():
        from vlguard.eval.metrics import fmt_rate

        log(f"{name:<22} {m['primary']:<15} {fmt_rate(m['metrics'][m['primary']]['overall'])}"
            f"{'  errors: ' + str(m['errors']) if m['errors'] else ''}")
    return metrics


def task_metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Metrics per task from score rows: every metric key present, with its primary one named."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    out = {}
    for name, rs in sorted(by_task.items()):
        task = get_task(name)
        ok = [r for r in rs if not r.get("error")]
        ms = {k: grouped(ok, k) for k in METRIC_KEYS if any(k in r for r in ok)}
        primary = task.primary if task.primary in ms else next(iter(ms), task.primary)
        ms.setdefault(primary, grouped([], primary))
        out[name] = {"primary": primary, "samples": len(rs), "errors": sum(bool(r.get("error")) for r in rs),
                     "error_reasons": sorted({r["error"].split(":")[0] for r in rs if r.get("error")}),
                     "metrics": ms}
    return out
