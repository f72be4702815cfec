"""Reading user files with clear errors, and writing outputs atomically."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from vlguard.errors import DataError, OutputExistsError


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 text file; a missing, empty or non-UTF-8 file raises DataError naming it."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a directory, expected a file")
    raw = p.read_bytes()
    if not raw.strip():
        raise DataError(f"{p}: file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{p}: not UTF-8 text (byte {e.start}: {raw[e.start:e.start + 1]!r})") from None


def read_json(path: str | os.PathLike) -> Any:
    """Parse a JSON file; malformed JSON raises DataError with line and column."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"{path}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None


def iter_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; a bad line raises DataError naming it."""
    text = read_text(path)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}: malformed JSON at line {lineno}, column {e.colno}: {e.msg}") from None
        if not isinstance(obj, dict):
            raise DataError(f"{path}: line {lineno} is a {type(obj).__name__}, expected an object")
        yield lineno, obj


def read_jsonl_tolerant(path: str | os.PathLike) -> list[dict]:
    """Read a JSONL file written by an append-only writer, skipping a torn last line left by a kill."""
    p = Path(path)
    if not p.exists():
        return []
    rows: list[dict] = []
    lines = p.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break  # a kill mid-write leaves at most one partial line at the end
            raise DataError(f"{p}: malformed JSON at line {i + 1}") from None
    return rows


def repair_torn_tail(path: str | os.PathLike) -> bool:
    """Cut a torn last line (a kill mid-write) off an append-only JSONL file, so that the next append starts
    a line of its own; True when something was cut. A missing or empty file, or one ending in a newline, is
    left alone. The file is truncated in place (never rewritten), so a kill during the repair loses nothing."""
    p = Path(path)
    if not p.is_file():
        return False
    with open(p, "r+b") as f:
        end = f.seek(0, os.SEEK_END)
        if end == 0:
            return False
        f.seek(end - 1)
        if f.read(1) == b"\n":
            return False
        cut, pos = 0, end
        while pos > 0:  # look backwards for the last newline, a block at a time
            start = max(0, pos - 65536)
            f.seek(start)
            at = f.read(pos - start).rfind(b"\n")
            if at >= 0:
                cut = start + at + 1
                break
            pos = start
        f.truncate(cut)
        f.flush()
        os.fsync(f.fileno())
    return True


def check_output(path: str | os.PathLike, force: bool = False) -> Path:
    """Refuse to overwrite an existing output unless force is set."""
    p = Path(path)
    if p.exists() and not force:
        raise OutputExistsError(f"{p}: already exists (use --force to overwrite)")
    return p


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[io.IOBase]:
    """Write to a temporary file beside `path` and rename it into place, so a crash never leaves half a file."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output should get the usual permissions
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json(path: str | os.PathLike, obj: Any, indent: int | None = 2) -> None:
    """Atomically write `obj` as JSON."""
    with atomic_write(path) as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def write_jsonl(path: str | os.PathLike, rows: Iterable[dict]) -> int:
    """Atomically write rows as JSONL; returns the number written."""
    n = 0
    with atomic_write(path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


class JsonlAppender:
    """Append-only JSONL writer that flushes and fsyncs after each batch, for resumable runs."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "a", encoding="utf-8")

    def write_many(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self._f.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "JsonlAppender":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
