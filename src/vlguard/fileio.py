"""Reading user files with clear errors, and writing outputs atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from vlguard.errors import DataError, OutputExistsError


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 text file; a missing, empty or non-UTF-8 file raises DataError naming it."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a directory, expected a file")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise DataError(f"{p}: cannot read: {e.strerror or e}") from None
    if not raw.strip():
        raise DataError(f"{p}: file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{p}: not UTF-8 text (byte {e.start}: {raw[e.start:e.start + 1]!r})") from None


def parse_json(text: str, path: str | os.PathLike, line: int | None = None) -> Any:
    """Parse JSON text read from `path` (at `line` of a JSONL file); malformed JSON, nesting too deep to
    parse and integers too long to convert raise DataError naming the file and line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"{path}: malformed JSON at line {line or e.lineno}, column {e.colno}: {e.msg}") from None
    except RecursionError:
        where = f" at line {line}" if line else ""
        raise DataError(f"{path}: JSON nested too deeply to read{where}") from None
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        where = f" at line {line}" if line else ""
        raise DataError(f"{path}: unreadable JSON value{where}: {str(e).splitlines()[0]}") from None


def read_json(path: str | os.PathLike) -> Any:
    """Parse a JSON file; malformed JSON raises DataError with line and column."""
    return parse_json(read_text(path), path)


def read_json_object(path: str | os.PathLike, what: str = "a JSON object") -> dict[str, Any]:
    """A JSON file whose top level must be an object; anything else raises DataError naming the file."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected {what}, found a JSON {_json_type(data)}")
    return data


def _json_type(obj: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(obj), "number")


def _object_line(text: str, path: Path, line: int, require: tuple[str, ...]) -> dict[str, Any]:
    obj = parse_json(text, path, line)
    if not isinstance(obj, dict):
        raise DataError(f"{path}: line {line} is a JSON {_json_type(obj)}, expected an object")
    if not obj:
        raise DataError(f"{path}: line {line} is an empty object")
    missing = [k for k in require if k not in obj]
    if missing:
        raise DataError(f"{path}: line {line} has no {', '.join(map(repr, missing))}")
    return obj


def iter_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; a bad line raises DataError naming it."""
    text = read_text(path)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        obj = parse_json(line, path, lineno)
        if not isinstance(obj, dict):
            raise DataError(f"{path}: line {lineno} is a {type(obj).__name__}, expected an object")
        yield lineno, obj


def read_jsonl_tolerant(path: str | os.PathLike, require: tuple[str, ...] = ()) -> list[dict]:
    """Read a JSONL file written by an append-only writer, skipping a torn last line left by a kill.

    Every other line must be a non-empty JSON object holding the `require`d keys, in UTF-8: anything else
    raises DataError naming the file and the line. A missing file reads as no rows."""
    p = Path(path)
    if not p.exists():
        return []
    if p.is_dir():
        raise DataError(f"{p}: is a directory, expected a file")
    lines = p.read_bytes().splitlines()
    rows: list[dict] = []
    for i, raw in enumerate(lines):
        if not raw.strip():
            continue
        last = i == len(lines) - 1
        try:
            text = raw.decode("utf-8-sig" if i == 0 else "utf-8")
        except UnicodeDecodeError as e:
            if last:
                break  # a kill mid-write can cut a character in two
            raise DataError(f"{p}: line {i + 1}: not UTF-8 text (byte {e.start + 1})") from None
        try:
            rows.append(_object_line(text, p, i + 1, require))
        except DataError:
            if last and _torn(text):
                break  # a kill mid-write leaves at most one partial line at the end
            raise
    return rows


def _torn(text: str) -> bool:
    """Whether a last line may be a write cut short by a kill: not JSON at all, rather than a complete
    value of the wrong shape (`{}`, a list), which no kill leaves."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return True
    except (RecursionError, ValueError):
        return False
    return False


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


def check_output(path: str | os.PathLike, force: bool = False, folder: bool = False) -> Path:
    """Refuse to overwrite an existing output unless force is set, and refuse a path that cannot be one: a
    file output that is a folder, a folder output that is a file, or a path under a file."""
    p = Path(path)
    check_parent(p)
    if p.exists() and not force:
        raise OutputExistsError(f"{p}: already exists (use --force to overwrite)")
    if p.is_dir() and not folder:
        raise OutputExistsError(f"{p}: is a directory; give a file path for this output")
    if p.exists() and not p.is_dir() and folder:
        raise OutputExistsError(f"{p}: is a file; give a folder path for this output")
    return p


def check_parent(path: str | os.PathLike) -> None:
    """Raise DataError when a folder above `path` exists as a file, so the output cannot be created."""
    for parent in Path(path).parents:
        if parent.exists():
            if not parent.is_dir():
                raise DataError(f"{path}: cannot be created: {parent} is a file, not a folder")
            return


def _write_failed(path: Path, e: OSError) -> DataError:
    return DataError(f"{path}: cannot write: {e.strerror or e}")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Write to a temporary file beside `path` and rename it into place, so a crash never leaves half a file."""
    p = Path(path)
    check_parent(p)
    if p.is_dir():
        raise DataError(f"{p}: is a directory; cannot write a file there")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as e:  # a read-only or full disk, no permission: name the output, not a temporary file
        raise _write_failed(p, e) from e
    try:
        try:
            with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output should get the usual permissions
            os.replace(tmp, p)
        except OSError as e:
            raise _write_failed(p, e) from e
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
        check_parent(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._f = open(self.path, "a", encoding="utf-8")
        except OSError as e:
            raise _write_failed(self.path, e) from e

    def write_many(self, rows: Iterable[dict]) -> None:
        try:
            for row in rows:
                self._f.write(json.dumps(row, ensure_ascii=False) + "\n")
            self._f.flush()
            os.fsync(self._f.fileno())
        except OSError as e:  # a full disk shows up here
            raise _write_failed(self.path, e) from e

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "JsonlAppender":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
