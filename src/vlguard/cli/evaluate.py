"""`vlguard eval`, `vlguard judge`, `vlguard score`, `vlguard tasks`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from vlguard.cli import console
from vlguard.cli.options import in_range
from vlguard.errors import WorkFailedError

# flags whose config key has another name; every other flag is its EvalConfig field
FLAG_KEYS = {"out": "output_dir"}
RUN_FLAGS = ("args", "resume", "force")


def _log(m: str) -> None:
    console.print(m, highlight=False, markup=False)


def eval_command(
    ctx: typer.Context,
    args: Optional[List[str]] = typer.Argument(None, help="[CONFIG.yaml] [key=value ...]: an eval config and "
                                                          "overrides of its fields (see configs/eval/)."),
    model: Optional[str] = typer.Option(None, "--model", help="Model folder, LoRA adapter folder, hub id, or API model name."),
    tasks: Optional[str] = typer.Option(None, "--tasks", help="Comma-separated: NAME or NAME=PATH (see `vlguard tasks`)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Run directory."),
    backend: Optional[str] = typer.Option(None, "--backend", help="hf (default) | openai | vllm"),
    judge: Optional[str] = typer.Option(None, "--judge", help="keywords (default) | keywords-vlguard | llm | classifier | harm-keywords"),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most N samples per task."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="hf backend batch size (default 32)."),
    max_new_tokens: Optional[int] = typer.Option(None, "--max-new-tokens", help="256 (default) as in the paper; tasks may set less."),
    data_root: Optional[Path] = typer.Option(None, "--data-root", help="Where NAME without =PATH looks (default ../shared/data)."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server (openai backend)."),
    api_key_env: Optional[str] = typer.Option(None, "--api-key-env", help="Environment variable holding the API key (default OPENAI_API_KEY)."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Model name for the llm judge (or classifier folder)."),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="Server for the llm judge."),
    concurrency: Optional[int] = typer.Option(None, "--concurrency", help="Concurrent API requests (default 8)."),
    device: Optional[str] = typer.Option(None, "--device"),
    dtype: Optional[str] = typer.Option(None, "--dtype", help="auto (default) | float32 | bfloat16 | float16"),
    resume: bool = typer.Option(False, "--resume", help="Continue a killed run: generate only what is missing."),
    force: bool = typer.Option(False, "--force", help="Start over in a run directory that holds an earlier run "
                                                      "(its generations, scores and metrics are removed)."),
) -> None:
    """Generate answers for evaluation tasks, judge them, and write metrics with 95% intervals.

    Settings come from CONFIG.yaml (optional), then the flags, then key=value overrides."""
    from vlguard.config import load_config, split_config_args
    from vlguard.eval.run import EvalConfig, run_eval

    config, overrides = split_config_args(args)
    flags = {FLAG_KEYS.get(k, k): str(v) if isinstance(v, Path) else v
             for k, v in ctx.params.items() if k not in RUN_FLAGS and v is not None}
    if isinstance(flags.get("tasks"), str):
        flags["tasks"] = [t.strip() for t in flags["tasks"].split(",") if t.strip()]
    cfg = load_config(EvalConfig, config, overrides, values=flags)
    res = run_eval(cfg, resume=resume, force=force, log=_log)
    console.print(f"[green]done[/]: {cfg.output_dir}/metrics.json")
    if res.get("failed_tasks"):
        raise typer.Exit(1)


def judge_command(
    run_dir: Path = typer.Argument(..., help="An eval run directory."),
    judge: str = typer.Option("keywords", "--judge", help="A judge, or several comma-separated (a,b) to compare them."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model"),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url"),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env"),
    concurrency: int = typer.Option(8, "--concurrency", help="Concurrent llm judge requests.", callback=in_range(">= 1")),
) -> None:
    """Re-score a run's generations with other judges, without generating again; with several judges, also
    write how far they agree (RUN_DIR/judge_agreement.json)."""
    from vlguard.eval.judge_agreement import agreement_lines, compare_judges
    from vlguard.eval.results import all_failed
    from vlguard.eval.run import judge_run
    from vlguard.judges import JudgeOptions, judge_kind

    names = [j.strip() for j in judge.split(",") if j.strip()]
    for name in names:  # every name is checked before any judging
        judge_kind(name)
    options = JudgeOptions(judge_model, judge_base_url, api_key_env, concurrency)
    failed = []
    for name in names:
        if len(names) > 1:
            console.rule(name)
        res = judge_run(run_dir, name, options=options, log=_log)
        if all_failed((res.get("judges") or {}).get(name) or {}):  # every verdict an error: no result
            failed.append(f"{name}: {all_failed(res['judges'][name])}")
    if len(names) > 1:
        console.rule("agreement between judges")
        for line in agreement_lines(compare_judges(run_dir, names)):
            _log(line)
    if failed:
        raise WorkFailedError(f"{run_dir}: nothing was scored by {'; '.join(failed)}")


def score_command(
    path: Path = typer.Argument(..., help="JSONL of {id, prompt, output} records (optional `label`: refused or not)."),
    judge: str = typer.Option("keywords", "--judge"),
    out: Path = typer.Option(..., "-o", "--out"),
    force: bool = typer.Option(False, "--force"),
) -> None:
    """Score generations made elsewhere; with a `label` field, print agreement with those labels."""
    from vlguard.eval.score_file import score_file

    res = score_file(path, judge, out, force=force)
    console.print(f"scored {res['n']} records ({res['errors']} errors) -> {out}")
    if res.get("agreement") is not None:
        a = res["agreement"]
        console.print(f"agreement with labels: {a['value'] * 100:.1f}% [{a['ci95'][0] * 100:.1f}, "
                      f"{a['ci95'][1] * 100:.1f}] over {a['n']} labelled records")


def tasks_command() -> None:
    """List the evaluation tasks."""
    from rich.table import Table

    from vlguard.eval.tasks import TASKS

    t = Table("task", "kind", "primary metric", "default judge", "default path", "description")
    for task in TASKS.values():
        t.add_row(task.name, task.kind, task.primary, task.scorer.default_judge or "-", task.default_path,
                  task.description)
    console.print(t)
