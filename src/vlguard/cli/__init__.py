"""The `vlguard` command line. Commands only wire library modules together."""

from __future__ import annotations

import os
import sys

# Two busy OpenMP threads spin-wait and slow torch down by orders of magnitude when the machine has
# other work; passive waiting costs nothing when it does not. Must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import typer  # noqa: E402
from rich.console import Console, ConsoleDimensions  # noqa: E402

from vlguard.errors import VLGuardError  # noqa: E402


class _Console(Console):
    """rich's console, except that output to a log, a pipe or a file is printed in full lines: rich
    would wrap it at 80 columns and cut names in tables with `…`. A terminal is unchanged."""

    LOG_WIDTH = 10_000  # "no limit" for lines and tables, small enough that nothing pads a line to it
    RULE_WIDTH = 80  # a rule fills the width: in a log, as wide as rich drew it there before

    def _to_a_log(self) -> bool:
        # the file itself, not `is_terminal`: FORCE_COLOR (set in some CI) makes rich colour a log, which
        # still has no width to fit; an explicit COLUMNS is still obeyed
        isatty = getattr(self.file, "isatty", None)
        try:
            tty = isatty is not None and isatty()
        except ValueError:  # closed at exit
            tty = False
        return not tty and "COLUMNS" not in os.environ

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        return ConsoleDimensions(self.LOG_WIDTH, size.height) if self._to_a_log() else size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]  # rich's property has a setter

    def rule(self, title="", **kwargs) -> None:
        """`Console.rule`, 80 columns wide in a log rather than 10,000."""
        from rich.rule import Rule

        self.print(Rule(title, **kwargs), width=self.RULE_WIDTH if self._to_a_log() else None)


app = typer.Typer(
    name="vlguard",
    help="Safety fine-tuning and safety evaluation of vision large language models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = _Console()
err_console = _Console(stderr=True)
_debug = False


@app.callback()
def _global_options(
    debug: bool = typer.Option(False, "--debug", help="On an error, print the full traceback too (or set VLGUARD_DEBUG=1)."),
) -> None:
    """Safety fine-tuning and safety evaluation of vision large language models."""
    global _debug
    _debug = _debug or debug


_registered = False


def _register() -> None:
    # Imported here so `vlguard --help` stays fast and each group stays in its own module.
    global _registered
    if _registered:
        return
    from vlguard.cli import data as data_cli
    from vlguard.cli import data_build  # noqa: F401 - adds `data build` and `data labels` to data_cli.app
    from vlguard.cli import judges as judges_cli
    from vlguard.cli import model as model_cli
    from vlguard.cli.evaluate import eval_command, judge_command, score_command, tasks_command
    from vlguard.cli.report import report_command
    from vlguard.cli.reproduce import reproduce_command
    from vlguard.cli.train import train_command

    app.add_typer(data_cli.app, name="data")
    app.add_typer(model_cli.app, name="model")
    app.add_typer(judges_cli.app, name="judges")
    app.command("train")(train_command)
    app.command("eval")(eval_command)
    app.command("judge")(judge_command)
    app.command("score")(score_command)
    app.command("tasks")(tasks_command)
    app.command("reproduce")(reproduce_command)
    app.command("report")(report_command)
    _registered = True


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI. Every error is one line `error: ...` and exit code 1 (2: a usage error
    click reports itself; 130: interrupted); `--debug` adds the traceback."""
    global _debug
    _debug = os.environ.get("VLGUARD_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
    _register()
    try:
        # standalone mode lets click print usage errors itself and exit with 2; ours come through as exceptions
        app(args=argv, prog_name="vlguard")
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        return 130
    except Exception as e:  # the one error boundary: see vlguard.cli.boundary
        from rich.text import Text

        from vlguard.cli.boundary import describe, unexpected

        if _debug:
            import traceback

            traceback.print_exc()
        message = describe(e) if not isinstance(e, VLGuardError) else str(e)
        err_console.print(Text.assemble(("error:", "bold red"), " ", message or unexpected(e)),
                          highlight=False, soft_wrap=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
