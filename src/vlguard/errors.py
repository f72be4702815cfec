"""Exceptions for mistakes a user can fix; the CLI prints them as one line, never a traceback."""

from __future__ import annotations


class VLGuardError(Exception):
    """A user-facing error: bad input, bad config, missing file. Its message is the whole story."""


class DataError(VLGuardError):
    """A dataset file that cannot be read or does not fit its schema."""


class ConfigError(VLGuardError):
    """A config that names an unknown key, has a wrong type or points at a missing file."""


class RunDirError(ConfigError):
    """A run's output folder that cannot take this run: a file, an earlier run's outputs, or another run to resume."""


class OutputExistsError(VLGuardError):
    """An output path that already exists and was not allowed to be overwritten."""


class WorkFailedError(VLGuardError):
    """Every unit of a command's work failed (every request, every verdict), or its output would be empty."""


def problem_list(problems: list[str], shown: int = 20) -> str:
    """Problems one per indented line, the first `shown` of them, then how many more there are."""
    text = "\n  ".join(problems[:shown])
    more = f"\n  ... and {len(problems) - shown} more" if len(problems) > shown else ""
    return f"\n  {text}{more}"
