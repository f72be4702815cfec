import json

import pytest

from vlguard.errors import DataError, OutputExistsError
from vlguard.fileio import (JsonlAppender, atomic_write, check_output, iter_jsonl, read_json,
                            read_jsonl_tolerant, repair_torn_tail, write_json)


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
