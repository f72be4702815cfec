import json

import pytest

from vlguard.errors import DataError, OutputExistsError
from vlguard.fileio import (
    JsonlAppender,
    atomic_write,
    check_output,
    iter_jsonl,
    read_json,
    read_jsonl_tolerant,
    repair_torn_tail,
    write_json,
)


def test_malformed_json_reports_line_and_column(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('[\n  {"id": 1,\n  "x": }\n]')
    with pytest.raises(DataError, match=r"line 3, column 8"):
        read_json(p)


def test_empty_missing_and_non_utf8(tmp_path):
    (tmp_path / "empty.json").write_text("  \n")
    with pytest.raises(DataError, match="empty"):
        read_json(tmp_path / "empty.json")
    with pytest.raises(DataError, match="no such file"):
        read_json(tmp_path / "nope.json")
    (tmp_path / "latin.json").write_bytes(b'["caf\xe9"]')
    with pytest.raises(DataError, match="not UTF-8"):
        read_json(tmp_path / "latin.json")


def test_jsonl_errors_name_the_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n\n[1]\n')
    with pytest.raises(DataError, match="line 3"):
        list(iter_jsonl(p))


def test_atomic_write_leaves_no_partial_file(tmp_path):
    p = tmp_path / "out.json"
    write_json(p, {"a": 1})
    with pytest.raises(RuntimeError):
        with atomic_write(p) as f:
            f.write("half")
            raise RuntimeError("crash")
    assert json.loads(p.read_text()) == {"a": 1}
    assert [x.name for x in tmp_path.iterdir()] == ["out.json"]


def test_check_output_refuses_overwrite(tmp_path):
    p = tmp_path / "o"
    p.write_text("x")
    with pytest.raises(OutputExistsError, match="--force"):
        check_output(p)
    assert check_output(p, force=True) == p


def test_tolerant_reader_skips_only_a_torn_last_line(tmp_path):
    p = tmp_path / "g.jsonl"
    with JsonlAppender(p) as w:
        w.write_many([{"id": 1}, {"id": 2}])
    with open(p, "a") as f:
        f.write('{"id": 3, "out')
    assert [r["id"] for r in read_jsonl_tolerant(p)] == [1, 2]
    p.write_text('{"id": 1}\n{bad\n{"id": 2}\n')
    with pytest.raises(DataError, match="line 2"):
        read_jsonl_tolerant(p)


def test_repair_torn_tail_cuts_only_a_partial_last_line(tmp_path):
    p = tmp_path / "g.jsonl"
    assert repair_torn_tail(p) is False and not p.exists()  # nothing there: nothing made
    p.write_bytes(b"")
    assert repair_torn_tail(p) is False and p.read_bytes() == b""
    whole = '{"id": 1}\n{"id": "été"}\n'.encode()
    p.write_bytes(whole)
    assert repair_torn_tail(p) is False and p.read_bytes() == whole
    with open(p, "ab") as f:
        f.write('{"id": 3, "out": "é'.encode()[:-1])  # torn mid-character, as a kill can leave it
    assert repair_torn_tail(p) is True and p.read_bytes() == whole
    with JsonlAppender(p) as w:  # appending after the repair gives whole lines only
        w.write_many([{"id": 4}])
    assert [r["id"] for r in read_jsonl_tolerant(p)] == [1, "été", 4]
    p.write_bytes(b'{"only": "torn')  # a first line torn: nothing whole is left
    assert repair_torn_tail(p) is True and p.read_bytes() == b""


def test_repair_torn_tail_finds_a_newline_far_back(tmp_path):
    p = tmp_path / "big.jsonl"
    head = b'{"id": 1}\n'
    p.write_bytes(head + b'{"blob": "' + b"x" * 200_000)  # the torn line spans several read blocks
    assert repair_torn_tail(p) is True and p.read_bytes() == head


# --- hostile input and failing outputs --------------------------------------------------------------------

import errno  # noqa: E402
import os  # noqa: E402

from vlguard.fileio import read_json_object  # noqa: E402


@pytest.mark.parametrize("text,match", [
    ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    ("[" + "9" * 5000 + "]", "unreadable JSON value"),
    ('{"n": -' + "1" * 4400 + "}", "unreadable JSON value"),
])
def test_json_too_deep_or_too_long_is_a_data_error_naming_the_file(tmp_path, text, match):
    p = tmp_path / "x.json"
    p.write_text(text)
    with pytest.raises(DataError, match=rf"x.json: .*{match}"):
        read_json(p)
    q = tmp_path / "x.jsonl"
    q.write_text('{"ok": 1}\n' + text + "\n")
    with pytest.raises(DataError, match=rf"x.jsonl: .*{match}.* at line 2"):
        list(iter_jsonl(q))


@pytest.mark.parametrize("line,match", [
    ("{}", "line 2 is an empty object"), ("[1, 2]", "line 2 is a JSON list"), ('"text"', "line 2 is a JSON string"),
    ("3", "line 2 is a JSON number"), ("null", "line 2 is a JSON null"), ('{"id": "x"}', "line 2 has no 'task'"),
])
def test_tolerant_reader_refuses_complete_lines_of_the_wrong_shape(tmp_path, line, match):
    p = tmp_path / "g.jsonl"
    p.write_text('{"id": "a", "task": "t"}\n' + line + "\n" + '{"id": "b", "task": "t"}\n')
    with pytest.raises(DataError, match=match):
        read_jsonl_tolerant(p, require=("id", "task"))
    p.write_text('{"id": "a", "task": "t"}\n' + line)  # even as the last line: a kill leaves no complete value
    with pytest.raises(DataError, match=match):
        read_jsonl_tolerant(p, require=("id", "task"))


def test_tolerant_reader_names_a_non_utf8_line_but_skips_a_torn_last_character(tmp_path):
    p = tmp_path / "g.jsonl"
    p.write_bytes(b'{"id": 1}\n{"id": "\xff\xfe"}\n{"id": 3}\n')
    with pytest.raises(DataError, match=r"g.jsonl: line 2: not UTF-8"):
        read_jsonl_tolerant(p)
    p.write_bytes(b'{"id": 1}\n{"id": "caf' + "é".encode()[:1])  # a kill in the middle of a character
    assert read_jsonl_tolerant(p) == [{"id": 1}]
    (tmp_path / "d.jsonl").mkdir()
    with pytest.raises(DataError, match="is a directory"):
        read_jsonl_tolerant(tmp_path / "d.jsonl")


def test_read_json_object_refuses_other_top_levels(tmp_path):
    for text, kind in (("[]", "list"), ('"x"', "string"), ("1", "number"), ("null", "null")):
        (tmp_path / "c.json").write_text(text)
        with pytest.raises(DataError, match=f"c.json: expected a JSON object, found a JSON {kind}"):
            read_json_object(tmp_path / "c.json")


def test_outputs_that_cannot_be_files(tmp_path):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputExistsError, match="is a directory"):
        check_output(tmp_path / "adir", force=True)
    with pytest.raises(DataError, match=r"afile is a file, not a folder"):
        check_output(tmp_path / "afile" / "out.json")
    with pytest.raises(DataError, match=r"afile is a file, not a folder"):
        check_output(tmp_path / "afile" / "deeper" / "out.json", force=True)
    with pytest.raises(OutputExistsError, match="is a file; give a folder"):
        check_output(tmp_path / "afile", force=True, folder=True)
    with pytest.raises(DataError, match="is a directory"):
        write_json(tmp_path / "adir", {})
    with pytest.raises(DataError, match="is a file, not a folder"):
        JsonlAppender(tmp_path / "afile" / "g.jsonl")


@pytest.mark.parametrize("code,text", [(errno.EROFS, "Read-only file system"), (errno.ENOSPC, "No space left"),
                                       (errno.EACCES, "Permission denied")])
def test_write_failures_name_the_output_not_a_temporary_file(tmp_path, monkeypatch, code, text):
    def fail(*a, **kw):
        raise OSError(code, os.strerror(code))

    out = tmp_path / "o.json"
    monkeypatch.setattr("tempfile.mkstemp", fail)
    with pytest.raises(DataError, match=rf"o.json: cannot write: {text}"):
        write_json(out, {"a": 1})
    monkeypatch.undo()
    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(DataError, match=rf"o.json: cannot write: {text}"):
        with atomic_write(out) as f:
            f.write("x")
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_appender_names_its_file_when_the_disk_fills(tmp_path):
    w = JsonlAppender(tmp_path / "g.jsonl")

    class Full:
        def write(self, _):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self):
            pass

    w._f = Full()
    with pytest.raises(DataError, match=r"g.jsonl: cannot write: No space left"):
        w.write_many([{"a": 1}])
