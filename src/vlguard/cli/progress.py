"""The one progress bar of the CLI: a rich bar driven by a library's `progress(done, total)` callback."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from vlguard.cli import console


@contextlib.contextmanager
def progress_bar(description: str, total: int | None = None, eta: bool = False
                 ) -> Iterator[Callable[[int, int | None], None]]:
    """Yield `update(done, total)` for the library call inside; the bar vanishes when it ends."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[str | ProgressColumn] = ["[progress.description]{task.description}", BarColumn(),
                                           MofNCompleteColumn(), TimeElapsedColumn()]
    if eta:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
