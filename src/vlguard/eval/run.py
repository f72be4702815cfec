"""An evaluation run on disk: generate what is missing, judge, aggregate.

RUN_DIR/
  config.yaml          what was asked (never an API key)
  run.json             the run's fingerprint: what determines its generations (model, backend, tasks and
                       their files, limit, token budget, dtype), and the image roots its samples read
  generations.jsonl    one record per (task, sample id), appended and flushed per batch
  scores/<judge>.jsonl one score row per record, rewritten whole by each judging
  metrics.json         per judge, per task: rates with 95% intervals, overall and per (sub)category

A killed run resumes with `--resume`: records already in generations.jsonl are kept and only missing
(task, id) pairs are generated, so the result equals an uninterrupted run. Only the same run resumes: a
different fingerprint is refused, naming what differs; `--force` empties the run directory's outputs
(generations, scores, metrics) first. Nothing is written before the model has loaded, so a run that fails
before generating leaves no file in a fresh folder. Judging reads only
generations.jsonl, so it can be redone with another judge without generating again. Each task is scored by
its own scorer (`Task.scorer`); the judges a run needs are built before anything is generated, so a bad
judge choice fails at once.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, Literal

from vlguard.errors import ConfigError, DataError, VLGuardError, WorkFailedError
from vlguard.eval.metrics import fmt_rate, grouped
from vlguard.eval.records import GenerationRecord
from vlguard.eval.results import METRICS_FILE, TaskMetrics, all_failed, read_metrics, write_metrics
from vlguard.eval.scorers import METRIC_KEYS, settled_verdict
from vlguard.eval.tasks import get_task
from vlguard.eval.tasks.base import Task
from vlguard.fileio import JsonlAppender, read_jsonl_tolerant, repair_torn_tail, write_jsonl
from vlguard.judges import Judge, JudgeOptions, judge_kind
from vlguard.judges.cards import judge_card
from vlguard.rundir import MANIFEST, claim, clear, read_manifest, write_manifest
from vlguard.schema import Sample

GENERATIONS = "generations.jsonl"
Log = Callable[[str], None]


@dataclass
class EvalConfig:
    """One evaluation run. `vlguard eval [CONFIG.yaml] [key=value ...]` builds it (flags are shortcuts)."""

    RANGES: ClassVar[dict[str, str]] = {"limit": ">= 1", "batch_size": ">= 1", "max_new_tokens": ">= 1",
                                        "concurrency": ">= 1"}

    model: str
    tasks: list[str]
    output_dir: str
    backend: Literal["hf", "openai", "vllm"] = "hf"
    judge: str = "keywords"
    limit: int | None = None
    batch_size: int = 32
    max_new_tokens: int = 256
    data_root: str = "../shared/data"
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    device: str | None = None
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8
    judge_model: str | None = None
    judge_base_url: str | None = None
    # replacement texts of attacks (`TASK@ATTACK` tasks), by attack name; see vlguard.eval.attacks
    attack_text: dict[str, str] = field(default_factory=dict)
    # extra keyword arguments of the vllm engine (`vllm.LLM`), e.g. engine_options.max_model_len=4096
    engine_options: dict[str, Any] = field(default_factory=dict)

    @property
    def judge_options(self) -> JudgeOptions:
        return JudgeOptions(self.judge_model, self.judge_base_url, self.api_key_env, self.concurrency)


def parse_task_spec(spec: str, data_root: str, attack_text: dict[str, str] | None = None) -> tuple[Task, Path]:
    """`name` (its default file under the data root) or `name=PATH`; `name` may be `TASK@ATTACK`
    (the task under an attack of `vlguard.eval.attacks`, whose text `attack_text` may replace)."""
    name, _, path = spec.partition("=")
    task = get_task(name.strip(), attack_text)
    p = Path(path.strip()) if path.strip() else Path(data_root) / task.default_path
    if not p.exists():
        raise ConfigError(f"task {task.name}: {p}: no such file or folder (pass {task.name}=PATH)")
    return task, p


def load_generations(run_dir: Path) -> dict[tuple[str, str], GenerationRecord]:
    """Records by (task, id); a later record of the same pair wins (a retried error, say)."""
    path = Path(run_dir) / GENERATIONS
    records = (GenerationRecord.from_dict(r, str(path)) for r in read_jsonl_tolerant(path, require=("id", "task")))
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


# What an eval run writes (besides config.yaml): an earlier run's files block a new run in the same folder.
RUN_OUTPUTS = (GENERATIONS, "scores", METRICS_FILE, MANIFEST)


def run_settings(cfg: EvalConfig, plan: list[tuple[Task, Path]]) -> dict[str, Any]:
    """What determines a run's generations, for its fingerprint (judging is redone at will, so no judge)."""
    model = Path(cfg.model).expanduser()
    settings: dict[str, Any] = {
        "model": str(model.resolve()) if model.exists() else cfg.model, "backend": cfg.backend,
        "tasks": [[task.name, str(path.resolve())] for task, path in plan], "limit": cfg.limit,
        "max_new_tokens": cfg.max_new_tokens}
    if cfg.backend != "openai":
        settings["dtype"] = cfg.dtype
    else:
        settings["base_url"] = cfg.base_url
    if cfg.attack_text:  # other attack texts are other prompts
        settings["attack_text"] = dict(sorted(cfg.attack_text.items()))
    return settings


def check_dir(cfg: EvalConfig, settings: dict[str, Any], resume: bool, force: bool) -> Path:
    """The run directory may take this run (`vlguard.rundir.claim`). Reads only."""
    return claim(cfg.output_dir, "eval", settings, RUN_OUTPUTS, resume=resume, force=force)


def _prepare_dir(cfg: EvalConfig, out: Path, settings: dict[str, Any], roots: set[str], force: bool) -> None:
    """The run's first writes, once the model is loaded: with `force` the earlier run's outputs go; then
    config.yaml and run.json (the fingerprint and the image roots the samples read)."""
    from vlguard.config import dump_yaml

    if force:
        clear(out, RUN_OUTPUTS)
    out.mkdir(parents=True, exist_ok=True)
    old = read_manifest(out)
    known = set(old.get("image_roots") or []) if old else set()
    (out / "config.yaml").write_text(dump_yaml(cfg))
    write_manifest(out, "eval", settings, image_roots=sorted(known | roots))
    repair_torn_tail(out / GENERATIONS)


def image_roots(todo: list[tuple[Task, list[Sample]]]) -> set[str]:
    """The folders (or zips) the samples' images are read from, resolved: where report.html may read images."""
    return {str(Path(s.image_root).resolve()) for _, samples in todo for s in samples
            if s.image is not None and s.image_root is not None}


def _pending(plan: list[tuple[Task, Path]], cfg: EvalConfig, done: dict, log: Log
             ) -> tuple[list[tuple[Task, list[Sample]]], dict[str, str], set[str]]:
    """The samples each task still needs generated, the tasks whose data could not be read, and the image
    roots of all the samples."""
    todo: list[tuple[Task, list[Sample]]] = []
    failed: dict[str, str] = {}
    roots: set[str] = set()
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
        roots |= image_roots([(task, samples)])
    return todo, failed, roots


def _generate(todo: list[tuple[Task, list[Sample]]], cfg: EvalConfig, backend: Any, gen_path: Path,
              progress: bool, log: Log) -> None:
    from tqdm.auto import tqdm

    total = sum(len(p) for _, p in todo)
    if not total:
        return
    bar = tqdm(total=total, desc="generating", unit="sample", disable=not progress)
    t0 = time.perf_counter()
    with JsonlAppender(gen_path) as writer:
        for task, pending in (tp for tp in todo if tp[1]):
            # a task's own length is a cap on its answers: the run's budget can only lower it
            backend.max_new_tokens = min(task.max_new_tokens or cfg.max_new_tokens, cfg.max_new_tokens)

            def on_batch(idx: list[int], comps: list[Any], task=task, pending=pending) -> None:
                writer.write_many([GenerationRecord.from_sample(task.name, pending[i], c, cfg.model,
                                                                cfg.backend).to_dict() for i, c in zip(idx, comps)])
                bar.update(len(idx))

            backend.generate(pending, on_batch=on_batch)
    bar.close()
    log(f"generated {total} samples in {time.perf_counter() - t0:.1f}s")


def run_eval(cfg: EvalConfig, resume: bool = False, force: bool = False, backend: Any = None,
             log: Log = print, progress: bool = True) -> dict[str, Any]:
    """Generate for every task (only what is missing when resuming), then judge and write metrics.

    Everything is checked before anything is written: the settings' ranges, the tasks and their files,
    the judges, the run directory (see `check_dir`), the task data, and the model, which is loaded before
    the run's first file is written. Raises WorkFailedError, after writing the metrics, when every sample
    failed (every request of an API backend, say)."""
    from vlguard.config import check_ranges

    check_ranges(cfg)
    plan = [parse_task_spec(t, cfg.data_root, cfg.attack_text) for t in cfg.tasks]
    if not plan:
        raise ConfigError("no tasks given")
    names = [t.name for t, _ in plan]
    if len(set(names)) < len(names):
        raise ConfigError(f"tasks: {next(n for n in names if names.count(n) > 1)} is given more than once")
    judges = task_judges([t for t, _ in plan], cfg.judge, cfg.judge_options)  # fails before any generation
    settings = run_settings(cfg, plan)
    out = check_dir(cfg, settings, resume, force)
    if backend is None and cfg.backend != "openai":
        from vlguard.models.loading import check_model

        check_model(cfg.model)
    done = load_generations(out) if resume else {}
    todo, failed_tasks, roots = _pending(plan, cfg, done, log)
    if len(failed_tasks) == len(plan):
        raise DataError(f"no task could be read, nothing was generated: "
                        f"{'; '.join(f'{k}: {v}' for k, v in failed_tasks.items())}")
    if backend is None and any(pending for _, pending in todo):
        backend = make_eval_backend(cfg)  # loads the model: a failure here leaves no file behind
    created = not out.exists()
    try:
        _prepare_dir(cfg, out, settings, roots, force)
        _generate(todo, cfg, backend, out / GENERATIONS, progress, log)
    except Exception:
        gens = out / GENERATIONS
        if created and not (gens.exists() and gens.stat().st_size):  # nothing to resume: leave no debris
            shutil.rmtree(out, ignore_errors=True)
        raise
    summary = judge_run(out, cfg.judge, tasks=names, judges=judges, log=log)
    summary["failed_tasks"] = failed_tasks
    failed = all_failed({t: m for t, m in (summary.get("judges", {}).get(cfg.judge) or {}).items() if t in names})
    if failed:
        first = next((r.error for r in load_generations(out).values() if r.task in names and r.error), None)
        why = f"; the first: {first[:200]}" if first else ""
        raise WorkFailedError(f"{out}: {failed}{why}; nothing was scored (the records are in {out / GENERATIONS})")
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
    # vllm: the dtype too (on CPU "auto" means float32, so outputs equal the hf backend's), and engine options
    return make_backend(cfg.backend, model=cfg.model, max_new_tokens=cfg.max_new_tokens, dtype=cfg.dtype,
                        **cfg.engine_options)


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
        entries[task.name] = task_metrics(task, task_rows, judge_card(judge) if judge is not None else None)
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
