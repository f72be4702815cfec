"""`vlguard judges list` and `vlguard judges validate`: the judges, and how each agrees with human labels."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from vlguard.cli import console

app = typer.Typer(help="List the judges; validate them against human-labelled responses.", no_args_is_help=True)


@app.command("list")
def list_command() -> None:
    """Every judge: the question it answers, whether it runs offline, and its validated agreement."""
    from vlguard.judges import JUDGES
    from vlguard.judges.cards import VALIDATED

    t = Table("judge", "answers", "offline", "agreement with humans (XSTest dev)", "what it is")
    for name, kind in JUDGES.items():
        v = VALIDATED.get(name)
        t.add_row(name, " / ".join(kind.questions), "yes" if kind.offline else "no",
                  f"{v.agreement * 100:.1f}% ({v.version})" if v else "-", kind.summary)
    console.print(t)


@app.command("validate")
def validate_command(
    labelled: Path = typer.Argument(..., help="Human-labelled responses: the XSTest completions CSV(s), or JSONL "
                                              "{id, prompt, output, human_label}; a file or a folder."),
    judge: List[str] = typer.Option(["keywords-vlguard", "keywords-v1", "keywords"], "--judge",
                                    help="Judge to validate (repeatable; default: the three offline refusal judges)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Folder for validation.json and validation.md."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="llm judge model (or classifier folder)."),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="Server of the llm judge."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env"),
    concurrency: int = typer.Option(8, "--concurrency"),
    force: bool = typer.Option(False, "--force", help="Overwrite a validation already in OUT."),
) -> None:
    """Score judges against human labels: agreement, precision/recall/F1, kappa, per-source breakdown (95% CIs)."""
    from vlguard.judges import JudgeOptions
    from vlguard.judges.validation_report import run_validation

    options = JudgeOptions(judge_model, judge_base_url, api_key_env, concurrency)
    report = run_validation(labelled, judge, options, out, force=force)
    print(report.markdown)  # plain: rich would wrap the Markdown table
    if out is not None:
        console.print(f"[green]done[/]: {out / 'validation.json'}, {out / 'validation.md'}", highlight=False)
    if report.failed:
        raise typer.Exit(1)
