"""The CLI's one error boundary: every error is one line and exit 1; a traceback only with --debug."""

import errno
import json
import os
import zipfile
import zlib

import pytest
import yaml

from vlguard.cli import main
from vlguard.cli.boundary import describe, unexpected
from vlguard.errors import DataError


def _err(cls, *args):
    try:
        raise cls(*args)
    except BaseException as e:  # noqa: BLE001
        return e


@pytest.mark.parametrize("exc,text", [
    (OSError(errno.EROFS, "Read-only file system", "/ro/out.json"), "/ro/out.json: Read-only file system"),
    (OSError(errno.ENOSPC, "No space left on device", "/full/x"), "/full/x: no space left on the device"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp/d"), "/tmp/d: Is a directory"),
    (NotADirectoryError(errno.ENOTDIR, "Not a directory", "/f/x"), "/f/x: Not a directory"),
    (PermissionError(errno.EACCES, "Permission denied", "/etc/x"), "/etc/x: Permission denied"),
    (OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b"), "/a -> /b: Invalid cross-device link"),
    (OSError(errno.ENOSPC, "No space left on device"), "no space left on the device"),
    (_err(UnicodeDecodeError, "utf-8", b"\xff", 0, 1, "invalid start byte"),
     "input is not UTF-8 text (invalid start byte at byte 0)"),
    (_err(json.JSONDecodeError, "Expecting value", "[,", 1), "malformed JSON at line 1, column 2"),
    (RecursionError("maximum recursion depth exceeded"), "input nested too deeply to read"),
    (MemoryError(), "out of memory"),
    (zipfile.BadZipFile("File is not a zip file"), "not a readable zip archive: File is not a zip file"),
    (zlib.error("Error -3 while decompressing data"), "not a readable zip archive: Error -3"),
    (yaml.YAMLError("mapping values are not allowed here"), "invalid YAML: mapping values are not allowed"),
    (ValueError("Exceeds the limit (4300 digits) for integer string conversion"), "too many digits"),
    (DataError("x.json: bad"), "x.json: bad"),
])
def test_known_errors_read_as_one_line(exc, text):
    msg = describe(exc)
    assert msg is not None and text in msg and "\n" not in msg


def test_library_errors_are_recognised_without_importing_them():
    from PIL import UnidentifiedImageError
    from safetensors import SafetensorError

    assert describe(SafetensorError("Error while deserializing header: HeaderTooLarge")).startswith(
        "corrupt or truncated safetensors file")
    import io

    msg = describe(UnidentifiedImageError(f"cannot identify image file {io.BytesIO()!r}"))
    assert msg.startswith("unreadable image") and "BytesIO" not in msg and "0x" not in msg


def test_a_bug_is_one_line_too_and_says_how_to_see_the_traceback():
    assert describe(TypeError("unsupported operand")) is None
    line = unexpected(TypeError("unsupported operand\nsecond line"))
    assert line.startswith("unexpected TypeError: unsupported operand (") and "--debug" in line and "\n" not in line


@pytest.fixture
def crash(monkeypatch):
    """`vlguard tasks` raising `exc` from inside the library."""
    def arm(exc):
        import vlguard.eval.tasks as tasks

        class Boom(dict):
            def values(self):
                raise exc

        monkeypatch.setattr(tasks, "TASKS", Boom())

    return arm


@pytest.mark.parametrize("exc", [TypeError("a bug"), OSError(errno.EIO, "Input/output error", "/dev/x"),
                                 KeyError("k"), RecursionError()])
def test_main_turns_any_error_into_one_line_and_exit_1(crash, exc, one_line):
    crash(exc)
    line = one_line(main(["tasks"]))
    assert line.startswith("error: ")


def test_debug_flag_and_env_show_the_traceback(crash, capsys, monkeypatch):
    crash(TypeError("a bug"))
    assert main(["--debug", "tasks"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("error: unexpected TypeError")
    monkeypatch.setenv("VLGUARD_DEBUG", "1")
    assert main(["tasks"]) == 1
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setenv("VLGUARD_DEBUG", "0")
    assert main(["tasks"]) == 1  # the flag of an earlier call does not stick
    assert "Traceback" not in capsys.readouterr().err


def test_usage_errors_keep_exit_2_and_interrupts_130(crash, capsys):
    assert main(["data", "stats"]) == 2
    assert main(["eval", "--no-such-flag"]) == 2
    crash(KeyboardInterrupt())
    assert main(["tasks"]) == 130


def test_messages_with_brackets_are_printed_as_they_are(crash, capsys):
    crash(DataError("[bold]x[/bold] [0, 1) path/[red].json"))
    assert main(["tasks"]) == 1
    assert "[bold]x[/bold] [0, 1) path/[red].json" in capsys.readouterr().err


def test_os_errors_from_commands_name_the_path(tmp_path, monkeypatch, one_line, vlguard_set):
    def read_only(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    out = tmp_path / "o.json"
    line = one_line(main(["data", "convert", str(vlguard_set), "--to", "llava", "-o", str(out)]))
    assert f"{out}: cannot write: Read-only file system" in line and not out.exists()
