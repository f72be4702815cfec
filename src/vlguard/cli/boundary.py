"""The CLI's one error boundary: any exception a command raises becomes one line, `error: <path>: <what>`.

The library raises VLGuardError, naming the file, line, key or record, wherever it can; this module also
words the errors of the operating system and the libraries underneath (JSON, YAML, PIL, zip, safetensors)
for the cases that reach it unwrapped. Anything else is a bug: it is still one line, which says how to get
the traceback (`vlguard --debug ...` or VLGUARD_DEBUG=1).
"""

from __future__ import annotations

import errno
import json
import re
import zipfile
import zlib

from vlguard.errors import VLGuardError

DEBUG_HINT = "run `vlguard --debug ...` (or set VLGUARD_DEBUG=1) for the traceback"


def _first_line(e: BaseException) -> str:
    text = re.sub(r"\s*<_io\.\w+ object at 0x[0-9a-fA-F]+>", "", str(e)).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _os_error(e: OSError) -> str:
    what = e.strerror or _first_line(e)
    if e.errno == errno.ENOSPC:
        what = "no space left on the device"
    if e.filename is None:
        return what
    both = f"{e.filename} -> {e.filename2}" if e.filename2 is not None else f"{e.filename}"
    return f"{both}: {what}"


def describe(e: BaseException) -> str | None:
    """The one-line message for an error a user can act on, or None for an unexpected one (a bug)."""
    if isinstance(e, VLGuardError):
        return str(e)
    if isinstance(e, UnicodeDecodeError):
        return f"input is not UTF-8 text ({e.reason} at byte {e.start})"
    if isinstance(e, json.JSONDecodeError):
        return f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}"
    if isinstance(e, RecursionError):
        return "input nested too deeply to read"
    if isinstance(e, MemoryError):
        return "out of memory"
    if isinstance(e, (zipfile.BadZipFile, zlib.error)):
        return f"not a readable zip archive: {_first_line(e)}"
    kind = _library_error(e)
    if kind is not None:
        return kind
    if isinstance(e, OSError):
        return _os_error(e)
    if isinstance(e, ValueError) and "integer string conversion" in str(e):
        return "a number in the input has too many digits to read"
    return None


def _library_error(e: BaseException) -> str | None:
    """Errors of optional or heavy libraries, recognised without importing them."""
    name = type(e).__name__
    module = type(e).__module__ or ""
    if name == "SafetensorError":
        return f"corrupt or truncated safetensors file: {_first_line(e)}"
    if module.startswith("yaml"):
        return f"invalid YAML: {_first_line(e)}"
    if module.startswith("PIL"):
        return f"unreadable image: {_first_line(e)}"
    return None


def unexpected(e: BaseException) -> str:
    """The line for an error the boundary does not know: what it was and how to see where."""
    return f"unexpected {type(e).__name__}: {_first_line(e)} ({DEBUG_HINT})"
