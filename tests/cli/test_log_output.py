"""Output read from a log (CI, `make demo > log`) is in full lines: not wrapped at 80 columns, no names cut."""

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from vlguard.cli import _register, app, console


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch):
    # COLUMNS is obeyed even in a log; these tests are about the width rich would guess without it
    monkeypatch.delenv("COLUMNS", raising=False)


def test_judges_list_in_a_log_cuts_no_name():
    _register()
    res = CliRunner().invoke(app, ["judges", "list"])  # CliRunner's output is not a terminal
    assert res.exit_code == 0, res.output
    assert "…" not in res.output
    rows = [line for line in res.output.splitlines() if "keywords-vlguard" in line]
    # the whole row on one line: the name and what it is, beside each other
    assert len(rows) == 1 and "the VLGuard paper's refusal keywords, exactly" in rows[0]


def test_a_long_logged_line_stays_one_line(capsys):
    line = "[llm]   helpfulness  helpful_train.jsonl   852 of 852 (0 with image) " + "x" * 100
    console.print(line, highlight=False, markup=False)  # how train and reproduce log through the console
    assert capsys.readouterr().out == line + "\n"


def test_a_rule_in_a_log_stays_80_columns(capsys):
    console.rule("agreement between judges")
    out = capsys.readouterr().out
    assert len(out.rstrip("\n")) == 80 and "agreement between judges" in out


def test_a_terminal_keeps_its_width():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    ours, rich = type(console)(file=Tty()), Console(file=Tty())
    assert ours.width == rich.width < 10_000
