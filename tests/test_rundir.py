"""Run directories: fingerprints, refusing to resume another run, and clearing for --force."""

import json

import pytest

from vlguard.errors import ConfigError, DataError
from vlguard.rundir import (MANIFEST, check_resume, check_run_dir, clear, differences, existing, fingerprint,
                            read_manifest, write_manifest)


def test_fingerprint_is_stable_and_order_free():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2}) != fingerprint({"a": "1"})


def test_differences_name_dotted_keys():
    old = {"model": "a", "optim": {"lr": 0.1, "steps": 3}, "tasks": [["x", "/p"]]}
    new = {"model": "b", "optim": {"lr": 0.1, "steps": 4}, "tasks": [["x", "/q"]], "extra": 1}
    assert differences(old, new) == ['extra: "(unset)" -> 1', 'model: "a" -> "b"', "optim.steps: 3 -> 4",
                                     'tasks: [["x", "/p"]] -> [["x", "/q"]]']
    assert differences(old, old) == []


def test_resume_refuses_another_run_and_says_what_differs(tmp_path):
    write_manifest(tmp_path, "eval", {"model": "a", "limit": 5})
    check_resume(tmp_path, "eval", {"model": "a", "limit": 5})  # the same run
    with pytest.raises(ConfigError, match=r'differs: limit: 5 -> 6; model: "a" -> "b".*--force'):
        check_resume(tmp_path, "eval", {"model": "b", "limit": 6})
    with pytest.raises(ConfigError, match="holds a eval run, not a train run"):
        check_resume(tmp_path, "train", {"model": "a", "limit": 5})
    many = {f"k{i}": i for i in range(6)}
    write_manifest(tmp_path, "eval", many)
    with pytest.raises(ConfigError, match=r"\(and 3 more\)"):
        check_resume(tmp_path, "eval", {k: v + 1 for k, v in many.items()})


def test_a_run_without_a_manifest_resumes_and_a_broken_one_is_named(tmp_path):
    check_resume(tmp_path, "train", {"x": 1})
    assert read_manifest(tmp_path) is None
    for text in ("[]", '{"settings": 1}', "{not json"):
        (tmp_path / MANIFEST).write_text(text)
        with pytest.raises(DataError, match="run.json"):
            read_manifest(tmp_path)


def test_existing_and_clear(tmp_path):
    (tmp_path / "scores").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "scores" / "k.jsonl").write_text("{}\n")
    (tmp_path / "metrics.json").write_text("{}")
    (tmp_path / "keep.txt").write_text("mine")
    names = ("scores", "empty", "metrics.json", "missing")
    assert existing(tmp_path, names) == ["scores", "metrics.json"]
    assert clear(tmp_path, names) == ["scores", "empty", "metrics.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_check_run_dir_refuses_files(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(DataError, match="is a file"):
        check_run_dir(tmp_path / "f")
    with pytest.raises(DataError, match="f is a file, not a folder"):
        check_run_dir(tmp_path / "f" / "run")
    assert check_run_dir(tmp_path / "new") == tmp_path / "new"


def test_manifest_round_trip(tmp_path):
    write_manifest(tmp_path, "eval", {"m": 1}, image_roots=["/r"])
    data = json.loads((tmp_path / MANIFEST).read_text())
    assert data == {"kind": "eval", "fingerprint": fingerprint({"m": 1}), "settings": {"m": 1}, "image_roots": ["/r"]}
