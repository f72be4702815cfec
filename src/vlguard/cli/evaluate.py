"""`vlguard eval`, `vlguard judge`, `vlguard score`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from vlguard.cli import console


def eval_command(
    model: str = typer.Option(..., "--model", help="Model folder, LoRA adapter folder, hub id, or API model name."),
    tasks: str = typer.Option(..., "--tasks", help="Comma-separated: NAME or NAME=PATH (see `vlguard tasks`)."),
    out: Path = typer.Option(..., "-o", "--out", help="Run directory."),
    backend: str = typer.Option("hf", "--backend", help="hf | openai | vllm"),
    judge: str = typer.Option("keywords", "--judge", help="keywords | keywords-vlguard | llm | classifier"),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most N samples per task."),
    batch_size: int = typer.Option(32, "--batch-size"),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens", help="256 as in the paper; tasks may set less."),
    data_root: Path = typer.Option(Path("../shared/data"), "--data-root", help="Where NAME without =PATH looks."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server (openai backend)."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env", help="Environment variable holding the API key."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Model name for the llm judge."),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="Server for the llm judge."),
    concurrency: int = typer.Option(8, "--concurrency", help="Concurrent API requests."),
    device: Optional[str] = typer.Option(None, "--device"),
    dtype: str = typer.Option("auto", "--dtype"),
    resume: bool = typer.Option(False, "--resume", help="Continue a killed run: generate only what is missing."),
    force: bool = typer.Option(False, "--force", help="Start over in a run directory that has generations."),
) -> None:
    """Generate answers for evaluation tasks, judge them, and write metrics with 95% intervals."""
    from vlguard.eval.run import EvalConfig, run_eval

    cfg = EvalConfig(model=model, tasks=[t for t in tasks.split(",") if t.strip()], output_dir=str(out),
                     backend=backend, judge=judge, limit=limit, batch_size=batch_size,
                     max_new_tokens=max_new_tokens, data_root=str(data_root), base_url=base_url,
                     api_key_env=api_key_env, judge_model=judge_model, judge_base_url=judge_base_url,
                     concurrency=concurrency, device=device, dtype=dtype)
    res = run_eval(cfg, resume=resume, force=force, log=lambda m: console.print(m, highlight=False, markup=False))
    console.print(f"[green]done[/]: {out}/metrics.json")
    if res.get("failed_tasks"):
        raise typer.Exit(1)


def judge_command(
    run_dir: Path = typer.Argument(..., help="An eval run directory."),
    judge: str = typer.Option("keywords", "--judge"),
    judge_model: Optional[str] = typer.Option(None, "--judge-model"),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url"),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env"),
) -> None:
    """Re-score a run's generations with another judge, without generating again."""
    from vlguard.eval.run import judge_run

    kw: dict = {}
    if judge == "llm":
        kw = {"model": judge_model, "base_url": judge_base_url, "api_key_env": api_key_env}
    elif judge == "classifier" and judge_model:
        kw = {"model": judge_model}
    judge_run(run_dir, judge, judge_kwargs=kw, log=lambda m: console.print(m, highlight=False, markup=False))


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

    t = Table("task", "kind", "primary metric", "default path", "description")
    for task in TASKS.values():
        t.add_row(task.name, task.kind, task.primary, task.default_path, task.description)
    console.print(t)
