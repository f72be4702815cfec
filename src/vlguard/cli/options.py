"""Ranges of the CLI's numeric options, declared next to each option and checked before the command runs.

    concurrency: int = typer.Option(8, "--concurrency", callback=in_range(">= 1"))

A value out of range stops the command with one line naming the option and the allowed range (the same
wording as a config key out of range: `vlguard.config.check_range`), exit code 1, before anything runs.
"""

from __future__ import annotations

from typing import Any, Callable

import typer

from vlguard.config import check_range

SEED = "[0, 4294967295]"  # numpy's seeds are 32-bit


def in_range(spec: str) -> Callable[..., Any]:
    """A typer option callback that lets a value through only when it lies in `spec` (None passes)."""
    def check(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
        if ctx.resilient_parsing:  # shell completion, --help
            return value
        name = max(param.opts, key=len) if param.opts else str(param.name)
        return check_range(value, spec, name)

    return check
