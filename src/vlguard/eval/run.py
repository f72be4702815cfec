"""An evaluation run on disk: generate what is missing, judge, aggregate.

RUN_DIR/
  config.yaml          what was asked (never an API key)
  generations.jsonl    one record per (task, sample id), appended and flushed per batch
  scores/<judge>.jsonl one score row per record, rewritten whole by each judging
  metrics.json         per judge, per task: rates with 95% intervals, overall and per (sub)category

A killed run resumes with `--resume`: records already in generations.jsonl are kept and only missing
(task, id) pairs are generated, so the result equals an uninterrupted run. Judging reads only
generations.jsonl, so it can be redone with another judge without generating again. Each task is scored by
its own scorer (`Task.scorer`); the judges a run needs are built before anything is generated, so a bad
judge choice fails at once.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from vlguard.errors import ConfigError, VLGuardError
from vlguard.eval.metrics import fmt_rate, grouped
from vlguard.eval.records import GenerationRecord
from vlguard.eval.results import TaskMetrics, read_metrics, write_metrics
from vlguard.eval.scorers import METRIC_KEYS, settled_verdict
from vlguard.eval.tasks import get_task
from vlguard.eval.tasks.base import Task
from vlguard.fileio import JsonlAppender, read_jsonl_tolerant, repair_torn_tail, write_jsonl
from vlguard.judges import Judge, JudgeOptions, judge_kind
from vlguard.schema import Sample

GENERATIONS = "generations.jsonl"
Log = Callable[[str], None]


@dataclass
class EvalConfig:
    """One evaluation run. `vlguard eval [CONFIG.yaml] [key=value ...]` builds it (flags are shortcuts)."""

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

    @property
    def judge_options(self) -> JudgeOptions:
        return JudgeOptions(self.judge_model, self.judge_base_url, self.api_key_env, self.concurrency)


def parse_task_spec(spec: str, data_root: str) -> tuple[Task, Path]:
    """`name` (its default file under the data root) or `name=PATH`."""
    name, _, path = spec.partition("=")
    task = get_task(name.strip())
    p = Path(path.strip()) if path.strip() else Path(data_root) / task.default_path
    if not p.exists():
        raise ConfigError(f"task {task.name}: {p}: no such file or folder (pass {task.name}=PATH)")
    return task, p


def load_generations(run_dir: Path) -> dict[tuple[str, str], GenerationRecord]:
    """Records by (task, id); a later record of the same pair wins (a retried error, say)."""
    path = Path(run_dir) / GENERATIONS
    records = (GenerationRecord.from_dict(r, str(path)) for r in read_jsonl_tolerant(path))
    return {r.key: r for r in records}


def task_judges(tasks: list[Task], judge_name: str, options: JudgeOptions) -> dict[str, Judge | None]:
    """The judge scoring each task: the run's judge where it answers the task's question, else the
    task's default judge; None for tasks that need none and whose question the run's judge cannot answer."""
    kind = judge_kind(judge_name)
    built: dict[tuple[str, str], Judge] = {}
    out: dict[str, Judge | None] = {}
    for task in tasks:
        sc = task.scorer
        answers = sc.question in kind.questions or (sc.question == "refusal" and "harm" in kind.questions)
        name = judge_name if answers else sc.default_judge
        if name is None:
            out[task.name] = None
            continue
        question = sc.question if sc.question == "pairwise" else None
        if (name, str(question)) not in built:
            built[(name, str(question))] = options.build(name, question)
        out[task.name] = built[(name, str(question))]
    return out


def _prepare_dir(cfg: EvalConfig, resume: bool, force: bool) -> Path:
    from vlguard.config import dump_yaml

    out = Path(cfg.output_dir)
    gen_path = out / GENERATIONS
    if gen_path.exists() and not (resume or force):
        raise ConfigError(f"{out}: already holds generations; pass --resume to continue or --force to start over")
    if force and not resume and gen_path.exists():
        gen_path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(dump_yaml(cfg))
    repair_torn_tail(gen_path)
    return out


def _pending(plan: list[tuple[Task, Path]], cfg: EvalConfig, done: dict, log: Log
             ) -> tuple[list[tuple[Task, list[Sample]]], dict[str, str]]:
    """The samples each task still needs generated, and the tasks whose data could not be read."""
    todo: list[tuple[Task, list[Sample]]] = []
    failed: dict[str, str] = {}
    for task, path in plan:
        try:
            samples = task.load(path, limit=cfg.limit)  # a limit spares rendering or reading what is not used
        except VLGuardError as e:  # one unreadable dataset must not sink the others
            failed[task.name] = str(e)
            log(f"warning: task {task.name} skipped: {e}")
            continue
        pending = [s for s in samples if (task.name, s.id) not in done or done[(task.name, s.id)].error]
        log(f"{task.name}: {len(samples)} samples, {len(samples) - len(pending)} already generated")
        todo.append((task, pending))
    return todo, failed


def _generate(todo: list[tuple[Task, list[Sample]]], cfg: EvalConfig, backend: Any, gen_path: Path,
              progress: bool, log: Log) -> None:
    from tqdm.auto import tqdm

    total = sum(len(p) for _, p in todo)
    if not total:
        return
    backend = backend if backend is not None else make_eval_backend(cfg)
    bar = tqdm(total=total, desc="generating", unit="sample", disable=not progress)
    t0 = time.perf_counter()
    with JsonlAppender(gen_path) as writer:
        for task, pending in (tp for tp in todo if tp[1]):
            backend.max_new_tokens = task.max_new_tokens or cfg.max_new_tokens

            def on_batch(idx: list[int], comps: list[Any], task=task, pending=pending) -> None:
                writer.write_many([GenerationRecord.from_sample(task.name, pending[i], c, cfg.model,
                                                                cfg.backend).to_dict() for i, c in zip(idx, comps)])
                bar.update(len(idx))

            backend.generate(pending, on_batch=on_batch)
    bar.close()
    log(f"generated {total} samples in {time.perf_counter() - t0:.1f}s")


def run_eval(cfg: EvalConfig, resume: bool = False, force: bool = False, backend: Any = None,
             log: Log = print, progress: bool = True) -> dict[str, Any]:
    """Generate for every task (only what is missing when resuming), then judge and write metrics."""
    plan = [parse_task_spec(t, cfg.data_root) for t in cfg.tasks]
    if not plan:
        raise ConfigError("no tasks given")
    judges = task_judges([t for t, _ in plan], cfg.judge, cfg.judge_options)  # fails before any generation
    out = _prepare_dir(cfg, resume, force)
    done = load_generations(out) if resume else {}
    todo, failed_tasks = _pending(plan, cfg, done, log)
    _generate(todo, cfg, backend, out / GENERATIONS, progress, log)
    summary = judge_run(out, cfg.judge, tasks=[t.name for t, _ in plan], judges=judges, log=log)
    summary["failed_tasks"] = failed_tasks
    return summary


def make_eval_backend(cfg: EvalConfig) -> Any:
    """The generation backend `cfg` names, with the options that backend takes."""
    from vlguard.clients import make_backend

    if cfg.backend == "hf":
        return make_backend("hf", model=cfg.model, batch_size=cfg.batch_size, max_new_tokens=cfg.max_new_tokens,
                            dtype=cfg.dtype, device=cfg.device)
    if cfg.backend == "openai":
        return make_backend("openai", model=cfg.model, base_url=cfg.base_url, api_key_env=cfg.api_key_env,
                            concurrency=cfg.concurrency, max_new_tokens=cfg.max_new_tokens)
    return make_backend(cfg.backend, model=cfg.model, max_new_tokens=cfg.max_new_tokens)


def score_records(task: Task, records: list[GenerationRecord], judge: Judge | None) -> list[dict[str, Any]]:
    """Score rows of one task's records; failed and blocked generations never reach the judge."""
    verdicts: list[Any] = [settled_verdict(r) for r in records]
    ask = [i for i, r in enumerate(records) if not r.error and verdicts[i] is None]
    if judge is not None and ask:
        for i, v in zip(ask, judge.judge([records[i].exchange() for i in ask])):
            verdicts[i] = v
    return [task.scorer.score(r, v) for r, v in zip(records, verdicts)]


def judge_run(run_dir: str | os.PathLike, judge_name: str, tasks: list[str] | None = None,
              options: JudgeOptions | None = None, judges: dict[str, Judge | None] | None = None,
              log: Log = print) -> dict[str, Any]:
    """(Re)score a run's generations with one judge; writes scores/<judge>.jsonl and updates metrics.json."""
    run = Path(run_dir)
    if not (run / GENERATIONS).exists():
        raise ConfigError(f"{run}: no {GENERATIONS} to judge")
    by_task: dict[str, list[GenerationRecord]] = {}
    for r in load_generations(run).values():
        if tasks is None or r.task in tasks:
            by_task.setdefault(r.task, []).append(r)
    task_objs = [get_task(name) for name in by_task]
    if judges is None:
        judges = task_judges(task_objs, judge_name, options or JudgeOptions())
    rows: list[dict[str, Any]] = []
    entries: dict[str, TaskMetrics] = {}
    for task in task_objs:
        judge = judges.get(task.name)
        task_rows = score_records(task, by_task[task.name], judge)
        rows.extend(task_rows)
        entries[task.name] = task_metrics(task, task_rows, judge.identity if judge is not None else None)
    write_jsonl(run / "scores" / f"{judge_name}.jsonl", rows)
    metrics = read_metrics(run)
    metrics.judges[judge_name] = dict(sorted(entries.items()))
    write_metrics(run, metrics)
    for name, m in metrics.judges[judge_name].items():
        log(f"{name:<22} {m.primary:<15} {fmt_rate(m.overall())}{'  errors: ' + str(m.errors) if m.errors else ''}")
    return metrics.to_dict()


def task_metrics(task: Task, rows: list[dict[str, Any]], judge: dict[str, Any] | None = None) -> TaskMetrics:
    """One task's metrics from its score rows: every metric key present, with its primary one named."""
    ok = [r for r in rows if not r.get("error")]
    ms = {k: grouped(ok, k) for k in METRIC_KEYS if any(k in r for r in ok)}
    primary = task.primary if task.primary in ms else next(iter(ms), task.primary)
    ms.setdefault(primary, grouped([], primary))
    return TaskMetrics(primary=primary, samples=len(rows), errors=sum(bool(r.get("error")) for r in rows),
                       error_reasons=sorted({r["error"].split(":")[0] for r in rows if r.get("error")}),
                       metrics=ms, judge=judge)
